"""Recording recommendations and results: who may, from which engagement, who made them, the section 11 rules,
results, weights; and the audit rows. The helpers at the top are shared by the other feedback service and selector
tests."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.tenancy import act_in
from engagements.models import (
    Attendance,
    Engagement,
    OpportunityType,
    Recommendation,
    RecommendationContributor,
    Result,
    Section11Standard,
)
from engagements.services.feedback import (
    recommendation_create,
    recommendation_update,
    response_record,
    result_create,
    result_update,
)
from participants.models import Membership, Role
from tests.factories import MembershipFactory
from tests.factories.engagements import AttendanceFactory
from tests.factories.feedback import ResultFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db


# --- Helpers (the other feedback tests import these) ---------------------------------------------------------------


def young(partnership, **kwargs) -> Membership:
    """A young person (membership) of `partnership`, their user acting there."""
    membership = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], **kwargs)
    act_in(membership.user, partnership)
    return membership


def engagement_with(partnership, *people, kind=OpportunityType.FOCUS_GROUP, **fields) -> Engagement:
    """A completed engagement with these young people confirmed for it."""
    fields.setdefault("status", Engagement.Status.COMPLETED)
    engagement = EngagementFactory(partnership=partnership, opportunity_type=kind, **fields)
    engagement.attendees.add(*people)
    return engagement


def recommend(actor, engagement, people=(), *, anonymous=(), **fields) -> Recommendation:
    values = {"text": "Ask us before you change the youth service.", "theme": "Being listened to", "agency": "Police"}
    values.update(fields)
    pairs = [(person.pk, person in anonymous) for person in people]
    return recommendation_create(actor=actor, engagement_id=engagement.pk, contributors=pairs, **values)


def respond(lead, recommendation, **fields):
    values = {"owner_agency": "Police", "owner_name": "Sam Jones"}
    values.update(fields)
    return response_record(actor=lead, recommendation_id=recommendation.pk, **values)


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


# --- Creating ------------------------------------------------------------------------------------------------------


def test_a_recommendation_is_recorded_with_its_young_people_and_audited(partnership, worker):
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada)
    recommendation = recommend(worker, engagement, [sam, ada], anonymous=[ada], text="  Listen to us.  ", weight=3)
    assert (recommendation.text, recommendation.weight, recommendation.created_by) == ("Listen to us.", 3, worker)
    contributions = {c.membership: c.is_anonymous for c in recommendation.contributions.all()}
    assert contributions == {sam: False, ada: True}
    event = AuditEvent.objects.get(event_type="recommendation.created")
    assert event.actor == worker and event.payload["contributors"] == sorted([sam.pk, ada.pk])
    assert event.payload["anonymous"] == [ada.pk]


def test_a_scrutiny_lead_may_record_a_recommendation(partnership, lead):
    recommend(lead, engagement_with(partnership))
    assert Recommendation.objects.count() == 1


@pytest.mark.parametrize(
    "role", [Role.YOUNG_PERSON, Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD, Role.PARTNERSHIP_ADMIN]
)
def test_only_workers_and_scrutiny_leads_record_recommendations(partnership, member, role):
    with pytest.raises(PermissionDenied):
        recommend(member(role), engagement_with(partnership))
    assert not Recommendation.objects.exists()


def test_another_partnerships_engagement_is_not_found(partnership, other_partnership, worker):
    with pytest.raises(Http404):
        recommend(worker, engagement_with(other_partnership))


def test_a_cancelled_engagement_has_no_recommendations(partnership, worker):
    engagement = engagement_with(partnership, status=Engagement.Status.CANCELLED)
    with pytest.raises(ApplicationError) as caught:
        recommend(worker, engagement)
    assert caught.value.extra["field"] == "engagement_id"
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize("field", ["text", "theme", "agency"])
def test_text_theme_and_agency_are_needed(partnership, worker, field):
    with pytest.raises(ValidationError) as caught:
        recommend(worker, engagement_with(partnership), **{field: "   "})
    assert field in field_errors(caught.value)


def test_contributors_who_attended_but_were_not_confirmed_may_be_named(partnership, worker):
    engagement = engagement_with(partnership)
    came = AttendanceFactory(engagement=engagement, status=Attendance.Status.LATE).membership
    recommendation = recommend(worker, engagement, [came])
    assert list(recommendation.contributors.all()) == [came]


@pytest.mark.parametrize("who", ["absent", "not_there", "staff", "other_partnership"])
def test_contributors_must_be_young_people_who_were_there(partnership, other_partnership, worker, who):
    engagement = engagement_with(partnership)
    if who == "absent":
        person = AttendanceFactory(engagement=engagement, status=Attendance.Status.ABSENT).membership
    elif who == "not_there":
        person = young(partnership)
    elif who == "staff":
        person = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER])
        engagement.attendees.add(person)
    else:
        person = young(other_partnership)
        engagement.attendees.add(person)
    with pytest.raises(ValidationError) as caught:
        recommend(worker, engagement, [person])
    assert list(field_errors(caught.value)) == ["contributors"]
    assert not Recommendation.objects.exists()


def test_contributors_that_are_not_ids_name_the_field(partnership, worker):
    with pytest.raises(ValidationError) as caught:
        recommendation_create(
            actor=worker,
            engagement_id=engagement_with(partnership).pk,
            text="Listen",
            theme="Voice",
            agency="Police",
            contributors=[("sam", False)],
        )
    assert "contributors" in field_errors(caught.value)


# --- Section 11 panels ---------------------------------------------------------------------------------------------


def panel(partnership, agencies=("Police", "Health")):
    return engagement_with(partnership, kind=OpportunityType.SECTION_11_PANEL, agencies_under_review=list(agencies))


def test_a_section_11_panels_recommendation_needs_its_standard(partnership, worker):
    with pytest.raises(ValidationError) as caught:
        recommend(worker, panel(partnership))
    assert list(field_errors(caught.value)) == ["section_11_standard"]


def test_a_section_11_standard_must_be_one_of_the_eight(partnership, worker):
    with pytest.raises(ValidationError) as caught:
        recommend(worker, panel(partnership), section_11_standard="standard_9")
    assert list(field_errors(caught.value)) == ["section_11_standard"]


def test_only_a_section_11_panel_has_a_standard(partnership, worker):
    with pytest.raises(ValidationError) as caught:
        recommend(worker, engagement_with(partnership), section_11_standard=Section11Standard.TRAINING)
    assert list(field_errors(caught.value)) == ["section_11_standard"]


def test_a_panels_agency_must_be_one_it_reviewed(partnership, worker):
    with pytest.raises(ValidationError) as caught:
        recommend(worker, panel(partnership), section_11_standard=Section11Standard.TRAINING, agency="Schools")
    assert list(field_errors(caught.value)) == ["agency"]
    recommendation = recommend(
        worker, panel(partnership), section_11_standard=Section11Standard.TRAINING, agency="health "
    )
    assert (recommendation.agency, recommendation.section_11_standard) == ("Health", Section11Standard.TRAINING)


def test_a_panel_with_no_agencies_listed_takes_any_agency(partnership, worker):
    recommendation = recommend(
        worker, panel(partnership, agencies=()), section_11_standard=Section11Standard.LEADERSHIP, agency="Schools"
    )
    assert recommendation.agency == "Schools"


# --- Results and weights -----------------------------------------------------------------------------------------


def test_the_result_must_be_the_partnerships(partnership, other_partnership, worker):
    theirs = ResultFactory(partnership=other_partnership)
    with pytest.raises(ValidationError) as caught:
        recommend(worker, engagement_with(partnership), result_id=theirs.pk)
    assert list(field_errors(caught.value)) == ["result_id"]
    ours = ResultFactory(partnership=partnership)
    assert recommend(worker, engagement_with(partnership), result_id=ours.pk).result == ours


@pytest.mark.parametrize("weight", [0, 101, -1, "heavy", True])
def test_the_weight_is_from_1_to_100(partnership, worker, weight):
    with pytest.raises(ValidationError) as caught:
        recommend(worker, engagement_with(partnership), weight=weight)
    assert list(field_errors(caught.value)) == ["weight"]


@pytest.mark.parametrize("weight", [1, 100])
def test_weights_at_the_edges_are_taken(partnership, worker, weight):
    assert recommend(worker, engagement_with(partnership), weight=weight).weight == weight


def test_every_problem_is_named_at_once(partnership, worker):
    with pytest.raises(ValidationError) as caught:
        recommend(worker, engagement_with(partnership), text="", theme="", weight=0)
    assert set(field_errors(caught.value)) == {"text", "theme", "weight"}


# --- Changing ----------------------------------------------------------------------------------------------------


def test_a_change_replaces_the_young_people_and_is_audited(partnership, worker):
    sam, ada, kai = young(partnership), young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada, kai)
    recommendation = recommend(worker, engagement, [sam, ada])
    recommendation_update(
        actor=worker,
        recommendation_id=recommendation.pk,
        contributors=[(ada.pk, True), (kai.pk, False)],
        theme="Mental health",
        is_public=True,
    )
    recommendation.refresh_from_db()
    assert (recommendation.theme, recommendation.is_public) == ("Mental health", True)
    contributions = {c.membership: c.is_anonymous for c in RecommendationContributor.objects.all()}
    assert contributions == {ada: True, kai: False}
    event = AuditEvent.objects.get(event_type="recommendation.updated")
    assert set(event.payload["changes"]) == {"theme", "is_public", "contributors"}


def test_an_unknown_field_is_named(partnership, worker):
    recommendation = recommend(worker, engagement_with(partnership))
    with pytest.raises(ValidationError) as caught:
        recommendation_update(actor=worker, recommendation_id=recommendation.pk, colour="blue")
    assert list(field_errors(caught.value)) == ["colour"]


def test_a_change_is_checked_like_a_new_one(partnership, worker):
    recommendation = recommend(worker, engagement_with(partnership))
    outsider = young(partnership)
    with pytest.raises(ValidationError) as caught:
        recommendation_update(
            actor=worker, recommendation_id=recommendation.pk, weight=200, contributors=[(outsider.pk, False)]
        )
    assert set(field_errors(caught.value)) == {"weight", "contributors"}
    recommendation.refresh_from_db()
    assert recommendation.weight == 1 and not recommendation.contributions.exists()


def test_changing_nothing_writes_no_audit_row(partnership, worker):
    recommendation = recommend(worker, engagement_with(partnership), theme="Voice")
    recommendation_update(actor=worker, recommendation_id=recommendation.pk, theme="Voice")
    assert not AuditEvent.objects.filter(event_type="recommendation.updated").exists()


def test_another_partnerships_recommendation_is_not_found(partnership, other_partnership, worker, member):
    theirs = recommend(
        member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership), engagement_with(other_partnership)
    )
    with pytest.raises(Http404):
        recommendation_update(actor=worker, recommendation_id=theirs.pk, theme="Mine now")


def test_a_result_can_be_taken_off(partnership, worker):
    result = ResultFactory(partnership=partnership)
    recommendation = recommend(worker, engagement_with(partnership), result_id=result.pk)
    recommendation_update(actor=worker, recommendation_id=recommendation.pk, result_id=None)
    recommendation.refresh_from_db()
    assert recommendation.result is None


# --- Results -----------------------------------------------------------------------------------------------------


def test_the_scrutiny_lead_adds_and_changes_results(partnership, lead):
    result = result_create(actor=lead, title="  Young people are heard  ", description="All of it")
    assert (result.title, result.partnership, result.created_by) == ("Young people are heard", partnership, lead)
    result_update(actor=lead, result_id=result.pk, title="Heard", description="")
    result.refresh_from_db()
    assert (result.title, result.description) == ("Heard", "")
    assert list(
        AuditEvent.objects.filter(event_type__startswith="result.").values_list("event_type", flat=True).order_by("pk")
    ) == ["result.created", "result.updated"]


def test_a_result_needs_a_title(lead):
    with pytest.raises(ValidationError) as caught:
        result_create(actor=lead, title=" ")
    assert list(field_errors(caught.value)) == ["title"]


def test_a_worker_does_not_add_results(worker):
    with pytest.raises(PermissionDenied):
        result_create(actor=worker, title="Heard")
    assert not Result.objects.exists()


def test_another_partnerships_result_is_not_found(lead, other_partnership):
    theirs = ResultFactory(partnership=other_partnership)
    with pytest.raises(Http404):
        result_update(actor=lead, result_id=theirs.pk, title="Mine")
