"""The shared library's pages, part two: drafting an example from past engagements, editing it with a review box for
each text field (ticked from the hash of the text as reviewed), publication refused with every problem named in the
error summary and linked to its field, approval by a different person, sending back, withdrawal, asking young people
whether they want to be named and their answer on their own page, questions and answers between partnerships."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from django.utils.html import escape

from engagements.models import OpportunityType
from library.models import Example, ExampleCredit, ExampleQuestion, Method, Outcome
from library.services import field_is_reviewed
from participants.models import Role
from tests.engagements.test_outputs import engagement_with, young
from tests.factories.library import ExampleCreditFactory, ExampleFactory, ExampleQuestionFactory
from tests.library.test_pages import published, ready, reviewed, words

pytestmark = pytest.mark.django_db

Status = Example.Status
CreditStatus = ExampleCredit.Status


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


@pytest.fixture
def outsider(member, other_partnership):
    return member(Role.SCRUTINY_LEAD, in_partnership=other_partnership)


def error_links(response) -> list[tuple[str, str]]:
    """(href, text) of each link in the error summary."""
    page = words(response)
    summary = re.search(r'<ul class="govuk-list govuk-error-summary__list"[^>]*>(.*?)</ul>', page)
    assert summary, "no error summary"
    return re.findall(r'<a href="([^"]*)">(.*?)</a>', summary.group(1))


def edit_data(example: Example, **changes) -> dict:
    """The edit form as it would be posted unchanged (with the review boxes as shown), then `changes`."""
    data = {field: getattr(example, field) for field in Example.TEXT_FIELDS}
    data.update(
        method=example.method,
        outcome=example.outcome,
        age_min=example.age_min or "",
        age_max=example.age_max or "",
        young_people_count=example.young_people_count or "",
        engagement_ids=[e.pk for e in example.engagements.all()],
        output_ids=[o.pk for o in example.outputs.all()],
    )
    for field in Example.TEXT_FIELDS:
        if field_is_reviewed(example, field):
            data[f"review_{field}"] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


# --- Drafting ------------------------------------------------------------------------------------------------------


def test_a_worker_drafts_an_example_from_past_engagements_and_goes_on_to_edit_it(
    partnership, worker, login_with_second_factor
):
    first = engagement_with(partnership, young(partnership), opportunity_type=OpportunityType.DEEP_DIVE)
    second = engagement_with(partnership, young(partnership), opportunity_type=OpportunityType.DEEP_DIVE)
    response = login_with_second_factor(worker).post("/library/new/", {"engagement_ids": [first.pk, second.pk]})
    example = Example.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/library/{example.pk}/edit/"
    assert set(example.engagements.all()) == {first, second}
    assert (example.status, example.method, example.partnership) == (Status.DRAFT, Method.DEEP_DIVE, partnership)
    assert not any(field_is_reviewed(example, field) for field in Example.TEXT_FIELDS)


def test_the_method_is_asked_for_when_the_engagements_type_does_not_say_and_the_choice_is_kept(
    partnership, worker, login_with_second_factor
):
    interviews = engagement_with(partnership, opportunity_type=OpportunityType.INTERVIEW_PANEL)
    other = engagement_with(partnership, opportunity_type=OpportunityType.INTERVIEW_PANEL)
    client = login_with_second_factor(worker)
    response = client.post("/library/new/", {"engagement_ids": [interviews.pk]})
    assert response.status_code == 200 and not Example.objects.exists()
    [(href, message)] = error_links(response)
    assert href == "#id_method" and message.startswith("Choose the method")
    page = words(response)
    assert f'value="{interviews.pk}" aria-describedby="engagement-{interviews.pk}-hint" checked>' in page
    assert f'value="{other.pk}" aria-describedby="engagement-{other.pk}-hint" >' in page

    response = client.post("/library/new/", {"engagement_ids": [interviews.pk], "method": Method.FOCUS_GROUP})
    assert response.status_code == 302 and Example.objects.get().method == Method.FOCUS_GROUP


def test_choosing_no_engagement_is_named_in_the_error_summary(worker, login_with_second_factor):
    response = login_with_second_factor(worker).post("/library/new/", {})
    message = escape("Choose at least one of your partnership's past engagements")
    assert error_links(response) == [("#id_engagement_ids", message)]


# --- Editing, with a review box for each text field --------------------------------------------------------------


def test_the_review_boxes_are_ticked_from_the_hash_of_the_text_as_reviewed(
    partnership, worker, login_with_second_factor
):
    example = ready(partnership, review=("title", "topic"))
    Example.objects.filter(pk=example.pk).update(topic="Changed after the review")
    page = words(login_with_second_factor(worker).get(f"/library/{example.pk}/edit/"))
    assert 'id="id_review_title" name="review_title" type="checkbox" value="on" checked>' in page
    assert 'id="id_review_topic" name="review_topic" type="checkbox" value="on" >' in page
    assert 'id="id_review_changed" name="review_changed" type="checkbox" value="on" >' in page
    assert page.count("I have reviewed this text: it names no one and is fit to share") == len(Example.TEXT_FIELDS)


def test_saving_ticked_boxes_reviews_the_text_as_saved_and_unticking_takes_a_review_back(
    partnership, worker, login_with_second_factor
):
    example = ready(partnership)
    client = login_with_second_factor(worker)
    reviews = {f"review_{field}": "on" for field in Example.TEXT_FIELDS}
    data = edit_data(example, recruitment="Through two youth clubs and the children in care council.", **reviews)
    response = client.post(f"/library/{example.pk}/edit/", data)
    assert response.status_code == 302 and response["Location"] == f"/library/{example.pk}/"
    example.refresh_from_db()
    assert example.recruitment == "Through two youth clubs and the children in care council."
    assert all(field_is_reviewed(example, field) for field in Example.TEXT_FIELDS)

    # A changed text without its box ticked again is no longer reviewed; an unticked box takes the review back.
    data = edit_data(example, title="A new title")
    data.pop("review_title")
    data.pop("review_support")
    client.post(f"/library/{example.pk}/edit/", data)
    example.refresh_from_db()
    assert example.title == "A new title"
    assert {field for field in Example.TEXT_FIELDS if not field_is_reviewed(example, field)} == {"title", "support"}
    page = words(client.get(f"/library/{example.pk}/"))
    assert 'id="review-title"> <strong class="govuk-tag govuk-tag--yellow">Not reviewed</strong>' in page
    assert 'id="review-topic"> <strong class="govuk-tag govuk-tag--green">Reviewed</strong>' in page


def test_form_errors_name_each_field_and_keep_what_was_typed(partnership, worker, login_with_second_factor):
    example = ready(partnership)
    before = Example.objects.values().get(pk=example.pk)
    data = edit_data(
        example, title="", recruitment="Words I do not want to lose", age_min="18", age_max="15", review_support=""
    )
    response = login_with_second_factor(worker).post(f"/library/{example.pk}/edit/", data)
    assert response.status_code == 200
    assert error_links(response) == [
        ("#id_title", "Enter a title"),
        ("#id_age_max", "The oldest age must be the same as or more than the youngest age"),
    ]
    page = words(response)
    assert "Words I do not want to lose</textarea>" in page
    assert 'id="id_age_min" name="age_min" type="text" value="18"' in page
    assert 'id="id_age_max" name="age_max" type="text" value="15"' in page
    assert 'id="id_review_support" name="review_support" type="checkbox" value="on" >' in page
    assert 'id="id_review_topic" name="review_topic" type="checkbox" value="on" checked>' in page
    assert Example.objects.values().get(pk=example.pk) == before


def test_a_published_example_cannot_be_edited_until_it_is_withdrawn(partnership, worker, login_with_second_factor):
    example = ready(partnership, status=Status.PUBLISHED, published_at=timezone.now())
    client = login_with_second_factor(worker)
    response = client.get(f"/library/{example.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/library/{example.pk}/"
    response = client.post(f"/library/{example.pk}/edit/", edit_data(example, title="Sneaky change"))
    example.refresh_from_db()
    assert example.title != "Sneaky change" and example.status == Status.PUBLISHED


def test_editing_a_submitted_example_puts_it_back_to_draft_and_says_so(partnership, worker, login_with_second_factor):
    example = ready(partnership, status=Status.SUBMITTED)
    client = login_with_second_factor(worker)
    assert "Saving a change makes it a draft again" in words(client.get(f"/library/{example.pk}/edit/"))
    data = edit_data(example, changed="More detail", review_changed="on")
    assert client.post(f"/library/{example.pk}/edit/", data).status_code == 302
    example.refresh_from_db()
    assert example.status == Status.DRAFT and field_is_reviewed(example, "changed")


# --- Publication refused: every problem named and linked ----------------------------------------------------------


def test_submitting_names_every_problem_in_the_error_summary_and_changes_nothing(
    partnership, worker, login_with_second_factor
):
    sam = young(partnership)
    example = ready(partnership, review=("topic", "recruitment", "support"), young_people_count=3, age_min=12)
    ExampleCreditFactory(example=example, membership=sam, status=CreditStatus.ASKED)
    response = login_with_second_factor(worker).post(f"/library/{example.pk}/submit/")
    assert response.status_code == 200
    links = error_links(response)
    edit = f"/library/{example.pk}/edit/"
    hrefs = [href for href, _ in links]
    assert hrefs == [
        f"{edit}#id_title",
        f"{edit}#id_recommended",
        f"{edit}#id_changed",
        f"{edit}#id_age_min",
        f"{edit}#id_young_people_count",
        f"/library/{example.pk}/#credits",
    ]
    messages = dict(links)
    assert messages[f"{edit}#id_title"].startswith("The title has not been reviewed")
    assert "Fewer than 5" in messages[f"{edit}#id_young_people_count"]
    assert sam.user.full_name in messages[f"/library/{example.pk}/#credits"]
    assert words(response).count("<title> Error: ") == 1
    example.refresh_from_db()
    assert (example.status, example.submitted_by) == (Status.DRAFT, None)


def test_the_page_lists_what_stops_publication_with_links_to_fix_it(partnership, worker, login_with_second_factor):
    example = ready(partnership, review=("title", "topic", "recruitment", "support", "recommended"))
    page = words(login_with_second_factor(worker).get(f"/library/{example.pk}/"))
    assert "Before it can be published" in page
    assert f'<a class="govuk-link" href="/library/{example.pk}/edit/#id_changed">What changed has not been' in page
    reviewed(example)
    page = words(login_with_second_factor(worker).get(f"/library/{example.pk}/"))
    assert "Nothing stops it being published." in page


def test_approval_names_problems_that_arose_after_submission(partnership, lead, login_with_second_factor):
    example = ready(partnership, status=Status.SUBMITTED, young_people_count=2)
    response = login_with_second_factor(lead).post(f"/library/{example.pk}/approve/")
    # The scrutiny lead cannot edit, so the link goes to the field on the example's page.
    assert error_links(response) == [
        (
            f"/library/{example.pk}/#field-young_people_count",
            "Fewer than 5 young people would be counted, which could identify them: leave the number blank and it "
            "will show as “fewer than 5”.",
        )
    ]
    assert 'id="field-young_people_count"' in words(response)
    example.refresh_from_db()
    assert example.status == Status.SUBMITTED and example.published_at is None


# --- Submission and approval by a different person ----------------------------------------------------------------


def test_a_second_person_approves_and_the_submitter_is_not_offered_approval(
    partnership, worker, lead, login_with_second_factor
):
    example = ready(partnership)
    client = login_with_second_factor(worker)
    response = client.post(f"/library/{example.pk}/submit/")
    assert response.status_code == 302
    example.refresh_from_db()
    assert (example.status, example.submitted_by) == (Status.SUBMITTED, worker)

    page = words(client.get(f"/library/{example.pk}/"))
    assert f"/library/{example.pk}/approve/" not in page
    assert "You sent it for approval, so someone else in your partnership must approve it." in page
    refused = client.post(f"/library/{example.pk}/approve/")
    assert error_links(refused) == [
        (
            f"/library/{example.pk}/#field-status",
            "You sent this example for approval, so a different person must approve it.",
        )
    ]
    example.refresh_from_db()
    assert example.status == Status.SUBMITTED

    client = login_with_second_factor(lead)
    assert f'action="/library/{example.pk}/approve/"' in words(client.get(f"/library/{example.pk}/"))
    response = client.post(f"/library/{example.pk}/approve/")
    assert response.status_code == 302
    example.refresh_from_db()
    assert (example.status, example.approved_by) == (Status.PUBLISHED, lead)
    assert "Staff of every partnership can now find it in the library." in words(client.get(response["Location"]))


def test_sending_back_needs_a_reason_and_makes_it_a_draft(partnership, lead, login_with_second_factor):
    example = ready(partnership, status=Status.SUBMITTED)
    client = login_with_second_factor(lead)
    url = f"/library/{example.pk}/send-back/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert error_links(response) == [("#id_reason", "Enter the reason")]
    example.refresh_from_db()
    assert example.status == Status.SUBMITTED
    assert client.post(url, {"reason": "Please say more about what changed."}).status_code == 302
    example.refresh_from_db()
    assert example.status == Status.DRAFT


def test_withdrawing_asks_for_confirmation_and_a_reason(partnership, lead, login_with_second_factor):
    example = ready(partnership, status=Status.PUBLISHED, published_at=timezone.now())
    client = login_with_second_factor(lead)
    url = f"/library/{example.pk}/withdraw/"
    page = words(client.get(url))
    assert f"Withdraw “{example.title}”?" in page
    assert "It disappears from the library for every partnership at once" in page
    response = client.post(url, {"reason": "  "})
    assert error_links(response) == [("#id_reason", "Enter the reason")]
    example.refresh_from_db()
    assert example.status == Status.PUBLISHED
    assert client.post(url, {"reason": "The police changed the policy again."}).status_code == 302
    example.refresh_from_db()
    assert (example.status, example.withdrawn_reason) == (Status.WITHDRAWN, "The police changed the policy again.")


# --- Credits -------------------------------------------------------------------------------------------------------


def test_a_worker_asks_a_young_person_who_took_part_and_can_remove_them(partnership, worker, login_with_second_factor):
    sam, ada = young(partnership), young(partnership)
    elsewhere = young(partnership)
    example = ExampleFactory(partnership=partnership, engagements=[engagement_with(partnership, sam, ada)])
    ExampleCreditFactory(example=example, membership=ada, status=CreditStatus.AGREED, credit_name="Ada")
    client = login_with_second_factor(worker)
    page = words(client.get(f"/library/{example.pk}/credits/new/"))
    assert f'value="{sam.pk}"' in page
    assert f'value="{ada.pk}"' not in page  # already agreed
    assert f'value="{elsewhere.pk}"' not in page  # did not take part

    refused = client.post(f"/library/{example.pk}/credits/new/", {"membership_id": elsewhere.pk})
    assert error_links(refused) == [("#id_membership_id", "Choose one of the young people who took part")]
    response = client.post(f"/library/{example.pk}/credits/new/", {"membership_id": sam.pk})
    assert response.status_code == 302 and response["Location"] == f"/library/{example.pk}/#credits"
    credit = ExampleCredit.objects.get(membership=sam)
    assert credit.status == CreditStatus.ASKED
    assert "Waiting for their answer" in words(client.get(f"/library/{example.pk}/"))

    response = client.post(f"/library/credits/{credit.pk}/remove/")
    assert response.status_code == 302
    credit.refresh_from_db()
    assert credit.status == CreditStatus.REMOVED


def test_the_young_person_is_asked_in_plain_words_and_agrees_with_the_name_to_show(partnership, login):
    sam = young(partnership)
    sam.user.preferred_name = "Sammy"
    sam.user.save(update_fields=["preferred_name"])
    example = ExampleFactory(partnership=partnership, title="Our stop and search panel")
    credit = ExampleCreditFactory(example=example, membership=sam)
    client = login(sam.user)
    page = words(client.get("/your-credits/"))
    assert (
        f"{partnership.name} wants to share what your group did with other partnerships. Do you want your name on it?"
        in page
    )
    page = words(client.get(f"/your-credits/{credit.pk}/"))
    assert 'name="credit_name" type="text" value="Sammy"' in page
    response = client.post(f"/your-credits/{credit.pk}/", {"agree": "yes", "credit_name": "Sammy J"})
    assert response.status_code == 302
    credit.refresh_from_db()
    assert (credit.status, credit.credit_name) == (CreditStatus.AGREED, "Sammy J")
    assert "You said yes. Your name shows as <strong>Sammy J</strong>." in words(client.get("/your-credits/"))


def test_saying_yes_without_a_name_is_named_and_the_answer_is_kept(partnership, login):
    sam = young(partnership)
    credit = ExampleCreditFactory(example=ExampleFactory(partnership=partnership), membership=sam)
    response = login(sam.user).post(f"/your-credits/{credit.pk}/", {"agree": "yes", "credit_name": " "})
    assert error_links(response) == [("#id_credit_name", "Enter the name you want to show")]
    assert 'value="yes" checked>' in words(response)
    credit.refresh_from_db()
    assert credit.status == CreditStatus.ASKED


def test_saying_no_means_not_named(partnership, login):
    sam = young(partnership)
    credit = ExampleCreditFactory(example=ExampleFactory(partnership=partnership), membership=sam)
    client = login(sam.user)
    assert client.post(f"/your-credits/{credit.pk}/", {"agree": "no"}).status_code == 302
    credit.refresh_from_db()
    assert (credit.status, credit.credit_name) == (CreditStatus.DECLINED, "")


def test_taking_back_a_yes_explains_and_withdraws_the_published_example_at_once(partnership, login):
    sam = young(partnership)
    example = published(partnership)
    credit = ExampleCreditFactory(example=example, membership=sam, status=CreditStatus.AGREED, credit_name="Sam")
    client = login(sam.user)
    page = words(client.get(f"/your-credits/{credit.pk}/"))
    assert "The example is taken out of the library straight away" in page
    assert client.post(f"/your-credits/{credit.pk}/", {"agree": "no"}).status_code == 302
    credit.refresh_from_db()
    example.refresh_from_db()
    assert credit.status == CreditStatus.WITHDRAWN and example.status == Status.WITHDRAWN


def test_credit_pages_are_only_for_the_young_persons_own_credit(partnership, other_partnership, worker, login):
    sam, ada = young(partnership), young(partnership)
    theirs = ExampleCreditFactory(example=ExampleFactory(partnership=partnership), membership=ada)
    far = young(other_partnership)
    far_credit = ExampleCreditFactory(example=ExampleFactory(partnership=other_partnership), membership=far)
    client = login(sam.user)
    assert client.get(f"/your-credits/{theirs.pk}/").status_code == 404
    assert client.post(f"/your-credits/{theirs.pk}/", {"agree": "yes", "credit_name": "Sam"}).status_code == 404
    assert client.get(f"/your-credits/{far_credit.pk}/").status_code == 404
    assert "Nobody has asked to put your name on an example." in words(client.get("/your-credits/"))
    theirs.refresh_from_db()
    assert theirs.status == CreditStatus.ASKED
    assert login(worker).get(f"/your-credits/{theirs.pk}/").status_code == 403
    assert login(worker).get("/your-credits/").status_code == 403


# --- Questions between partnerships --------------------------------------------------------------------------------


def test_another_partnership_asks_a_question_and_the_publisher_answers_it(
    partnership, other_partnership, lead, outsider, login_with_second_factor
):
    example = published(partnership, title="Our section 11 panel")
    client = login_with_second_factor(outsider)
    url = f"/library/{example.pk}/questions/new/"
    response = client.post(url, {"text": ""})
    assert error_links(response) == [("#id_text", "Enter your question")]
    response = client.post(url, {"text": "How did you get the police to come?"})
    assert response.status_code == 302 and response["Location"] == f"/library/{example.pk}/#questions"
    question = ExampleQuestion.objects.get()
    assert (question.partnership, question.asked_by) == (other_partnership, outsider)

    ours = login_with_second_factor(lead)
    page = words(ours.get("/library/questions/"))
    assert "How did you get the police to come?" in page and f"{other_partnership.name} asked" in page
    assert f'href="/library/questions/{question.pk}/answer/"' in page
    response = ours.post(f"/library/questions/{question.pk}/answer/", {"answer": "We invited the chief inspector."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.answer, question.answered_by) == ("We invited the chief inspector.", lead)

    theirs = login_with_second_factor(outsider)
    assert "We invited the chief inspector." in words(theirs.get("/library/questions/?show=asked"))
    assert "We invited the chief inspector." in words(theirs.get(f"/library/{example.pk}/"))
    # The asking partnership cannot answer its own question: only the publisher does.
    assert theirs.get(f"/library/questions/{question.pk}/answer/").status_code == 404


def test_staff_cannot_ask_their_own_partnership_a_question(partnership, lead, login_with_second_factor):
    example = published(partnership)
    client = login_with_second_factor(lead)
    page = words(client.get(f"/library/{example.pk}/"))
    assert f"/library/{example.pk}/questions/new/" not in page and "a question</a>" not in page
    assert client.get(f"/library/{example.pk}/questions/new/").status_code == 403
    assert client.post(f"/library/{example.pk}/questions/new/", {"text": "Hello?"}).status_code == 403
    assert not ExampleQuestion.objects.exists()


def test_only_library_editors_answer_questions(partnership, other_partnership, member, login_with_second_factor):
    question = ExampleQuestionFactory(example=published(partnership), partnership=other_partnership)
    finance = login_with_second_factor(member(Role.FINANCE_OFFICER))
    assert f"/library/questions/{question.pk}/answer/" not in words(finance.get("/library/questions/"))
    assert finance.get(f"/library/questions/{question.pk}/answer/").status_code == 403


def test_outcomes_and_methods_show_in_plain_words(partnership, outsider, login_with_second_factor):
    example = published(partnership, method=Method.YOUNG_INSPECTORS, outcome=Outcome.NOT_YET)
    page = words(login_with_second_factor(outsider).get(f"/library/{example.pk}/"))
    assert "Young inspectors" in page and "Nothing has changed yet" in page
