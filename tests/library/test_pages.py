"""The shared library's pages, part one: who may see what. Another partnership's unpublished example is a 404 on every
page that takes its id; a published one is read-only for other partnerships' staff (no edit or approval actions)
and shows only what may leave the partnership; young people never browse the library; a withdrawn example disappears
from the list and its page for other partnerships at once; which role may do what; search and its query count.

Part two (test_pages_workflow.py): drafting, editing with review boxes, publication refused with every problem named,
approval, send back, withdrawal, credits and the young person's answer, questions and answers.

The helpers at the top are shared by test_pages_workflow.py."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from engagements.models import Engagement
from library.models import Example, ExampleCredit, ExampleQuestion, Method, Outcome
from library.services import text_hash
from participants.models import Role
from tests.engagements.test_outputs import engagement_with, make_output, young
from tests.factories import PartnershipFactory, UserFactory
from tests.factories.library import ExampleCreditFactory, ExampleFactory, ExampleQuestionFactory

pytestmark = pytest.mark.django_db

Status = Example.Status
STAFF = [
    Role.PARTICIPATION_WORKER,
    Role.SAFEGUARDING_LEAD,
    Role.FINANCE_OFFICER,
    Role.SCRUTINY_LEAD,
    Role.PARTNERSHIP_ADMIN,
]


# --- Shared helpers ---------------------------------------------------------------------------------------------


def words(response) -> str:
    """The page's text with runs of spaces and new lines made single spaces (templates wrap long sentences)."""
    return " ".join(response.content.decode().split())


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def published(partnership, **fields) -> Example:
    fields.setdefault("published_at", timezone.now())
    fields.setdefault("created_by", UserFactory())
    return ExampleFactory(partnership=partnership, status=Status.PUBLISHED, **fields)


def reviewed(example: Example, *fields: str) -> Example:
    """Mark text fields (all of them if none given) reviewed as they read now, as example_review would."""
    chosen = fields or Example.TEXT_FIELDS
    example.reviewed = {**example.reviewed, **{field: text_hash(getattr(example, field)) for field in chosen}}
    example.save(update_fields=["reviewed"])
    return example


def ready(partnership, *, review: tuple[str, ...] = Example.TEXT_FIELDS, **fields) -> Example:
    """A draft of `partnership` that nothing stops from being published: an engagement, everything reviewed (or only
    the text fields in `review`)."""
    people = [young(partnership) for _ in range(2)]
    fields.setdefault("created_by", UserFactory())
    example = ExampleFactory(partnership=partnership, engagements=[engagement_with(partnership, *people)], **fields)
    return reviewed(example, *review) if review else example


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


@pytest.fixture
def outsider(member, other_partnership):
    """A participation worker of another partnership (who could change their own partnership's examples)."""
    return member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)


# --- Another partnership's unpublished example: a 404 everywhere -------------------------------------------------


def _pages(example: Example) -> list[tuple[str, str]]:
    base = f"/library/{example.pk}"
    return [
        ("get", f"{base}/"),
        ("get", f"{base}/edit/"),
        ("post", f"{base}/edit/"),
        ("post", f"{base}/submit/"),
        ("post", f"{base}/approve/"),
        ("get", f"{base}/send-back/"),
        ("post", f"{base}/send-back/"),
        ("get", f"{base}/withdraw/"),
        ("post", f"{base}/withdraw/"),
        ("get", f"{base}/credits/new/"),
        ("post", f"{base}/credits/new/"),
        ("get", f"{base}/questions/new/"),
        ("post", f"{base}/questions/new/"),
    ]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.WITHDRAWN])
def test_another_partnerships_unpublished_example_is_a_404_on_every_page_with_its_id(
    partnership, other_partnership, outsider, worker, login_with_second_factor, status
):
    example = ExampleFactory(partnership=partnership, status=status, title="Our secret draft")
    credit = ExampleCreditFactory(example=example)
    question = ExampleQuestionFactory(example=example, partnership=other_partnership)
    client = login_with_second_factor(outsider)
    for method, url in [
        *_pages(example),
        ("post", f"/library/credits/{credit.pk}/remove/"),
        ("get", f"/library/questions/{question.pk}/answer/"),
        ("post", f"/library/questions/{question.pk}/answer/"),
    ]:
        response = getattr(client, method)(url, {"reason": "x", "text": "x", "answer": "x", "membership_id": 1})
        assert response.status_code == 404, (method, url, response.status_code)
    example.refresh_from_db()
    assert example.status == status and example.questions.get().answer == ""
    assert ExampleCredit.objects.get().status == ExampleCredit.Status.ASKED
    # Not in their lists either; the example's own partnership sees it on the same page.
    assert "Our secret draft" not in words(client.get("/library/"))
    assert "Our secret draft" not in words(client.get("/library/questions/?show=asked"))
    assert login_with_second_factor(worker).get(f"/library/{example.pk}/").status_code == 200


def test_a_published_example_is_read_only_for_another_partnerships_staff(
    partnership, outsider, login_with_second_factor
):
    example = published(partnership, title="Police stop and search panel", young_people_count=12)
    client = login_with_second_factor(outsider)
    response = client.get(f"/library/{example.pk}/")
    page = words(response)
    assert response.status_code == 200
    assert "Police stop and search panel" in page and partnership.name in page
    assert escape(example.recruitment) in page and escape(example.changed) in page and "12" in page
    assert f"Ask {partnership.name} a question" in page
    for action in ("/edit/", "/submit/", "/approve/", "/withdraw/", "/send-back/", "/credits/new/"):
        assert f"/library/{example.pk}{action}" not in page
    assert "Before it can be published" not in page and "Young people asked to be named" not in page
    for method, url in _pages(example):
        if url.endswith(("/questions/new/", f"{example.pk}/")):
            continue
        assert getattr(client, method)(url, {"reason": "x"}).status_code == 404, url
    example.refresh_from_db()
    assert example.status == Status.PUBLISHED


def test_a_published_page_shows_only_what_may_leave_the_partnership(partnership, outsider, login_with_second_factor):
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada, location="Secret community centre")
    example = published(partnership, engagements=[engagement], young_people_count=3, age_min=14, age_max=17)
    ExampleCreditFactory(
        example=example, membership=sam, status=ExampleCredit.Status.AGREED, credit_name="Sam the scrutineer"
    )
    ExampleCreditFactory(example=example, membership=ada, status=ExampleCredit.Status.ASKED)
    page = words(login_with_second_factor(outsider).get(f"/library/{example.pk}/"))
    assert "Sam the scrutineer" in page and "14 to 17" in page
    assert sam.user.full_name not in page and ada.user.full_name not in page
    assert "Secret community centre" not in page and engagement.title not in page
    # A count under 5 is never shown outside the partnership.
    assert 'How many took part</dt> <dd class="govuk-summary-list__value"> Fewer than 5 </dd>' in page
    Example.objects.filter(pk=example.pk).update(young_people_count=None)
    assert "How many took part" not in words(login_with_second_factor(outsider).get(f"/library/{example.pk}/"))


def test_young_people_cannot_browse_the_library(partnership, other_partnership, member, login):
    example = published(other_partnership)
    mine = published(partnership)
    client = login(member(Role.YOUNG_PERSON))
    assert client.get("/library/").status_code == 403
    assert client.get(f"/library/{example.pk}/").status_code == 403
    assert client.get(f"/library/{mine.pk}/").status_code == 403
    assert client.get("/library/ours/").status_code == 403


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_of_every_partnership_browses_the_library(
    partnership, other_partnership, member, login_with_second_factor, role
):
    theirs = published(other_partnership, title="Theirs to learn from")
    client = login_with_second_factor(member(role))
    assert "Theirs to learn from" in words(client.get("/library/"))
    assert client.get(f"/library/{theirs.pk}/").status_code == 200
    assert client.get("/library/ours/").status_code == 200
    assert client.get("/library/questions/").status_code == 200


@pytest.mark.parametrize(
    ("role", "can_edit"),
    [
        (Role.PARTICIPATION_WORKER, True),
        (Role.SCRUTINY_LEAD, False),
        (Role.PARTNERSHIP_ADMIN, False),
        (Role.FINANCE_OFFICER, False),
        (Role.SAFEGUARDING_LEAD, False),
    ],
)
def test_only_participation_workers_draft_and_edit(partnership, member, login_with_second_factor, role, can_edit):
    example = ExampleFactory(partnership=partnership)
    client = login_with_second_factor(member(role))
    expected = 200 if can_edit else 403
    assert client.get("/library/new/").status_code == expected
    assert client.get(f"/library/{example.pk}/edit/").status_code == expected
    assert client.get(f"/library/{example.pk}/credits/new/").status_code == expected
    page = words(client.get(f"/library/{example.pk}/"))
    assert (f"/library/{example.pk}/edit/" in page) is can_edit
    assert (f"/library/{example.pk}/submit/" in page) is can_edit
    assert ('href="/library/new/"' in words(client.get("/library/"))) is can_edit


def test_a_finance_officer_may_browse_but_not_approve_or_withdraw(partnership, member, login_with_second_factor):
    finance = member(Role.FINANCE_OFFICER)
    submitted = ready(partnership, status=Status.SUBMITTED)
    live = published(partnership)
    client = login_with_second_factor(finance)
    assert "/approve/" not in words(client.get(f"/library/{submitted.pk}/"))
    assert "/withdraw/" not in words(client.get(f"/library/{live.pk}/"))
    assert client.post(f"/library/{submitted.pk}/approve/").status_code == 403
    assert client.get(f"/library/{live.pk}/withdraw/").status_code == 403
    submitted.refresh_from_db()
    live.refresh_from_db()
    assert (submitted.status, live.status) == (Status.SUBMITTED, Status.PUBLISHED)


def test_a_withdrawn_example_disappears_from_the_list_and_its_page_for_other_partnerships(
    partnership, worker, outsider, login_with_second_factor, client
):
    example = published(partnership, title="Soon to be withdrawn")
    theirs = login_with_second_factor(outsider)
    assert "Soon to be withdrawn" in words(theirs.get("/library/"))
    assert theirs.get(f"/library/{example.pk}/").status_code == 200

    ours = login_with_second_factor(worker)
    response = ours.post(f"/library/{example.pk}/withdraw/", {"reason": "It needs updating."})
    assert response.status_code == 302
    example.refresh_from_db()
    assert example.status == Status.WITHDRAWN

    theirs = login_with_second_factor(outsider)
    assert "Soon to be withdrawn" not in words(theirs.get("/library/"))
    assert "Soon to be withdrawn" not in words(theirs.get("/library/", {"text": "withdrawn"}))
    assert theirs.get(f"/library/{example.pk}/").status_code == 404
    assert theirs.get(f"/library/{example.pk}/questions/new/").status_code == 404
    # Its own partnership still has it, marked withdrawn, with the reason.
    page = words(login_with_second_factor(worker).get(f"/library/{example.pk}/"))
    assert "Withdrawn" in page and "It needs updating." in page


def test_questions_about_a_withdrawn_example_disappear_for_the_partnership_that_asked(
    partnership, other_partnership, outsider, login_with_second_factor
):
    example = published(partnership, title="Asked about")
    ExampleQuestionFactory(example=example, partnership=other_partnership, text="How did you recruit?")
    client = login_with_second_factor(outsider)
    assert "How did you recruit?" in words(client.get("/library/questions/?show=asked"))
    Example.objects.filter(pk=example.pk).update(status=Status.WITHDRAWN)
    assert "How did you recruit?" not in words(client.get("/library/questions/?show=asked"))


# --- Search ------------------------------------------------------------------------------------------------------


def test_search_by_text_method_topic_age_and_outcome(
    partnership, other_partnership, outsider, login_with_second_factor
):
    panel = published(
        partnership,
        title="Section 11 panel on knife crime",
        method=Method.SECTION_11_PANEL,
        topic="Knife crime",
        outcome=Outcome.POLICY_CHANGED,
        age_min=13,
        age_max=16,
    )
    dive = published(
        other_partnership,
        title="Deep dive into online safety",
        method=Method.DEEP_DIVE,
        topic="Online safety",
        outcome=Outcome.UNDER_WAY,
        age_min=17,
        age_max=21,
    )
    ExampleFactory(partnership=partnership, title="A draft about knife crime", topic="Knife crime")
    client = login_with_second_factor(outsider)

    def found(**query) -> set[str]:
        page = words(client.get("/library/", query))
        return {title for title in (panel.title, dive.title, "A draft about knife crime") if title in page}

    assert found() == {panel.title, dive.title}
    assert found(text="knife") == {panel.title}
    assert found(method=Method.DEEP_DIVE) == {dive.title}
    assert found(topic="online") == {dive.title}
    assert found(age="15") == {panel.title}
    assert found(age="18") == {dive.title}
    assert found(outcome=Outcome.POLICY_CHANGED) == {panel.title}
    page = words(client.get("/library/", {"text": "knife"}))
    assert partnership.name in page and "Section 11 challenge panel" in page and "13 to 16" in page
    assert "A policy or procedure changed" in page


def test_a_bad_age_is_named_in_the_error_summary_and_kept(outsider, login_with_second_factor):
    response = login_with_second_factor(outsider).get("/library/", {"age": "fifteen", "text": "police"})
    page = words(response)
    assert response.status_code == 200
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in page
    assert '<a href="#id_age">Age must be a whole number from 1 to 99</a>' in page
    assert 'value="fifteen"' in page and 'value="police"' in page


def _many(count: int) -> None:
    for number in range(count):
        where = PartnershipFactory()
        example = published(where, title=f"Example {number}")
        ExampleCreditFactory.create_batch(2, example=example, status=ExampleCredit.Status.AGREED, credit_name="Sam")


def test_the_list_makes_the_same_number_of_queries_for_5_examples_as_for_40(outsider, login_with_second_factor):
    _many(5)
    client = login_with_second_factor(outsider)
    client.get("/library/")  # warm-up: sessions, content types
    few = queries(client, "/library/")
    _many(35)
    assert Example.objects.count() == 40
    assert queries(client, "/library/") == few
    assert queries(client, "/library/?page=2") == few


def test_the_list_is_paginated_newest_first(outsider, login_with_second_factor):
    now = timezone.now()
    for number in range(25):
        published(
            PartnershipFactory(), title=f"Number {number:02d}", published_at=now - datetime.timedelta(days=number)
        )
    client = login_with_second_factor(outsider)
    first = words(client.get("/library/"))
    assert "25 examples" in first and "Number 00" in first and "Number 24" not in first
    assert first.index("Number 00") < first.index("Number 01")
    assert "Number 24" in words(client.get("/library/", {"page": 2}))


def test_the_own_list_shows_the_partnerships_examples_by_status(
    partnership, other_partnership, worker, login_with_second_factor
):
    ExampleFactory(partnership=partnership, title="Our draft")
    published(partnership, title="Our published one")
    ExampleFactory(partnership=partnership, title="Our withdrawn one", status=Status.WITHDRAWN)
    ExampleFactory(partnership=other_partnership, title="Their draft")
    published(other_partnership, title="Their published one")
    page = words(login_with_second_factor(worker).get("/library/ours/"))
    assert "Their draft" not in page and "Their published one" not in page
    sections = re.findall(r'<h2 class="govuk-heading-m" id="status-(\w+)">', page)
    assert sections == ["draft", "submitted", "published", "withdrawn"]
    assert page.index("Our draft") < page.index('id="status-submitted"') < page.index("Our published one")
    assert page.index('id="status-withdrawn"') < page.index("Our withdrawn one")


def test_the_detail_page_makes_the_same_number_of_queries_however_many_credits_and_questions(
    partnership, other_partnership, worker, login_with_second_factor
):
    example = ready(partnership, status=Status.PUBLISHED, published_at=timezone.now())

    def add(count):
        for _ in range(count):
            ExampleCreditFactory(example=example, status=ExampleCredit.Status.AGREED, credit_name="Alex")
            ExampleQuestionFactory(example=example, partnership=other_partnership)

    add(2)
    client = login_with_second_factor(worker)
    url = f"/library/{example.pk}/"
    client.get(url)
    few = queries(client, url)
    add(10)
    assert ExampleQuestion.objects.count() == 12
    assert queries(client, url) == few


def test_past_engagements_only_are_offered_for_a_new_example(partnership, worker, login_with_second_factor):
    done = engagement_with(partnership, title="The panel that happened")
    cancelled = engagement_with(partnership, title="The cancelled one")
    Engagement.objects.filter(pk=cancelled.pk).update(status=Engagement.Status.CANCELLED)
    engagement_with(PartnershipFactory(), title="Another partnership panel")
    page = words(login_with_second_factor(worker).get("/library/new/"))
    assert "The panel that happened" in page and f'value="{done.pk}"' in page
    assert "The cancelled one" not in page and "Another partnership panel" not in page


def test_the_own_list_and_the_questions_page_make_the_same_number_of_queries_for_5_examples_as_for_40(
    partnership, worker, login_with_second_factor
):
    def add(count):
        for _ in range(count):
            example = published(partnership)
            ExampleCreditFactory(example=example, status=ExampleCredit.Status.AGREED, credit_name="Jo")
            ExampleQuestionFactory(example=example)

    add(5)
    client = login_with_second_factor(worker)
    client.get("/library/ours/")
    own, asked = queries(client, "/library/ours/"), queries(client, "/library/questions/")
    add(35)
    assert Example.objects.filter(partnership=partnership).count() == 40
    assert queries(client, "/library/ours/") == own
    assert queries(client, "/library/questions/") == asked


def test_the_edit_and_ask_pages_make_the_same_number_of_queries_however_many_took_part(
    partnership, worker, login_with_second_factor
):
    example = ready(partnership)

    def add(count):
        people = [young(partnership) for _ in range(count)]
        engagement = engagement_with(partnership, *people)
        example.engagements.add(engagement)
        for person in people:
            make_output(worker, engagement, [person])

    add(2)
    client = login_with_second_factor(worker)
    edit, ask = f"/library/{example.pk}/edit/", f"/library/{example.pk}/credits/new/"
    client.get(edit)
    few = (queries(client, edit), queries(client, ask))
    add(10)
    assert (queries(client, edit), queries(client, ask)) == few


def test_a_young_persons_credits_page_makes_the_same_number_of_queries_however_many(partnership, login):
    sam = young(partnership)

    def add(count):
        for _ in range(count):
            ExampleCreditFactory(example=ExampleFactory(partnership=partnership), membership=sam)

    add(2)
    client = login(sam.user)
    client.get("/your-credits/")
    few = queries(client, "/your-credits/")
    add(10)
    assert queries(client, "/your-credits/") == few
