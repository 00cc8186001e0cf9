"""Work log pages: the young person logs time (hours and minutes) and expenses without losing what they typed;
staff see the queue and decide; receipts download only for those who may open them; query counts."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Attendance, Expense, WorkLog
from engagements.services.work_logs import expense_add, work_log_approve
from participants.models import Role
from tests.engagements.test_work_logs import (
    JPG,
    PDF,
    attended_engagement,
    confirmed_engagement,
    draft,
    mark,
    private_storage,  # noqa: F401 - autouse fixture
    receipt,
    submitted,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON)


def time_fields(prep=(0, 30), session=(2, 0), travel=(0, 40), note=""):
    return {
        "preparation_hours": str(prep[0]),
        "preparation_minutes": str(prep[1]),
        "session_hours": str(session[0]),
        "session_minutes": str(session[1]),
        "travel_hours": str(travel[0]),
        "travel_minutes": str(travel[1]),
        "note": note,
    }


def url(engagement):
    return f"/work-logs/engagement/{engagement.pk}/"


# --- The young person's pages ---------------------------------------------------------------------------------


def test_my_work_logs_offers_to_log_time_for_an_engagement_attended(young, login):
    engagement = attended_engagement(young.membership, title="Panel on online safety")
    confirmed_engagement(young.membership, title="Not marked yet")
    page = login(young).get("/work-logs/").content.decode()
    assert "Panel on online safety" in page and url(engagement) in page
    assert "Not marked yet" not in page


def test_hours_and_minutes_are_saved_as_a_draft(young, login):
    engagement = attended_engagement(young.membership)
    client = login(young)
    page = client.get(url(engagement)).content.decode()
    assert 'id="id_preparation_hours"' in page and 'id="id_session_minutes"' in page
    assert 'accept="image/jpeg,image/png,image/*,application/pdf' in page

    response = client.post(url(engagement), {**time_fields(prep=(1, 15), session=(1, 50)), "action": "save"})

    assert response.status_code == 302 and response["Location"] == url(engagement)
    log = WorkLog.objects.get()
    assert (log.status, log.preparation_minutes, log.session_minutes, log.travel_minutes) == ("draft", 75, 110, 40)
    page = client.get(url(engagement)).content.decode()
    assert 'value="1"' in page and 'value="15"' in page and 'value="50"' in page


def test_a_failed_send_names_the_field_and_keeps_the_draft(young, login):
    engagement = attended_engagement(young.membership, minutes=120)
    client = login(young)

    response = client.post(url(engagement), {**time_fields(session=(2, 1)), "action": "submit"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_session_hours"' in page
    assert "Session time can be at most the length of the engagement: 2 hours." in page
    log = WorkLog.objects.get()
    assert (log.status, log.session_minutes) == ("draft", 121)
    assert 'name="session_minutes"' in page and 'value="1"' in page  # what they typed is still there


def test_time_for_an_engagement_not_attended_is_refused_and_the_draft_kept(young, login):
    engagement = confirmed_engagement(young.membership)
    response = login(young).post(url(engagement), {**time_fields(), "action": "submit"})
    assert "You can only log time for an engagement you attended." in response.content.decode()
    assert WorkLog.objects.get().status == "draft"


def test_negative_numbers_are_refused_and_nothing_is_saved(young, login):
    engagement = attended_engagement(young.membership)
    response = login(young).post(url(engagement), {**time_fields(travel=(-1, 0)), "action": "save"})
    page = response.content.decode()
    assert 'href="#id_travel_hours"' in page and "Travel: hours cannot be less than 0" in page
    assert not WorkLog.objects.exists()


def test_a_bad_receipt_is_a_clear_error_and_nothing_else_typed_is_lost(young, login):
    engagement = attended_engagement(young.membership)
    fake = SimpleUploadedFile("receipt.pdf", b"this is only text", content_type="application/pdf")
    response = login(young).post(
        url(engagement),
        {
            **time_fields(session=(1, 45), note="Went straight from school"),
            "expense-kind": "food",
            "expense-description": "Sandwich and drink",
            "expense-amount": "4.20",
            "expense-receipt": fake,
            "action": "submit",
        },
    )
    page = response.content.decode()
    assert 'href="#id_expense-receipt"' in page
    assert "The receipt must be a photo (JPG or PNG) or a PDF" in page
    assert 'value="Sandwich and drink"' in page and 'value="4.20"' in page
    log = WorkLog.objects.get()
    assert (log.status, log.session_minutes, log.note) == ("draft", 105, "Went straight from school")
    assert not Expense.objects.exists()


def test_an_expense_with_a_receipt_is_added_and_the_log_sent(young, member, login, django_capture_on_commit_callbacks):
    lead = member(Role.PARTICIPATION_WORKER)
    engagement = attended_engagement(young.membership, staff_lead=lead)
    client = login(young)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(engagement),
            {
                **time_fields(),
                "expense-kind": "travel",
                "expense-description": "Train",
                "expense-amount": "£12.40",
                "expense-receipt": SimpleUploadedFile("ticket.pdf", PDF, content_type="application/pdf"),
                "action": "submit",
            },
        )
    assert response.status_code == 302 and response["Location"] == "/work-logs/"
    log = WorkLog.objects.get()
    assert log.status == "submitted"
    assert log.expenses.get().amount == Decimal("12.40")
    assert [m.to for m in mail.outbox] == [[lead.email]]
    page = client.get("/work-logs/").content.decode()
    assert "Waiting for approval" in page and "£12.40" in page
    # Once sent it is shown, not offered for changes
    assert 'name="action"' not in client.get(url(engagement)).content.decode()


def form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([0-9a-f]{32})"', page)
    assert found, "the edit form carries a one-time token"
    return found.group(1)


def test_the_same_form_sent_twice_adds_its_expense_once(young, login):
    engagement = attended_engagement(young.membership)
    client = login(young)
    page = client.get(url(engagement)).content.decode()
    assert page.count('data-prevent-double-click="true"') >= 2  # both buttons ignore a double click
    token = form_token(page)
    sent = {
        **time_fields(),
        "expense-kind": "travel",
        "expense-description": "Bus fare",
        "expense-amount": "2.40",
        "form_token": token,
        "action": "save",
    }

    first = client.post(url(engagement), sent)
    again = client.post(url(engagement), sent)  # a double tap on Save

    assert first.status_code == again.status_code == 302 and again["Location"] == url(engagement)
    assert Expense.objects.count() == 1
    page = client.get(url(engagement)).content.decode()
    assert "Your draft is saved" in page and form_token(page) != token  # a new token for the next expense
    client.post(url(engagement), {**sent, "form_token": form_token(page)})  # the same fare again, on purpose
    assert Expense.objects.count() == 2


def test_after_an_expense_is_added_and_sending_fails_the_expense_boxes_are_empty(young, login):
    engagement = attended_engagement(young.membership, minutes=120)
    client = login(young)
    response = client.post(
        url(engagement),
        {
            **time_fields(session=(2, 1)),
            "expense-kind": "travel",
            "expense-description": "Bus fare",
            "expense-amount": "2.40",
            "form_token": form_token(client.get(url(engagement)).content.decode()),
            "action": "submit",
        },
    )
    page = response.content.decode()
    assert "Session time can be at most the length of the engagement" in page
    assert Expense.objects.count() == 1 and "Bus fare" in page  # added, and listed
    assert 'value="Bus fare"' not in page and 'value="2.40"' not in page  # not in the boxes, to be added again


@pytest.mark.parametrize("amount", ["1e30", "NaN", "Infinity", "1e-5", "1e999999999999"])
def test_huge_tiny_and_not_a_number_amounts_are_an_error_on_the_amount(young, login, amount):
    engagement = attended_engagement(young.membership)
    response = login(young).post(
        url(engagement),
        {
            **time_fields(session=(1, 30)),
            "expense-kind": "food",
            "expense-description": "Lunch",
            "expense-amount": amount,
            "expense-receipt": receipt(),
            "action": "save",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_expense-amount"' in page
    assert not Expense.objects.exists()
    assert WorkLog.objects.get().session_minutes == 90  # the time they typed is kept


def test_before_the_session_has_finished_time_is_saved_but_not_sent(young, login):
    engagement = attended_engagement(
        young.membership, starts_at=timezone.now() - datetime.timedelta(minutes=30), minutes=120
    )
    client = login(young)
    page = " ".join(client.get(url(engagement)).content.decode().split())
    assert "You can send your time once the session has finished." in page
    assert 'value="submit"' not in page and 'value="save"' in page
    response = client.post(url(engagement), {**time_fields(session=(0, 30)), "action": "submit"})
    assert response.status_code == 200
    assert "You can send your time once the session has finished." in response.content.decode()
    assert WorkLog.objects.get().status == "draft"


def test_an_expense_is_removed_from_a_draft(young, login):
    engagement = attended_engagement(young.membership)
    log = draft(young, engagement)
    expense = expense_add(actor=young, work_log_id=log.pk, kind="travel", description="Bus", amount="2.00")
    client = login(young)
    assert (
        f"/work-logs/engagement/{engagement.pk}/expenses/{expense.pk}/remove/"
        in client.get(url(engagement)).content.decode()
    )
    response = client.post(f"/work-logs/engagement/{engagement.pk}/expenses/{expense.pk}/remove/")
    assert response.status_code == 302
    assert not Expense.objects.exists()


def test_someone_elses_engagement_and_another_partnerships_are_404s(young, member, login, other_partnership):
    other = confirmed_engagement(member(Role.YOUNG_PERSON).membership)
    elsewhere = confirmed_engagement(
        MembershipFactory(partnership=other_partnership, roles=[Role.YOUNG_PERSON]), partnership=other_partnership
    )
    client = login(young)
    for engagement in (other, elsewhere):
        assert client.get(url(engagement)).status_code == 404
        assert client.post(url(engagement), {**time_fields(), "action": "save"}).status_code == 404
    assert not WorkLog.objects.exists()


# --- Receipts -------------------------------------------------------------------------------------------------------


def test_a_receipt_downloads_as_an_attachment_for_those_who_may_open_it(young, member, client, other_partnership):
    log = draft(young, attended_engagement(young.membership))
    expense = expense_add(
        actor=young, work_log_id=log.pk, kind="food", description="Lunch", amount="6.40", receipt=receipt()
    )
    address = f"/work-logs/receipts/{expense.pk}/"
    for allowed in (young, member(Role.PARTICIPATION_WORKER), member(Role.FINANCE_OFFICER)):
        client.force_login(allowed, backend="allauth.account.auth_backends.AuthenticationBackend")
        response = client.get(address)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == JPG
    for refused in (
        member(Role.YOUNG_PERSON),
        member(Role.PARTNERSHIP_ADMIN),
        member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership),
    ):
        client.force_login(refused, backend="allauth.account.auth_backends.AuthenticationBackend")
        assert client.get(address).status_code == 404


# --- Staff pages ----------------------------------------------------------------------------------------------------


def test_the_queue_shows_logs_waiting_the_longest_first_and_filters_by_status(worker, member, login):
    people = [member(Role.YOUNG_PERSON, user__full_name=f"Person {n}") for n in range(3)]
    logs = [submitted(p) for p in people]
    work_log_approve(actor=worker, work_log_id=logs[1].pk)
    client = login(worker)

    page = client.get("/staff/work-logs/").content.decode()
    assert page.index("Person 0") < page.index("Person 2") and "Person 1" not in page

    page = client.get("/staff/work-logs/?status=approved").content.decode()
    assert "Person 1" in page and "Person 0" not in page


def test_the_review_page_shows_claimed_and_allowed_side_by_side_and_approves(worker, young, login):
    engagement = attended_engagement(young.membership, minutes=150, preparation=45)
    log = submitted(young, engagement, preparation=45, session=150, travel=30)
    expense = Expense.objects.create(
        partnership=log.partnership,
        work_log=log,
        kind="food",
        description="Lunch",
        amount=Decimal("5.00"),
        receipt="receipts/x.jpg",
        receipt_kind="jpg",
    )
    client = login(worker)
    page = client.get(f"/staff/work-logs/{log.pk}/").content.decode()
    assert "2 hours 30 minutes" in page and "45 minutes" in page and "Present" in page
    assert f"/work-logs/receipts/{expense.pk}/" in page

    response = client.post(f"/staff/work-logs/{log.pk}/", {"decision": "approve", "reason": ""})

    assert response.status_code == 302
    assert WorkLog.objects.get().status == "approved"


def test_adjusting_without_a_reason_shows_the_error_on_the_reason(worker, young, login):
    log = submitted(young)
    response = login(worker).post(
        f"/staff/work-logs/{log.pk}/",
        {"decision": "adjust", **time_fields(travel=(0, 20)), "reason": ""},
    )
    page = response.content.decode()
    assert 'href="#id_reason"' in page and "Give a reason for the changes" in page
    assert WorkLog.objects.get().status == "submitted"

    login(worker).post(
        f"/staff/work-logs/{log.pk}/",
        {"decision": "adjust", **time_fields(travel=(0, 20)), "reason": "The bus takes 10 minutes"},
    )
    log.refresh_from_db()
    assert (log.status, log.approved_travel_minutes, log.decision_reason) == (
        "approved",
        20,
        "The bus takes 10 minutes",
    )


@pytest.mark.parametrize("amount", ["1e30", "NaN", "Infinity", "1e-5"])
def test_a_huge_or_not_a_number_approved_amount_is_an_error_on_that_expense(worker, young, login, amount):
    log = submitted(young)
    expense = Expense.objects.create(
        partnership=log.partnership, work_log=log, kind="food", description="Lunch", amount=Decimal("5.00")
    )
    response = login(worker).post(
        f"/staff/work-logs/{log.pk}/",
        {"decision": "adjust", **time_fields(), f"expense_{expense.pk}": amount, "reason": "Less"},
    )
    assert response.status_code == 200
    assert f'href="#id_expense_{expense.pk}"' in response.content.decode()
    assert WorkLog.objects.get().status == "submitted"


def test_rejecting_needs_a_reason(worker, young, login):
    log = submitted(young)
    client = login(worker)
    page = client.post(f"/staff/work-logs/{log.pk}/", {"decision": "reject", "reason": ""}).content.decode()
    assert 'href="#id_reason"' in page
    client.post(f"/staff/work-logs/{log.pk}/", {"decision": "reject", "reason": "Add the taxi receipt"})
    assert WorkLog.objects.get().status == "rejected"


def test_another_partnerships_log_is_a_404_and_young_people_cannot_use_staff_pages(
    young, member, login, other_partnership
):
    log = submitted(young)
    assert (
        login(member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership))
        .get(f"/staff/work-logs/{log.pk}/")
        .status_code
        == 404
    )
    client = login(young)
    assert client.get("/staff/work-logs/").status_code == 403
    assert client.get(f"/staff/work-logs/{log.pk}/").status_code == 403


def test_finance_officers_read_but_cannot_decide(member, young, login):
    log = submitted(young)
    client = login(member(Role.FINANCE_OFFICER))
    page = client.get(f"/staff/work-logs/{log.pk}/").content.decode()
    assert "Your decision" not in page
    assert client.post(f"/staff/work-logs/{log.pk}/", {"decision": "approve"}).status_code == 403
    assert WorkLog.objects.get().status == "submitted"


# --- Query counts ---------------------------------------------------------------------------------------------------


def _many_logs(member, worker, count=15, expenses=3):
    logs = []
    for n in range(count):
        person = member(Role.YOUNG_PERSON)
        log = submitted(person)
        for e in range(expenses):
            Expense.objects.create(
                partnership=log.partnership,
                work_log=log,
                kind="travel",
                description=f"Bus {e}",
                amount=Decimal("2.00"),
                receipt=f"receipts/{n}-{e}.jpg",
                receipt_kind="jpg",
            )
        logs.append(log)
    return logs


def _count(client, address):
    client.get(address)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_queue_query_count_does_not_grow_with_logs(member, worker, login):
    client = login(worker)
    _many_logs(member, worker, count=1)
    small = _count(client, "/staff/work-logs/")
    _many_logs(member, worker, count=15)
    assert _count(client, "/staff/work-logs/") == small


def test_my_work_logs_and_the_edit_page_query_counts_do_not_grow(young, login):
    client = login(young)

    def add_logs(count):
        for _ in range(count):
            engagement = attended_engagement(young.membership)
            log = draft(young, engagement)
            for e in range(3):
                expense_add(actor=young, work_log_id=log.pk, kind="travel", description=f"Bus {e}", amount="2")
            attended_engagement(young.membership)  # no log yet
        return engagement

    engagement = add_logs(1)
    small = _count(client, "/work-logs/")
    small_edit = _count(client, url(engagement))
    add_logs(15)
    log = WorkLog.objects.get(engagement=engagement)
    for e in range(5):
        expense_add(actor=young, work_log_id=log.pk, kind="travel", description=f"More {e}", amount="2")
    assert _count(client, "/work-logs/") == small
    assert _count(client, url(engagement)) == small_edit


def test_the_review_page_query_count_does_not_grow_with_expenses(member, worker, young, login):
    client = login(worker)
    log = submitted(young)
    Expense.objects.create(partnership=log.partnership, work_log=log, kind="food", description="x", amount=1)
    small = _count(client, f"/staff/work-logs/{log.pk}/")
    for n in range(10):
        Expense.objects.create(
            partnership=log.partnership, work_log=log, kind="food", description=f"x{n}", amount=1, receipt=f"r/{n}.jpg"
        )
    assert _count(client, f"/staff/work-logs/{log.pk}/") == small


# --- What the pages say (UX) ----------------------------------------------------------------------------------------


def text(response):
    """The page's words with runs of spaces and new lines made single spaces (templates wrap long sentences)."""
    return " ".join(response.content.decode().split())


def _adjusted(worker, young, **engagement_fields):
    """A log claimed at 3 hours 40 minutes and £8.00, approved at 3 hours 25 minutes and £5.00."""
    engagement_fields.setdefault("starts_at", timezone.now() - datetime.timedelta(hours=6))
    engagement = attended_engagement(young.membership, minutes=240, preparation=60, **engagement_fields)
    log = submitted(young, engagement, preparation=30, session=150, travel=40)
    expense = Expense.objects.create(
        partnership=log.partnership, work_log=log, kind="food", description="Lunch", amount=Decimal("8.00")
    )
    return work_log_approve(
        actor=worker,
        work_log_id=log.pk,
        travel_minutes=25,
        expense_amounts={expense.pk: Decimal("5.00")},
        reason="The bus takes 10 minutes",
    )


def test_the_queue_shows_approved_figures_for_approved_logs_in_words(worker, member, login):
    young = member(Role.YOUNG_PERSON, user__full_name="Ada Approved")
    _adjusted(worker, young)
    waiting = submitted(member(Role.YOUNG_PERSON, user__full_name="Wes Waiting"), preparation=30, session=120)
    Expense.objects.create(
        partnership=waiting.partnership, work_log=waiting, kind="food", description="Tea", amount=Decimal("3.20")
    )
    client = login(worker)

    approved = text(client.get("/staff/work-logs/", {"status": "approved"}))
    assert "Ada Approved" in approved
    assert "3 hours 25 minutes" in approved and "£5.00" in approved  # what finance will pay
    assert "claimed 3 hours 40 minutes" in approved and "claimed £8.00" in approved
    assert " min<" not in approved and "220 min" not in approved

    waiting_page = text(client.get("/staff/work-logs/"))
    assert "Wes Waiting" in waiting_page and "3 hours 10 minutes" in waiting_page and "£3.20" in waiting_page
    assert "claimed 3 hours" not in waiting_page  # nothing approved yet: the claim is the figure


def test_the_review_page_says_who_decided_and_when(worker, member, young, login):
    decider = member(Role.PARTICIPATION_WORKER, user__full_name="Dee Cider")
    log = _adjusted(decider, young)
    WorkLog.objects.filter(pk=log.pk).update(
        decided_at=datetime.datetime(2025, 3, 4, 17, 10, tzinfo=datetime.UTC)  # 5:10pm in London (GMT)
    )
    page = text(login(worker).get(f"/staff/work-logs/{log.pk}/"))
    assert "Decided by Dee Cider on 4 March 2025 at 5:10pm." in page

    waiting = submitted(member(Role.YOUNG_PERSON))
    assert "Decided by" not in text(login(worker).get(f"/staff/work-logs/{waiting.pk}/"))


def test_the_queue_can_be_narrowed_to_one_engagement(worker, member, login, other_partnership):
    first = member(Role.YOUNG_PERSON, user__full_name="Fay First")
    second = member(Role.YOUNG_PERSON, user__full_name="Sid Second")
    engagement = attended_engagement(first.membership, title="Panel on youth services")
    submitted(first, engagement)
    approved = submitted(second)
    work_log_approve(actor=worker, work_log_id=approved.pk)
    client = login(worker)

    page = text(client.get("/staff/work-logs/", {"engagement": engagement.pk}))
    assert "Work logs for Panel on youth services" in page
    assert "Fay First" in page and "Sid Second" not in page
    assert 'href="?status=all"' in page  # show the logs of every engagement
    assert f'name="engagement" value="{engagement.pk}"' in page  # the status filter keeps the engagement

    page = text(client.get("/staff/work-logs/", {"engagement": engagement.pk, "status": "approved"}))
    assert "Fay First" not in page and "Sid Second" not in page
    assert "Sid Second" in text(client.get("/staff/work-logs/", {"status": "approved"}))

    elsewhere = confirmed_engagement(
        MembershipFactory(partnership=other_partnership, roles=[Role.YOUNG_PERSON]), partnership=other_partnership
    )
    assert client.get("/staff/work-logs/", {"engagement": elsewhere.pk}).status_code == 404
    assert client.get("/staff/work-logs/", {"engagement": "not-an-id"}).status_code == 200  # ignored


def test_the_queue_filter_status_column_and_tag_use_one_name_per_state(worker, young, login):
    log = submitted(young)
    client = login(worker)
    client.post(f"/staff/work-logs/{log.pk}/", {"decision": "reject", "reason": "Add the taxi receipt"})
    page = client.get("/staff/work-logs/", {"status": "rejected"}).content.decode()
    options = re.findall(r'<option value="[a-z]+"[^>]*>([^<]+)</option>', page)
    assert [o.strip() for o in options] == [
        "Waiting for approval",
        "Approved",
        "Not approved",
        "Draft",
        "Claimed for payment",
        "All",
    ]
    assert "Sent back" not in page and "Drafts" not in page
    assert '<td class="govuk-table__cell">Not approved</td>' in page
    review = client.get(f"/staff/work-logs/{log.pk}/").content.decode()
    assert '<strong class="govuk-tag">Not approved</strong>' in review
    young_page = text(login(young).get(url(log.engagement)))
    assert "Not approved: change it and send it again" in young_page and "Sent back" not in young_page


def test_the_young_persons_page_heading_matches_the_menu(young, login):
    page = text(login(young).get("/work-logs/"))
    assert "<title> Your time and expenses" in page
    assert '<h1 class="govuk-heading-xl">Your time and expenses</h1>' in page
    assert "Your work logs" not in page


def test_the_edit_page_says_up_front_when_they_are_not_marked_as_there(young, login):
    engagement = confirmed_engagement(young.membership)
    client = login(young)
    waiting = "The staff lead has not marked you as there yet. You can save a draft now and send it once they have."
    assert waiting in text(client.get(url(engagement)))

    response = client.post(url(engagement), {**time_fields(), "action": "submit"})
    assert waiting in text(response)
    assert "You can only log time for an engagement you attended." in text(response)  # the refusal stays

    mark(engagement, young.membership)
    assert waiting not in text(client.get(url(engagement)))
    Attendance.objects.filter(engagement=engagement).update(status="absent")
    page = text(client.get(url(engagement)))
    assert waiting not in page and "The staff lead marked you as not there." in page


def test_when_the_draft_is_saved_but_the_expense_is_not_the_page_says_so(young, login):
    engagement = attended_engagement(young.membership)
    fake = SimpleUploadedFile("receipt.pdf", b"this is only text", content_type="application/pdf")
    response = login(young).post(
        url(engagement),
        {
            **time_fields(session=(1, 45)),
            "expense-kind": "food",
            "expense-description": "Sandwich",
            "expense-amount": "4.20",
            "expense-receipt": fake,
            "action": "save",
        },
    )
    page = text(response)
    assert "Your time is saved as a draft, but the expense was not added." in page
    assert WorkLog.objects.get().session_minutes == 105 and not Expense.objects.exists()


def test_when_the_draft_is_saved_but_not_sent_the_page_says_so(young, login):
    engagement = attended_engagement(young.membership, minutes=120)
    response = login(young).post(url(engagement), {**time_fields(session=(2, 1)), "action": "submit"})
    assert "Your time is saved as a draft, but it was not sent for approval." in text(response)


def test_staff_tables_scroll_sideways_in_a_labelled_region(worker, young, login):
    log = submitted(young)
    Expense.objects.create(partnership=log.partnership, work_log=log, kind="food", description="x", amount=1)
    client = login(worker)
    wrapper = re.compile(r'<div class="app-table-scroll"\s+role="region"\s+aria-label="[^"]+"\s+tabindex="0"')
    for address in ("/staff/work-logs/", f"/staff/work-logs/{log.pk}/"):
        page = client.get(address).content.decode()
        assert page.count("<table") == len(wrapper.findall(page)) >= 1, address


def test_the_review_page_links_to_the_engagement_and_its_attendance(worker, member, young, login):
    log = submitted(young)
    engagement = log.engagement
    page = login(worker).get(f"/staff/work-logs/{log.pk}/").content.decode()
    assert f'href="/staff/engagements/{engagement.pk}/"' in page
    assert f'href="/staff/engagements/{engagement.pk}/attendance/"' in page
    finance = login(member(Role.FINANCE_OFFICER)).get(f"/staff/work-logs/{log.pk}/").content.decode()
    assert f'href="/staff/engagements/{engagement.pk}/"' in finance
    assert "/attendance/" not in finance  # they cannot open it


def test_times_read_like_5_10pm(worker, young, login):
    starts = datetime.datetime(2025, 3, 4, 17, 10, tzinfo=datetime.UTC)
    log = submitted(young, attended_engagement(young.membership, starts_at=starts, minutes=120))
    page = text(login(worker).get(f"/staff/work-logs/{log.pk}/"))
    assert "(5:10pm to 7:10pm)" in page and "p.m." not in page


def test_the_queue_for_one_engagement_query_count_does_not_grow_with_logs(member, worker, login):
    people = [member(Role.YOUNG_PERSON) for _ in range(16)]
    engagement = attended_engagement(people[0].membership)
    for person in people[1:]:
        engagement.attendees.add(person.membership)
        mark(engagement, person.membership)
    client = login(worker)
    address = f"/staff/work-logs/?engagement={engagement.pk}"
    submitted(people[0], engagement)
    small = _count(client, address)
    for person in people[1:]:
        log = submitted(person, engagement)
        Expense.objects.create(partnership=log.partnership, work_log=log, kind="food", description="x", amount=1)
    work_log_approve(actor=worker, work_log_id=log.pk)
    assert _count(client, address) == small
