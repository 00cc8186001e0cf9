"""Checks on adults: recording (certificate number encrypted), status, reminders, and the staff lead rule."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import OpportunityType
from engagements.services import engagement_add_attendee, engagement_create, engagement_set_staff_lead
from participants.models import Role
from safeguarding.models import SafeguardingPolicy, StaffCheck, StaffCheckReminder
from safeguarding.selectors.checks import CheckStatus, staff_check_current, staff_checks_overview
from safeguarding.services.checks import staff_check_record, staff_check_reminders_run
from tests.factories import MembershipFactory
from tests.factories.safeguarding import EngagementFactory, StaffCheckFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
CERTIFICATE = "001234567890"


def check_for(user, *, issued_on=None, renewal_due_on=None, **kwargs):
    issued_on = issued_on or timezone.localdate() - datetime.timedelta(days=100)
    return StaffCheckFactory(
        membership=user.membership,
        partnership=user.membership.partnership,
        issued_on=issued_on,
        renewal_due_on=renewal_due_on or issued_on + datetime.timedelta(days=3 * 365),
        **kwargs,
    )


def when(days_from_now, hours=2):
    starts = timezone.now() + datetime.timedelta(days=days_from_now)
    return starts, starts + datetime.timedelta(hours=hours)


# --- Recording --------------------------------------------------------------------------------------------------


def test_the_certificate_number_is_encrypted_in_the_database(member):
    lead, worker = member(Role.SAFEGUARDING_LEAD), member(Role.PARTICIPATION_WORKER)
    check = staff_check_record(
        actor=lead, membership_id=worker.membership.pk, certificate_number="0012 3456 7890", issued_on=TODAY
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT certificate_number FROM safeguarding_staffcheck WHERE id = %s", [check.pk])
        raw = cursor.fetchone()[0]
    assert CERTIFICATE not in raw and "7890" not in raw
    assert StaffCheck.objects.get(pk=check.pk).certificate_number == CERTIFICATE


def test_the_audit_row_holds_no_certificate_number(member):
    lead, worker = member(Role.SAFEGUARDING_LEAD), member(Role.PARTICIPATION_WORKER)
    check = staff_check_record(
        actor=lead, membership_id=worker.membership.pk, certificate_number=CERTIFICATE, issued_on=TODAY
    )
    event = AuditEvent.objects.get(event_type="staffcheck.recorded", subject_id=str(check.pk))
    assert CERTIFICATE not in str(event.payload)
    assert event.actor == lead


def test_the_renewal_date_defaults_to_three_years_after_issue(member):
    lead, worker = member(Role.SAFEGUARDING_LEAD), member(Role.PARTICIPATION_WORKER)
    check = staff_check_record(
        actor=lead, membership_id=worker.membership.pk, certificate_number=CERTIFICATE, issued_on=TODAY
    )
    assert check.renewal_due_on == datetime.date(2029, 3, 2)


def test_the_renewal_date_follows_the_partnership_policy(member, partnership):
    SafeguardingPolicy.objects.create(partnership=partnership, staff_check_renewal_years=1)
    lead, worker = member(Role.PARTNERSHIP_ADMIN), member(Role.PARTICIPATION_WORKER)
    check = staff_check_record(
        actor=lead, membership_id=worker.membership.pk, certificate_number=CERTIFICATE, issued_on=TODAY
    )
    assert check.renewal_due_on == datetime.date(2027, 3, 2)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"certificate_number": "12345"}, "certificate_number"),
        ({"certificate_number": "ABCDEFGHIJKL"}, "certificate_number"),
        ({"issued_on": timezone.localdate() + datetime.timedelta(days=1)}, "issued_on"),
        ({"renewal_due_on": TODAY}, "renewal_due_on"),
        ({"last_status_check_on": TODAY - datetime.timedelta(days=1)}, "last_status_check_on"),
    ],
)
def test_bad_input_is_refused_naming_the_field(member, changes, field):
    lead, worker = member(Role.SAFEGUARDING_LEAD), member(Role.PARTICIPATION_WORKER)
    values = {"certificate_number": CERTIFICATE, "issued_on": TODAY, **changes}
    with pytest.raises(ApplicationError) as refused:
        staff_check_record(actor=lead, membership_id=worker.membership.pk, **values)
    assert refused.value.extra["field"] == field
    assert not StaffCheck.objects.exists()


def test_checks_are_for_staff_not_young_people(member):
    lead, young = member(Role.SAFEGUARDING_LEAD), member(Role.YOUNG_PERSON)
    with pytest.raises(ApplicationError) as refused:
        staff_check_record(
            actor=lead, membership_id=young.membership.pk, certificate_number=CERTIFICATE, issued_on=TODAY
        )
    assert refused.value.extra["field"] == "membership_id"


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.FINANCE_OFFICER, Role.SCRUTINY_LEAD])
def test_only_safeguarding_leads_and_admins_record_checks(member, role):
    actor, worker = member(role), member(Role.PARTICIPATION_WORKER)
    with pytest.raises(PermissionDenied):
        staff_check_record(
            actor=actor, membership_id=worker.membership.pk, certificate_number=CERTIFICATE, issued_on=TODAY
        )


def test_a_member_of_another_partnership_is_404(member, other_partnership):
    lead = member(Role.SAFEGUARDING_LEAD)
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    with pytest.raises(Http404):
        staff_check_record(
            actor=lead, membership_id=stranger.membership.pk, certificate_number=CERTIFICATE, issued_on=TODAY
        )


def test_a_check_counts_from_issue_until_the_day_before_renewal(member):
    worker = member(Role.PARTICIPATION_WORKER)
    check_for(worker, issued_on=TODAY, renewal_due_on=TODAY + datetime.timedelta(days=10))
    membership = worker.membership
    assert not staff_check_current(membership, TODAY - datetime.timedelta(days=1))
    assert staff_check_current(membership, TODAY)
    assert staff_check_current(membership, TODAY + datetime.timedelta(days=9))
    assert not staff_check_current(membership, TODAY + datetime.timedelta(days=10))


# --- Reminders --------------------------------------------------------------------------------------------------


def test_reminders_go_once_per_lead_time_even_when_run_twice(member, django_capture_on_commit_callbacks):
    lead = member(Role.SAFEGUARDING_LEAD)
    worker = member(Role.PARTICIPATION_WORKER)
    check = check_for(
        worker, issued_on=TODAY - datetime.timedelta(days=1000), renewal_due_on=TODAY + datetime.timedelta(days=60)
    )
    for days_before in (60, 30, 7):
        day = check.renewal_due_on - datetime.timedelta(days=days_before)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert staff_check_reminders_run(day) == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert staff_check_reminders_run(day) == 0  # the same day again: nothing more
        assert sorted(message.to[0] for message in mail.outbox) == sorted([worker.email, lead.email])
    assert sorted(StaffCheckReminder.objects.values_list("days_before", flat=True)) == [7, 30, 60]


def test_days_between_lead_times_send_nothing_new(member, django_capture_on_commit_callbacks):
    member(Role.SAFEGUARDING_LEAD)
    worker = member(Role.PARTICIPATION_WORKER)
    check_for(
        worker, issued_on=TODAY - datetime.timedelta(days=1000), renewal_due_on=TODAY + datetime.timedelta(days=60)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_check_reminders_run(TODAY) == 1
        assert staff_check_reminders_run(TODAY + datetime.timedelta(days=1)) == 0
        assert staff_check_reminders_run(TODAY + datetime.timedelta(days=29)) == 0
        assert staff_check_reminders_run(TODAY + datetime.timedelta(days=30)) == 1


def test_a_missed_day_still_sends_only_the_nearest_reminder(member, django_capture_on_commit_callbacks):
    worker = member(Role.PARTICIPATION_WORKER)
    check_for(
        worker, issued_on=TODAY - datetime.timedelta(days=1000), renewal_due_on=TODAY + datetime.timedelta(days=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_check_reminders_run(TODAY) == 1
    assert list(StaffCheckReminder.objects.values_list("days_before", flat=True)) == [30]
    assert [message.to for message in mail.outbox] == [[worker.email]]


def test_a_renewed_check_gets_no_reminder(member, django_capture_on_commit_callbacks):
    worker = member(Role.PARTICIPATION_WORKER)
    check_for(
        worker, issued_on=TODAY - datetime.timedelta(days=1000), renewal_due_on=TODAY + datetime.timedelta(days=7)
    )
    check_for(worker, issued_on=TODAY, renewal_due_on=TODAY + datetime.timedelta(days=1095))
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_check_reminders_run(TODAY) == 0
    assert mail.outbox == []


def test_reminder_emails_hold_no_certificate_number(member, django_capture_on_commit_callbacks):
    member(Role.SAFEGUARDING_LEAD)
    worker = member(Role.PARTICIPATION_WORKER)
    check = check_for(
        worker, issued_on=TODAY - datetime.timedelta(days=1000), renewal_due_on=TODAY + datetime.timedelta(days=7)
    )
    with django_capture_on_commit_callbacks(execute=True):
        staff_check_reminders_run(TODAY)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert check.certificate_number not in message.body + message.subject
        assert "9 March 2026" in message.body


def test_reminders_are_for_each_partnership_s_own_leads(member, other_partnership, django_capture_on_commit_callbacks):
    member(Role.SAFEGUARDING_LEAD)
    other_lead = member(Role.SAFEGUARDING_LEAD, in_partnership=other_partnership)
    worker = member(Role.PARTICIPATION_WORKER)
    check_for(
        worker, issued_on=TODAY - datetime.timedelta(days=1000), renewal_due_on=TODAY + datetime.timedelta(days=7)
    )
    with django_capture_on_commit_callbacks(execute=True):
        staff_check_reminders_run(TODAY)
    assert other_lead.email not in [message.to[0] for message in mail.outbox]


# --- The staff lead rule ----------------------------------------------------------------------------------------


def test_a_lapsed_check_refuses_the_staff_lead_naming_the_field(member):
    worker = member(Role.PARTICIPATION_WORKER)
    lead_to_be = member(Role.PARTICIPATION_WORKER)
    check_for(worker)
    today = timezone.localdate()
    check_for(
        lead_to_be, issued_on=today - datetime.timedelta(days=1200), renewal_due_on=today - datetime.timedelta(days=1)
    )
    starts, ends = when(7)
    with pytest.raises(ApplicationError) as refused:
        engagement_create(
            actor=worker,
            title="Section 11 panel",
            opportunity_type=OpportunityType.SECTION_11_PANEL,
            starts_at=starts,
            ends_at=ends,
            location="Town hall",
            staff_lead_id=lead_to_be.pk,
        )
    assert refused.value.extra["field"] == "staff_lead"
    assert "DBS" in refused.value.message


def test_a_missing_check_refuses_the_staff_lead(member, partnership):
    worker = member(Role.PARTICIPATION_WORKER)
    unchecked = member(Role.PARTICIPATION_WORKER)
    engagement = EngagementFactory(partnership=partnership)
    with pytest.raises(ApplicationError) as refused:
        engagement_set_staff_lead(actor=worker, engagement_id=engagement.pk, staff_lead_id=unchecked.pk)
    assert refused.value.extra["field"] == "staff_lead"
    engagement.refresh_from_db()
    assert engagement.staff_lead is None


def test_a_check_that_lapses_before_the_engagement_refuses_the_staff_lead(member, partnership):
    worker = member(Role.PARTICIPATION_WORKER)
    today = timezone.localdate()
    check_for(
        worker, issued_on=today - datetime.timedelta(days=1000), renewal_due_on=today + datetime.timedelta(days=5)
    )
    engagement = EngagementFactory(partnership=partnership)  # in 14 days
    with pytest.raises(ApplicationError) as refused:
        engagement_set_staff_lead(actor=worker, engagement_id=engagement.pk, staff_lead_id=worker.pk)
    assert refused.value.extra["field"] == "staff_lead"


def test_a_current_check_lets_them_lead_and_it_is_recorded(member, partnership):
    worker = member(Role.PARTICIPATION_WORKER)
    check_for(worker)
    engagement = EngagementFactory(partnership=partnership)
    engagement_set_staff_lead(actor=worker, engagement_id=engagement.pk, staff_lead_id=worker.pk)
    engagement.refresh_from_db()
    assert engagement.staff_lead == worker
    assert AuditEvent.objects.filter(event_type="engagement.staff_lead_changed").exists()


def test_someone_of_another_partnership_cannot_be_named_staff_lead(member, partnership, other_partnership):
    worker = member(Role.PARTICIPATION_WORKER)
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    check_for(stranger)
    engagement = EngagementFactory(partnership=partnership)
    with pytest.raises(ApplicationError) as refused:
        engagement_set_staff_lead(actor=worker, engagement_id=engagement.pk, staff_lead_id=stranger.pk)
    assert refused.value.extra["field"] == "staff_lead"


def test_another_partnerships_engagement_is_404(member, other_partnership):
    worker = member(Role.PARTICIPATION_WORKER)
    engagement = EngagementFactory(partnership=other_partnership)
    with pytest.raises(Http404):
        engagement_set_staff_lead(actor=worker, engagement_id=engagement.pk, staff_lead_id=None)


def test_engagement_create_names_bad_fields(member):
    worker = member(Role.PARTICIPATION_WORKER)
    starts, ends = when(7)
    with pytest.raises(ApplicationError) as refused:
        engagement_create(
            actor=worker, title="Panel", opportunity_type="party", starts_at=starts, ends_at=ends, location="Hall"
        )
    assert refused.value.extra["field"] == "opportunity_type"
    with pytest.raises(ApplicationError) as refused:
        engagement_create(
            actor=worker, title="Panel", opportunity_type=OpportunityType.DEEP_DIVE, starts_at=ends, ends_at=starts
        )
    assert refused.value.extra["field"] == "ends_at"


def test_young_people_and_finance_cannot_create_engagements(member):
    starts, ends = when(7)
    for role in (Role.YOUNG_PERSON, Role.FINANCE_OFFICER):
        with pytest.raises(PermissionDenied):
            engagement_create(
                actor=member(role),
                title="Panel",
                opportunity_type=OpportunityType.DEEP_DIVE,
                starts_at=starts,
                ends_at=ends,
                is_online=True,
            )


def test_attendees_are_young_people_of_the_partnership(member, partnership, other_partnership):
    from tests.safeguarding.test_can_take_part import eligible_young, ready_engagement

    worker = member(Role.PARTICIPATION_WORKER)
    young = eligible_young(member)
    engagement = ready_engagement(partnership)
    engagement_add_attendee(actor=worker, engagement_id=engagement.pk, membership_id=young.membership.pk)
    engagement_add_attendee(actor=worker, engagement_id=engagement.pk, membership_id=young.membership.pk)
    assert list(engagement.attendees.all()) == [young.membership]
    assert AuditEvent.objects.filter(event_type="engagement.attendee_added").count() == 1
    with pytest.raises(ApplicationError) as refused:
        engagement_add_attendee(actor=worker, engagement_id=engagement.pk, membership_id=worker.membership.pk)
    assert refused.value.extra["field"] == "membership_id"
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    with pytest.raises(Http404):
        engagement_add_attendee(actor=worker, engagement_id=engagement.pk, membership_id=stranger.membership.pk)


# --- Pages ------------------------------------------------------------------------------------------------------


def _staff_with_each_status(member):
    today = timezone.localdate()
    current = member(Role.PARTICIPATION_WORKER, user__full_name="Cara Current")
    check_for(current, certificate_number="111122223333")
    due = member(Role.PARTICIPATION_WORKER, user__full_name="Dan Due")
    check_for(due, issued_on=today - datetime.timedelta(days=1000), renewal_due_on=today + datetime.timedelta(days=30))
    lapsed = member(Role.SCRUTINY_LEAD, user__full_name="Lee Lapsed")
    check_for(lapsed, issued_on=today - datetime.timedelta(days=1200), renewal_due_on=today)
    missing = member(Role.FINANCE_OFFICER, user__full_name="Mo Missing")
    return current, due, lapsed, missing


def test_the_checks_page_lists_every_member_of_staff_with_their_status(member, login):
    lead = member(Role.SAFEGUARDING_LEAD)
    current, due, lapsed, missing = _staff_with_each_status(member)
    young = member(Role.YOUNG_PERSON)
    body = login(lead).get("/staff/checks/").content.decode()
    for person in (current, due, lapsed, missing, lead):
        assert escape(person.full_name) in body
    assert escape(young.full_name) not in body
    assert "Due within 60 days" in body and "Lapsed" in body and "Missing" in body and "Current" in body
    assert body.index("Lee Lapsed") < body.index("Mo Missing") < body.index("Dan Due") < body.index("Cara Current")
    assert "********3333" in body
    assert "111122223333" not in body  # masked on the list


@pytest.mark.parametrize("status", CheckStatus.values)
def test_the_overview_annotates_each_status_with_its_rank_and_filters_by_it(member, status):
    """check_status and check_rank come from the same conditions (renewal today is lapsed, within 60 days due soon),
    agreeing with status_on(); the filter keeps exactly the staff with that status."""
    lead = member(Role.SAFEGUARDING_LEAD)  # no check: missing too
    current, due, lapsed, missing = _staff_with_each_status(member)
    today = timezone.localdate()
    rows = list(staff_checks_overview(lead, today=today))
    assert [(m.check_status, m.check_rank) for m in rows] == [
        ("lapsed", 0), ("missing", 1), ("missing", 1), ("due_soon", 2), ("current", 3)
    ]  # fmt: skip
    expected = {"lapsed": {lapsed}, "missing": {missing, lead}, "due_soon": {due}, "current": {current}}[status]
    assert {m.user for m in staff_checks_overview(lead, today=today, status=status)} == expected
    assert list(staff_checks_overview(lead, today=today, status="unknown")) == []


def test_the_checks_page_filters_by_status(member, login):
    lead = member(Role.SAFEGUARDING_LEAD)
    current, _due, lapsed, missing = _staff_with_each_status(member)
    body = login(lead).get("/staff/checks/?status=lapsed").content.decode()
    assert escape(lapsed.full_name) in body
    assert escape(current.full_name) not in body and escape(missing.full_name) not in body


def test_the_detail_page_shows_the_full_number_to_leads_and_admins(member, login):
    current, *_ = _staff_with_each_status(member)
    for role in (Role.SAFEGUARDING_LEAD, Role.PARTNERSHIP_ADMIN):
        body = login(member(role)).get(f"/staff/checks/{current.membership.pk}/").content.decode()
        assert "111122223333" in body


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.FINANCE_OFFICER, Role.YOUNG_PERSON])
def test_other_roles_cannot_see_checks(member, login, role):
    current, *_ = _staff_with_each_status(member)
    client = login(member(role))
    assert client.get("/staff/checks/").status_code == 403
    assert client.get(f"/staff/checks/{current.membership.pk}/").status_code == 403


def test_another_partnerships_staff_member_is_404_on_the_checks_page(member, login, other_partnership):
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    client = login(member(Role.SAFEGUARDING_LEAD))
    assert client.get(f"/staff/checks/{stranger.membership.pk}/").status_code == 404
    assert client.post(f"/staff/checks/{stranger.membership.pk}/", {"action": "record"}).status_code == 404


def test_recording_a_check_on_the_page(member, login):
    lead = member(Role.SAFEGUARDING_LEAD)
    worker = member(Role.PARTICIPATION_WORKER)
    client = login(lead)
    url = f"/staff/checks/{worker.membership.pk}/"
    response = client.post(
        url, {"action": "record", "certificate_number": "1234", "issued_on": "2026-03-02", "update_service": "on"}
    )
    body = response.content.decode()
    assert "There is a problem" in body and "12 digits" in body
    assert 'value="2026-03-02"' in body  # nothing typed is lost
    response = client.post(
        url,
        {"action": "record", "certificate_number": CERTIFICATE, "issued_on": "2026-03-02", "update_service": "on"},
        follow=True,
    )
    assert "check was recorded" in response.content.decode()
    check = StaffCheck.objects.get(membership=worker.membership)
    assert check.update_service and check.renewal_due_on == datetime.date(2029, 3, 2)


def test_the_checks_page_query_count_does_not_grow(member, login, partnership):
    client = login(member(Role.SAFEGUARDING_LEAD))

    def grow(n):
        for _ in range(n):
            membership = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER], with_totp=False)
            StaffCheckFactory(membership=membership, partnership=partnership)

    grow(5)
    client.get("/staff/checks/")
    with CaptureQueriesContext(connection) as small:
        client.get("/staff/checks/")
    grow(45)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/staff/checks/").status_code == 200
    assert len(large) == len(small)


def test_the_statuses_are_named_in_the_order_of_the_list():
    assert CheckStatus.values == ["lapsed", "missing", "due_soon", "current"]
