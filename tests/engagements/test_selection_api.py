"""/api/v1/interests/ (and its moves), /api/v1/engagements/<id>/invite/ and /candidates/."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Engagement, Interest
from participants.models import Role
from tests.engagements.helpers import approve_risk_assessment, young_person
from tests.factories.engagements import InterestFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
Status = Interest.Status


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def engagement(partnership):
    engagement = OpportunityFactory(
        partnership=partnership, places=2, is_online=True, online_link="https://meet.example/secret"
    )
    approve_risk_assessment(engagement)
    return engagement


def employ_and_require_training(engagement):
    """The partnership employs its young people (so the working-hours rules are read) and needs a training module
    for the engagement's type (make_eligible gives it to the eligible)."""
    from participants.models import Partnership, TrainingModule

    Partnership.objects.filter(pk=engagement.partnership_id).update(employs_young_people=True)
    engagement.partnership.refresh_from_db()
    TrainingModule.objects.create(
        partnership=engagement.partnership,
        title="Safeguarding basics",
        duration_minutes=60,
        required_for=[engagement.opportunity_type],
    )


def candidate(member, engagement, *, status=Status.INTERESTED, eligible=True):
    user = young_person(member, engagement, eligible=eligible)
    interest = InterestFactory(engagement=engagement, membership=user.membership, status=status)
    if status == Status.CONFIRMED:
        engagement.attendees.add(user.membership)
    return user, interest


def test_a_young_person_says_they_are_interested_and_sees_only_their_own(member, engagement, api_as):
    user = young_person(member, engagement)
    candidate(member, engagement)  # someone else
    client = api_as(user)
    response = client.post("/api/v1/interests/", {"engagement": engagement.pk, "note": "Me please"}, format="json")
    assert response.status_code == 201, response.data
    assert (response.data["status"], response.data["note"]) == (Status.INTERESTED, "Me please")
    assert response.data["online_link"] == ""
    listing = client.get("/api/v1/interests/").data
    assert [row["id"] for row in listing["results"]] == [response.data["id"]]


def test_a_long_note_gets_a_clear_message_naming_the_field(member, engagement, api_as):
    client = api_as(young_person(member, engagement))
    response = client.post("/api/v1/interests/", {"engagement": engagement.pk, "note": "x" * 1001}, format="json")
    assert response.status_code == 400
    assert response.data["extra"]["field"] == "note"
    assert "1000 characters or fewer" in response.data["message"]


def test_the_online_link_is_sent_only_with_a_confirmed_place(member, engagement, api_as):
    user, _ = candidate(member, engagement, status=Status.CONFIRMED)
    (row,) = api_as(user).get("/api/v1/interests/").data["results"]
    assert row["online_link"] == "https://meet.example/secret"


def test_a_young_person_withdraws(member, engagement, api_as):
    user, interest = candidate(member, engagement)
    response = api_as(user).post(f"/api/v1/interests/{interest.pk}/withdraw/", {"reason": "Exams"}, format="json")
    assert response.status_code == 200
    assert (response.data["status"], response.data["reason"]) == (Status.WITHDRAWN, "Exams")


def test_one_interest_is_read_by_its_young_person_and_the_partnerships_workers(
    member, engagement, worker, api_as, other_partnership
):
    user, interest = candidate(member, engagement, status=Status.NOT_SELECTED)
    Interest.objects.filter(pk=interest.pk).update(reason="Next time.")
    _, someone_else = candidate(member, engagement)
    url = f"/api/v1/interests/{interest.pk}/"
    mine = api_as(user).get(url)
    assert mine.status_code == 200
    assert (mine.data["id"], mine.data["status"], mine.data["reason"]) == (
        interest.pk,
        Status.NOT_SELECTED,
        "Next time.",
    )
    assert api_as(user).get(f"/api/v1/interests/{someone_else.pk}/").status_code == 404
    assert api_as(worker).get(url).data["full_name"] == user.full_name
    theirs = InterestFactory(engagement=OpportunityFactory(partnership=other_partnership))
    assert api_as(worker).get(f"/api/v1/interests/{theirs.pk}/").status_code == 404
    assert api_as(member(Role.FINANCE_OFFICER)).get(url).status_code == 403


def test_the_interest_list_filters_by_status(member, engagement, worker, api_as):
    _, waiting = candidate(member, engagement, status=Status.WAITING)
    _, interested = candidate(member, engagement)
    client = api_as(worker)

    def ids(query):
        return {row["id"] for row in client.get("/api/v1/interests/" + query).data["results"]}

    assert ids("?status=waiting") == {waiting.pk}
    assert ids(f"?status=interested&engagement={engagement.pk}") == {interested.pk}
    assert client.get("/api/v1/interests/?status=maybe").status_code == 400
    user, _ = candidate(member, engagement, status=Status.CONFIRMED)
    assert api_as(user).get("/api/v1/interests/?status=waiting").data["count"] == 0  # never someone else's


def test_reading_one_interest_does_not_grow_with_the_partnership(member, engagement, worker, api_as, partnership):
    _, interest = candidate(member, engagement)
    client = api_as(worker)
    url = f"/api/v1/interests/{interest.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(10):
        candidate(member, OpportunityFactory(partnership=partnership), status=Status.CONFIRMED)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_a_young_person_cannot_make_worker_moves(member, engagement, api_as):
    user, interest = candidate(member, engagement)
    assert api_as(user).post(f"/api/v1/interests/{interest.pk}/confirm/").status_code == 403


def test_a_worker_lists_an_engagements_interests(member, engagement, worker, api_as, partnership):
    for _ in range(2):
        candidate(member, engagement)
    candidate(member, OpportunityFactory(partnership=partnership))
    client = api_as(worker)
    assert client.get(f"/api/v1/interests/?engagement={engagement.pk}").data["count"] == 2
    assert client.get("/api/v1/interests/").data["count"] == 3


def test_worker_moves_through_the_api(member, engagement, worker, api_as, partnership):
    partnership.load_limit_engagements = 0
    partnership.save()
    _, interest = candidate(member, engagement)
    _, other = candidate(member, engagement)
    client = api_as(worker)
    refused = client.post(f"/api/v1/interests/{interest.pk}/confirm/", {}, format="json")
    assert refused.status_code == 400
    assert refused.data["extra"]["reason"] == "load"
    confirmed = client.post(f"/api/v1/interests/{interest.pk}/confirm/", {"acknowledge_load": True}, format="json")
    assert confirmed.data["status"] == Status.CONFIRMED
    assert client.post(f"/api/v1/interests/{other.pk}/waitlist/").data["status"] == Status.WAITING
    no_reason = client.post(f"/api/v1/interests/{other.pk}/decline/", {}, format="json")
    assert no_reason.status_code == 400 and no_reason.data["extra"]["field"] == "reason"
    declined = client.post(f"/api/v1/interests/{other.pk}/decline/", {"reason": "Next time"}, format="json")
    assert declined.data["status"] == Status.NOT_SELECTED
    cancelled = client.post(f"/api/v1/interests/{interest.pk}/cancel/", {"reason": "Room"}, format="json")
    assert cancelled.data["status"] == Status.CANCELLED


def test_a_worker_invites_through_the_api(member, engagement, worker, api_as):
    user = young_person(member, engagement)
    response = api_as(worker).post(
        f"/api/v1/engagements/{engagement.pk}/invite/", {"membership_id": user.membership.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.data["invited"] is True and response.data["status"] == Status.CONFIRMED


def test_candidates_with_eligibility_load_and_the_fair_pick(member, engagement, worker, api_as):
    _, busy = candidate(member, engagement)
    past = OpportunityFactory(
        partnership=engagement.partnership,
        starts_at=timezone.now() - datetime.timedelta(days=3, hours=2),
        ends_at=timezone.now() - datetime.timedelta(days=3),
        status=Engagement.Status.COMPLETED,
    )
    past.attendees.add(busy.membership)
    _, fresh = candidate(member, engagement)
    _, unready = candidate(member, engagement, eligible=False)
    data = api_as(worker).get(f"/api/v1/engagements/{engagement.pk}/candidates/").data
    assert (data["places"], data["places_left"]) == (2, 2)
    assert data["suggested"] == [fresh.pk, busy.pk]
    rows = {row["interest_id"]: row for row in data["candidates"]}
    assert rows[busy.pk]["engagements_last_90_days"] == 1
    assert rows[busy.pk]["hours_last_90_days"] == "2.0"
    assert rows[unready.pk]["eligible"] is False and rows[unready.pk]["reasons"]
    assert rows[fresh.pk]["suggested"] is True and rows[unready.pk]["suggested"] is False


def test_another_partnerships_records_are_a_404(member, engagement, worker, api_as, other_partnership):
    theirs = OpportunityFactory(partnership=other_partnership)
    their_interest = InterestFactory(engagement=theirs)
    client = api_as(worker)
    assert client.get(f"/api/v1/engagements/{theirs.pk}/candidates/").status_code == 404
    assert client.get(f"/api/v1/interests/?engagement={theirs.pk}").status_code == 404
    for move in ("confirm", "waitlist"):
        assert client.post(f"/api/v1/interests/{their_interest.pk}/{move}/").status_code == 404
    for move in ("decline", "cancel"):
        response = client.post(f"/api/v1/interests/{their_interest.pk}/{move}/", {"reason": "x"}, format="json")
        assert response.status_code == 404
    invite = client.post(
        f"/api/v1/engagements/{theirs.pk}/invite/", {"membership_id": their_interest.membership_id}, format="json"
    )
    assert invite.status_code == 404
    young = api_as(member(Role.YOUNG_PERSON))
    assert young.post("/api/v1/interests/", {"engagement": theirs.pk}, format="json").status_code == 404
    assert young.post(f"/api/v1/interests/{their_interest.pk}/withdraw/").status_code == 404


def test_the_interest_list_query_count_does_not_grow(member, engagement, worker, api_as, partnership):
    client = api_as(worker)

    def grow(n):
        for _ in range(n):
            candidate(member, OpportunityFactory(partnership=partnership), status=Status.CONFIRMED)

    grow(2)
    client.get("/api/v1/interests/")
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/interests/")
    grow(20)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/api/v1/interests/").data["count"] == 22
    assert len(large) == len(small)


def test_the_candidates_query_count_does_not_grow_with_the_candidates(member, engagement, worker, api_as):
    """Eligibility is decided for every candidate at once (can_take_part_many): N and 2N candidates, eligible or
    not, cost the same, also in a partnership that employs its young people (the working-hours checks)."""
    employ_and_require_training(engagement)
    client = api_as(worker)
    url = f"/api/v1/engagements/{engagement.pk}/candidates/"

    def grow(n):
        for i in range(n):
            user, _ = candidate(member, engagement, eligible=i % 3 != 2)
            past = OpportunityFactory(
                partnership=engagement.partnership,
                starts_at=timezone.now() - datetime.timedelta(days=3, hours=2),
                ends_at=timezone.now() - datetime.timedelta(days=3),
            )
            past.attendees.add(user.membership)

    grow(6)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(6)
    with CaptureQueriesContext(connection) as large:
        rows = client.get(url).data["candidates"]
    assert len(rows) == 12
    assert {row["eligible"] for row in rows} == {True, False}
    assert any(row["training_gaps"] for row in rows)
    assert len(large) == len(small), [q["sql"] for q in large]


def test_the_interest_list_names_the_partnership_on_the_engagement(member, engagement, worker, api_as):
    """So PostgreSQL reads only this partnership's engagements to order the list (docs/performance.md, Indexes)."""
    candidate(member, engagement)
    client = api_as(worker)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/interests/").data["count"] == 1
    listing = [q["sql"] for q in captured if "engagements_interest" in q["sql"]]
    assert listing and all(
        f'"engagements_engagement"."partnership_id" = {engagement.partnership_id}' in sql for sql in listing
    ), listing
