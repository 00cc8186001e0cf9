"""Each role's home page, and that its query count does not grow with the data (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.audit import audit_record
from participants.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ROLES = [
    Role.YOUNG_PERSON,
    Role.PARTICIPATION_WORKER,
    Role.SAFEGUARDING_LEAD,
    Role.FINANCE_OFFICER,
    Role.SCRUTINY_LEAD,
    Role.PARTNERSHIP_ADMIN,
]


def _home_of(role):
    return "/me/" if role == Role.YOUNG_PERSON else "/staff/"


def _grow(partnership, n):
    """n young people, n staff contacts and n audit events in the partnership."""
    from django.db import transaction

    for _ in range(n):
        MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
        worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER], with_totp=False)
        with transaction.atomic():
            audit_record(actor=worker.user, partnership=partnership, subject=worker, event_type="test.event")


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response
    return len(captured), response


@pytest.mark.parametrize("role", ROLES)
def test_home_page_query_count_is_the_same_with_5_and_50_records(role, member, login, partnership):
    client = login(member(role))
    url = _home_of(role)
    _grow(partnership, 5)
    client.get(url)  # warm up: the first request after sign-in also writes the session
    small, _ = _queries(client, url)
    _grow(partnership, 45)
    large, _ = _queries(client, url)
    assert large == small, f"{url} made {small} queries with 5 records and {large} with 50"
    assert small <= 15


def test_young_person_home_lists_their_participation_workers(member, login, partnership):
    person = member(Role.YOUNG_PERSON)
    worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER], job_title="Youth worker")
    body = login(person).get("/me/").content.decode()
    assert f"Hi {person.get_short_name()}" in body
    assert worker.user.email in body
    assert "Youth worker" in body


def test_a_young_person_cannot_open_staff_pages(member, login):
    client = login(member(Role.YOUNG_PERSON))
    for url in ("/staff/", "/staff/people/", "/staff/audit-log/"):
        assert client.get(url).status_code == 403, url


def test_a_finance_officer_sees_no_audit_log(member, login):
    client = login(member(Role.FINANCE_OFFICER))
    assert "Recent changes" not in client.get("/staff/").content.decode()
    assert client.get("/staff/audit-log/").status_code == 403


def test_admin_dashboard_shows_recent_changes_and_staff(member, login):
    from participants.services import membership_suspend

    admin = member(Role.PARTNERSHIP_ADMIN)
    leaver = member(Role.PARTICIPATION_WORKER)
    membership_suspend(actor=admin, membership_id=leaver.membership.pk, reason="Retired")
    body = login(admin).get("/staff/").content.decode()
    assert "Recent changes" in body
    assert f"{admin.full_name} suspended {leaver.full_name}&#x27;s account. Reason: Retired" in body


def test_a_person_in_two_partnerships_sees_one_at_a_time_and_can_switch(member, login, partnership, other_partnership):
    lead = member(Role.SCRUTINY_LEAD)
    MembershipFactory(user=lead, partnership=other_partnership, roles=[Role.SCRUTINY_LEAD])
    here = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER])
    there = MembershipFactory(partnership=other_partnership, roles=[Role.PARTICIPATION_WORKER])
    client = login(lead)
    first = client.get("/staff/people/").content.decode()
    current, other = (here, there) if here.user.email in first else (there, here)
    assert other.user.email not in first

    response = client.post(f"/partnerships/{other.partnership_id}/")
    assert response.status_code == 302
    after = client.get("/staff/people/").content.decode()
    assert other.user.email in after
    assert current.user.email not in after
    assert "Switch partnership" in after


def test_the_partnership_chosen_in_the_session_falls_back_to_another_when_it_ends(
    member, login, partnership, other_partnership
):
    """PartnershipMiddleware reads all of the person's active memberships in one query: it acts in the one chosen in
    the session while it lasts, then in the one left; the menu offers switching only while there are two, and
    counts them from that same query (no query of its own)."""
    lead = member(Role.SCRUTINY_LEAD)
    there = MembershipFactory(user=lead, partnership=other_partnership, roles=[Role.SCRUTINY_LEAD])
    client = login(lead)
    assert client.post(f"/partnerships/{other_partnership.pk}/").status_code == 302
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/staff/people/").content.decode()
    assert "Switch partnership" in page
    assert other_partnership.name in page
    memberships = [q["sql"] for q in queries.captured_queries if 'FROM "participants_membership"' in q["sql"]]
    counted = [sql for sql in memberships if "COUNT(" in sql and '"participants_membership"."user_id"' in sql]
    assert not counted, "the menu counted the person's memberships again"

    there.status = there.Status.SUSPENDED
    there.save()
    page = client.get("/staff/people/").content.decode()
    assert "Switch partnership" not in page
    assert partnership.name in page
    assert client.session["active_partnership_id"] == partnership.pk
