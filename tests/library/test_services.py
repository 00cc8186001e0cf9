"""The library's writes: drafting an example from the records (naming nobody), editing and reviewing, and
publication (every problem named at once and nothing changed; a second person of the same partnership approves).

The helpers at the top are shared by the other library tests."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import Engagement, OpportunityType, RecommendationResponse, TimelineEntry
from library.models import Example, ExampleCredit, Method, Outcome
from library.services import (
    example_approve,
    example_draft,
    example_review,
    example_send_back,
    example_submit,
    example_update,
    example_withdraw,
    field_is_reviewed,
    publication_problems,
    text_hash,
    unreviewed_fields,
)
from participants.models import OutreachChannel, Referral, Role, TrainingModule
from tests.engagements.test_outputs import engagement_with, young
from tests.factories import UserFactory
from tests.factories.engagements import AttendanceFactory, OutputFactory
from tests.factories.feedback import RecommendationFactory, RecommendationResponseFactory, TimelineEntryFactory
from tests.factories.library import ExampleCreditFactory, ExampleFactory
from tests.factories.recruitment import ApplicationFactory, OutreachLinkFactory, RoundFactory

pytestmark = pytest.mark.django_db


# --- Shared helpers ---------------------------------------------------------------------------------------------------


def review_all(example: Example) -> Example:
    example.reviewed = {field: text_hash(getattr(example, field)) for field in Example.TEXT_FIELDS}
    example.save(update_fields=["reviewed"])
    return example


def publishable(partnership, *people, status=Example.Status.DRAFT, **fields) -> Example:
    """An example with nothing standing in the way of publication: one completed engagement, every field reviewed."""
    engagement = engagement_with(partnership, *people)
    fields.setdefault("created_by", UserFactory())
    example = ExampleFactory(partnership=partnership, engagements=[engagement], status=status, **fields)
    return review_all(example)


def published(partnership, *people, **fields) -> Example:
    fields.setdefault("published_at", timezone.now())
    return publishable(partnership, *people, status=Example.Status.PUBLISHED, **fields)


def submitted(partnership, submitter, *people, **fields) -> Example:
    return publishable(
        partnership,
        *people,
        status=Example.Status.SUBMITTED,
        submitted_by=submitter,
        submitted_at=timezone.now(),
        **fields,
    )


def refusal(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    return caught.value


def problem_fields(error: ApplicationError) -> list[str]:
    return [problem["field"] for problem in error.extra["problems"]]


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


# --- Drafting from the records ------------------------------------------------------------------------------------


@pytest.fixture
def deep_dive(partnership, member):
    """A completed deep dive: six young people aged 14 to 19 on the day, recruited through the youth council (5),
    a school (1) and a friend (1 of them referred), trained, with recommendations and responses."""
    ages = [14, 15, 16, 17, 17, 19]
    people = [young(partnership, age=age) for age in ages]
    staff_lead = member(Role.PARTICIPATION_WORKER, user__full_name="Morgan Staffname")
    engagement = engagement_with(
        partnership,
        *people,
        opportunity_type=OpportunityType.DEEP_DIVE,
        topic="Mental health support in schools",
        preparation_minutes=90,
        staff_lead=staff_lead,
    )
    round_ = RoundFactory(partnership=partnership)
    council = OutreachLinkFactory(round=round_, channel=OutreachChannel.YOUTH_COUNCIL)
    school = OutreachLinkFactory(round=round_, channel=OutreachChannel.SCHOOLS_COLLEGES, code="school1")
    for person in people[:5]:
        ApplicationFactory(round=round_, membership=person, outreach_link=council)
    referral = Referral.objects.create(
        partnership=partnership,
        round=round_,
        referrer=people[0],
        friend_name="A friend",
        friend_email="friend@example.org",
        token="t" * 32,
    )
    ApplicationFactory(round=round_, membership=people[5], outreach_link=school, referral=referral)
    TrainingModule.objects.create(
        partnership=partnership, title="Deep dives explained", duration_minutes=60, required_for=["deep_dive"]
    )
    TrainingModule.objects.create(
        partnership=partnership, title="Interview skills", duration_minutes=60, required_for=["interview_panel"]
    )
    done = RecommendationFactory(engagement=engagement, text="Have a counsellor in every school, every week.")
    response = RecommendationResponseFactory(
        recommendation=done,
        owner_agency="CAMHS",
        owner_name="Priya Shahname",
        decision=RecommendationResponse.Decision.ACCEPTED,
        status=RecommendationResponse.Status.DONE,
        progress=100,
    )
    TimelineEntryFactory(
        response=response,
        kind=TimelineEntry.Kind.RESPONSE,
        text="The partnership responded: Accepted. Owner: CAMHS, Priya Shahname.",
        happened_on=timezone.localdate(),
    )
    TimelineEntryFactory(
        response=response,
        kind=TimelineEntry.Kind.UPDATE,
        text=f"Counsellors now visit every secondary school weekly; {people[2].user.full_name} helped plan it.",
        happened_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    later = RecommendationFactory(engagement=engagement, text="Tell us how long the waiting list is.")
    RecommendationResponseFactory(
        recommendation=later,
        owner_agency="Health",
        owner_name="Sam Ownername",
        decision=RecommendationResponse.Decision.PARTLY_ACCEPTED,
        decision_reason="We can publish it each month but not each week.",
        status=RecommendationResponse.Status.IN_PROGRESS,
        progress=40,
    )
    return engagement, people


def test_a_draft_is_written_from_the_records(worker, deep_dive):
    engagement, _people = deep_dive
    example = example_draft(actor=worker, engagement_ids=[engagement.pk])
    assert example.status == Example.Status.DRAFT and example.partnership == worker.partnership
    assert example.method == Method.DEEP_DIVE
    assert example.topic == "Mental health support in schools"
    assert example.title == "Deep dive: Mental health support in schools"
    assert "Youth council: 5" in example.recruitment
    assert "Referred by a friend: fewer than 5" in example.recruitment
    assert "Schools and colleges" not in example.recruitment  # the friend's referral counts, not the link
    assert "Deep dives explained" in example.support and "Interview skills" not in example.support
    assert "1 hour 30 minutes" in example.support
    assert "1. Have a counsellor in every school, every week." in example.recommended
    assert "2. Tell us how long the waiting list is." in example.recommended
    assert "1. CAMHS: Accepted. Done. Latest: Counsellors now visit every secondary school weekly" in example.changed
    assert "Partly accepted (We can publish it each month but not each week.)" in example.changed
    assert "In progress, 40% done" in example.changed
    assert example.outcome == Outcome.PRACTICE_CHANGED
    assert (example.age_min, example.age_max, example.young_people_count) == (14, 19, 6)
    assert list(example.engagements.all()) == [engagement]
    assert example.created_by == worker


def test_a_draft_names_nobody_and_nothing_is_reviewed(worker, deep_dive):
    engagement, people = deep_dive
    example = example_draft(actor=worker, engagement_ids=[engagement.pk])
    names = [person.user.full_name for person in people] + ["Priya Shahname", "Sam Ownername", "Morgan Staffname"]
    for field in ("title", "topic", "recruitment", "support", "changed"):
        text = getattr(example, field).lower()
        assert not [name for name in names if name.lower() in text], field
    assert "[name] helped plan it" in example.changed
    assert example.reviewed == {}
    assert unreviewed_fields(example) == list(Example.TEXT_FIELDS)
    event = AuditEvent.objects.get(event_type="example.drafted")
    assert event.actor == worker and event.payload == {"engagements": [engagement.pk], "method": Method.DEEP_DIVE}


@pytest.mark.parametrize(
    ("statuses", "outcome"),
    [
        ([RecommendationResponse.Status.DONE, RecommendationResponse.Status.NOT_STARTED], Outcome.PRACTICE_CHANGED),
        ([RecommendationResponse.Status.IN_PROGRESS, RecommendationResponse.Status.NOT_STARTED], Outcome.UNDER_WAY),
        ([RecommendationResponse.Status.NOT_STARTED, RecommendationResponse.Status.NOT_GOING_AHEAD], Outcome.NOT_YET),
        ([], Outcome.NOT_YET),
    ],
)
def test_the_outcome_comes_from_the_responses(partnership, worker, statuses, outcome):
    engagement = engagement_with(partnership, young(partnership))
    for status in statuses:
        RecommendationResponseFactory(
            recommendation=RecommendationFactory(engagement=engagement), status=status, status_reason="Too costly."
        )
    assert example_draft(actor=worker, engagement_ids=[engagement.pk]).outcome == outcome


def test_fewer_than_five_young_people_leaves_the_count_blank(partnership, worker):
    people = [young(partnership, age=age) for age in (16, 18, 18, 20)]
    engagement = engagement_with(partnership, *people)
    example = example_draft(actor=worker, engagement_ids=[engagement.pk])
    assert example.young_people_count is None
    assert (example.age_min, example.age_max) == (16, 20)
    assert "Joined in another way: fewer than 5" in example.recruitment


def test_a_person_marked_absent_did_not_take_part_and_one_who_attended_did(partnership, worker):
    confirmed = [young(partnership, age=17) for _ in range(5)]
    engagement = engagement_with(partnership, *confirmed)
    AttendanceFactory(engagement=engagement, membership=confirmed[0], status="absent")
    walk_in = young(partnership, age=24)
    AttendanceFactory(engagement=engagement, membership=walk_in, status="present")
    example = example_draft(actor=worker, engagement_ids=[engagement.pk])
    assert (example.young_people_count, example.age_max) == (5, 24)


def test_the_count_is_of_distinct_young_people_across_engagements(partnership, worker):
    people = [young(partnership) for _ in range(5)]
    first, second = engagement_with(partnership, *people[:3]), engagement_with(partnership, *people[2:])
    example = example_draft(actor=worker, engagement_ids=[first.pk, second.pk])
    assert example.young_people_count == 5
    assert set(example.engagements.all()) == {first, second}


@pytest.mark.parametrize(
    ("kind", "method"),
    [
        (OpportunityType.SECTION_11_PANEL, Method.SECTION_11_PANEL),
        (OpportunityType.SCRUTINY_EVENT, Method.SCRUTINY_EVENT),
        (OpportunityType.FOCUS_GROUP, Method.FOCUS_GROUP),
        (OpportunityType.YOUNG_INSPECTOR_VISIT, Method.YOUNG_INSPECTORS),
        (OpportunityType.ANNUAL_REPORT, Method.ANNUAL_REPORT),
    ],
)
def test_the_method_comes_from_the_type_of_opportunity(partnership, worker, kind, method):
    engagement = engagement_with(partnership, opportunity_type=kind)
    assert example_draft(actor=worker, engagement_ids=[engagement.pk]).method == method


def test_another_type_of_opportunity_asks_for_the_method(partnership, worker):
    engagement = engagement_with(partnership, opportunity_type=OpportunityType.INTERVIEW_PANEL)
    with pytest.raises(ValidationError) as caught:
        example_draft(actor=worker, engagement_ids=[engagement.pk])
    assert "method" in caught.value.message_dict and "Interview panel" in caught.value.message_dict["method"][0]
    assert not Example.objects.exists()
    chosen = example_draft(actor=worker, engagement_ids=[engagement.pk], method=Method.FOCUS_GROUP)
    assert chosen.method == Method.FOCUS_GROUP


def test_engagements_of_different_kinds_ask_for_the_method(partnership, worker):
    one = engagement_with(partnership, opportunity_type=OpportunityType.DEEP_DIVE)
    two = engagement_with(partnership, opportunity_type=OpportunityType.FOCUS_GROUP)
    with pytest.raises(ValidationError) as caught:
        example_draft(actor=worker, engagement_ids=[one.pk, two.pk])
    assert list(caught.value.message_dict) == ["method"]


def test_an_unknown_method_is_refused(partnership, worker):
    engagement = engagement_with(partnership)
    with pytest.raises(ValidationError) as caught:
        example_draft(actor=worker, engagement_ids=[engagement.pk], method="podcast")
    assert list(caught.value.message_dict) == ["method"]


def test_only_the_partnerships_own_engagements_that_took_place(partnership, other_partnership, worker):
    theirs = engagement_with(other_partnership)
    cancelled = engagement_with(partnership)
    Engagement.objects.filter(pk=cancelled.pk).update(status=Engagement.Status.CANCELLED)
    future = engagement_with(partnership)
    Engagement.objects.filter(pk=future.pk).update(status=Engagement.Status.PUBLISHED)
    for ids in ([theirs.pk], [cancelled.pk], [future.pk], [], [999999], ["abc"]):
        with pytest.raises(ValidationError) as caught:
            example_draft(actor=worker, engagement_ids=ids)
        assert list(caught.value.message_dict) == ["engagement_ids"]
    assert not Example.objects.exists()


def test_a_published_engagement_that_is_over_counts_as_taken_place(partnership, worker):
    engagement = engagement_with(partnership)
    start = timezone.now() - datetime.timedelta(days=3)
    Engagement.objects.filter(pk=engagement.pk).update(
        status=Engagement.Status.PUBLISHED, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    assert example_draft(actor=worker, engagement_ids=[engagement.pk]).engagements.get() == engagement


@pytest.mark.parametrize(
    "role",
    [Role.YOUNG_PERSON, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN, Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD],
)
def test_only_participation_workers_draft(partnership, member, role):
    engagement = engagement_with(partnership)
    with pytest.raises(PermissionDenied):
        example_draft(actor=member(role), engagement_ids=[engagement.pk])
    assert not Example.objects.exists()


# --- Editing and reviewing ------------------------------------------------------------------------------------------


def test_reviewing_marks_fields_as_they_read_now(partnership, worker):
    example = ExampleFactory(partnership=partnership)
    example_review(actor=worker, example_id=example.pk, fields=["title", "recommended"])
    example.refresh_from_db()
    assert field_is_reviewed(example, "title") and field_is_reviewed(example, "recommended")
    assert unreviewed_fields(example) == ["topic", "recruitment", "support", "changed"]
    assert AuditEvent.objects.get(event_type="example.reviewed").payload["reviewed"] == ["recommended", "title"]


def test_an_edit_after_review_makes_the_field_unreviewed_again(partnership, worker):
    example = publishable(partnership)
    assert publication_problems(example) == []
    example_update(actor=worker, example_id=example.pk, recommended="Explain every stop, and tell Jo Bloggs why.")
    example.refresh_from_db()
    assert not field_is_reviewed(example, "recommended")
    assert [problem.field for problem in publication_problems(example)] == ["recommended"]
    assert field_is_reviewed(example, "title")  # the others stay reviewed
    example_review(actor=worker, example_id=example.pk, fields=["recommended"])
    example.refresh_from_db()
    assert publication_problems(example) == []


def test_saving_the_same_text_keeps_the_review(partnership, worker):
    example = publishable(partnership)
    example_update(actor=worker, example_id=example.pk, title=f"  {example.title}  ")
    example.refresh_from_db()
    assert field_is_reviewed(example, "title")
    assert not AuditEvent.objects.filter(event_type="example.updated").exists()


def test_unticking_a_review_takes_it_back(partnership, worker):
    example = publishable(partnership)
    example_review(actor=worker, example_id=example.pk, fields=["title"], keep_others=False)
    example.refresh_from_db()
    assert unreviewed_fields(example) == ["topic", "recruitment", "support", "recommended", "changed"]


def test_only_text_fields_are_reviewed(partnership, worker):
    example = ExampleFactory(partnership=partnership)
    with pytest.raises(ValidationError) as caught:
        example_review(actor=worker, example_id=example.pk, fields=["method"])
    assert list(caught.value.message_dict) == ["fields"]


def test_an_edit_names_the_field_that_is_wrong(partnership, worker):
    example = ExampleFactory(partnership=partnership, age_min=14, age_max=19)
    cases = [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"method": "podcast"}, "method"),
        ({"outcome": "maybe"}, "outcome"),
        ({"age_max": 13}, "age_max"),
        ({"age_min": "fifteen"}, "age_min"),
        ({"young_people_count": 0}, "young_people_count"),
        ({"created_by": None}, "created_by"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as caught:
            example_update(actor=worker, example_id=example.pk, **fields)
        assert list(caught.value.message_dict) == [field], fields
    fresh = Example.objects.get(pk=example.pk)
    assert (fresh.title, fresh.age_max, fresh.method) == (example.title, 19, example.method)


def test_an_edit_changes_the_facts_and_is_audited(partnership, worker):
    example = ExampleFactory(partnership=partnership)
    example_update(
        actor=worker,
        example_id=example.pk,
        method=Method.FOCUS_GROUP,
        outcome=Outcome.POLICY_CHANGED,
        age_min="15",
        age_max=18,
        young_people_count="",
        topic="Online safety",
    )
    example.refresh_from_db()
    assert (example.method, example.outcome, example.age_min, example.age_max) == (
        "focus_group",
        "policy_changed",
        15,
        18,
    )
    assert (example.young_people_count, example.topic) == (None, "Online safety")
    event = AuditEvent.objects.get(event_type="example.updated")
    assert event.payload["unreviewed"] == ["topic"] and "Online safety" not in str(event.payload)


def test_outputs_must_come_from_the_examples_engagements(partnership, worker):
    example = publishable(partnership)
    engagement = example.engagements.get()
    mine = OutputFactory(engagement=engagement)
    elsewhere = OutputFactory(engagement=engagement_with(partnership))
    with pytest.raises(ValidationError) as caught:
        example_update(actor=worker, example_id=example.pk, output_ids=[mine.pk, elsewhere.pk])
    assert list(caught.value.message_dict) == ["output_ids"]
    example_update(actor=worker, example_id=example.pk, output_ids=[mine.pk])
    assert list(example.outputs.all()) == [mine]
    with pytest.raises(ValidationError) as caught:
        example_update(actor=worker, example_id=example.pk, engagement_ids=[engagement_with(partnership).pk])
    assert list(caught.value.message_dict) == ["output_ids"]


def test_editing_a_submitted_example_sends_it_back_to_draft(partnership, worker):
    example = submitted(partnership, worker)
    example_update(actor=worker, example_id=example.pk, changed="The police now explain every stop.")
    example.refresh_from_db()
    assert example.status == Example.Status.DRAFT
    assert AuditEvent.objects.filter(event_type="example.status_changed", payload__to="draft").exists()


def test_a_published_example_is_withdrawn_before_it_is_changed(partnership, worker):
    example = published(partnership)
    error = refusal(example_update, actor=worker, example_id=example.pk, title="A new title")
    assert error.extra["field"] == "status"
    assert Example.objects.get(pk=example.pk).title == example.title


def test_another_partnerships_example_cannot_be_edited(other_partnership, worker):
    example = ExampleFactory(partnership=other_partnership)
    with pytest.raises(Http404):
        example_update(actor=worker, example_id=example.pk, title="Mine now")
    with pytest.raises(Http404):
        example_review(actor=worker, example_id=example.pk, fields=["title"])


# --- Publication problems ---------------------------------------------------------------------------------------


def test_an_unreviewed_field_is_a_problem_naming_the_field(partnership, worker):
    example = publishable(partnership)
    example.reviewed.pop("support")
    example.save(update_fields=["reviewed"])
    error = refusal(example_submit, actor=worker, example_id=example.pk)
    assert problem_fields(error) == ["support"]
    assert "How they were prepared and supported has not been reviewed" in error.message
    assert Example.objects.get(pk=example.pk).status == Example.Status.DRAFT


def test_a_count_under_five_is_refused_at_publication_and_five_is_shown(partnership, worker, lead):
    example = submitted(partnership, worker, young_people_count=4)
    error = refusal(example_approve, actor=lead, example_id=example.pk)
    assert problem_fields(error) == ["young_people_count"]
    assert "leave the number blank" in error.extra["problems"][0]["message"]
    assert Example.objects.get(pk=example.pk).status == Example.Status.SUBMITTED
    Example.objects.filter(pk=example.pk).update(young_people_count=5)
    assert example_approve(actor=lead, example_id=example.pk).status == Example.Status.PUBLISHED


@pytest.mark.parametrize(("age_min", "age_max", "refused"), [(17, 17, True), (16, 17, True), (15, 17, False)])
def test_an_age_range_narrower_than_three_years_is_refused(partnership, age_min, age_max, refused):
    """A range drawn from a few young people can be one person's exact age."""
    problems = publication_problems(publishable(partnership, age_min=age_min, age_max=age_max))
    assert [problem.field for problem in problems] == (["age_min"] if refused else [])


def test_a_blank_count_may_be_published(partnership, worker):
    assert publication_problems(publishable(partnership, young_people_count=None)) == []


@pytest.mark.parametrize(
    "status", [ExampleCredit.Status.ASKED, ExampleCredit.Status.DECLINED, ExampleCredit.Status.WITHDRAWN]
)
def test_a_young_person_named_without_agreement_is_a_problem(partnership, status):
    example = publishable(partnership)
    credit = ExampleCreditFactory(example=example, status=status)
    problems = publication_problems(example)
    assert [problem.field for problem in problems] == ["credits"]
    assert credit.membership.user.full_name in problems[0].message and "remove them" in problems[0].message


@pytest.mark.parametrize("status", [ExampleCredit.Status.AGREED, ExampleCredit.Status.REMOVED])
def test_an_agreed_or_removed_credit_is_no_problem(partnership, status):
    example = publishable(partnership)
    ExampleCreditFactory(example=example, status=status, credit_name="Sam")
    assert publication_problems(example) == []


def test_an_output_without_media_consent_or_hidden_is_a_problem(partnership):
    with_consent, without = young(partnership), young(partnership, media=False)
    example = publishable(partnership, with_consent, without)
    engagement = example.engagements.get()
    fine = OutputFactory(engagement=engagement, title="Fine film")
    fine.contributors.set([with_consent])
    missing = OutputFactory(engagement=engagement, title="Missing consent")
    missing.contributors.set([with_consent, without])
    hidden = OutputFactory(engagement=engagement, title="Hidden poem", is_hidden=True)
    hidden.contributors.set([with_consent])
    example.outputs.set([fine])
    assert publication_problems(example) == []
    example.outputs.set([fine, missing, hidden])
    problems = publication_problems(example)
    assert [problem.field for problem in problems] == ["outputs", "outputs"]
    assert "“Missing consent”" in problems[0].message and without.user.full_name in problems[0].message
    assert "“Hidden poem” is hidden" in problems[1].message


@pytest.mark.parametrize(("field", "age"), [("age_min", 12), ("age_max", 26)])
def test_an_age_outside_13_to_25_is_a_problem(partnership, field, age):
    values = {"age_min": 14, "age_max": 19, field: age}
    example = publishable(partnership, **values)
    assert [problem.field for problem in publication_problems(example)] == [field]


def test_an_example_with_no_engagements_is_a_problem(partnership):
    example = review_all(ExampleFactory(partnership=partnership))
    assert [problem.field for problem in publication_problems(example)] == ["engagements"]


def test_publishing_names_every_problem_at_once_and_changes_nothing(partnership, worker, lead):
    without = young(partnership, media=False)
    example = submitted(partnership, worker, without, young_people_count=3)
    example.reviewed.pop("title")
    example.save(update_fields=["reviewed"])
    ExampleCreditFactory(example=example, status=ExampleCredit.Status.ASKED)
    output = OutputFactory(engagement=example.engagements.get())
    output.contributors.set([without])
    example.outputs.set([output])
    events = AuditEvent.objects.count()
    error = refusal(example_approve, actor=lead, example_id=example.pk)
    assert problem_fields(error) == ["title", "young_people_count", "credits", "outputs"]
    assert error.extra["field"] == "title"
    fresh = Example.objects.get(pk=example.pk)
    assert (fresh.status, fresh.published_at, fresh.approved_by) == (Example.Status.SUBMITTED, None, None)
    assert AuditEvent.objects.count() == events
    # Sending it for approval is refused the same way.
    Example.objects.filter(pk=example.pk).update(status=Example.Status.DRAFT)
    error = refusal(example_submit, actor=worker, example_id=example.pk)
    assert problem_fields(error) == ["title", "young_people_count", "credits", "outputs"]
    assert Example.objects.get(pk=example.pk).status == Example.Status.DRAFT


# --- Submission, approval, sending back, withdrawal --------------------------------------------------------------


def test_a_worker_submits_and_the_other_editors_are_told_after_commit(
    partnership, worker, lead, member, other_partnership, django_capture_on_commit_callbacks
):
    admin = member(Role.PARTNERSHIP_ADMIN)
    member(Role.FINANCE_OFFICER)
    member(Role.SCRUTINY_LEAD, in_partnership=other_partnership)
    example = publishable(partnership)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        example_submit(actor=worker, example_id=example.pk)
    assert mail.outbox == [] and callbacks
    for callback in callbacks:
        callback()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([lead.email, admin.email])
    example.refresh_from_db()
    assert (example.status, example.submitted_by, example.submitted_at is not None) == ("submitted", worker, True)


def test_the_person_who_submitted_cannot_approve(partnership, worker, member):
    both = member(Role.PARTICIPATION_WORKER, Role.SCRUTINY_LEAD)
    example = publishable(partnership)
    example_submit(actor=both, example_id=example.pk)
    error = refusal(example_approve, actor=both, example_id=example.pk)
    assert error.extra["field"] == "approved_by"
    assert Example.objects.get(pk=example.pk).status == Example.Status.SUBMITTED


def test_another_person_of_the_same_partnership_approves_and_the_submitter_is_told(
    partnership, worker, member, django_capture_on_commit_callbacks
):
    colleague = member(Role.PARTICIPATION_WORKER)
    example = publishable(partnership)
    example_submit(actor=worker, example_id=example.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        example_approve(actor=colleague, example_id=example.pk)
    example.refresh_from_db()
    assert (example.status, example.approved_by) == (Example.Status.PUBLISHED, colleague)
    assert example.published_at is not None
    assert [message.to for message in mail.outbox] == [[worker.email]]
    assert example.title in mail.outbox[0].body


def test_a_person_of_another_partnership_cannot_approve(partnership, other_partnership, worker, member):
    example = submitted(partnership, worker)
    outsider = member(Role.PARTNERSHIP_ADMIN, in_partnership=other_partnership)
    with pytest.raises(Http404):
        example_approve(actor=outsider, example_id=example.pk)
    assert Example.objects.get(pk=example.pk).status == Example.Status.SUBMITTED


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD, Role.YOUNG_PERSON])
def test_only_library_editors_approve(partnership, worker, member, role):
    example = submitted(partnership, worker)
    with pytest.raises(PermissionDenied):
        example_approve(actor=member(role), example_id=example.pk)


def test_only_a_submitted_example_is_approved(partnership, lead):
    example = publishable(partnership)
    assert refusal(example_approve, actor=lead, example_id=example.pk).extra["field"] == "status"


def test_sending_back_needs_a_reason_and_tells_the_submitter(
    partnership, worker, lead, django_capture_on_commit_callbacks
):
    example = submitted(partnership, worker)
    with pytest.raises(ValidationError) as caught:
        example_send_back(actor=lead, example_id=example.pk, reason="  ")
    assert list(caught.value.message_dict) == ["reason"]
    with django_capture_on_commit_callbacks(execute=True):
        example_send_back(actor=lead, example_id=example.pk, reason="Take the school's name out of the topic.")
    assert Example.objects.get(pk=example.pk).status == Example.Status.DRAFT
    assert [message.to for message in mail.outbox] == [[worker.email]]
    assert "Take the school's name out" in mail.outbox[0].body


def test_withdrawing_needs_a_reason_and_only_a_published_example(partnership, lead):
    example = published(partnership)
    with pytest.raises(ValidationError):
        example_withdraw(actor=lead, example_id=example.pk, reason="")
    example_withdraw(actor=lead, example_id=example.pk, reason="The agency asked us to update it.")
    example.refresh_from_db()
    assert (example.status, example.withdrawn_reason) == (Example.Status.WITHDRAWN, "The agency asked us to update it.")
    assert example.withdrawn_at is not None
    error = refusal(example_withdraw, actor=lead, example_id=example.pk, reason="Again")
    assert error.extra["field"] == "status"


def test_another_partnership_cannot_withdraw(partnership, other_partnership, member):
    example = published(partnership)
    with pytest.raises(Http404):
        example_withdraw(
            actor=member(Role.PARTNERSHIP_ADMIN, in_partnership=other_partnership),
            example_id=example.pk,
            reason="Not ours",
        )
    assert Example.objects.get(pk=example.pk).status == Example.Status.PUBLISHED


def test_a_withdrawn_example_can_be_edited_again_as_a_draft(partnership, worker, lead):
    example = published(partnership)
    example_withdraw(actor=lead, example_id=example.pk, reason="Update it")
    example_update(actor=worker, example_id=example.pk, changed="The card is now given to every young person.")
    assert Example.objects.get(pk=example.pk).status == Example.Status.DRAFT
