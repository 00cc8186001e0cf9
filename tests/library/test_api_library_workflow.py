"""/api/v1/library/ writes: drafting from the partnership's engagements, editing and reviewing, submitting and a
second person's approval, sending back, withdrawing; refused publication names every problem and changes nothing;
another partnership's example is a 404 for every write; questions between partnerships."""

from __future__ import annotations

import pytest

from library.models import Example, ExampleCredit, ExampleQuestion, Method
from participants.models import Role
from tests.engagements.test_outputs import engagement_with, young
from tests.factories import PartnershipFactory
from tests.factories.library import ExampleFactory
from tests.library.test_api_library import OURS, PUBLISHED_KEYS, QUESTIONS, URL, credit, detail, ids, published

pytestmark = pytest.mark.django_db

ALL_TEXT = list(Example.TEXT_FIELDS)


def problem_fields(response) -> set[str]:
    body = response.json()
    assert set(body) == {"message", "extra"} and body["message"], body
    problems = body["extra"]["problems"]
    assert all(set(problem) == {"field", "message"} and problem["message"] for problem in problems), problems
    return {problem["field"] for problem in problems}


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def admin(member):
    return member(Role.PARTNERSHIP_ADMIN)


@pytest.fixture
def their_lead(member, other_partnership):
    return member(Role.SCRUTINY_LEAD, in_partnership=other_partnership)


@pytest.fixture
def their_admin(member, other_partnership):
    return member(Role.PARTNERSHIP_ADMIN, in_partnership=other_partnership)


# --- The whole journey ------------------------------------------------------------------------------------------


def test_draft_edit_review_submit_approve_and_another_partnership_finds_it(
    partnership, worker, admin, their_lead, api_as
):
    people = [young(partnership, age=age) for age in (14, 15, 16, 17, 18)]
    engagement = engagement_with(partnership, *people)
    client = api_as(worker)

    drafted = client.post(OURS, {"engagements": [engagement.pk], "method": Method.FOCUS_GROUP}, format="json")
    assert drafted.status_code == 201, drafted.content
    body = drafted.json()
    example_id = body["id"]
    assert body["status"] == Example.Status.DRAFT and body["engagement_ids"] == [engagement.pk]
    assert body["method"] == Method.FOCUS_GROUP
    assert set(ALL_TEXT) <= {problem["field"] for problem in body["problems"]}  # drafted text starts unreviewed

    changed = client.patch(
        f"{URL}{example_id}/",
        {
            "title": "Young people rewrite the online safety leaflet",
            "topic": "Online safety",
            "recruitment": "Our group and a youth club.",
            "support": "A training session and a debrief.",
            "recommended": "Use words young people use.",
            "changed": "The leaflet was rewritten with them.",
            "outcome": "practice_changed",
            "age_min": 14,
            "age_max": 18,
            "young_people_count": 5,
        },
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Young people rewrite the online safety leaflet"

    reviewed = client.post(f"{URL}{example_id}/review/", {"fields": ALL_TEXT}, format="json")
    assert reviewed.status_code == 200, reviewed.content
    assert reviewed.json()["problems"] == []

    submitted = client.post(f"{URL}{example_id}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == Example.Status.SUBMITTED
    assert client.get(URL).json()["count"] == 0  # not in the library until approved

    own_approval = client.post(f"{URL}{example_id}/approve/")
    assert own_approval.status_code in (400, 403), own_approval.content  # a second person approves
    assert Example.objects.get(pk=example_id).status == Example.Status.SUBMITTED
    assert api_as(their_lead).get(f"{URL}{example_id}/").status_code == 404

    approved = api_as(admin).post(f"{URL}{example_id}/approve/")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == Example.Status.PUBLISHED

    theirs = api_as(their_lead)
    assert ids(theirs.get(URL, {"text": "leaflet", "method": Method.FOCUS_GROUP, "age": 15})) == {example_id}
    found = theirs.get(f"{URL}{example_id}/").json()
    assert set(found) == PUBLISHED_KEYS and found["partnership_name"] == partnership.name
    assert found["young_people_count"] == 5


def test_an_edit_after_review_needs_a_new_review(partnership, worker, api_as):
    example = ExampleFactory(
        partnership=partnership, engagements=[engagement_with(partnership, young(partnership))], created_by=worker
    )
    client = api_as(worker)
    assert client.post(f"{detail(example)}review/", {"fields": ALL_TEXT}, format="json").json()["problems"] == []
    body = client.patch(detail(example), {"recommended": "Something new."}, format="json").json()
    assert {problem["field"] for problem in body["problems"]} == {"recommended"}


# --- Refusals name every problem --------------------------------------------------------------------------------


def test_submitting_with_unreviewed_text_an_unagreed_name_and_a_small_count_names_each_and_submits_nothing(
    partnership, worker, api_as
):
    person = young(partnership)
    example = ExampleFactory(
        partnership=partnership, engagements=[engagement_with(partnership, person)], young_people_count=3
    )
    credit(example, ExampleCredit.Status.ASKED, membership=person)
    response = api_as(worker).post(f"{detail(example)}submit/")
    assert response.status_code == 400, response.content
    fields = problem_fields(response)
    assert set(ALL_TEXT) | {"young_people_count"} <= fields
    assert any(field.startswith("credit") for field in fields), fields
    example.refresh_from_db()
    assert example.status == Example.Status.DRAFT and example.submitted_at is None


def test_approving_names_each_problem_and_publishes_nothing(partnership, other_partnership, worker, admin, api_as):
    person = young(partnership)
    example = ExampleFactory(
        partnership=partnership,
        engagements=[engagement_with(partnership, person)],
        status=Example.Status.SUBMITTED,
        submitted_by=worker,
        young_people_count=2,
    )
    credit(example, ExampleCredit.Status.DECLINED, membership=person)
    response = api_as(admin).post(f"{detail(example)}approve/")
    assert response.status_code == 400, response.content
    fields = problem_fields(response)
    assert set(ALL_TEXT) | {"young_people_count"} <= fields
    assert any(field.startswith("credit") for field in fields), fields
    example.refresh_from_db()
    assert example.status == Example.Status.SUBMITTED and example.published_at is None
    assert api_as(admin).get(URL).json()["count"] == 0


def test_the_review_names_only_text_fields(partnership, worker, api_as):
    example = ExampleFactory(partnership=partnership)
    response = api_as(worker).post(f"{detail(example)}review/", {"fields": ["title", "age_min"]}, format="json")
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"fields"}
    assert Example.objects.get(pk=example.pk).reviewed == {}


def test_bad_edits_are_a_400_naming_each_field_and_nothing_is_saved(partnership, worker, api_as):
    example = ExampleFactory(partnership=partnership)
    response = api_as(worker).patch(
        detail(example), {"title": "", "age_min": "old", "method": "hackathon", "engagements": []}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"title", "age_min", "method", "engagements"}
    assert Example.objects.get(pk=example.pk).title == example.title


def test_a_bad_draft_is_a_400_naming_the_field(partnership, worker, api_as):
    engagement = engagement_with(partnership, young(partnership))
    client = api_as(worker)
    for payload, field in (
        ({}, "engagements"),
        ({"engagements": []}, "engagements"),
        ({"engagements": [engagement.pk, engagement.pk]}, "engagements"),
        ({"engagements": [engagement.pk], "method": "hackathon"}, "method"),
    ):
        response = client.post(OURS, payload, format="json")
        assert response.status_code == 400, payload
        assert set(response.json()["extra"]["fields"]) == {field}, payload
    assert not Example.objects.exists()


def test_drafting_from_another_partnerships_engagement_reads_like_a_missing_one(other_partnership, worker, api_as):
    theirs = engagement_with(other_partnership, young(other_partnership))
    client = api_as(worker)
    response = client.post(OURS, {"engagements": [theirs.pk]}, format="json")
    missing = client.post(OURS, {"engagements": [theirs.pk + 1000]}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()["extra"]["fields"]) == {"engagements"}
    assert response.json() == missing.json()  # confirms nothing about the other partnership's engagement
    assert not Example.objects.exists()


# --- Asking young people whether they want to be named --------------------------------------------------------


def test_asking_a_young_person_and_taking_them_off(partnership, other_partnership, worker, member, api_as):
    took_part, did_not = young(partnership), young(partnership)
    example = ExampleFactory(
        partnership=partnership, engagements=[engagement_with(partnership, took_part)], created_by=worker
    )
    client = api_as(worker)
    asked = client.post(f"{detail(example)}credits/", {"membership": took_part.pk}, format="json")
    assert asked.status_code == 201, asked.content
    credit_row = asked.json()
    assert credit_row["membership_id"] == took_part.pk and credit_row["status"] == ExampleCredit.Status.ASKED
    body = client.get(detail(example)).json()
    assert [row["id"] for row in body["credit_requests"]] == [credit_row["id"]]
    assert "credits" in {problem["field"] for problem in body["problems"]}  # no answer yet: it stops publication

    refused = client.post(f"{detail(example)}credits/", {"membership": did_not.pk}, format="json")
    assert refused.status_code == 400 and set(refused.json()["extra"]["fields"]) == {"membership"}

    # A young person is refused; another partnership's staff get a 404; the partnership's own take them off.
    remove = f"{URL}credits/{credit_row['id']}/remove/"
    assert api_as(took_part.user).post(remove).status_code == 403
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    assert api_as(stranger).post(remove).status_code == 404
    assert ExampleCredit.objects.get().status == ExampleCredit.Status.ASKED

    removed = api_as(worker).post(remove)
    assert removed.status_code == 200, removed.content
    assert removed.json()["status"] == ExampleCredit.Status.REMOVED
    body = api_as(worker).get(detail(example)).json()
    assert "credits" not in {problem["field"] for problem in body["problems"]}


# --- Another partnership's example: every write is a 404 -------------------------------------------------------


@pytest.mark.parametrize("status", [Example.Status.DRAFT, Example.Status.SUBMITTED, Example.Status.PUBLISHED])
def test_every_write_to_another_partnerships_example_is_a_404(other_partnership, worker, admin, api_as, status):
    example = ExampleFactory(partnership=other_partnership, status=status)
    for user in (worker, admin):
        client = api_as(user)
        for action, payload in (
            ("", None),
            ("review/", {"fields": ALL_TEXT}),
            ("submit/", {}),
            ("approve/", {}),
            ("send-back/", {"reason": "No."}),
            ("withdraw/", {"reason": "No."}),
            ("credits/", {"membership": young(other_partnership).pk}),
        ):
            if action:
                response = client.post(f"{detail(example)}{action}", payload, format="json")
            else:
                response = client.patch(detail(example), {"title": "Ours now"}, format="json")
            assert response.status_code == 404, (action, response.content)
    after = Example.objects.get(pk=example.pk)
    assert (after.status, after.title, after.reviewed) == (status, example.title, {})
    assert not ExampleCredit.objects.exists()


# --- Send back and withdraw -------------------------------------------------------------------------------------


def test_send_back_needs_a_reason_and_returns_it_to_draft(partnership, worker, admin, api_as):
    example = ExampleFactory(
        partnership=partnership, status=Example.Status.SUBMITTED, created_by=worker, submitted_by=worker
    )
    client = api_as(admin)
    refused = client.post(f"{detail(example)}send-back/", {}, format="json")
    assert refused.status_code == 400 and set(refused.json()["extra"]["fields"]) == {"reason"}
    response = client.post(f"{detail(example)}send-back/", {"reason": "Say who ran the sessions."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Example.Status.DRAFT


def test_an_example_whose_author_has_left_can_still_be_withdrawn(partnership, worker, admin, api_as):
    """Example.created_by is SET_NULL when an account is deleted; that must not block withdrawing it."""
    example = published(partnership, created_by=None, submitted_by=None, approved_by=None)
    response = api_as(admin).post(f"{detail(example)}withdraw/", {"reason": "Out of date."}, format="json")
    assert response.status_code == 200, response.content
    assert Example.objects.get(pk=example.pk).status == Example.Status.WITHDRAWN


def test_withdrawing_needs_a_reason(partnership, worker, admin, api_as):
    example = published(partnership, created_by=worker)
    response = api_as(admin).post(f"{detail(example)}withdraw/", {"reason": ""}, format="json")
    assert response.status_code == 400 and set(response.json()["extra"]["fields"]) == {"reason"}
    assert Example.objects.get(pk=example.pk).status == Example.Status.PUBLISHED


def test_a_young_person_cannot_withdraw_or_approve(partnership, api_as):
    example = published(partnership)
    client = api_as(young(partnership).user)
    assert client.post(f"{detail(example)}withdraw/", {"reason": "x"}, format="json").status_code == 403
    assert Example.objects.get(pk=example.pk).status == Example.Status.PUBLISHED


# --- Questions --------------------------------------------------------------------------------------------------


def test_another_partnership_asks_and_the_publisher_answers(partnership, worker, admin, their_lead, api_as):
    example = published(partnership, title="Our deep dive on exclusions")
    asker = api_as(their_lead)
    asked = asker.post(f"{detail(example)}questions/", {"text": "How did you pay them?"}, format="json")
    assert asked.status_code == 201, asked.content
    question = asked.json()
    assert question["example_id"] == example.pk and question["asked_by_us"] is True
    assert question["example_partnership_name"] == partnership.name and question["answer"] == ""
    assert their_lead.full_name not in str(question) and their_lead.email not in str(question)

    ours = api_as(admin)
    rows = ours.get(QUESTIONS).json()["results"]
    assert [row["id"] for row in rows] == [question["id"]] and rows[0]["asked_by_us"] is False
    answered = ours.post(f"{QUESTIONS}{question['id']}/answer/", {"answer": "By the hour, in money."}, format="json")
    assert answered.status_code == 200, answered.content
    assert answered.json()["answer"] == "By the hour, in money." and answered.json()["answered_at"]

    asker = api_as(their_lead)
    assert asker.get(QUESTIONS).json()["results"][0]["answer"] == "By the hour, in money."
    # The asking partnership cannot answer its own question.
    refused = asker.post(f"{QUESTIONS}{question['id']}/answer/", {"answer": "Changed."}, format="json")
    assert refused.status_code in (403, 404), refused.content
    assert ExampleQuestion.objects.get().answer == "By the hour, in money."


def test_a_question_needs_text(other_partnership, worker, api_as):
    example = published(other_partnership)
    response = api_as(worker).post(f"{detail(example)}questions/", {"text": ""}, format="json")
    assert response.status_code == 400 and set(response.json()["extra"]["fields"]) == {"text"}
    assert not ExampleQuestion.objects.exists()


def test_another_partnerships_question_list_and_answers_are_not_ours(
    partnership, other_partnership, worker, their_admin, member, api_as
):
    third = member(Role.SCRUTINY_LEAD, in_partnership=PartnershipFactory())
    example = published(other_partnership)
    asked = api_as(third).post(f"{detail(example)}questions/", {"text": "Who came?"}, format="json")
    assert asked.status_code == 201, asked.content
    # We neither asked it nor published the example: not in our list, and we cannot answer it.
    client = api_as(worker)
    assert client.get(QUESTIONS).json()["count"] == 0
    response = client.post(f"{QUESTIONS}{asked.json()['id']}/answer/", {"answer": "Nobody."}, format="json")
    assert response.status_code == 404
    assert ExampleQuestion.objects.get().answer == ""
    assert api_as(their_admin).get(QUESTIONS).json()["count"] == 1
