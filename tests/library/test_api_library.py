"""/api/v1/library/ reads: any partnership's staff search and read PUBLISHED examples; another partnership's example
in any other status is a 404 and never in a list; a withdrawn one disappears at once; young people are refused; the
published JSON carries nothing personal; lists make the same number of queries for 5 examples as for 40.

The helpers at the top are shared by the other test_api_library* files."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Output
from library.models import Example, ExampleCredit, Method, Outcome
from participants.models import Role
from safeguarding.models import Consent, ConsentType
from tests.engagements.test_outputs import engagement_with, media_consent, young
from tests.factories.engagements import OutputFactory
from tests.factories.library import ExampleCreditFactory, ExampleFactory, ExampleQuestionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/library/"
OURS = f"{URL}ours/"
QUESTIONS = f"{URL}questions/"
STAFF = [
    Role.PARTICIPATION_WORKER,
    Role.SAFEGUARDING_LEAD,
    Role.FINANCE_OFFICER,
    Role.SCRUTINY_LEAD,
    Role.PARTNERSHIP_ADMIN,
]
# Everything the published view of an example holds: adding a field must be a decision, made here.
PUBLISHED_KEYS = {
    "id",
    "partnership_name",
    "title",
    "method",
    "method_label",
    "topic",
    "recruitment",
    "support",
    "recommended",
    "changed",
    "outcome",
    "outcome_label",
    "age_min",
    "age_max",
    "young_people_count",
    "credits",
    "outputs",
    "published_at",
}
OUTPUT_KEYS = {"title", "kind", "kind_label", "link"}


# --- Shared helpers ---------------------------------------------------------------------------------------------


def detail(example) -> str:
    return f"{URL}{example.pk}/"


def published(partnership, **fields) -> Example:
    """A published example of `partnership` (made with the factory: the reads do not care how it got there)."""
    fields.setdefault("published_at", timezone.now())
    return ExampleFactory(partnership=partnership, status=Example.Status.PUBLISHED, **fields)


def credit(example, status, credit_name="", membership=None) -> ExampleCredit:
    extra = {"membership": membership} if membership is not None else {}
    answered = None if status == ExampleCredit.Status.ASKED else timezone.now()
    return ExampleCreditFactory(example=example, status=status, credit_name=credit_name, answered_at=answered, **extra)


def output_by(example, *makers, **fields) -> Output:
    """An output of the example's first engagement (made for it if it has none), made by `makers`, on the example."""
    engagement = example.engagements.first() or engagement_with(example.partnership, *makers)
    example.engagements.add(engagement)
    output = OutputFactory(engagement=engagement, partnership=example.partnership, **fields)
    output.contributors.set(makers)
    example.outputs.add(output)
    return output


def assert_no_date(day: datetime.date, text: str) -> None:
    for shown in (day.isoformat(), day.strftime("%d/%m/%Y"), f"{day.day} {day:%B %Y}"):
        assert shown not in text, shown


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def assert_list_queries_constant(client, url, add_rows, *, few=5, many=40):
    """The list makes the same number of queries for `few` rows as for `many` (every row on one page)."""
    params = {"limit": 100}
    add_rows(few)
    client.get(url, params)  # warm up anything cached per process
    small, body = count_queries(client, url, params)
    assert body["count"] == few
    add_rows(many - few)
    large, body = count_queries(client, url, params)
    assert body["count"] == many and len(body["results"]) == many
    assert large == small, (small, large)


# --- Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def admin(member):
    return member(Role.PARTNERSHIP_ADMIN)


@pytest.fixture
def their_worker(member, other_partnership):
    return member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)


@pytest.fixture
def their_admin(member, other_partnership):
    return member(Role.PARTNERSHIP_ADMIN, in_partnership=other_partnership)


# --- Who sees what ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_finds_another_partnerships_published_examples_and_never_the_unpublished(
    partnership, other_partnership, member, api_as, role
):
    shown = published(other_partnership)
    hidden = [
        ExampleFactory(partnership=other_partnership, status=status)
        for status in (Example.Status.DRAFT, Example.Status.SUBMITTED, Example.Status.WITHDRAWN)
    ]
    client = api_as(member(role))

    assert ids(client.get(URL)) == {shown.pk}
    body = client.get(detail(shown))
    assert body.status_code == 200 and body.json()["partnership_name"] == other_partnership.name
    assert set(body.json()) == PUBLISHED_KEYS  # another partnership's: the published view, no status or problems
    for example in hidden:
        assert client.get(detail(example)).status_code == 404, example.status
        assert client.post(f"{detail(example)}questions/", {"text": "How?"}, format="json").status_code == 404
    assert ids(client.get(OURS)) == set()


def test_search_never_shows_an_unpublished_example_whatever_it_is_searched_for(
    partnership, other_partnership, worker, api_as
):
    draft = ExampleFactory(
        partnership=other_partnership, title="Draft about knife crime", topic="Knife crime", status="submitted"
    )
    shown = published(other_partnership, title="Published about knife crime", topic="Knife crime")
    client = api_as(worker)
    for params in (
        {"text": "knife"},
        {"topic": "Knife crime"},
        {"method": draft.method},
        {"outcome": draft.outcome},
        {"age": 15},
    ):
        assert ids(client.get(URL, params)) == {shown.pk}, params
    assert draft.pk not in ids(client.get(URL, {"limit": 200}))


def test_the_search_filters_by_text_method_topic_age_and_outcome(partnership, other_partnership, worker, api_as):
    panel = published(
        other_partnership,
        title="Young people question the police",
        topic="Stop and search",
        method=Method.SECTION_11_PANEL,
        outcome=Outcome.PRACTICE_CHANGED,
        age_min=14,
        age_max=17,
    )
    deep_dive = published(
        partnership,
        title="A deep dive into mental health waiting lists",
        topic="Mental health",
        method=Method.DEEP_DIVE,
        outcome=Outcome.UNDER_WAY,
        age_min=16,
        age_max=21,
        recommended="Text us when our appointment moves.",
        changed="The service now sends a text when an appointment moves.",
    )
    client = api_as(worker)
    assert ids(client.get(URL)) == {panel.pk, deep_dive.pk}  # every partnership's, our own published ones too
    assert ids(client.get(URL, {"text": "POLICE"})) == {panel.pk}
    assert ids(client.get(URL, {"text": "appointment"})) == {deep_dive.pk}  # what they recommended
    assert ids(client.get(URL, {"method": Method.DEEP_DIVE})) == {deep_dive.pk}
    assert ids(client.get(URL, {"topic": "stop and search"})) == {panel.pk}
    assert ids(client.get(URL, {"outcome": Outcome.PRACTICE_CHANGED})) == {panel.pk}
    assert ids(client.get(URL, {"age": 15})) == {panel.pk}
    assert ids(client.get(URL, {"age": 17})) == {panel.pk, deep_dive.pk}
    assert ids(client.get(URL, {"age": 20})) == {deep_dive.pk}
    assert ids(client.get(URL, {"age": 20, "method": Method.SECTION_11_PANEL})) == set()


def test_newest_published_first(other_partnership, worker, api_as):
    now = timezone.now()
    older = published(other_partnership, published_at=now - datetime.timedelta(days=3))
    newer = published(other_partnership, published_at=now - datetime.timedelta(days=1))
    rows = api_as(worker).get(URL).json()["results"]
    assert [row["id"] for row in rows] == [newer.pk, older.pk]


def test_blank_filters_are_no_filter(other_partnership, worker, api_as):
    example = published(other_partnership)
    params = {"text": "", "method": "", "topic": "", "outcome": ""}
    assert ids(api_as(worker).get(URL, params)) == {example.pk}


def test_a_bad_search_is_a_400_naming_each_field(worker, api_as):
    response = api_as(worker).get(URL, {"method": "hackathon", "age": "old", "outcome": "maybe"})
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"method", "age", "outcome"}


def test_young_people_are_refused_the_library(partnership, other_partnership, api_as):
    person = young(partnership)
    theirs = published(other_partnership)
    ours = published(partnership)
    client = api_as(person.user)
    for url in (URL, detail(theirs), detail(ours), OURS, QUESTIONS):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{detail(theirs)}questions/", {"text": "How?"}, format="json").status_code == 403
    assert client.post(OURS, {"engagements": [1]}, format="json").status_code == 403


def test_signed_out_callers_are_refused(other_partnership, api_client):
    example = published(other_partnership)
    assert api_client.get(URL).status_code in (401, 403)
    assert api_client.get(detail(example)).status_code in (401, 403)


def test_own_staff_see_their_examples_in_every_status_with_status_and_problems(partnership, worker, api_as):
    examples = {status: ExampleFactory(partnership=partnership, status=status) for status in Example.Status.values}
    client = api_as(worker)
    rows = {row["id"]: row for row in client.get(OURS).json()["results"]}
    assert set(rows) == {example.pk for example in examples.values()}
    for status, example in examples.items():
        assert rows[example.pk]["status"] == status
        body = client.get(detail(example)).json()
        assert body["status"] == status and isinstance(body["problems"], list)
    # Drafted text nobody has reviewed: each text field is a problem, named.
    problems = client.get(detail(examples[Example.Status.DRAFT])).json()["problems"]
    assert set(Example.TEXT_FIELDS) <= {problem["field"] for problem in problems}
    # Only our published one is in the library search.
    assert ids(client.get(URL)) == {examples[Example.Status.PUBLISHED].pk}


# --- Withdrawal -------------------------------------------------------------------------------------------------


def test_withdrawal_removes_it_from_every_read_of_another_partnership_at_once(
    partnership, other_partnership, worker, their_admin, api_as
):
    example = published(other_partnership, title="Our panel on exploitation", created_by=their_admin)
    ExampleQuestionFactory(example=example, partnership=partnership, text="Who chaired it?")
    client = api_as(worker)
    assert ids(client.get(URL, {"text": "exploitation"})) == {example.pk}
    assert client.get(detail(example)).status_code == 200
    assert client.get(QUESTIONS).json()["count"] == 1

    theirs = api_as(their_admin)
    response = theirs.post(f"{detail(example)}withdraw/", {"reason": "A young person asked us to."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Example.Status.WITHDRAWN
    assert ids(theirs.get(OURS)) == {example.pk}  # still theirs, to put right

    client = api_as(worker)
    assert client.get(URL, {"text": "exploitation"}).json()["count"] == 0
    assert client.get(URL).json()["count"] == 0
    assert client.get(detail(example)).status_code == 404
    assert client.post(f"{detail(example)}questions/", {"text": "Again?"}, format="json").status_code == 404
    questions = json.dumps(client.get(QUESTIONS).json())
    assert "exploitation" not in questions and "Who chaired it?" not in questions


# --- Nothing personal -------------------------------------------------------------------------------------------


def test_the_published_view_holds_nothing_personal(
    partnership, other_partnership, worker, their_worker, their_admin, api_as
):
    sam, ada, kit, lou = (young(other_partnership) for _ in range(4))
    engagement = engagement_with(other_partnership, sam, ada, kit, lou, location="Hope Street Youth Centre")
    example = published(
        other_partnership,
        engagements=[engagement],
        young_people_count=12,
        created_by=their_worker,
        submitted_by=their_worker,
        approved_by=their_admin,
    )
    credit(example, ExampleCredit.Status.AGREED, "Sammy", membership=sam)
    credit(example, ExampleCredit.Status.ASKED, membership=ada)
    credit(example, ExampleCredit.Status.DECLINED, membership=kit)
    credit(example, ExampleCredit.Status.WITHDRAWN, "Lulu", membership=lou)
    output_by(example, sam, ada, title="Our film", kind=Output.Kind.FILM, link="https://video.example/our-film")

    client = api_as(worker)
    row = client.get(URL).json()["results"][0]
    assert row == client.get(detail(example)).json()
    assert set(row) == PUBLISHED_KEYS
    assert row["credits"] == ["Sammy"]
    assert row["young_people_count"] == 12
    assert row["outputs"] == [
        {"title": "Our film", "kind": "film", "kind_label": "Film", "link": "https://video.example/our-film"}
    ]
    text = json.dumps(row)
    assert "@" not in text  # no email of anyone
    assert "Lulu" not in text  # took back their agreement
    for person in (sam, ada, kit, lou):
        assert person.user.full_name not in text
        assert person.user.email not in text
        assert_no_date(person.profile.date_of_birth, text)
    for staff in (their_worker, their_admin):
        assert staff.full_name not in text
    assert "Hope Street" not in text and engagement.title not in text
    assert engagement.starts_at.date().isoformat() not in text


def test_dates_of_birth_never_appear(other_partnership, worker, api_as):
    from participants.models import YoungPersonProfile

    people = [young(other_partnership, age=age) for age in (14, 16, 19)]
    example = published(other_partnership, engagements=[engagement_with(other_partnership, *people)])
    for person in people:
        credit(example, ExampleCredit.Status.AGREED, person.user.get_short_name(), membership=person)
    client = api_as(worker)
    text = json.dumps([client.get(detail(example)).json(), client.get(URL).json()])
    births = YoungPersonProfile.objects.filter(membership__in=people).values_list("date_of_birth", flat=True)
    assert len(births) == 3
    for birth in births:
        assert_no_date(birth, text)


@pytest.mark.parametrize(("count", "shown"), [(None, None), (1, None), (4, None), (5, 5), (23, 23)])
def test_a_count_under_five_is_never_shown_to_another_partnership(
    partnership, other_partnership, worker, their_worker, api_as, count, shown
):
    example = published(other_partnership, young_people_count=count)
    assert api_as(worker).get(detail(example)).json()["young_people_count"] == shown
    # The publishing partnership's own staff see the count as entered, to put it right.
    assert api_as(their_worker).get(detail(example)).json()["young_people_count"] == count


def test_only_outputs_whose_makers_media_consent_counts_today_and_not_hidden_are_shown(
    other_partnership, worker, api_as
):
    with_consent, without, withdrawn = (
        young(other_partnership),
        young(other_partnership, media=False),
        young(other_partnership),
    )
    Consent.objects.filter(membership=withdrawn, consent_type=ConsentType.MEDIA).update(
        status=Consent.Status.WITHDRAWN, withdrawn_at=timezone.now()
    )
    example = published(other_partnership)
    shown = output_by(example, with_consent, title="Shown")
    output_by(example, with_consent, title="Hidden", is_hidden=True)
    output_by(example, with_consent, without, title="One maker without consent")
    output_by(example, withdrawn, title="Consent withdrawn")
    output_by(example, title="Nobody recorded as making it")
    rows = api_as(worker).get(detail(example)).json()["outputs"]
    assert [row["title"] for row in rows] == [shown.title]
    assert set(rows[0]) == OUTPUT_KEYS


def test_a_consent_that_stops_counting_takes_the_output_off_at_once(other_partnership, worker, api_as):
    maker = young(other_partnership)
    example = published(other_partnership)
    output_by(example, maker, title="Our poem", kind=Output.Kind.POEM)
    client = api_as(worker)
    assert [row["title"] for row in client.get(detail(example)).json()["outputs"]] == ["Our poem"]
    Consent.objects.filter(membership=maker, consent_type=ConsentType.MEDIA).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert client.get(detail(example)).json()["outputs"] == []
    media_consent(maker)  # given again: shown again
    assert [row["title"] for row in client.get(detail(example)).json()["outputs"]] == ["Our poem"]


# --- Query counts -----------------------------------------------------------------------------------------------


def _rich_examples(partnership, count, *, status=Example.Status.PUBLISHED):
    """`count` examples, each with credits in every status, an engagement and two outputs with makers who have
    media consent: an N+1 anywhere would show."""
    maker = young(partnership)
    for _ in range(count):
        example = ExampleFactory(
            partnership=partnership,
            status=status,
            published_at=timezone.now() if status == Example.Status.PUBLISHED else None,
            young_people_count=7,
        )
        credit(example, ExampleCredit.Status.AGREED, "Jo")
        credit(example, ExampleCredit.Status.ASKED)
        credit(example, ExampleCredit.Status.DECLINED)
        output_by(example, maker)
        output_by(example, maker, young(partnership))


def test_the_search_makes_the_same_number_of_queries_for_5_and_40(other_partnership, worker, api_as):
    client = api_as(worker)
    assert_list_queries_constant(client, URL, lambda n: _rich_examples(other_partnership, n))


def test_the_own_list_makes_the_same_number_of_queries_for_5_and_40(partnership, worker, api_as):
    client = api_as(worker)
    assert_list_queries_constant(client, OURS, lambda n: _rich_examples(partnership, n, status=Example.Status.DRAFT))


def test_the_question_list_makes_the_same_number_of_queries_for_5_and_40(
    partnership, other_partnership, worker, api_as
):
    def ask(n):
        for _ in range(n):
            ExampleQuestionFactory(example=published(other_partnership), partnership=partnership)

    assert_list_queries_constant(api_as(worker), QUESTIONS, ask)
