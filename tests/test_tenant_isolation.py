"""A record of another partnership is a 404 for every role, in pages and API; lists never include it."""

import pytest

from participants.models import Role

pytestmark = pytest.mark.django_db

STAFF = [
    Role.PARTICIPATION_WORKER,
    Role.SAFEGUARDING_LEAD,
    Role.FINANCE_OFFICER,
    Role.SCRUTINY_LEAD,
    Role.PARTNERSHIP_ADMIN,
]
ALL_ROLES = [Role.YOUNG_PERSON, *STAFF]


@pytest.fixture
def stranger(member, other_partnership):
    return member(Role.YOUNG_PERSON, in_partnership=other_partnership)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_membership_of_another_partnership_is_404(role, member, stranger, api_as):
    client = api_as(member(role))
    pk = stranger.membership.pk
    # Young people may read no memberships at all (403 for every id, so it confirms nothing); staff get 404.
    expected = 403 if role == Role.YOUNG_PERSON else 404
    assert client.get(f"/api/v1/memberships/{pk}/").status_code == expected
    for action in ("suspend", "reactivate"):
        response = client.post(f"/api/v1/memberships/{pk}/{action}/", {"reason": "x"}, format="json")
        assert response.status_code == 404, (role, action, response.content)


@pytest.mark.parametrize("role", STAFF)
def test_api_lists_hold_only_own_partnership(role, member, stranger, api_as):
    me = member(role)
    ids = {row["id"] for row in api_as(me).get("/api/v1/memberships/").json()["results"]}
    assert me.membership.pk in ids
    assert stranger.membership.pk not in ids


def test_api_audit_events_hold_only_own_partnership(member, stranger, api_as, other_partnership):
    from participants.services import membership_suspend

    other_admin = member(Role.PARTNERSHIP_ADMIN, in_partnership=other_partnership)
    membership_suspend(actor=other_admin, membership_id=stranger.membership.pk, reason="theirs")
    admin = member(Role.PARTNERSHIP_ADMIN)
    assert api_as(admin).get("/api/v1/audit-events/").json()["count"] == 0
    assert api_as(other_admin).get("/api/v1/audit-events/").json()["count"] == 1


@pytest.mark.parametrize("role", ALL_ROLES)
def test_page_for_a_member_of_another_partnership_is_404(role, member, stranger, login):
    client = login(member(role))
    page = f"/staff/people/{stranger.membership.pk}/"
    if role == Role.YOUNG_PERSON:
        assert client.get(page).status_code == 403  # young people see no people pages at all
    else:
        assert client.get(page).status_code == 404
        assert client.post(page, {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("role", STAFF)
def test_people_list_page_holds_only_own_partnership(role, member, stranger, login):
    me = member(role)
    body = login(me).get("/staff/people/").content.decode()
    assert me.email in body
    assert stranger.email not in body


def test_switching_to_a_partnership_you_are_not_in_is_refused(member, other_partnership, login):
    client = login(member(Role.PARTICIPATION_WORKER))
    assert client.post(f"/partnerships/{other_partnership.pk}/").status_code == 404
