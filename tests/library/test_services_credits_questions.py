"""Asking young people whether they want to be named (and what their answer does), and questions between
partnerships (asked only about another partnership's published example, answered only by the publisher, emails
after commit)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from engagements.models import Attendance
from library.models import Example, ExampleCredit, ExampleQuestion
from library.selectors import library_search
from library.services import (
    credit_answer,
    credit_ask,
    credit_remove,
    example_withdraw,
    publication_problems,
    question_answer,
    question_ask,
)
from participants.models import Role
from tests.engagements.test_outputs import young
from tests.factories import PartnershipFactory
from tests.factories.engagements import AttendanceFactory
from tests.factories.library import ExampleCreditFactory, ExampleQuestionFactory
from tests.library.test_services import publishable, published, refusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


# --- Asking to name a young person ----------------------------------------------------------------------------------


def test_a_young_person_who_took_part_is_asked_by_email_after_commit(
    partnership, worker, django_capture_on_commit_callbacks
):
    sam = young(partnership)
    example = publishable(partnership, sam, recommended="A secret recommendation text")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        credit = credit_ask(actor=worker, example_id=example.pk, membership_id=sam.pk)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert (credit.status, credit.membership, credit.partnership) == (ExampleCredit.Status.ASKED, sam, partnership)
    [message] = mail.outbox
    assert message.to == [sam.user.email]
    assert example.title in message.body and f"/your-credits/{credit.pk}/" in message.body
    assert "A secret recommendation text" not in message.body  # nothing of the example but its title


def test_someone_who_attended_may_be_asked(partnership, worker):
    example = publishable(partnership)
    walk_in = young(partnership)
    AttendanceFactory(engagement=example.engagements.get(), membership=walk_in, status=Attendance.Status.LATE)
    assert credit_ask(actor=worker, example_id=example.pk, membership_id=walk_in.pk).status == "asked"


def test_only_young_people_who_took_part_may_be_asked(partnership, other_partnership, worker):
    example = publishable(partnership, young(partnership))
    absent = young(partnership)
    AttendanceFactory(engagement=example.engagements.get(), membership=absent, status=Attendance.Status.ABSENT)
    for membership_id in (young(partnership).pk, young(other_partnership).pk, absent.pk, worker.membership.pk):
        with pytest.raises(ValidationError) as caught:
            credit_ask(actor=worker, example_id=example.pk, membership_id=membership_id)
        assert list(caught.value.message_dict) == ["membership_id"]
    assert not ExampleCredit.objects.exists()


def test_asking_twice_is_refused_and_after_a_no_they_can_be_asked_again(partnership, worker):
    sam = young(partnership)
    example = publishable(partnership, sam)
    credit = credit_ask(actor=worker, example_id=example.pk, membership_id=sam.pk)
    assert refusal(credit_ask, actor=worker, example_id=example.pk, membership_id=sam.pk).extra == {
        "field": "membership_id"
    }
    credit_answer(actor=sam.user, credit_id=credit.pk, agree=False)
    assert ExampleCredit.objects.get(pk=credit.pk).status == ExampleCredit.Status.DECLINED
    again = credit_ask(actor=worker, example_id=example.pk, membership_id=sam.pk)
    assert (again.pk, again.status) == (credit.pk, ExampleCredit.Status.ASKED)


def test_another_partnerships_example_is_a_404_for_asking(other_partnership, worker):
    example = publishable(other_partnership, young(other_partnership))
    with pytest.raises(Http404):
        credit_ask(actor=worker, example_id=example.pk, membership_id=example.engagements.get().attendees.get().pk)


def test_young_people_are_not_asked_about_a_published_example(partnership, worker):
    sam = young(partnership)
    example = published(partnership, sam)
    assert refusal(credit_ask, actor=worker, example_id=example.pk, membership_id=sam.pk).extra["field"] == "status"


# --- The young person's answer -------------------------------------------------------------------------------------


def test_agreeing_shows_their_preferred_name_by_default_or_the_name_they_choose(partnership, worker):
    sam, ada = young(partnership), young(partnership)
    sam.user.preferred_name = "Sammy"
    sam.user.save(update_fields=["preferred_name"])
    example = publishable(partnership, sam, ada)
    first = credit_ask(actor=worker, example_id=example.pk, membership_id=sam.pk)
    second = credit_ask(actor=worker, example_id=example.pk, membership_id=ada.pk)
    assert credit_answer(actor=sam.user, credit_id=first.pk, agree=True).credit_name == "Sammy"
    answered = credit_answer(actor=ada.user, credit_id=second.pk, agree=True, credit_name="  Ada   from Hull ")
    assert (answered.credit_name, answered.status) == ("Ada from Hull", ExampleCredit.Status.AGREED)
    assert answered.answered_at is not None
    assert publication_problems(example) == []


def test_a_young_person_cannot_answer_someone_elses_request(partnership, worker):
    sam, ada = young(partnership), young(partnership)
    example = publishable(partnership, sam, ada)
    credit = credit_ask(actor=worker, example_id=example.pk, membership_id=sam.pk)
    with pytest.raises(Http404):
        credit_answer(actor=ada.user, credit_id=credit.pk, agree=True)
    with pytest.raises(Http404):
        credit_answer(actor=worker, credit_id=credit.pk, agree=True)
    assert ExampleCredit.objects.get(pk=credit.pk).status == ExampleCredit.Status.ASKED


def test_taking_back_an_agreement_withdraws_the_published_example_at_once(
    partnership, other_partnership, member, django_capture_on_commit_callbacks
):
    sam = young(partnership)
    lead = member(Role.SCRUTINY_LEAD)
    example = published(partnership, sam)
    credit = ExampleCreditFactory(
        example=example, membership=sam, status=ExampleCredit.Status.AGREED, credit_name="Sam"
    )
    outsider = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    assert list(library_search(outsider)) == [example]
    with django_capture_on_commit_callbacks(execute=True):
        credit_answer(actor=sam.user, credit_id=credit.pk, agree=False)
    example.refresh_from_db()
    credit.refresh_from_db()
    assert (credit.status, credit.credit_name) == (ExampleCredit.Status.WITHDRAWN, "")
    assert example.status == Example.Status.WITHDRAWN and example.withdrawn_at is not None
    assert sam.user.full_name not in example.withdrawn_reason
    assert list(library_search(outsider)) == []
    assert [message.to for message in mail.outbox] == [[lead.email]]
    assert sam.user.full_name not in mail.outbox[0].body and example.title in mail.outbox[0].body


def test_taking_back_an_agreement_on_a_draft_leaves_a_problem_to_resolve(partnership):
    sam = young(partnership)
    example = publishable(partnership, sam)
    credit = ExampleCreditFactory(example=example, membership=sam, status=ExampleCredit.Status.AGREED)
    credit_answer(actor=sam.user, credit_id=credit.pk, agree=False)
    assert Example.objects.get(pk=example.pk).status == Example.Status.DRAFT
    assert [problem.field for problem in publication_problems(example)] == ["credits"]


def test_a_removed_young_person_is_not_named_and_no_longer_a_problem(partnership, worker):
    sam = young(partnership)
    example = publishable(partnership, sam)
    credit = credit_ask(actor=worker, example_id=example.pk, membership_id=sam.pk)
    assert publication_problems(example)
    credit_remove(actor=worker, credit_id=credit.pk)
    assert ExampleCredit.objects.get(pk=credit.pk).status == ExampleCredit.Status.REMOVED
    assert publication_problems(example) == []
    with pytest.raises(Http404):
        credit_answer(actor=sam.user, credit_id=credit.pk, agree=True)


def test_another_partnership_cannot_remove_a_credit(partnership, other_partnership, member):
    credit = ExampleCreditFactory(example=publishable(partnership))
    with pytest.raises(Http404):
        credit_remove(actor=member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership), credit_id=credit.pk)


# --- Questions -------------------------------------------------------------------------------------------------


@pytest.fixture
def asker(member, other_partnership):
    return member(Role.SAFEGUARDING_LEAD, in_partnership=other_partnership)


def test_staff_of_another_partnership_ask_and_the_publishers_editors_are_emailed_after_commit(
    partnership, other_partnership, member, asker, django_capture_on_commit_callbacks
):
    editors = [member(role) for role in (Role.PARTICIPATION_WORKER, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN)]
    member(Role.FINANCE_OFFICER)
    example = published(partnership)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        question = question_ask(actor=asker, example_id=example.pk, text="  How did you get the police to come?  ")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert (question.partnership, question.example, question.asked_by) == (other_partnership, example, asker)
    assert question.text == "How did you get the police to come?"
    assert sorted(message.to[0] for message in mail.outbox) == sorted(user.email for user in editors)
    assert "How did you get the police to come?" in mail.outbox[0].body
    assert other_partnership.name in mail.outbox[0].body


@pytest.mark.parametrize("status", [Example.Status.DRAFT, Example.Status.SUBMITTED, Example.Status.WITHDRAWN])
def test_questions_only_about_published_examples(partnership, asker, status):
    example = publishable(partnership, status=status)
    with pytest.raises(Http404):
        question_ask(actor=asker, example_id=example.pk, text="How?")
    assert not ExampleQuestion.objects.exists()


def test_not_about_your_own_partnerships_example(partnership, member):
    example = published(partnership)
    error = refusal(question_ask, actor=member(Role.PARTICIPATION_WORKER), example_id=example.pk, text="How?")
    assert error.extra["field"] == "text"


def test_young_people_do_not_ask_questions(partnership, other_partnership):
    example = published(partnership)
    with pytest.raises(PermissionDenied):
        question_ask(actor=young(other_partnership).user, example_id=example.pk, text="How?")


def test_a_question_needs_words(partnership, asker):
    example = published(partnership)
    for text in ("   ", "x" * 2001):
        with pytest.raises(ValidationError) as caught:
            question_ask(actor=asker, example_id=example.pk, text=text)
        assert list(caught.value.message_dict) == ["text"]


def test_the_publisher_answers_and_the_asker_is_emailed_after_commit(
    partnership, member, asker, django_capture_on_commit_callbacks
):
    question = ExampleQuestionFactory(example=published(partnership), partnership=asker.partnership, asked_by=asker)
    lead = member(Role.SCRUTINY_LEAD)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        question_answer(actor=lead, question_id=question.pk, answer="We wrote to the chief inspector.")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    question.refresh_from_db()
    assert (question.answer, question.answered_by) == ("We wrote to the chief inspector.", lead)
    assert [message.to for message in mail.outbox] == [[asker.email]]
    assert "We wrote to the chief inspector." in mail.outbox[0].body


def test_only_the_publishing_partnership_answers(partnership, member, asker, other_partnership):
    question = ExampleQuestionFactory(example=published(partnership), partnership=other_partnership, asked_by=asker)
    colleague = member(Role.PARTNERSHIP_ADMIN, in_partnership=other_partnership)
    with pytest.raises(PermissionDenied):
        question_answer(actor=colleague, question_id=question.pk, answer="We did it like this.")
    third = member(Role.PARTNERSHIP_ADMIN, in_partnership=PartnershipFactory())
    with pytest.raises(Http404):
        question_answer(actor=third, question_id=question.pk, answer="We did it like this.")
    with pytest.raises(PermissionDenied):
        question_answer(actor=member(Role.FINANCE_OFFICER), question_id=question.pk, answer="Like this.")
    assert ExampleQuestion.objects.get(pk=question.pk).answer == ""


def test_an_answer_needs_words_and_a_published_example(partnership, member, asker):
    example = published(partnership)
    question = ExampleQuestionFactory(example=example, partnership=asker.partnership, asked_by=asker)
    lead = member(Role.SCRUTINY_LEAD)
    with pytest.raises(ValidationError) as caught:
        question_answer(actor=lead, question_id=question.pk, answer="  ")
    assert list(caught.value.message_dict) == ["answer"]
    example_withdraw(actor=lead, example_id=example.pk, reason="Out of date")
    assert refusal(question_answer, actor=lead, question_id=question.pk, answer="Too late").extra["field"] == "answer"
