"""/api/v1/recruitment-rounds/ and /api/v1/applications/: shapes, permissions, tenancy, refusals, query counts."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from participants.models import Application, OutreachChannel, PanelScore, RecruitmentRound, Role
from tests.factories import MembershipFactory
from tests.factories.recruitment import (
    ApplicationFactory,
    CriterionFactory,
    OutreachLinkFactory,
    QuestionFactory,
    RoundFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db

Status = Application.Status
ROUNDS = "/api/v1/recruitment-rounds/"
APPLICATIONS = "/api/v1/applications/"
BULK = "/api/v1/applications/bulk-transition/"


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def client(worker, api_as):
    return api_as(worker)


@pytest.fixture
def round_(partnership, worker):
    # created_by is set as round_create sets it: the model refuses a round without one in full_clean.
    return RoundFactory(partnership=partnership, places=5, created_by=worker)


def round_payload(**overrides):
    return {
        "title": "Young Scrutineers 2027",
        "description": "Help us check how well children are kept safe.",
        "opens_on": "2027-01-10",
        "closes_on": "2027-02-10",
        "places": 12,
        "min_age": 14,
        "max_age": 21,
        "is_published": True,
        "next_round_opens_on": "2028-01-10",
        **overrides,
    }


def assert_field_error(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"message", "extra"}
    assert field in body["extra"]["fields"], body
    assert field in body["message"]


# --- Rounds -------------------------------------------------------------------------------------------------------


def test_rounds_list_counts_sent_and_accepted_applications(client, round_, other_partnership):
    ApplicationFactory.create_batch(2, round=round_)
    ApplicationFactory(round=round_, status=Status.ACCEPTED)
    ApplicationFactory(round=round_, status=Status.DRAFT, submitted_at=None)
    theirs = RoundFactory(partnership=other_partnership)

    response = client.get(ROUNDS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row["id"] == round_.pk != theirs.pk
    assert row["applications_count"] == 3  # the draft is not counted
    assert row["accepted_count"] == 1
    assert row["title"] == round_.title


def test_create_a_round_with_its_own_criteria(client, worker):
    response = client.post(ROUNDS, round_payload(criteria=["Curiosity", "Teamwork"]), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    round_ = RecruitmentRound.objects.get(pk=body["id"])
    assert round_.partnership == worker.partnership
    assert round_.created_by == worker
    assert (round_.places, round_.min_age, round_.max_age) == (12, 14, 21)
    assert [c["label"] for c in body["criteria"]] == ["Curiosity", "Teamwork"]
    assert body["applications_count"] == 0
    assert body["next_round_opens_on"] == "2028-01-10"
    assert AuditEvent.objects.filter(event_type="round.created", subject_id=str(round_.pk)).exists()


def test_create_a_round_without_criteria_gets_the_standard_three(client):
    payload = round_payload()
    del payload["min_age"], payload["max_age"], payload["next_round_opens_on"]

    response = client.post(ROUNDS, payload, format="json")

    assert response.status_code == 201, response.content
    assert len(response.json()["criteria"]) == 3
    assert (response.json()["min_age"], response.json()["max_age"]) == (13, 25)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"opens_on": "10/01/2027"}, "opens_on"),
        ({"closes_on": "2027-02-30"}, "closes_on"),
        ({"next_round_opens_on": "soon"}, "next_round_opens_on"),
        ({"places": "many"}, "places"),
        ({"places": 0}, "places"),
        ({"places": 10**20}, "places"),
        ({"max_age": 31}, "max_age"),
        ({"min_age": 8}, "min_age"),
        ({"criteria": "Curiosity"}, "criteria"),
        ({"criteria": []}, "criteria"),
        ({"title": ""}, "title"),
        ({"closes_on": "2027-01-01"}, "closes_on"),  # before opens_on: the service's refusal
        ({"min_age": 20, "max_age": 16}, "max_age"),  # the service's refusal
    ],
)
def test_create_a_round_with_malformed_input_is_a_400_naming_the_field(client, overrides, field):
    response = client.post(ROUNDS, round_payload(**overrides), format="json")

    assert_field_error(response, field)
    assert not RecruitmentRound.objects.exists()


def test_round_detail_has_questions_criteria_and_interview_slots(client, round_):
    question = QuestionFactory(round=round_, text="What would you change?")
    criterion = CriterionFactory(round=round_, label="Ideas", max_score=4)
    slot = SlotFactory(round=round_, location="Town hall")

    response = client.get(f"{ROUNDS}{round_.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["questions"] == [
        {
            "id": question.pk,
            "text": "What would you change?",
            "help_text": "",
            "kind": "long_text",
            "choices": [],
            "required": True,
            "order": 0,
        }
    ]
    assert body["criteria"] == [{"id": criterion.pk, "label": "Ideas", "max_score": 4, "order": 0}]
    assert [(s["id"], s["location"], s["capacity"]) for s in body["interview_slots"]] == [(slot.pk, "Town hall", 1)]
    assert body["outreach_links"] == []


def test_round_detail_gives_each_outreach_link_its_tracked_url(client, round_, settings):
    """Needs the `apply_via` URL name (frontend/views/apply.py)."""
    settings.SITE_URL = "https://scrutineers.example"
    link = OutreachLinkFactory(round=round_, channel=OutreachChannel.YOUNG_CARERS, label="Carers centre")

    [row] = client.get(f"{ROUNDS}{round_.pk}/").json()["outreach_links"]

    assert row["id"] == link.pk
    assert row["channel"] == "young_carers"
    assert row["channel_label"] == "Young carers"
    assert row["url"].startswith("https://scrutineers.example/")
    assert link.code in row["url"]


def test_patch_changes_only_the_fields_sent(client, round_):
    title, closes_on = round_.title, round_.closes_on

    response = client.patch(f"{ROUNDS}{round_.pk}/", {"places": 3, "is_published": False}, format="json")

    assert response.status_code == 200, response.content
    round_.refresh_from_db()
    assert (round_.places, round_.is_published) == (3, False)
    assert (round_.title, round_.closes_on) == (title, closes_on)
    assert response.json()["places"] == 3
    event = AuditEvent.objects.get(event_type="round.updated")
    assert event.payload == {"fields": ["is_published", "places"]}


def test_patch_can_clear_the_next_round_date(client, round_):
    round_.next_round_opens_on = round_.closes_on
    round_.save()

    response = client.patch(f"{ROUNDS}{round_.pk}/", {"next_round_opens_on": None}, format="json")

    assert response.status_code == 200, response.content
    round_.refresh_from_db()
    assert round_.next_round_opens_on is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"opens_on": "next week"}, "opens_on"),
        ({"places": -1}, "places"),
        ({"title": ""}, "title"),
        ({"max_age": 31}, "max_age"),
    ],
)
def test_patch_with_malformed_input_is_a_400_naming_the_field(client, round_, payload, field):
    places = round_.places
    assert_field_error(client.patch(f"{ROUNDS}{round_.pk}/", payload, format="json"), field)
    round_.refresh_from_db()
    assert round_.places == places


def test_patch_with_nothing_to_change_is_a_400(client, round_):
    response = client.patch(f"{ROUNDS}{round_.pk}/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == "Send at least one field to change."
    assert not AuditEvent.objects.filter(event_type="round.updated").exists()


def test_patch_dates_out_of_order_is_a_400_not_a_500(client, round_):
    response = client.patch(f"{ROUNDS}{round_.pk}/", {"closes_on": "2000-01-01"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}
    round_.refresh_from_db()
    assert round_.closes_on > round_.opens_on


@pytest.mark.parametrize(
    ("payload", "field"), [({"closes_on": "2000-01-01"}, "closes_on"), ({"min_age": 29}, "max_age")]
)
def test_patch_dates_or_ages_out_of_order_names_the_field(client, round_, payload, field):
    assert_field_error(client.patch(f"{ROUNDS}{round_.pk}/", payload, format="json"), field)


def test_a_round_whose_creator_has_gone_can_still_be_changed(client, partnership):
    orphan = RoundFactory(partnership=partnership, created_by=None)
    response = client.patch(f"{ROUNDS}{orphan.pk}/", {"places": 3}, format="json")
    assert response.status_code == 200, response.content


# --- Applications: reading ----------------------------------------------------------------------------------------


def test_applications_list_has_scores_and_channels_and_filters(client, round_, worker, partnership):
    criterion = CriterionFactory(round=round_)
    link = OutreachLinkFactory(round=round_, channel=OutreachChannel.SCHOOLS_COLLEGES)
    alice = ApplicationFactory(round=round_, full_name="Alice Example", outreach_link=link)
    bob = ApplicationFactory(round=round_, full_name="Bob Example", status=Status.SCREENING)
    ApplicationFactory(round=round_, status=Status.DRAFT, submitted_at=None)
    other_round = RoundFactory(partnership=partnership)
    carol = ApplicationFactory(round=other_round, full_name="Carol Example")
    second = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER]).user
    PanelScore.objects.create(partnership=partnership, application=alice, criterion=criterion, scorer=worker, score=4)
    PanelScore.objects.create(partnership=partnership, application=alice, criterion=criterion, scorer=second, score=1)

    body = client.get(APPLICATIONS).json()

    assert body["count"] == 3  # the draft is not listed
    rows = {row["id"]: row for row in body["results"]}
    assert rows[alice.pk]["average_score"] == 2.5
    assert rows[alice.pk]["scorers"] == 2
    assert rows[alice.pk]["channel"] == "schools_colleges"
    assert rows[alice.pk]["channel_label"] == "Schools and colleges"
    assert rows[bob.pk]["average_score"] is None
    assert rows[bob.pk]["scorers"] == 0
    assert rows[bob.pk]["channel"] == "direct"

    def ids(query):
        response = client.get(APPLICATIONS, query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids({"round": other_round.pk}) == {carol.pk}
    assert ids({"status": "screening"}) == {bob.pk}
    assert ids({"channel": "schools_colleges"}) == {alice.pk}
    assert ids({"channel": "direct"}) == {bob.pk, carol.pk}
    assert ids({"search": "alice"}) == {alice.pk}
    assert ids({"round": round_.pk, "search": "example"}) == {alice.pk, bob.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "wizard"}, "status"),
        ({"status": "draft"}, "status"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"round": "first"}, "round"),
        ({"round": "0"}, "round"),
        ({"round": "99999999999999999999999"}, "round"),
        ({"search": "x" * 101}, "search"),
    ],
)
def test_applications_list_with_a_bad_filter_is_a_400_naming_it(client, query, field):
    assert_field_error(client.get(APPLICATIONS, query), field)


def test_application_detail_has_answers_timeline_and_scores(client, round_, worker):
    question = QuestionFactory(round=round_, text="Why do you want to join?")
    unanswered = QuestionFactory(round=round_, text="Anything else?", required=False)
    criterion = CriterionFactory(round=round_, label="Ideas")
    application = ApplicationFactory(round=round_, answers={str(question.pk): "To help."})
    moved = client.post(
        f"{APPLICATIONS}{application.pk}/transition/", {"to": "screening", "reason": "Looks good"}, format="json"
    )
    assert moved.status_code == 200, moved.content
    scored = client.post(
        f"{APPLICATIONS}{application.pk}/scores/", {"scores": {criterion.pk: 3}, "comment": "Keen"}, format="json"
    )
    assert scored.status_code == 200, scored.content

    response = client.get(f"{APPLICATIONS}{application.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["answers"] == {
        str(question.pk): {"question": "Why do you want to join?", "answer": "To help."},
        str(unanswered.pk): {"question": "Anything else?", "answer": None},
    }
    [event] = body["events"]
    assert (event["from_status"], event["to_status"], event["reason"]) == ("submitted", "screening", "Looks good")
    assert (event["actor_id"], event["actor_name"], event["by_applicant"]) == (worker.pk, worker.full_name, False)
    [score] = body["scores"]
    assert (score["criterion_id"], score["criterion_label"], score["score"]) == (criterion.pk, "Ideas", 3)
    assert (score["scorer_id"], score["comment"]) == (worker.pk, "Keen")
    assert body["average_score"] == 3.0
    assert [c["id"] for c in body["criteria"]] == [criterion.pk]
    assert body["email"] == application.email


def test_equality_answers_are_never_in_the_api(client, round_):
    secret = "equality-answer-that-must-not-leak"
    draft = ApplicationFactory(
        round=round_, status=Status.DRAFT, submitted_at=None, equality_draft={"ethnicity": secret}
    )
    sent = ApplicationFactory(round=round_)

    responses = [
        client.get(APPLICATIONS),
        client.get(f"{APPLICATIONS}{draft.pk}/"),
        client.get(f"{APPLICATIONS}{sent.pk}/"),
        client.get(f"{ROUNDS}{round_.pk}/"),
    ]

    # Drafts are the applicant's own until sent: staff cannot open them at all.
    assert responses.pop(1).status_code == 404
    for response in responses:
        assert response.status_code == 200
        assert secret.encode() not in response.content
        assert b"equality" not in response.content
        assert b"ethnicity" not in response.content


# --- Applications: moving ---------------------------------------------------------------------------------------


def test_move_an_application_on(client, round_, worker):
    application = ApplicationFactory(round=round_)

    response = client.post(f"{APPLICATIONS}{application.pk}/transition/", {"to": "screening"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "screening"
    assert [e["to_status"] for e in response.json()["events"]] == ["screening"]
    application.refresh_from_db()
    assert application.status == Status.SCREENING
    event = AuditEvent.objects.get(event_type="application.status_changed")
    assert event.actor_id == worker.pk
    assert (event.payload["from"], event.payload["to"]) == ("submitted", "screening")


def test_unsuccessful_needs_a_reason_and_then_emails_the_applicant(client, round_, django_capture_on_commit_callbacks):
    application = ApplicationFactory(round=round_, status=Status.SCREENING)
    url = f"{APPLICATIONS}{application.pk}/transition/"

    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url, {"to": "unsuccessful"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "message": "Give a reason: it is kept with the application.",
        "extra": {"field": "reason"},
    }
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"to": "unsuccessful", "reason": "Too few places"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["closed_at"] is not None
    assert [m.to for m in mail.outbox] == [[application.email]]


def test_inviting_to_interview_emails_a_link_to_choose_a_time(
    client, round_, settings, django_capture_on_commit_callbacks
):
    """Needs the `apply_interview` URL name (frontend/views/apply.py)."""
    settings.SITE_URL = "https://scrutineers.example"
    SlotFactory(round=round_)
    application = ApplicationFactory(round=round_, status=Status.SCREENING)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{APPLICATIONS}{application.pk}/transition/", {"to": "interview"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "interview"
    [message] = mail.outbox
    assert message.to == [application.email]
    assert "https://scrutineers.example/" in message.body


def test_offering_a_place_emails_the_offer_link(client, round_, settings, django_capture_on_commit_callbacks):
    """Needs the `apply_offer` URL name (frontend/views/apply.py)."""
    settings.SITE_URL = "https://scrutineers.example"
    application = ApplicationFactory(round=round_, status=Status.INTERVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{APPLICATIONS}{application.pk}/transition/", {"to": "offered"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "offered"
    [message] = mail.outbox
    assert message.to == [application.email]
    assert "https://scrutineers.example/" in message.body


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"to": "wizard"}, "to"),
        ({"to": "accepted"}, "to"),  # only the applicant accepts
        ({}, "to"),
        ({"to": "screening", "reason": "x" * 2001}, "reason"),
        ({"to": ["screening"]}, "to"),
    ],
)
def test_move_with_malformed_input_is_a_400_naming_the_field(client, round_, payload, field):
    application = ApplicationFactory(round=round_)

    assert_field_error(client.post(f"{APPLICATIONS}{application.pk}/transition/", payload, format="json"), field)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_a_body_that_is_not_json_is_a_400(client, round_):
    application = ApplicationFactory(round=round_)
    response = client.post(f"{APPLICATIONS}{application.pk}/transition/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}


def test_moving_a_draft_is_refused_with_the_message(client, round_):
    draft = ApplicationFactory(round=round_, status=Status.DRAFT, submitted_at=None, full_name="Dee Draft")

    response = client.post(f"{APPLICATIONS}{draft.pk}/transition/", {"to": "screening"}, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == "Dee Draft has not sent their application yet."
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_move_the_workflow_does_not_allow_is_refused(client, round_):
    application = ApplicationFactory(round=round_, status=Status.SUBMITTED)

    response = client.post(f"{APPLICATIONS}{application.pk}/transition/", {"to": "offered"}, format="json")

    assert response.status_code == 400
    assert "from Submitted to Offered" in response.json()["message"]
    assert response.json()["extra"] == {"field": "status", "from": "submitted", "to": "offered"}


def test_offering_beyond_the_places_is_refused(client, partnership):
    round_ = RoundFactory(partnership=partnership, places=1)
    ApplicationFactory(round=round_, status=Status.ACCEPTED)
    waiting = ApplicationFactory(round=round_, status=Status.INTERVIEW)

    response = client.post(f"{APPLICATIONS}{waiting.pk}/transition/", {"to": "offered"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "message": "All 1 places are already offered or accepted.",
        "extra": {"field": "to"},
    }
    waiting.refresh_from_db()
    assert waiting.status == Status.INTERVIEW


def test_bulk_move_moves_them_all(client, round_):
    applications = ApplicationFactory.create_batch(3, round=round_)

    response = client.post(BULK, {"ids": [a.pk for a in applications], "to": "screening"}, format="json")

    assert response.status_code == 200, response.content
    assert sorted(row["id"] for row in response.json()["moved"]) == sorted(a.pk for a in applications)
    assert {row["status"] for row in response.json()["moved"]} == {"screening"}
    assert set(Application.objects.values_list("status", flat=True)) == {Status.SCREENING}


def test_bulk_move_is_all_or_nothing(client, round_, django_capture_on_commit_callbacks):
    ready = ApplicationFactory.create_batch(2, round=round_, status=Status.SCREENING)
    draft = ApplicationFactory(round=round_, status=Status.DRAFT, submitted_at=None, full_name="Dee Draft")
    ids = [*(a.pk for a in ready), draft.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, {"ids": ids, "to": "unsuccessful", "reason": "Full"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith("Nothing was moved.")
    assert "Dee Draft" in body["message"]
    assert body["extra"]["refused"] == ["Dee Draft: Dee Draft has not sent their application yet."]
    assert sorted(Application.objects.values_list("status", flat=True)) == sorted(
        [Status.SCREENING, Status.SCREENING, Status.DRAFT]
    )
    assert not Application.objects.exclude(closed_at=None).exists()
    assert not AuditEvent.objects.filter(event_type="application.status_changed").exists()
    assert mail.outbox == []  # the emails of the moves that were rolled back are not sent


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"ids": "1,2", "to": "screening"}, "ids"),
        ({"ids": 7, "to": "screening"}, "ids"),
        ({"ids": [], "to": "screening"}, "ids"),
        ({"ids": ["one"], "to": "screening"}, "ids"),
        ({"ids": [1], "to": "wizard"}, "to"),
    ],
)
def test_bulk_move_with_malformed_input_is_a_400_naming_the_field(client, payload, field):
    assert_field_error(client.post(BULK, payload, format="json"), field)


# --- Scores -------------------------------------------------------------------------------------------------------


def test_set_panel_scores(client, round_, worker):
    first, second = CriterionFactory(round=round_), CriterionFactory(round=round_)
    application = ApplicationFactory(round=round_)
    url = f"{APPLICATIONS}{application.pk}/scores/"

    response = client.post(url, {"scores": {str(first.pk): 4, str(second.pk): 3}, "comment": " Keen "}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["average_score"] == 3.5
    assert response.json()["scorers"] == 1
    rows = PanelScore.objects.filter(application=application, scorer=worker)
    assert sorted(rows.values_list("criterion_id", "score", "comment")) == [
        (first.pk, 4, "Keen"),
        (second.pk, 3, "Keen"),
    ]
    # Scoring again replaces the worker's own scores rather than adding to them.
    client.post(url, {"scores": {str(first.pk): 2}}, format="json")
    assert PanelScore.objects.get(application=application, criterion=first).score == 2
    assert PanelScore.objects.count() == 2


@pytest.mark.parametrize(
    "make_scores",
    [
        pytest.param(lambda pk: {str(pk): "four"}, id="score-not-a-number"),
        pytest.param(lambda pk: {str(pk): 3.5}, id="score-not-whole"),
        pytest.param(lambda pk: {str(pk): None}, id="score-null"),
        pytest.param(lambda pk: {"abc": 3}, id="key-not-an-id"),
        pytest.param(lambda pk: {"1e3": 3}, id="key-not-digits"),
        pytest.param(lambda pk: {"-1": 3}, id="key-negative"),
        pytest.param(lambda pk: {}, id="empty"),
        pytest.param(lambda pk: "4", id="not-an-object"),
        pytest.param(lambda pk: [3, 4], id="a-list"),
    ],
)
def test_scores_with_malformed_input_are_a_400_naming_the_field(client, round_, make_scores):
    criterion = CriterionFactory(round=round_)
    application = ApplicationFactory(round=round_)

    response = client.post(
        f"{APPLICATIONS}{application.pk}/scores/", {"scores": make_scores(criterion.pk)}, format="json"
    )

    assert_field_error(response, "scores")
    assert not PanelScore.objects.exists()


def test_scores_the_service_refuses_name_the_criterion(client, round_, partnership):
    criterion = CriterionFactory(round=round_, max_score=5)
    elsewhere = CriterionFactory(round=RoundFactory(partnership=partnership))
    application = ApplicationFactory(round=round_)
    url = f"{APPLICATIONS}{application.pk}/scores/"

    too_high = client.post(url, {"scores": {str(criterion.pk): 6}}, format="json")
    assert_field_error(too_high, f"criterion_{criterion.pk}")

    not_this_round = client.post(url, {"scores": {str(elsewhere.pk): 1}}, format="json")
    assert_field_error(not_this_round, f"criterion_{elsewhere.pk}")
    assert not PanelScore.objects.exists()


def test_scoring_a_draft_is_refused(client, round_):
    criterion = CriterionFactory(round=round_)
    draft = ApplicationFactory(round=round_, status=Status.DRAFT, submitted_at=None)

    response = client.post(f"{APPLICATIONS}{draft.pk}/scores/", {"scores": {str(criterion.pk): 3}}, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == "This application has not been sent yet."


# --- Permissions and tenancy --------------------------------------------------------------------------------------


def _requests(round_, application, criterion):
    return [
        ("get", ROUNDS, None),
        ("post", ROUNDS, round_payload()),
        ("get", f"{ROUNDS}{round_.pk}/", None),
        ("patch", f"{ROUNDS}{round_.pk}/", {"places": 2}),
        ("get", APPLICATIONS, None),
        ("get", f"{APPLICATIONS}{application.pk}/", None),
        ("post", f"{APPLICATIONS}{application.pk}/transition/", {"to": "screening"}),
        ("post", BULK, {"ids": [application.pk], "to": "unsuccessful", "reason": "No places"}),
        ("post", f"{APPLICATIONS}{application.pk}/scores/", {"scores": {str(criterion.pk): 3}}),
    ]


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.YOUNG_PERSON, Role.SAFEGUARDING_LEAD, Role.SCRUTINY_LEAD])
def test_only_workers_and_admins_may_use_recruitment_endpoints(role, member, api_as, round_):
    application = ApplicationFactory(round=round_)
    criterion = CriterionFactory(round=round_)
    client = api_as(member(role))

    for method, url, data in _requests(round_, application, criterion):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 403, (role, method, url, response.content)
        assert set(response.json()) == {"message", "extra"}

    application.refresh_from_db()
    round_.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert round_.places == 5
    assert RecruitmentRound.objects.count() == 1
    assert not PanelScore.objects.exists()


def test_partnership_admins_may_use_recruitment_endpoints(member, api_as, round_):
    application = ApplicationFactory(round=round_)
    criterion = CriterionFactory(round=round_)
    client = api_as(member(Role.PARTNERSHIP_ADMIN))

    for method, url, data in _requests(round_, application, criterion):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code in (200, 201), (method, url, response.content)


def test_another_partnerships_records_are_404(client, other_partnership):
    theirs = RoundFactory(partnership=other_partnership)
    application = ApplicationFactory(round=theirs)
    criterion = CriterionFactory(round=theirs)

    for method, url, data in _requests(theirs, application, criterion):
        if url in (ROUNDS, APPLICATIONS):
            continue
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 404, (method, url, response.content)
        assert set(response.json()) == {"message", "extra"}

    application.refresh_from_db()
    theirs.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert theirs.places == 10
    assert not PanelScore.objects.exists()
    assert client.get(APPLICATIONS).json()["count"] == 0
    assert client.get(ROUNDS).json()["count"] == 0


def test_bulk_move_with_one_of_another_partnerships_ids_moves_nothing(client, round_, other_partnership):
    mine = ApplicationFactory(round=round_)
    theirs = ApplicationFactory(round=RoundFactory(partnership=other_partnership))

    response = client.post(BULK, {"ids": [mine.pk, theirs.pk], "to": "screening"}, format="json")

    assert response.status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (Status.SUBMITTED, Status.SUBMITTED)


def test_ids_that_do_not_exist_are_404(client):
    for url in (f"{ROUNDS}999999/", f"{APPLICATIONS}999999/", f"{ROUNDS}99999999999999999999999/"):
        assert client.get(url).status_code == 404, url


# --- Query counts -------------------------------------------------------------------------------------------------


def _grow_rounds(partnership, n, scorer):
    for _ in range(n):
        ApplicationFactory(round=RoundFactory(partnership=partnership), status=Status.ACCEPTED)


def _grow_applications(partnership, n, scorer):
    """n sent applications, some through an outreach link, some scored: every related row an N+1 would fetch."""
    round_ = RecruitmentRound.objects.filter(partnership=partnership).first() or RoundFactory(partnership=partnership)
    criterion = round_.criteria.first() or CriterionFactory(round=round_)
    link = round_.outreach_links.first() or OutreachLinkFactory(round=round_)
    for i in range(n):
        application = ApplicationFactory(round=round_, outreach_link=link if i % 2 else None)
        if i % 3 == 0:
            PanelScore.objects.create(
                partnership=round_.partnership, application=application, criterion=criterion, scorer=scorer, score=3
            )


@pytest.mark.parametrize("url", [ROUNDS, APPLICATIONS])
def test_list_query_count_does_not_grow(url, client, worker, partnership):
    grow = _grow_rounds if url == ROUNDS else _grow_applications
    grow(partnership, 10, worker)
    client.get(url)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(partnership, 190, worker)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
