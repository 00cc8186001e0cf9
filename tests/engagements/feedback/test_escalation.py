"""Overdue responses: each is listed to the scrutiny lead once when it passes its due date (again only if its date
is moved and passes again), and every Monday each scrutiny lead gets one email listing every overdue response."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.celery_app import app
from core.models import AuditEvent
from engagements.models import Notification, RecommendationResponse
from engagements.services.notifications import overdue_escalate, overdue_weekly_summaries_send
from engagements.tasks import escalate_overdue_responses, send_weekly_overdue_summary
from participants.models import Membership, Role
from tests.engagements.feedback.test_notifications import (
    SITE,
    contributor,
    response_in,
    scrutiny_lead,
    site_url,
    to,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
__all__ = ["site_url"]  # the autouse fixture: emails link to SITE
Status = RecommendationResponse.Status
TODAY = timezone.localdate()


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


@pytest.fixture
def escalate(django_capture_on_commit_callbacks):
    def call(today=TODAY):
        with django_capture_on_commit_callbacks(execute=True):
            return overdue_escalate(today)

    return call


@pytest.fixture
def summarise(django_capture_on_commit_callbacks):
    def call(today=TODAY):
        with django_capture_on_commit_callbacks(execute=True):
            return overdue_weekly_summaries_send(today)

    return call


def escalations(response):
    return AuditEvent.objects.filter(event_type="response.escalated", subject_id=str(response.pk)).count()


# --- Escalation ------------------------------------------------------------------------------------------------


def test_a_response_past_its_due_date_is_listed_to_the_scrutiny_lead_once(partnership, escalate):
    lead = scrutiny_lead(partnership)
    scrutiny_lead(partnership, "Robin Other")  # not this engagement's lead
    overdue = response_in(
        partnership, engagement={"scrutiny_lead": lead.user}, due_on=days_ago(1), status=Status.IN_PROGRESS
    )
    response_in(partnership, due_on=TODAY)  # due today: not late yet
    response_in(partnership, due_on=days_ago(5), status=Status.DONE, progress=100)
    response_in(partnership, due_on=days_ago(5), status=Status.NOT_GOING_AHEAD, status_reason="No money.")
    response_in(partnership, due_on=None)

    assert escalate() == [overdue]
    assert escalate() == []

    overdue.refresh_from_db()
    assert overdue.escalated_at is not None
    assert escalations(overdue) == 1
    (notice,) = Notification.objects.all()
    assert (notice.membership, notice.kind, notice.response) == (lead, Notification.Kind.OVERDUE, overdue)
    assert notice.link == reverse("recommendation_detail", args=[overdue.recommendation_id])
    assert f"was due on {days_ago(1):%-d %B %Y}" in notice.text
    assert not notice.wants_email
    assert mail.outbox == []  # the emails are the weekly summary


def test_without_the_engagements_own_lead_every_active_scrutiny_lead_is_told(partnership, other_partnership, escalate):
    leads = [scrutiny_lead(partnership, "Sam Lead"), scrutiny_lead(partnership, "Robin Lead")]
    scrutiny_lead(partnership, "Kit Suspended", status=Membership.Status.SUSPENDED)
    scrutiny_lead(other_partnership, "Jo Elsewhere")
    MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER])
    overdue = response_in(partnership, due_on=days_ago(3))
    contributor(overdue)
    escalate()
    assert sorted(Notification.objects.values_list("membership_id", flat=True)) == sorted(m.pk for m in leads)
    assert set(Notification.objects.values_list("response_id", flat=True)) == {overdue.pk}


def test_a_due_date_moved_later_is_listed_again_once_it_passes_too(partnership, escalate):
    lead = scrutiny_lead(partnership)
    response = response_in(partnership, due_on=days_ago(10))
    assert escalate(days_ago(5)) == [response]  # listed five days ago
    listed_at = timezone.now() - datetime.timedelta(days=5)
    RecommendationResponse.objects.filter(pk=response.pk).update(escalated_at=listed_at)
    Notification.objects.update(read_at=listed_at)
    assert escalate() == []  # still the same late date: not listed again

    RecommendationResponse.objects.filter(pk=response.pk).update(due_on=days_ago(2))  # moved on, to 2 days ago
    response.refresh_from_db()
    assert escalate(days_ago(3)) == []  # not due yet on the day before it
    assert escalate() == [response]
    assert escalate() == []

    assert escalations(response) == 2
    (notice,) = Notification.objects.filter(membership=lead)
    assert notice.read_at is None
    assert f"was due on {days_ago(2):%-d %B %Y}" in notice.text


def test_escalating_many_responses_takes_a_query_for_each_audit_row_only(partnership, other_partnership):
    for where in (partnership, other_partnership):
        scrutiny_lead(where)
        scrutiny_lead(where, "Second Lead")

    def queries_for(count):
        for n in range(count):
            response_in(partnership if n % 2 else other_partnership, due_on=days_ago(2))
        with CaptureQueriesContext(connection) as queries:
            assert len(overdue_escalate(TODAY)) == count
        audit_inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "core_auditevent"')]
        return len(queries) - len(audit_inserts)

    assert queries_for(2) == queries_for(10)


# --- The weekly summary ---------------------------------------------------------------------------------------


def test_each_scrutiny_lead_gets_one_summary_of_every_overdue_response_in_their_partnership(
    partnership, other_partnership, summarise
):
    leads = [scrutiny_lead(partnership, "Sam Lead"), scrutiny_lead(partnership, "Robin Lead")]
    suspended = scrutiny_lead(partnership, "Kit Suspended", status=Membership.Status.SUSPENDED)
    worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER])
    elsewhere = scrutiny_lead(other_partnership, "Jo Elsewhere")
    late = response_in(
        partnership,
        text="Put youth workers in every secondary school.",
        due_on=days_ago(30),
        owner_agency="Education",
        owner_name="Priya Shah",
        escalated_at=timezone.now(),
    )
    response_in(
        partnership,
        text="Let young people help choose new social workers.",
        due_on=days_ago(1),
        owner_agency="Children's social care",
        owner_name="Dev Patel",
        status=Status.IN_PROGRESS,
    )
    maker = contributor(late, name="Alex Brightwater")
    response_in(partnership, text="Finished already.", due_on=days_ago(9), status=Status.DONE, progress=100)
    response_in(partnership, text="Not due yet.", due_on=TODAY)
    theirs = response_in(other_partnership, text="Another partnership's recommendation.", due_on=days_ago(2))

    assert summarise() == 3

    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [*(lead.user.email for lead in leads), elsewhere.user.email]
    )
    assert not to(suspended) and not to(worker)
    (to_sam,) = to(leads[0])
    assert to_sam.subject == "2 responses are past their due date"
    body = to_sam.body
    assert "Hi Sam," in body
    assert body.index("Put youth workers in every secondary school.") < body.index("Let young people help choose")
    assert "Agency: Education. Owner: Priya Shah." in body
    assert f"Due {days_ago(30):%-d %B %Y}: 30 days overdue." in body
    assert "Agency: Children's social care. Owner: Dev Patel." in body
    assert f"Due {days_ago(1):%-d %B %Y}: 1 day overdue." in body
    assert f"{SITE}{reverse('recommendation_detail', args=[late.recommendation_id])}" in body
    assert f"{SITE}{reverse('overdue_responses')}" in body
    assert "Finished already." not in body and "Not due yet." not in body
    assert "Another partnership's recommendation." not in body
    assert maker.user.full_name not in body
    (to_elsewhere,) = to(elsewhere)
    assert to_elsewhere.subject == "1 response is past its due date"
    assert "Another partnership's recommendation." in to_elsewhere.body
    assert "Put youth workers" not in to_elsewhere.body
    assert f"{SITE}{reverse('recommendation_detail', args=[theirs.recommendation_id])}" in to_elsewhere.body


def test_the_summary_is_sent_once_a_week(partnership, summarise):
    lead = scrutiny_lead(partnership)
    response_in(partnership, due_on=days_ago(3))
    assert summarise() == 1
    assert summarise() == 0
    assert len(to(lead)) == 1
    assert summarise(TODAY + datetime.timedelta(days=7)) == 1
    assert len(to(lead)) == 2


def test_nothing_is_sent_when_nothing_is_overdue(partnership, summarise):
    scrutiny_lead(partnership)
    response_in(partnership, due_on=TODAY)
    response_in(partnership, due_on=days_ago(2), status=Status.DONE, progress=100)
    assert summarise() == 0
    assert mail.outbox == []


# --- The schedule --------------------------------------------------------------------------------------------------


def test_the_jobs_are_scheduled_in_london_time():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    digest = schedule["engagements.send_feedback_digests"]
    escalation = schedule["engagements.escalate_overdue_responses"]
    summary = schedule["engagements.send_weekly_overdue_summary"]
    assert (digest.hour, digest.minute) == ({17}, {0})
    assert (escalation.hour, escalation.minute) == ({7}, {0})
    assert (summary.hour, summary.minute, summary.day_of_week) == ({8}, {0}, {1})
    assert settings.CELERY_TIMEZONE == "Europe/London"
    ours = {
        "engagements.send_feedback_notification",
        "engagements.send_feedback_digests",
        "engagements.escalate_overdue_responses",
        "engagements.send_weekly_overdue_summary",
    }
    assert ours <= set(app.tasks)


def test_the_scheduled_tasks_run_the_jobs(partnership, django_capture_on_commit_callbacks):
    lead = scrutiny_lead(partnership)
    response_in(partnership, due_on=days_ago(3))
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue_responses() == 1
        assert send_weekly_overdue_summary() == 1
    assert Notification.objects.filter(membership=lead, kind=Notification.Kind.OVERDUE).count() == 1
    assert len(to(lead)) == 1
