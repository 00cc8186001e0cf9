"""The support log pages: /staff/support/, /staff/support/<membership_id>/ and /me/support/."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants.models import Role, SupportFollowUp, SupportSession
from participants.services.support import FollowUpInput, support_session_create

pytestmark = pytest.mark.django_db

NOTES = "Talked about feeling anxious before the panel interview"
AGREED = "Meet again before the next panel"
TODAY = timezone.localdate()


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON)


def record(worker, young, *, follow_up_due=None, **kwargs):
    follow_ups = [FollowUpInput("Book a quiet room", worker.pk, follow_up_due)] if follow_up_due else []
    return support_session_create(
        actor=worker,
        membership_id=young.membership.pk,
        kind=kwargs.pop("kind", SupportSession.Kind.DEBRIEF),
        held_on=kwargs.pop("held_on", TODAY - datetime.timedelta(days=10)),
        restricted_notes=NOTES,
        agreed=AGREED,
        follow_ups=follow_ups,
    )


def form_data(worker, **overrides):
    due = TODAY + datetime.timedelta(days=7)
    data = {
        "kind": "mentoring",
        "held_on_0": str(TODAY.day),
        "held_on_1": str(TODAY.month),
        "held_on_2": str(TODAY.year),
        "restricted_notes": NOTES,
        "agreed": AGREED,
        "follow_up_description": "Find a mentor",
        "follow_up_owner": str(worker.pk),
        "follow_up_due_on_0": str(due.day),
        "follow_up_due_on_1": str(due.month),
        "follow_up_due_on_2": str(due.year),
    }
    data.update(overrides)
    return data


def test_a_worker_records_a_session_with_a_follow_up(worker, young, login):
    client = login(worker)
    url = f"/staff/support/{young.membership.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(worker), follow=True)
    assert response.status_code == 200
    session = SupportSession.objects.get()
    assert (session.kind, session.held_on, session.staff) == ("mentoring", TODAY, worker)
    assert session.follow_ups.get().description == "Find a mentor"
    body = response.content.decode()
    assert NOTES in body and AGREED in body and "Find a mentor" in body


def test_a_session_in_the_future_is_an_error_naming_the_date(worker, young, login):
    tomorrow = TODAY + datetime.timedelta(days=1)
    data = form_data(worker, held_on_0=str(tomorrow.day), held_on_1=str(tomorrow.month), held_on_2=str(tomorrow.year))
    response = login(worker).post(f"/staff/support/{young.membership.pk}/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<title>\s*Error: Support for", body)
    assert "govuk-error-summary" in body and 'href="#id_held_on"' in body
    assert "today or in the past" in body
    assert not SupportSession.objects.exists()


def test_a_follow_up_without_an_owner_or_date_is_an_error(worker, young, login):
    data = form_data(worker, follow_up_owner="", follow_up_due_on_0="", follow_up_due_on_1="", follow_up_due_on_2="")
    body = login(worker).post(f"/staff/support/{young.membership.pk}/", data).content.decode()
    assert "Choose who will do the follow-up" in body and "Enter the date the follow-up is due" in body
    assert not SupportSession.objects.exists()


def test_missing_kind_and_date_are_errors(worker, young, login):
    body = login(worker).post(f"/staff/support/{young.membership.pk}/", {}).content.decode()
    assert "Choose the kind of session" in body and "Enter the date of the session" in body


def test_follow_ups_are_marked_done_and_reopened(worker, young, login):
    session = record(worker, young, follow_up_due=TODAY)
    follow_up = session.follow_ups.get()
    client = login(worker)
    client.post(f"/staff/support/follow-ups/{follow_up.pk}/done/")
    follow_up.refresh_from_db()
    assert follow_up.status == SupportFollowUp.Status.DONE
    client.post(f"/staff/support/follow-ups/{follow_up.pk}/reopen/")
    follow_up.refresh_from_db()
    assert follow_up.status == SupportFollowUp.Status.OPEN


def test_the_overview_lists_open_follow_ups_overdue_first(worker, young, login):
    record(worker, young, follow_up_due=TODAY + datetime.timedelta(days=3))
    SupportFollowUp.objects.update(description="Later one")
    record(worker, young, follow_up_due=TODAY - datetime.timedelta(days=3))
    # (description is encrypted at rest, so it cannot be looked up: pick the new one by its date)
    SupportFollowUp.objects.filter(due_on__lt=TODAY).update(description="Overdue one")
    body = login(worker).get("/staff/support/").content.decode()
    assert body.index("Overdue one") < body.index("Later one")
    assert "Overdue</strong>" in body
    assert NOTES not in body


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN])
def test_other_staff_are_refused(member, worker, young, login, role):
    session = record(worker, young, follow_up_due=TODAY)
    client = login(member(role))
    for url in ("/staff/support/", f"/staff/support/{young.membership.pk}/"):
        response = client.get(url)
        assert response.status_code == 403
        assert NOTES not in response.content.decode()
    assert client.post(f"/staff/support/follow-ups/{session.follow_ups.get().pk}/done/").status_code == 403


def test_a_young_person_cannot_open_staff_pages(young, login):
    client = login(young)
    assert client.get(f"/staff/support/{young.membership.pk}/").status_code == 403
    assert client.get("/staff/support/").status_code == 403


def test_another_partnerships_young_person_is_404(member, worker, login, other_partnership):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    their_worker = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    session = record(their_worker, stranger, follow_up_due=TODAY)
    client = login(worker)
    assert client.get(f"/staff/support/{stranger.membership.pk}/").status_code == 404
    assert client.post(f"/staff/support/follow-ups/{session.follow_ups.get().pk}/done/").status_code == 404


def test_the_young_person_sees_sessions_and_agreements_not_the_notes(worker, young, login):
    record(worker, young, follow_up_due=TODAY + datetime.timedelta(days=2))
    response = login(young).get("/me/support/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Debrief" in body and worker.full_name in body and AGREED in body and "Book a quiet room" in body
    assert NOTES not in body and "anxious" not in body


def test_staff_without_young_person_role_cannot_open_me_support(worker, login):
    assert login(worker).get("/me/support/").status_code == 403


def _queries(client, url):
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("page", ["log", "overview", "mine"])
def test_query_counts_do_not_grow_with_sessions(member, worker, young, login, page):
    lead = member(Role.SAFEGUARDING_LEAD)

    def add(count):
        for _ in range(count):
            record(worker, young, follow_up_due=TODAY - datetime.timedelta(days=1))
            record(lead, member(Role.YOUNG_PERSON), follow_up_due=TODAY)

    viewer = young if page == "mine" else worker
    url = {"log": f"/staff/support/{young.membership.pk}/", "overview": "/staff/support/", "mine": "/me/support/"}
    client = login(viewer)
    add(5)
    few = _queries(client, url[page])
    add(45)
    assert _queries(client, url[page]) == few
