"""Work logs: drafts keep what the young person typed; sending checks attendance and the engagement's limits;
expenses and receipts; approval as claimed, adjusted with a reason, or rejected with a reason; who sees what.

The helpers at the top are shared by the other attendance and work-log test modules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import Attendance, Engagement, Expense, WorkLog
from engagements.selectors.work_logs import (
    engagements_to_log,
    expense_get_for_receipt,
    own_work_logs,
    work_log_get_for_actor,
    work_logs_ready_to_claim,
    work_logs_visible_to,
)
from engagements.services.work_logs import (
    expense_add,
    expense_remove,
    work_log_approve,
    work_log_reject,
    work_log_save_draft,
    work_log_submit,
)
from participants.models import Membership, Role
from participants.selectors.portfolio import portfolio_for
from tests.factories import MembershipFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
MB = 1024 * 1024


# --- Shared helpers -------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-address/"},
        },
    }
    return tmp_path / "private"


def confirmed_engagement(
    *memberships: Membership,
    minutes: int = 120,
    preparation: int = 60,
    starts_at: datetime.datetime | None = None,
    partnership=None,
    **fields,
) -> Engagement:
    """A published engagement (three hours ago unless `starts_at`) with these young people confirmed."""
    starts = starts_at or timezone.now() - datetime.timedelta(hours=3)
    where = partnership or (memberships[0].partnership if memberships else None)
    engagement = EngagementFactory(
        partnership=where,
        status=Engagement.Status.PUBLISHED,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=minutes),
        preparation_minutes=preparation,
        **fields,
    )
    engagement.attendees.add(*memberships)
    return engagement


def mark(engagement: Engagement, membership: Membership, status: str = "present") -> Attendance:
    return Attendance.objects.create(
        partnership=engagement.partnership, engagement=engagement, membership=membership, status=status
    )


def attended_engagement(membership: Membership, **fields) -> Engagement:
    engagement = confirmed_engagement(membership, **fields)
    mark(engagement, membership)
    return engagement


def draft(young, engagement, *, preparation=30, session=120, travel=40, note="") -> WorkLog:
    return work_log_save_draft(
        actor=young,
        engagement_id=engagement.pk,
        preparation_minutes=preparation,
        session_minutes=session,
        travel_minutes=travel,
        note=note,
    )


def submitted(young, engagement=None, **figures) -> WorkLog:
    engagement = engagement or attended_engagement(young.membership)
    log = draft(young, engagement, **figures)
    return work_log_submit(actor=young, work_log_id=log.pk)


def receipt(content: bytes = JPG, name: str = "IMG_0042 Amara.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON)


# --- Drafts ---------------------------------------------------------------------------------------------------------


def test_a_draft_is_made_once_and_updated_after(young):
    engagement = attended_engagement(young.membership)
    first = draft(young, engagement, session=90)
    again = draft(young, engagement, session=100, note="I stayed to help tidy up")
    assert first.pk == again.pk
    log = WorkLog.objects.get()
    assert (log.status, log.session_minutes, log.note) == ("draft", 100, "I stayed to help tidy up")
    assert log.membership == young.membership and log.partnership == young.partnership
    assert AuditEvent.objects.filter(event_type="worklog.draft_saved").count() == 2


def test_a_draft_keeps_figures_that_would_not_pass_the_checks(young):
    engagement = attended_engagement(young.membership, minutes=60, preparation=0)
    log = draft(young, engagement, preparation=45, session=300, travel=500)
    assert (log.preparation_minutes, log.session_minutes, log.travel_minutes) == (45, 300, 500)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("preparation_minutes", -1, "cannot be less than 0"),
        ("session_minutes", "ten", "whole number"),
        ("travel_minutes", 2.5, "whole number"),
        ("session_minutes", 7 * 24 * 60 + 1, "cannot be more than 168 hours"),
    ],
)
def test_numbers_that_cannot_be_time_are_refused_naming_the_field(young, field, value, words):
    engagement = attended_engagement(young.membership)
    figures = {"preparation_minutes": 0, "session_minutes": 0, "travel_minutes": 0, field: value}
    with pytest.raises(ApplicationError) as refused:
        work_log_save_draft(actor=young, engagement_id=engagement.pk, **figures)
    assert refused.value.extra["field"] == field
    assert words in refused.value.message
    assert not WorkLog.objects.exists()


def test_a_draft_only_for_an_engagement_of_ones_own(young, member, other_partnership):
    not_mine = confirmed_engagement(member(Role.YOUNG_PERSON).membership)
    elsewhere = confirmed_engagement(
        MembershipFactory(partnership=other_partnership, roles=[Role.YOUNG_PERSON]), partnership=other_partnership
    )
    for engagement in (not_mine, elsewhere):
        with pytest.raises(Http404):
            draft(young, engagement)
    assert not WorkLog.objects.exists()


def test_staff_cannot_make_a_draft(worker, young):
    engagement = attended_engagement(young.membership)
    with pytest.raises(PermissionDenied):
        draft(worker, engagement)


# --- Sending for approval -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("attendance", [None, "absent"])
def test_time_is_logged_only_for_an_engagement_attended_and_the_draft_is_kept(young, attendance):
    engagement = confirmed_engagement(young.membership)
    if attendance:
        mark(engagement, young.membership, attendance)
    log = draft(young, engagement, session=100)

    with pytest.raises(ApplicationError) as refused:
        work_log_submit(actor=young, work_log_id=log.pk)

    assert refused.value.message == "You can only log time for an engagement you attended."
    log.refresh_from_db()
    assert (log.status, log.session_minutes, log.submitted_at) == ("draft", 100, None)


@pytest.mark.parametrize("status", ["late", "left_early", "present"])
def test_late_and_left_early_count_as_attended(young, status):
    engagement = confirmed_engagement(young.membership)
    mark(engagement, young.membership, status)
    log = work_log_submit(actor=young, work_log_id=draft(young, engagement).pk)
    assert log.status == "submitted"


def test_session_time_can_be_the_engagements_length_but_not_a_minute_more(young, member):
    engagement = attended_engagement(young.membership, minutes=120)
    log = draft(young, engagement, session=121)
    with pytest.raises(ValidationError) as refused:
        work_log_submit(actor=young, work_log_id=log.pk)
    assert list(refused.value.message_dict) == ["session_minutes"]
    assert "at most the length of the engagement: 2 hours" in refused.value.message_dict["session_minutes"][0]
    assert WorkLog.objects.get().status == "draft"

    draft(young, engagement, session=120)
    assert work_log_submit(actor=young, work_log_id=log.pk).status == "submitted"


def test_preparation_time_is_held_to_the_allowance(young, member):
    engagement = attended_engagement(young.membership, preparation=45)
    log = draft(young, engagement, preparation=46)
    with pytest.raises(ValidationError) as refused:
        work_log_submit(actor=young, work_log_id=log.pk)
    assert refused.value.message_dict["preparation_minutes"] == [
        "Preparation time can be at most the 45 minutes allowed for this engagement."
    ]
    draft(young, engagement, preparation=45)
    assert work_log_submit(actor=young, work_log_id=log.pk).status == "submitted"


def test_no_allowance_means_no_preparation_time(young):
    engagement = attended_engagement(young.membership, preparation=0)
    log = draft(young, engagement, preparation=10)
    with pytest.raises(ValidationError) as refused:
        work_log_submit(actor=young, work_log_id=log.pk)
    assert refused.value.message_dict["preparation_minutes"] == ["No preparation time is allowed for this engagement."]


def test_every_failing_field_is_named_at_once_and_travel_is_at_most_four_hours(young):
    engagement = attended_engagement(young.membership, minutes=60, preparation=30)
    log = draft(young, engagement, preparation=31, session=61, travel=241)
    with pytest.raises(ValidationError) as refused:
        work_log_submit(actor=young, work_log_id=log.pk)
    assert set(refused.value.message_dict) == {"preparation_minutes", "session_minutes", "travel_minutes"}
    assert refused.value.message_dict["travel_minutes"] == ["Travel time can be at most 4 hours."]
    draft(young, engagement, preparation=30, session=60, travel=240)
    assert work_log_submit(actor=young, work_log_id=log.pk).status == "submitted"


def test_some_time_must_be_logged(young):
    engagement = attended_engagement(young.membership)
    log = draft(young, engagement, preparation=0, session=0, travel=0)
    with pytest.raises(ValidationError) as refused:
        work_log_submit(actor=young, work_log_id=log.pk)
    assert "session_minutes" in refused.value.message_dict


def test_sending_emails_the_staff_lead_after_commit(member, django_capture_on_commit_callbacks):
    lead = member(Role.PARTICIPATION_WORKER)
    member(Role.PARTICIPATION_WORKER)  # not the lead: not emailed
    young = member(Role.YOUNG_PERSON)
    engagement = attended_engagement(young.membership, staff_lead=lead)
    log = draft(young, engagement)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        work_log_submit(actor=young, work_log_id=log.pk)
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert engagement.title in mail.outbox[0].body
    assert f"/staff/work-logs/{log.pk}/" in mail.outbox[0].body
    assert young.full_name not in mail.outbox[0].body


def test_with_no_staff_lead_every_participation_worker_is_emailed(member, django_capture_on_commit_callbacks):
    workers = [member(Role.PARTICIPATION_WORKER) for _ in range(2)]
    member(Role.FINANCE_OFFICER)
    young = member(Role.YOUNG_PERSON)
    with django_capture_on_commit_callbacks(execute=True):
        submitted(young)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(w.email for w in workers)


def test_time_can_be_sent_only_once_the_session_has_finished_and_the_draft_is_kept(young):
    starts = timezone.now() - datetime.timedelta(minutes=30)  # under way: ends in an hour and a half
    engagement = attended_engagement(young.membership, starts_at=starts, minutes=120)
    log = draft(young, engagement, session=30)
    with pytest.raises(ApplicationError) as refused:
        work_log_submit(actor=young, work_log_id=log.pk)
    assert refused.value.message == "You can send your time once the session has finished."
    assert refused.value.extra["field"] == "engagement"
    assert WorkLog.objects.get().status == "draft"
    now = timezone.now()
    Engagement.objects.filter(pk=engagement.pk).update(
        starts_at=now - datetime.timedelta(minutes=121), ends_at=now - datetime.timedelta(minutes=1)
    )
    assert work_log_submit(actor=young, work_log_id=log.pk).status == "submitted"


def test_time_for_a_cancelled_engagement_cannot_be_sent(young):
    engagement = attended_engagement(young.membership)
    log = draft(young, engagement)
    Engagement.objects.filter(pk=engagement.pk).update(status=Engagement.Status.CANCELLED)
    with pytest.raises(ApplicationError) as refused:
        work_log_submit(actor=young, work_log_id=log.pk)
    assert "cancelled" in refused.value.message and refused.value.extra["field"] == "engagement"
    assert WorkLog.objects.get().status == "draft"


def test_a_sent_log_cannot_be_changed_or_sent_twice(young):
    log = submitted(young)
    with pytest.raises(ApplicationError):
        draft(young, log.engagement, session=10)
    with pytest.raises(ApplicationError):
        work_log_submit(actor=young, work_log_id=log.pk)
    with pytest.raises(ApplicationError):
        expense_add(actor=young, work_log_id=log.pk, kind="food", description="Lunch", amount="3.00", receipt=receipt())


# --- Expenses and receipts ------------------------------------------------------------------------------------------


def test_an_expense_is_kept_with_its_receipt_under_a_random_name(young, private_storage):
    log = draft(young, attended_engagement(young.membership))
    expense = expense_add(
        actor=young, work_log_id=log.pk, kind="food", description="Lunch", amount="6.40", receipt=receipt()
    )
    assert (expense.amount, expense.receipt_kind) == (Decimal("6.40"), "jpg")
    assert expense.receipt.name.endswith(".jpg") and "Amara" not in expense.receipt.name
    assert (private_storage / expense.receipt.name).read_bytes() == JPG


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00 a Windows program", "receipt.exe"),
        (b"Bus fare 4.50, honest", "receipt.pdf"),
        (b"<svg onload=alert(1)>", "receipt.png"),
    ],
)
def test_a_receipt_that_is_not_a_photo_or_pdf_is_refused_and_nothing_is_kept(young, content, name, private_storage):
    log = draft(young, attended_engagement(young.membership))
    with pytest.raises(ApplicationError) as refused:
        expense_add(
            actor=young,
            work_log_id=log.pk,
            kind="food",
            description="Lunch",
            amount="6.40",
            receipt=SimpleUploadedFile(name, content, content_type="application/pdf"),
        )
    assert refused.value.message == "The receipt must be a photo (JPG or PNG) or a PDF"
    assert refused.value.extra["field"] == "receipt"
    assert not Expense.objects.exists()
    assert not private_storage.exists() or not any(p.is_file() for p in private_storage.rglob("*"))
    assert WorkLog.objects.get().session_minutes == 120  # the draft is untouched


def test_a_receipt_over_10_mb_is_refused(young):
    log = draft(young, attended_engagement(young.membership))
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (10 * MB), content_type="application/pdf")
    with pytest.raises(ApplicationError) as refused:
        expense_add(actor=young, work_log_id=log.pk, kind="other", description="Print", amount="2.00", receipt=big)
    assert refused.value.message == "The receipt must be smaller than 10 MB"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "more than £0"),
        ("-3", "more than £0"),
        ("4.505", "pounds and pence"),
        ("lots", "pounds and pence"),
        ("500.01", "at most £500.00"),
    ],
)
def test_amounts_are_pounds_and_pence_from_a_penny_to_500(young, amount, words):
    log = draft(young, attended_engagement(young.membership))
    with pytest.raises(ApplicationError) as refused:
        expense_add(actor=young, work_log_id=log.pk, kind="food", description="x", amount=amount, receipt=receipt())
    assert refused.value.extra["field"] == "amount"
    assert words in refused.value.message
    ok = expense_add(actor=young, work_log_id=log.pk, kind="food", description="x", amount="500", receipt=receipt())
    assert ok.amount == Decimal("500.00")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1e30", "at most £500.00"),
        (Decimal("1e30"), "at most £500.00"),
        ("-1e30", "more than £0"),
        ("NaN", "pounds and pence"),
        ("sNaN", "pounds and pence"),
        ("Infinity", "pounds and pence"),
        ("-Infinity", "pounds and pence"),
        ("1e-5", "pounds and pence"),
        ("1e-999999", "pounds and pence"),
        ("1e999999999999", "at most £500.00"),
    ],
)
def test_huge_tiny_and_not_a_number_amounts_are_refused_naming_the_amount(young, amount, words):
    log = draft(young, attended_engagement(young.membership))
    with pytest.raises(ApplicationError) as refused:
        expense_add(actor=young, work_log_id=log.pk, kind="food", description="x", amount=amount, receipt=receipt())
    assert refused.value.extra["field"] == "amount"
    assert words in refused.value.message
    assert not Expense.objects.exists()


def test_a_receipt_is_needed_except_for_a_travel_fare_under_5_pounds(young):
    log = draft(young, attended_engagement(young.membership))
    bus = expense_add(actor=young, work_log_id=log.pk, kind="travel", description="Bus", amount="4.99")
    assert not bus.receipt
    for kind, amount in (("travel", "5.00"), ("food", "1.20")):
        with pytest.raises(ApplicationError) as refused:
            expense_add(actor=young, work_log_id=log.pk, kind=kind, description="x", amount=amount)
        assert refused.value.extra["field"] == "receipt"
    assert Expense.objects.count() == 1


def test_the_same_expense_sent_again_with_the_same_key_is_added_once(young, private_storage):
    log = draft(young, attended_engagement(young.membership))

    def add(key, description="Lunch", amount="6.40"):
        return expense_add(
            actor=young,
            work_log_id=log.pk,
            kind="food",
            description=description,
            amount=amount,
            receipt=receipt(),
            idempotency_key=key,
        )

    first = add("a" * 32)
    again = add("a" * 32)
    assert again.pk == first.pk
    assert Expense.objects.count() == 1
    assert len([p for p in private_storage.rglob("*") if p.is_file()]) == 1  # the repeat kept no second receipt
    assert AuditEvent.objects.filter(event_type="worklog.expense_added").count() == 1
    # A new key is a new expense, even an identical one (two bus fares the same are two expenses).
    assert add("b" * 32).pk != first.pk
    # The same key with other details (the page sent again after going back and changing it) is a new expense.
    assert add("a" * 32, description="Tea", amount="1.50").description == "Tea"
    # No key: every call adds.
    add(None)
    add(None)
    assert Expense.objects.count() == 5


def test_a_repeat_with_the_same_key_after_sending_returns_the_first_expense(young):
    engagement = attended_engagement(young.membership)
    log = draft(young, engagement)
    first = expense_add(
        actor=young, work_log_id=log.pk, kind="travel", description="Bus", amount="2.00", idempotency_key="k-1"
    )
    work_log_submit(actor=young, work_log_id=log.pk)
    again = expense_add(
        actor=young, work_log_id=log.pk, kind="travel", description="Bus", amount="2.00", idempotency_key="k-1"
    )
    assert again.pk == first.pk and Expense.objects.count() == 1
    with pytest.raises(ApplicationError) as refused:  # a new one is still refused once it is sent
        expense_add(
            actor=young, work_log_id=log.pk, kind="travel", description="Bus", amount="2.00", idempotency_key="k-2"
        )
    assert refused.value.extra["field"] == "status"


def test_an_idempotency_key_of_more_than_100_characters_is_refused(young):
    log = draft(young, attended_engagement(young.membership))
    with pytest.raises(ApplicationError) as refused:
        expense_add(
            actor=young, work_log_id=log.pk, kind="travel", description="Bus", amount="2", idempotency_key="k" * 101
        )
    assert refused.value.extra["field"] == "idempotency_key"


def test_removing_an_expense_removes_its_receipt_after_commit(
    young, private_storage, django_capture_on_commit_callbacks
):
    log = draft(young, attended_engagement(young.membership))
    expense = expense_add(
        actor=young, work_log_id=log.pk, kind="food", description="Lunch", amount="6.40", receipt=receipt()
    )
    stored = private_storage / expense.receipt.name
    with django_capture_on_commit_callbacks(execute=True):
        expense_remove(actor=young, work_log_id=log.pk, expense_id=expense.pk)
    assert not Expense.objects.exists()
    assert not stored.exists()


def test_someone_elses_log_is_a_404_for_a_young_person(young, member):
    other = member(Role.YOUNG_PERSON)
    log = draft(other, attended_engagement(other.membership))
    with pytest.raises(Http404):
        expense_add(actor=young, work_log_id=log.pk, kind="travel", description="Bus", amount="2")
    with pytest.raises(Http404):
        work_log_submit(actor=young, work_log_id=log.pk)
    with pytest.raises(Http404):
        work_log_get_for_actor(young, log.pk)


# --- Review ---------------------------------------------------------------------------------------------------------


def test_approving_as_claimed_copies_the_figures_and_tells_the_young_person(
    worker, young, django_capture_on_commit_callbacks
):
    log = submitted(young)
    expense = Expense.objects.create(
        partnership=log.partnership, work_log=log, kind="travel", description="Bus", amount=Decimal("3.20")
    )
    with django_capture_on_commit_callbacks(execute=True):
        work_log_approve(actor=worker, work_log_id=log.pk)
    log.refresh_from_db()
    expense.refresh_from_db()
    assert log.status == "approved"
    assert (log.approved_preparation_minutes, log.approved_session_minutes, log.approved_travel_minutes) == (
        30,
        120,
        40,
    )
    assert (log.decided_by, log.is_adjusted, expense.approved_amount) == (worker, False, Decimal("3.20"))
    assert [m.to for m in mail.outbox] == [[young.email]]
    assert mail.outbox[0].subject == f"Your time for {log.engagement.title} was approved"
    assert log in work_logs_ready_to_claim(worker)


def test_adjusting_without_a_reason_is_refused_and_with_one_the_young_person_is_told_why(
    worker, young, django_capture_on_commit_callbacks
):
    log = submitted(young)
    with pytest.raises(ApplicationError) as refused:
        work_log_approve(actor=worker, work_log_id=log.pk, travel_minutes=20)
    assert refused.value.extra["field"] == "reason"
    assert WorkLog.objects.get().status == "submitted"

    with django_capture_on_commit_callbacks(execute=True):
        work_log_approve(actor=worker, work_log_id=log.pk, travel_minutes=20, reason="The bus takes 10 minutes.")
    log.refresh_from_db()
    assert (log.status, log.approved_travel_minutes, log.approved_minutes, log.is_adjusted) == (
        "approved",
        20,
        170,
        True,
    )
    assert "with changes" in mail.outbox[0].subject
    assert "The bus takes 10 minutes." in mail.outbox[0].body
    event = AuditEvent.objects.filter(event_type="worklog.status_changed", payload__to="approved").get()
    assert event.payload["adjusted"] is True and event.payload["changed"] == ["travel_minutes"]


def test_an_expense_approved_for_less_is_an_adjustment_and_never_more_than_claimed(worker, young):
    log = submitted(young)
    expense = Expense.objects.create(
        partnership=log.partnership, work_log=log, kind="food", description="Lunch", amount=Decimal("8.00")
    )
    with pytest.raises(ApplicationError) as refused:
        work_log_approve(actor=worker, work_log_id=log.pk, expense_amounts={expense.pk: Decimal("9.00")}, reason="x")
    assert "at most the £8.00 claimed" in refused.value.message
    with pytest.raises(ApplicationError) as refused:
        work_log_approve(actor=worker, work_log_id=log.pk, expense_amounts={expense.pk: Decimal("5.00")})
    assert refused.value.extra["field"] == "reason"
    work_log_approve(
        actor=worker, work_log_id=log.pk, expense_amounts={expense.pk: Decimal("5.00")}, reason="Lunch is up to £5."
    )
    expense.refresh_from_db()
    assert expense.approved_amount == Decimal("5.00")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1e30", "at most the £8.00 claimed"),
        (Decimal("1e30"), "at most the £8.00 claimed"),
        ("-1e30", "pounds and pence"),
        ("NaN", "pounds and pence"),
        (Decimal("sNaN"), "pounds and pence"),
        ("Infinity", "pounds and pence"),
        ("1e-5", "pounds and pence"),
    ],
)
def test_huge_tiny_and_not_a_number_approved_amounts_name_the_expense(worker, young, amount, words):
    log = submitted(young)
    expense = Expense.objects.create(
        partnership=log.partnership, work_log=log, kind="food", description="Lunch", amount=Decimal("8.00")
    )
    with pytest.raises(ApplicationError) as refused:
        work_log_approve(actor=worker, work_log_id=log.pk, expense_amounts={expense.pk: amount}, reason="Less")
    assert refused.value.extra == {"field": "expense_amounts", "expense": expense.pk}
    assert words in refused.value.message
    assert WorkLog.objects.get().status == "submitted"


def test_approved_figures_are_held_to_the_same_limits(worker, young):
    log = submitted(young, attended_engagement(young.membership, minutes=120, preparation=30))
    with pytest.raises(ValidationError) as refused:
        work_log_approve(actor=worker, work_log_id=log.pk, session_minutes=121, reason="More")
    assert "session_minutes" in refused.value.message_dict
    with pytest.raises(ValidationError):
        work_log_approve(actor=worker, work_log_id=log.pk, preparation_minutes=31, reason="More")
    assert WorkLog.objects.get().status == "submitted"


def test_rejecting_needs_a_reason_and_the_log_goes_back_to_draft_when_changed(
    worker, young, django_capture_on_commit_callbacks
):
    log = submitted(young)
    with pytest.raises(ApplicationError) as refused:
        work_log_reject(actor=worker, work_log_id=log.pk, reason="  ")
    assert refused.value.extra["field"] == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        work_log_reject(actor=worker, work_log_id=log.pk, reason="Add the receipt for the taxi.")
    assert WorkLog.objects.get().status == "rejected"
    assert "not approved" in mail.outbox[0].subject and "Add the receipt" in mail.outbox[0].body
    assert [row.engagement for row in engagements_to_log(young)] == [log.engagement]

    changed = draft(young, log.engagement, travel=30)
    assert changed.status == "draft"
    assert work_log_submit(actor=young, work_log_id=log.pk).status == "submitted"


def test_a_worker_can_never_decide_their_own_log(member, partnership):
    both = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON, Role.PARTICIPATION_WORKER]).user
    from core.tenancy import act_in

    act_in(both, partnership)
    log = submitted(both)
    with pytest.raises(ApplicationError):
        work_log_approve(actor=both, work_log_id=log.pk)
    with pytest.raises(ApplicationError):
        work_log_reject(actor=both, work_log_id=log.pk, reason="No")
    assert WorkLog.objects.get().status == "submitted"


def test_only_participation_workers_of_the_partnership_decide(member, young, other_partnership):
    log = submitted(young)
    for role in (Role.FINANCE_OFFICER, Role.PARTNERSHIP_ADMIN, Role.SAFEGUARDING_LEAD):
        with pytest.raises(PermissionDenied):
            work_log_approve(actor=member(role), work_log_id=log.pk)
    with pytest.raises(PermissionDenied):
        work_log_approve(actor=young, work_log_id=log.pk)
    with pytest.raises(Http404):
        work_log_approve(actor=member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership), work_log_id=log.pk)
    assert WorkLog.objects.get().status == "submitted"


def test_a_draft_cannot_be_decided(worker, young):
    log = draft(young, attended_engagement(young.membership))
    with pytest.raises(ApplicationError):
        work_log_approve(actor=worker, work_log_id=log.pk)


# --- Who sees what --------------------------------------------------------------------------------------------------


def test_young_people_see_their_own_logs_and_staff_their_partnerships(member, young, other_partnership):
    mine = draft(young, attended_engagement(young.membership))
    other = member(Role.YOUNG_PERSON)
    theirs = draft(other, attended_engagement(other.membership))
    stranger = MembershipFactory(partnership=other_partnership, roles=[Role.YOUNG_PERSON]).user
    from core.tenancy import act_in

    act_in(stranger, other_partnership)
    elsewhere = draft(stranger, attended_engagement(stranger.membership))

    assert list(work_logs_visible_to(young)) == [mine]
    assert list(own_work_logs(young)) == [mine]
    for role in (Role.PARTICIPATION_WORKER, Role.FINANCE_OFFICER, Role.PARTNERSHIP_ADMIN):
        assert set(work_logs_visible_to(member(role))) == {mine, theirs}
    assert elsewhere not in work_logs_visible_to(member(Role.PARTICIPATION_WORKER))
    with pytest.raises(PermissionDenied):
        work_logs_visible_to(member(Role.SAFEGUARDING_LEAD))


def test_ready_to_claim_is_approved_logs_for_finance_officers(member, young, worker):
    approved = submitted(young)
    work_log_approve(actor=worker, work_log_id=approved.pk)
    other = member(Role.YOUNG_PERSON)
    submitted(other)
    assert list(work_logs_ready_to_claim(member(Role.FINANCE_OFFICER))) == [approved]
    with pytest.raises(PermissionDenied):
        work_logs_ready_to_claim(young)


def test_a_receipt_opens_for_its_owner_workers_and_finance_only(member, young, other_partnership):
    log = draft(young, attended_engagement(young.membership))
    expense = expense_add(
        actor=young, work_log_id=log.pk, kind="food", description="Lunch", amount="6.40", receipt=receipt()
    )
    for allowed in (young, member(Role.PARTICIPATION_WORKER), member(Role.FINANCE_OFFICER)):
        assert expense_get_for_receipt(allowed, expense.pk) == expense
    for refused in (
        member(Role.YOUNG_PERSON),
        member(Role.PARTNERSHIP_ADMIN),
        member(Role.SAFEGUARDING_LEAD),
        member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership),
    ):
        with pytest.raises(Http404):
            expense_get_for_receipt(refused, expense.pk)


def test_engagements_to_log_are_attended_ones_without_a_log_a_draft_or_one_sent_back(young):
    me = young.membership
    no_log = attended_engagement(me, starts_at=timezone.now() - datetime.timedelta(days=3))
    with_draft = attended_engagement(me, starts_at=timezone.now() - datetime.timedelta(days=2))
    draft(young, with_draft)
    sent = attended_engagement(me)
    submitted(young, sent)
    absent = confirmed_engagement(me)
    mark(absent, me, "absent")
    confirmed_engagement(me)  # not marked yet

    rows = engagements_to_log(young)

    assert [(row.engagement, row.work_log is not None) for row in rows] == [(no_log, False), (with_draft, True)]


def test_portfolio_hours_are_the_approved_time_where_there_is_one_else_the_length(young, worker):
    me = young.membership
    logged = attended_engagement(me, minutes=120, preparation=60)
    work_log_approve(
        actor=worker, work_log_id=submitted(young, logged, preparation=60, session=120, travel=60).pk
    )  # 4 hours approved
    attended_engagement(me, minutes=90)  # no log: its length
    absent = confirmed_engagement(me, minutes=600)
    mark(absent, me, "absent")  # not attended: not counted

    portfolio = portfolio_for(young, me.pk)

    assert sorted(row.minutes for row in portfolio.engagements) == [90, 240]
    assert portfolio.total_hours == "5.5 hours"


def test_a_logs_expense_totals_add_up_its_expenses_from_the_list_without_a_query_each(worker, young):
    """WorkLog.expenses_total / expense_count / expenses_approved_total add up the expenses every list prefetches: a
    line not decided yet counts as claimed in the approved total, and reading them costs no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.engagements import ExpenseFactory, WorkLogFactory

    log = WorkLogFactory(membership=young.membership)
    ExpenseFactory(work_log=log, amount=Decimal("5.00"), approved_amount=Decimal("3.00"))
    ExpenseFactory(work_log=log, amount=Decimal("2.50"))
    WorkLogFactory(membership=young.membership)  # one with none

    listed = {item.pk: item for item in work_logs_visible_to(worker)}
    with CaptureQueriesContext(connection) as queries:
        figures = {
            pk: (item.expenses_total, item.expense_count, item.expenses_approved_total) for pk, item in listed.items()
        }
    assert len(queries) == 0
    assert figures[log.pk] == (Decimal("7.50"), 2, Decimal("5.50"))
    assert sorted(figures.values())[0] == (Decimal("0.00"), 0, Decimal("0.00"))
