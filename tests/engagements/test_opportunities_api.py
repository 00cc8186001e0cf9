"""/api/v1/opportunities/ (young people) and /api/v1/engagements/ (staff, with publish, cancel and complete):
the same rules as the pages, fixed query counts, and another partnership's record is a 404."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Engagement, Interest, OpportunityType, PayBasis
from participants.models import Role
from tests.engagements.test_opportunities_services import confirm, published, when, with_check
from tests.factories.engagements import InterestFactory, OpportunityTypeSettingFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db

Status = Engagement.Status


@pytest.fixture
def worker(member):
    return with_check(member(Role.PARTICIPATION_WORKER))


def queries_for(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- Young people -------------------------------------------------------------------------------------------------


def test_a_young_person_lists_published_opportunities_with_their_own_interest(
    worker, member, api_as, partnership, other_partnership
):
    young = member(Role.YOUNG_PERSON)
    mine = published(partnership, lead=worker, is_online=True, online_link="https://meet.example.org/room")
    InterestFactory(engagement=mine, membership=young.membership)
    confirm(mine, member(Role.YOUNG_PERSON))
    EngagementFactory(partnership=partnership)  # draft
    published(other_partnership)
    data = api_as(young).get("/api/v1/opportunities/").json()
    assert [row["id"] for row in data["results"]] == [mine.pk]
    row = data["results"][0]
    assert (row["my_interest"], row["my_place_confirmed"], row["places_left"]) == ("interested", False, 3)
    assert row["online_link"] == ""
    assert "attendees" not in row and "staff_lead" not in row


def test_the_online_link_is_sent_only_to_those_confirmed(worker, member, api_as, partnership):
    engagement = published(partnership, lead=worker, is_online=True, online_link="https://meet.example.org/room")
    going = member(Role.YOUNG_PERSON)
    confirm(engagement, going)
    assert api_as(going).get(f"/api/v1/opportunities/{engagement.pk}/").json()["online_link"] == (
        "https://meet.example.org/room"
    )
    waiting = member(Role.YOUNG_PERSON)
    InterestFactory(engagement=engagement, membership=waiting.membership, status=Interest.Status.WAITING)
    assert api_as(waiting).get(f"/api/v1/opportunities/{engagement.pk}/").json()["online_link"] == ""


def test_a_draft_and_another_partnerships_opportunity_are_404(member, api_as, partnership, other_partnership):
    client = api_as(member(Role.YOUNG_PERSON))
    assert client.get(f"/api/v1/opportunities/{EngagementFactory(partnership=partnership).pk}/").status_code == 404
    assert client.get(f"/api/v1/opportunities/{published(other_partnership).pk}/").status_code == 404


def test_staff_do_not_use_the_opportunities_api_and_young_people_not_the_engagements_api(worker, member, api_as):
    assert api_as(worker).get("/api/v1/opportunities/").status_code == 403
    young_client = api_as(member(Role.YOUNG_PERSON))
    assert young_client.get("/api/v1/engagements/").status_code == 403
    assert young_client.post("/api/v1/engagements/", {}, format="json").status_code in (400, 403)


def test_the_opportunities_query_count_does_not_grow(worker, member, api_as, partnership):
    young = member(Role.YOUNG_PERSON)
    client = api_as(young)

    def grow(n):
        for _ in range(n):
            engagement = published(partnership, lead=worker)
            InterestFactory(engagement=engagement, membership=young.membership)
            confirm(engagement, member(Role.YOUNG_PERSON))

    grow(3)
    small = queries_for(client, "/api/v1/opportunities/")
    grow(12)
    assert queries_for(client, "/api/v1/opportunities/") == small


# --- Staff --------------------------------------------------------------------------------------------------------


def test_a_worker_creates_a_draft_and_unset_values_come_from_the_type(worker, api_as, partnership):
    OpportunityTypeSettingFactory(
        partnership=partnership,
        opportunity_type=OpportunityType.INTERVIEW_PANEL,
        pay_basis=PayBasis.SESSION,
        preparation_minutes=30,
    )
    starts, ends = when(9)
    response = api_as(worker).post(
        "/api/v1/engagements/",
        {
            "title": "Interview panel: new head of service",
            "opportunity_type": "interview_panel",
            "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(),
            "location": "Civic centre",
            "staff_lead_id": worker.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["pay_basis"], data["preparation_minutes"]) == ("draft", "session", 30)
    assert data["staff_lead"] == {"id": worker.pk, "full_name": worker.full_name}
    assert data["places_filled"] == 0


def test_a_refusal_names_the_field(worker, api_as):
    starts, ends = when(9)
    response = api_as(worker).post(
        "/api/v1/engagements/",
        {
            "title": "Online focus group",
            "opportunity_type": "focus_group",
            "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(),
            "is_online": True,
            "online_link": "http://meet.example.org/x",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["field"] == "online_link"


def test_the_whole_life_of_an_engagement_through_the_api(worker, member, api_as, partnership):
    client = api_as(worker)
    engagement = EngagementFactory(partnership=partnership, opportunity_type=OpportunityType.FOCUS_GROUP)
    url = f"/api/v1/engagements/{engagement.pk}/"
    assert client.post(url + "publish/").json()["extra"]["field"] == "staff_lead"
    patched = client.patch(url, {"staff_lead_id": worker.pk, "places": 3, "topic": "Youth violence"}, format="json")
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["places"], patched.json()["topic"]) == (3, "Youth violence")
    published_data = client.post(url + "publish/").json()
    assert published_data["status"] == "published" and published_data["published_at"]
    confirm(engagement, member(Role.YOUNG_PERSON))
    refused = client.patch(url, {"places": 0}, format="json")
    assert refused.status_code == 400
    later = (engagement.starts_at + datetime.timedelta(days=1)).isoformat()
    refused = client.patch(url, {"starts_at": later}, format="json")
    assert refused.json()["extra"]["field"] == "starts_at"
    assert client.post(url + "complete/").json()["extra"]["field"] == "status"
    assert client.post(url + "cancel/", {}, format="json").status_code == 400
    cancelled = client.post(url + "cancel/", {"reason": "Not enough notice for the agencies."}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_reason"] == "Not enough notice for the agencies."


def test_completing_through_the_api_after_it_ended(worker, api_as, partnership):
    starts = timezone.now() - datetime.timedelta(hours=4)
    engagement = published(partnership, lead=worker, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2))
    assert api_as(worker).post(f"/api/v1/engagements/{engagement.pk}/complete/").json()["status"] == "completed"


def test_the_list_filters(worker, api_as, partnership):
    draft = EngagementFactory(partnership=partnership)
    upcoming = published(partnership, lead=worker)
    starts = timezone.now() - datetime.timedelta(days=2)
    past = published(partnership, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1))
    client = api_as(worker)

    def ids(query):
        return {row["id"] for row in client.get("/api/v1/engagements/" + query).json()["results"]}

    assert ids("") == {draft.pk, upcoming.pk, past.pk}
    assert ids("?status=draft") == {draft.pk}
    assert ids("?upcoming=true") == {draft.pk, upcoming.pk}
    assert ids("?upcoming=false") == {past.pk}
    assert client.get("/api/v1/engagements/?status=party").status_code == 400


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.FINANCE_OFFICER, Role.PARTNERSHIP_ADMIN])
def test_another_partnerships_engagement_is_a_404(role, member, api_as, other_partnership):
    theirs = published(other_partnership)
    client = api_as(member(role))
    url = f"/api/v1/engagements/{theirs.pk}/"
    assert client.get(url).status_code == 404
    # Finance officers may change no engagement at all: a 403 for every id, so it confirms nothing.
    refused = 403 if role == Role.FINANCE_OFFICER else 404
    assert client.patch(url, {"title": "Mine"}, format="json").status_code == refused
    for action in ("publish", "complete"):
        assert client.post(f"{url}{action}/").status_code == refused
    assert client.post(f"{url}cancel/", {"reason": "x"}, format="json").status_code == refused
    assert theirs.pk not in {row["id"] for row in client.get("/api/v1/engagements/").json()["results"]}
    theirs.refresh_from_db()
    assert (theirs.status, theirs.title) != (Status.CANCELLED, "Mine")


def test_finance_officers_read_but_do_not_change(member, api_as, partnership):
    engagement = published(partnership)
    client = api_as(member(Role.FINANCE_OFFICER))
    assert client.get(f"/api/v1/engagements/{engagement.pk}/").status_code == 200
    assert (
        client.post(f"/api/v1/engagements/{engagement.pk}/cancel/", {"reason": "x"}, format="json").status_code == 403
    )


def test_the_engagements_query_count_does_not_grow(worker, member, api_as, partnership):
    client = api_as(worker)
    scrutiny = member(Role.SCRUTINY_LEAD)

    def grow(n):
        for _ in range(n):
            engagement = published(partnership, lead=worker, scrutiny_lead=scrutiny)
            confirm(engagement, member(Role.YOUNG_PERSON))

    grow(3)
    small = queries_for(client, "/api/v1/engagements/")
    grow(12)
    assert queries_for(client, "/api/v1/engagements/") == small


def test_the_schema_describes_the_endpoints(client):
    schema = client.get("/api/v1/schema/").content
    for route in (
        b"/api/v1/opportunities/{engagement_id}/",
        b"/api/v1/engagements/{engagement_id}/publish/",
        b"/api/v1/engagements/{engagement_id}/cancel/",
        b"/api/v1/engagements/{engagement_id}/complete/",
    ):
        assert route in schema


def test_a_draft_is_returned_to_a_young_person_invited_to_it_as_on_the_page(worker, member, api_as, partnership, login):
    """A worker can invite before publishing: the invited young person reads it by the API as on the page."""
    invited, stranger = member(Role.YOUNG_PERSON), member(Role.YOUNG_PERSON)
    draft = EngagementFactory(
        partnership=partnership,
        staff_lead=worker,
        opportunity_type=OpportunityType.FOCUS_GROUP,
        is_online=True,
        online_link="https://meet.example.org/invited",
    )
    confirm(draft, invited)
    response = api_as(invited).get(f"/api/v1/opportunities/{draft.pk}/")
    assert response.status_code == 200
    assert (response.json()["my_place_confirmed"], response.json()["online_link"]) == (
        True,
        "https://meet.example.org/invited",
    )
    assert login(invited).get(f"/opportunities/{draft.pk}/").status_code == 200
    assert api_as(stranger).get(f"/api/v1/opportunities/{draft.pk}/").status_code == 404
    assert login(stranger).get(f"/opportunities/{draft.pk}/").status_code == 404
    assert [row["id"] for row in api_as(invited).get("/api/v1/opportunities/").json()["results"]] == []


def test_the_online_link_is_not_sent_once_the_engagement_is_cancelled(worker, member, api_as, partnership):
    engagement = published(partnership, lead=worker, is_online=True, online_link="https://meet.example.org/room")
    going = member(Role.YOUNG_PERSON)
    confirm(engagement, going)
    Engagement.objects.filter(pk=engagement.pk).update(status=Status.CANCELLED)
    client = api_as(going)
    assert client.get(f"/api/v1/opportunities/{engagement.pk}/").json()["online_link"] == ""
    interests = client.get("/api/v1/interests/").json()["results"]
    assert [row["online_link"] for row in interests] == [""]


def test_a_young_person_reads_why_it_was_cancelled_and_why_they_were_not_picked(worker, member, api_as, partnership):
    young = member(Role.YOUNG_PERSON)
    called_off = published(partnership, lead=worker)
    confirm(called_off, young)
    Engagement.objects.filter(pk=called_off.pk).update(status=Status.CANCELLED, cancelled_reason="The agency left.")
    turned_down = published(partnership, lead=worker)
    InterestFactory(
        engagement=turned_down,
        membership=young.membership,
        status=Interest.Status.NOT_SELECTED,
        reason="Others had fewer turns.",
    )
    withdrew = published(partnership, lead=worker, cancelled_reason="Left over from a draft")
    InterestFactory(engagement=withdrew, membership=young.membership, status=Interest.Status.WITHDRAWN, reason="Exams")
    client = api_as(young)
    cancelled = client.get(f"/api/v1/opportunities/{called_off.pk}/").json()
    assert (cancelled["cancelled_reason"], cancelled["my_interest_reason"]) == ("The agency left.", "")
    declined = client.get(f"/api/v1/opportunities/{turned_down.pk}/").json()
    assert (declined["cancelled_reason"], declined["my_interest_reason"]) == ("", "Others had fewer turns.")
    own_reason = client.get(f"/api/v1/opportunities/{withdrew.pk}/").json()
    assert (own_reason["cancelled_reason"], own_reason["my_interest_reason"]) == ("", "")  # not cancelled; theirs
    listed = {row["id"]: row for row in client.get("/api/v1/opportunities/").json()["results"]}
    assert listed[turned_down.pk]["my_interest_reason"] == "Others had fewer turns."


def test_a_cancelled_place_gives_the_workers_reason(worker, member, api_as, partnership):
    young = member(Role.YOUNG_PERSON)
    engagement = published(partnership, lead=worker)
    InterestFactory(
        engagement=engagement, membership=young.membership, status=Interest.Status.CANCELLED, reason="Room too small."
    )
    data = api_as(young).get(f"/api/v1/opportunities/{engagement.pk}/").json()
    assert (data["my_interest"], data["my_interest_reason"]) == ("cancelled", "Room too small.")
