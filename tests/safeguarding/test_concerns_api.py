"""/api/v1/concerns/ (safeguarding/apis/concerns.py).

An API token never carries a second factor passed in this session, so for a token the list is empty and a
concern is a 404. A browser session of a safeguarding lead who passed it works, and records each read.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEvent
from participants.models import Role, YoungPersonProfile
from safeguarding.models import Concern, ConcernCategory, ConcernEntry, ConcernView
from safeguarding.services import concerns as services
from tests.core.test_api import token_client

pytestmark = pytest.mark.django_db

WORDS = "My mum's boyfriend hits me. WORDS-c0ff"


@pytest.fixture
def lead(member):
    user = member(Role.SAFEGUARDING_LEAD)
    user.second_factor_this_session = True  # for the services called directly in these tests
    return user


@pytest.fixture
def young(member, partnership):
    person = member(Role.YOUNG_PERSON)
    YoungPersonProfile.objects.create(
        partnership=partnership, membership=person.membership, date_of_birth=datetime.date(2008, 2, 29)
    )
    return person


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def concern(worker, young):
    return services.concern_raise(
        actor=worker,
        category=ConcernCategory.PHYSICAL,
        young_persons_words=WORDS,
        membership_id=young.membership.pk,
    )


@pytest.fixture
def lead_session(lead, login_with_second_factor):
    """A browser session of the lead, signed in with the second factor: the API works with it."""
    return login_with_second_factor(lead)


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


# --- Reading --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD])
def test_a_token_never_reads_a_concern(role, member, concern):
    client = token_client(member(role))
    assert client.get(f"/api/v1/concerns/{concern.pk}/").status_code == 404
    entry = concern.entries.get()
    assert client.get(f"/api/v1/concerns/{concern.pk}/entries/{entry.pk}/").status_code == 404
    listed = client.get("/api/v1/concerns/")
    assert listed.status_code == 200 and listed.json()["count"] == 0
    response = client.post(f"/api/v1/concerns/{concern.pk}/entries/", {"kind": "note", "text": "x"}, format="json")
    assert response.status_code == 404
    assert not ConcernView.objects.exists() and concern.entries.count() == 1


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD])
def test_a_session_without_the_right_to_read_gets_404(role, member, api_as, concern):
    # For the safeguarding lead: signed in, but without the second factor in this session.
    client = api_as(member(role))
    assert client.get(f"/api/v1/concerns/{concern.pk}/").status_code == 404
    assert client.get("/api/v1/concerns/").json()["count"] == 0
    assert not ConcernView.objects.exists()


def test_a_lead_with_the_second_factor_reads_through_the_api_and_each_read_is_recorded(lead, lead_session, concern):
    listed = lead_session.get("/api/v1/concerns/").json()
    assert [row["id"] for row in listed["results"]] == [concern.pk]
    response = lead_session.get(f"/api/v1/concerns/{concern.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data["young_persons_words"] == WORDS and data["category"] == "physical"
    assert [entry["kind"] for entry in data["entries"]] == ["report"]
    assert ConcernView.objects.filter(concern=concern, viewer=lead, via="api").count() == 1
    entry_id = data["entries"][0]["id"]
    assert lead_session.get(f"/api/v1/concerns/{concern.pk}/entries/{entry_id}/").status_code == 200
    assert ConcernView.objects.filter(concern=concern, viewer=lead, via="api").count() == 2


def test_the_api_list_records_a_view_of_each_concern_on_its_page_and_no_other(
    lead, lead_session, concern, worker, young
):
    newer = services.concern_raise(
        actor=worker,
        category=ConcernCategory.ONLINE,
        young_persons_words="Someone online",
        membership_id=young.membership.pk,
    )
    first = lead_session.get("/api/v1/concerns/?limit=1").json()
    assert [row["id"] for row in first["results"]] == [newer.pk]
    assert list(ConcernView.objects.values_list("concern_id", "viewer_id", "via")) == [(newer.pk, lead.pk, "api list")]
    lead_session.get("/api/v1/concerns/")
    assert sorted(ConcernView.objects.filter(via="api list").values_list("concern_id", flat=True)) == sorted(
        [newer.pk, newer.pk, concern.pk]
    )


def test_another_partnerships_concern_is_404_even_for_a_lead_with_the_second_factor(
    lead_session, member, other_partnership
):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    theirs = services.concern_raise(
        actor=member(Role.FINANCE_OFFICER, in_partnership=other_partnership),
        category=ConcernCategory.OTHER,
        young_persons_words="THEIRS",
        membership_id=stranger.membership.pk,
    )
    entry = theirs.entries.get()
    assert lead_session.get(f"/api/v1/concerns/{theirs.pk}/").status_code == 404
    assert lead_session.get(f"/api/v1/concerns/{theirs.pk}/entries/{entry.pk}/").status_code == 404
    assert (
        post_json(lead_session, f"/api/v1/concerns/{theirs.pk}/entries/", {"kind": "note", "text": "x"}).status_code
        == 404
    )
    assert lead_session.get("/api/v1/concerns/").json()["count"] == 0
    assert theirs.entries.count() == 1 and not ConcernView.objects.exists()


def test_the_list_filters_and_refuses_a_bad_filter_naming_it(lead, lead_session, concern):
    assert lead_session.get("/api/v1/concerns/?status=closed").json()["count"] == 0
    assert lead_session.get("/api/v1/concerns/?category=physical").json()["count"] == 1
    response = lead_session.get("/api/v1/concerns/?status=maybe")
    assert response.status_code == 400 and "status" in response.json()["extra"]["fields"]


# --- Raising --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.SCRUTINY_LEAD, Role.PARTICIPATION_WORKER])
def test_any_staff_member_raises_a_concern_with_a_token(role, member, young):
    reporter = member(role)
    response = token_client(reporter).post(
        "/api/v1/concerns/",
        {"membership_id": young.membership.pk, "category": "online", "young_persons_words": "They sent photos"},
        format="json",
    )
    assert response.status_code == 201
    assert set(response.json()) == {"id", "raised_at"}  # nothing of the concern comes back
    concern = Concern.objects.get(pk=response.json()["id"])
    assert concern.raised_by == reporter and concern.review_due_on == datetime.date(2033, 3, 1)  # born 29 February


def test_a_young_person_cannot_raise_through_the_api(young):
    response = token_client(young).post(
        "/api/v1/concerns/", {"about_name": "x", "category": "online", "young_persons_words": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not Concern.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"about_name": "A", "category": "wizardry", "young_persons_words": "x"}, "category"),
        ({"about_name": "A", "category": "online"}, "young_persons_words"),
        ({"about_name": "A", "category": "online", "young_persons_words": ""}, "young_persons_words"),
        ({"category": "online", "young_persons_words": "x"}, "membership_id"),
        ({"membership_id": "abc", "category": "online", "young_persons_words": "x"}, "membership_id"),
    ],
)
def test_malformed_input_is_a_400_naming_the_field(body, field, worker):
    response = token_client(worker).post("/api/v1/concerns/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"], response.json()
    assert not Concern.objects.exists()


def test_a_young_person_of_another_partnership_is_refused_naming_the_field(worker, member, other_partnership):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    response = token_client(worker).post(
        "/api/v1/concerns/",
        {"membership_id": stranger.membership.pk, "category": "online", "young_persons_words": "x"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["extra"]["field"] == "membership_id"


# --- Adding entries -------------------------------------------------------------------------------------------


def test_a_lead_with_the_second_factor_adds_entries(lead_session, concern, worker):
    url = f"/api/v1/concerns/{concern.pk}/entries/"
    report = concern.entries.get()
    due = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    steps = [
        {"kind": "note", "text": "Spoke to school"},
        {"kind": "correction", "corrects": report.pk, "text": "It was Tuesday"},
        {"kind": "category_change", "category": "domestic_abuse", "text": "Domestic setting"},
        {"kind": "action", "text": "Home visit", "owner": worker.pk, "due_on": due},
        {"kind": "referral", "agency": "front_door", "text": "Ref 99"},
        {"kind": "outcome", "text": "Child in need plan"},
        {"kind": "status_change", "status": "closed"},
        {"kind": "legal_hold", "legal_hold": True, "text": "Police"},
    ]
    for step in steps:
        response = post_json(lead_session, url, step)
        assert response.status_code == 201, (step, response.json())
        assert response.json()["kind"] == step["kind"]
    action = concern.entries.get(kind="action")
    assert post_json(lead_session, url, {"kind": "action_done", "action": action.pk}).status_code == 201
    concern.refresh_from_db()
    assert (concern.category, concern.status, concern.legal_hold) == ("domestic_abuse", "closed", True)
    change = concern.entries.get(kind="category_change")
    assert change.details == {"from": "physical", "to": "domestic_abuse"}
    assert ConcernEntry.objects.get(pk=report.pk).text == WORDS


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "report", "text": "x"}, "kind"),
        ({"kind": "gossip", "text": "x"}, "kind"),
        ({"kind": "note"}, "text"),
        ({"kind": "note", "text": "   "}, "text"),
        ({"kind": "correction", "text": "x"}, "corrects"),
        ({"kind": "category_change", "category": "nope", "text": "x"}, "category"),
        ({"kind": "action", "text": "x", "owner": 1}, "due_on"),
        ({"kind": "action", "text": "x", "owner": 1, "due_on": "someday"}, "due_on"),
        ({"kind": "referral", "text": "x"}, "agency"),
        ({"kind": "legal_hold", "text": "x"}, "legal_hold"),
    ],
)
def test_a_malformed_entry_is_a_400_naming_the_field(body, field, lead_session, concern):
    response = post_json(lead_session, f"/api/v1/concerns/{concern.pk}/entries/", body)
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"], response.json()
    assert concern.entries.count() == 1


def test_a_refusal_from_the_service_is_a_400_naming_the_field(lead_session, concern, young):
    due = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    body = {"kind": "action", "text": "x", "owner": young.pk, "due_on": due}
    response = post_json(lead_session, f"/api/v1/concerns/{concern.pk}/entries/", body)
    assert response.status_code == 400 and response.json()["extra"]["field"] == "owner"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_an_entry_cannot_be_edited_or_deleted_through_the_api(method, lead_session, lead, concern):
    entry = concern.entries.get()
    for url in (
        f"/api/v1/concerns/{concern.pk}/entries/{entry.pk}/",
        f"/api/v1/concerns/{concern.pk}/entries/",
        f"/api/v1/concerns/{concern.pk}/",
    ):
        response = getattr(lead_session, method)(
            url, json.dumps({"text": "rewritten"}), content_type="application/json"
        )
        assert response.status_code == 405, (url, response.status_code)
    token = token_client(lead)
    assert getattr(token, method)(f"/api/v1/concerns/{concern.pk}/entries/{entry.pk}/").status_code == 405
    assert ConcernEntry.objects.get(pk=entry.pk).text == WORDS
    assert Concern.objects.filter(pk=concern.pk).exists()


def test_no_concern_text_reaches_the_audit_log_through_the_api(lead_session, concern):
    post_json(lead_session, f"/api/v1/concerns/{concern.pk}/entries/", {"kind": "note", "text": "API-SECRET"})
    payloads = json.dumps([event.payload for event in AuditEvent.objects.all()])
    assert "API-SECRET" not in payloads and "WORDS-c0ff" not in payloads and "physical" not in payloads


# --- Query counts ---------------------------------------------------------------------------------------------


def _count(client, url):
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_makes_the_same_queries_for_5_and_50_concerns(lead_session, worker, young):
    def grow(n):
        for _ in range(n):
            services.concern_raise(actor=worker, category="other", young_persons_words="w", about_name="Someone")

    grow(5)
    small = _count(lead_session, "/api/v1/concerns/")
    grow(45)
    large = _count(lead_session, "/api/v1/concerns/")
    assert lead_session.get("/api/v1/concerns/").json()["count"] == 50
    assert large == small


def test_the_detail_makes_the_same_queries_for_5_and_50_entries(lead, lead_session, concern, worker):
    due = timezone.localdate() + datetime.timedelta(days=3)

    def grow(n):
        for i in range(n):
            if i % 2:
                services.concern_note_add(actor=lead, concern_id=concern.pk, text=f"n{i}")
            else:
                services.concern_action_add(
                    actor=lead, concern_id=concern.pk, text=f"a{i}", owner_id=worker.pk, due_on=due
                )

    grow(5)
    urls = [f"/api/v1/concerns/{concern.pk}/", f"/api/v1/concerns/{concern.pk}/entries/{concern.entries.first().pk}/"]
    small = [_count(lead_session, url) for url in urls]
    grow(45)
    large = [_count(lead_session, url) for url in urls]
    assert len(lead_session.get(urls[0]).json()["entries"]) == 51
    assert large == small


def test_the_schema_offers_no_way_to_edit_or_delete_an_entry(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    paths = {path: set(ops) for path, ops in schema["paths"].items() if path.startswith("/api/v1/concerns/")}
    assert paths == {
        "/api/v1/concerns/": {"get", "post"},
        "/api/v1/concerns/{concern_id}/": {"get"},
        "/api/v1/concerns/{concern_id}/entries/": {"post"},
        "/api/v1/concerns/{concern_id}/entries/{entry_id}/": {"get"},
    }
