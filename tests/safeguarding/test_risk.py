"""Risk assessments: templates, pre-filling, hazards, the approval workflow, and the pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import OpportunityType
from participants.models import Role
from safeguarding.models import Hazard, RiskAssessment, RiskAssessmentTemplate
from safeguarding.selectors.risk import risk_assessment_approved, staff_ratio
from safeguarding.services.risk import (
    hazard_add,
    hazard_remove,
    risk_assessment_approve,
    risk_assessment_create,
    risk_assessment_return,
    risk_assessment_submit,
    risk_assessment_update,
    risk_template_save,
)
from tests.factories.safeguarding import EngagementFactory, RiskAssessmentFactory

pytestmark = pytest.mark.django_db

Status = RiskAssessment.Status
LINES = [
    {"hazard": "Upsetting topic", "control": "Content warning sent; quiet room; worker free to talk after."},
    {"hazard": "Travel home after dark", "control": "Taxis booked home for under-18s."},
]


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def lead(member):
    return member(Role.SAFEGUARDING_LEAD)


@pytest.fixture
def engagement(partnership):
    return EngagementFactory(partnership=partnership, opportunity_type=OpportunityType.FOCUS_GROUP)


def ready(worker, engagement):
    """A complete draft, prepared by `worker`."""
    assessment = risk_assessment_create(actor=worker, engagement_id=engagement.pk)
    hazard_add(actor=worker, assessment_id=assessment.pk, hazard="Fire", control="Exits briefed at the start.")
    return assessment


def approved(worker, lead, engagement):
    assessment = ready(worker, engagement)
    risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
    return risk_assessment_approve(actor=lead, assessment_id=assessment.pk)


# --- Templates and pre-filling ----------------------------------------------------------------------------------


def test_a_new_assessment_starts_from_its_types_template(lead, worker, engagement, partnership):
    risk_template_save(actor=lead, opportunity_type=OpportunityType.FOCUS_GROUP, hazards=LINES)
    risk_template_save(
        actor=lead, opportunity_type=OpportunityType.DEEP_DIVE, hazards=[{"hazard": "Other", "control": "Other"}]
    )
    engagement.location = "Youth centre"
    engagement.save()
    assessment = risk_assessment_create(actor=worker, engagement_id=engagement.pk)
    assert [(h.hazard, h.control) for h in assessment.hazards.all()] == [(x["hazard"], x["control"]) for x in LINES]
    assert assessment.venue == "Youth centre"
    assert assessment.prepared_by == worker and assessment.status == Status.DRAFT


def test_a_template_line_needs_both_parts(lead):
    with pytest.raises(ApplicationError) as refused:
        risk_template_save(actor=lead, opportunity_type=OpportunityType.FOCUS_GROUP, hazards=[{"hazard": "Fire"}])
    assert refused.value.extra["field"] == "hazards"


def test_saving_a_template_again_replaces_its_lines(lead):
    risk_template_save(actor=lead, opportunity_type=OpportunityType.FOCUS_GROUP, hazards=LINES)
    risk_template_save(actor=lead, opportunity_type=OpportunityType.FOCUS_GROUP, hazards=LINES[:1])
    assert RiskAssessmentTemplate.objects.get().hazards == LINES[:1]


def test_workers_cannot_change_templates(worker):
    with pytest.raises(PermissionDenied):
        risk_template_save(actor=worker, opportunity_type=OpportunityType.FOCUS_GROUP, hazards=LINES)


def test_one_assessment_per_engagement(worker, engagement):
    risk_assessment_create(actor=worker, engagement_id=engagement.pk)
    with pytest.raises(ApplicationError) as refused:
        risk_assessment_create(actor=worker, engagement_id=engagement.pk)
    assert refused.value.extra["field"] == "engagement_id"


# --- Completeness -----------------------------------------------------------------------------------------------


def test_a_sensitive_topic_needs_a_content_warning(worker, engagement):
    assessment = ready(worker, engagement)
    with pytest.raises(ApplicationError) as refused:
        risk_assessment_update(actor=worker, assessment_id=assessment.pk, topic_sensitivity="high")
    assert refused.value.extra["field"] == "content_warning"
    risk_assessment_update(
        actor=worker, assessment_id=assessment.pk, topic_sensitivity="high", content_warning="We talk about self-harm."
    )


def test_lone_working_needs_a_plan(worker, engagement):
    assessment = ready(worker, engagement)
    with pytest.raises(ApplicationError) as refused:
        risk_assessment_update(actor=worker, assessment_id=assessment.pk, lone_working=True)
    assert refused.value.extra["field"] == "lone_working_plan"


def test_submitting_needs_at_least_one_hazard(worker, engagement):
    assessment = risk_assessment_create(actor=worker, engagement_id=engagement.pk)
    with pytest.raises(ApplicationError) as refused:
        risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
    assert refused.value.extra["field"] == "hazard"
    assert RiskAssessment.objects.get().status == Status.DRAFT


def test_the_ratio_is_in_lowest_terms():
    assert staff_ratio(2, 6) == "1:3"
    assert staff_ratio(2, 5) == "2:5"


# --- Approval ---------------------------------------------------------------------------------------------------


def test_a_safeguarding_lead_approves_a_submitted_assessment(worker, lead, engagement):
    assessment = approved(worker, lead, engagement)
    assert assessment.status == Status.APPROVED and assessment.approved_by == lead
    assert risk_assessment_approved(engagement)
    assert AuditEvent.objects.filter(event_type="riskassessment.status_changed", payload__to="approved").exists()


def test_a_safeguarding_lead_cannot_approve_their_own_assessment(lead, engagement):
    assessment = ready(lead, engagement)
    risk_assessment_submit(actor=lead, assessment_id=assessment.pk)
    with pytest.raises(ApplicationError):
        risk_assessment_approve(actor=lead, assessment_id=assessment.pk)
    assert RiskAssessment.objects.get().status == Status.SUBMITTED
    assert not risk_assessment_approved(engagement)


def test_a_lead_who_changed_it_cannot_approve_it(worker, lead, engagement):
    assessment = ready(worker, engagement)
    hazard_add(actor=lead, assessment_id=assessment.pk, hazard="Allergies", control="Menu checked.")
    risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
    with pytest.raises(ApplicationError):
        risk_assessment_approve(actor=lead, assessment_id=assessment.pk)


def test_only_a_safeguarding_lead_approves(worker, member, engagement):
    assessment = ready(worker, engagement)
    risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
    for role in (Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN):
        with pytest.raises(PermissionDenied):
            risk_assessment_approve(actor=member(role), assessment_id=assessment.pk)


def test_a_draft_cannot_be_approved(worker, lead, engagement):
    assessment = ready(worker, engagement)
    with pytest.raises(ApplicationError) as refused:
        risk_assessment_approve(actor=lead, assessment_id=assessment.pk)
    assert refused.value.extra["field"] == "status"


@pytest.mark.parametrize("change", ["update", "add", "remove"])
def test_any_change_after_approval_returns_it_to_draft(worker, lead, engagement, change):
    assessment = approved(worker, lead, engagement)
    if change == "update":
        risk_assessment_update(actor=worker, assessment_id=assessment.pk, travel="Minibus from the station")
    elif change == "add":
        hazard_add(actor=worker, assessment_id=assessment.pk, hazard="Stairs", control="Lift booked.")
    else:
        hazard_remove(actor=worker, assessment_id=assessment.pk, hazard_id=Hazard.objects.first().pk)
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT
    assert assessment.approved_by is None and assessment.approved_at is None
    assert not risk_assessment_approved(engagement)


def test_saving_without_a_change_keeps_the_approval(worker, lead, engagement):
    assessment = approved(worker, lead, engagement)
    risk_assessment_update(actor=worker, assessment_id=assessment.pk, venue=assessment.venue)
    assert risk_assessment_approved(engagement)


def test_a_change_while_waiting_for_approval_returns_it_to_draft(worker, engagement):
    assessment = ready(worker, engagement)
    risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
    risk_assessment_update(actor=worker, assessment_id=assessment.pk, staff_count=2)
    assert RiskAssessment.objects.get().status == Status.DRAFT


def test_a_lead_returns_it_to_draft_with_a_reason(worker, lead, engagement):
    assessment = ready(worker, engagement)
    risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
    with pytest.raises(ApplicationError) as refused:
        risk_assessment_return(actor=lead, assessment_id=assessment.pk, reason="  ")
    assert refused.value.extra["field"] == "reason"
    risk_assessment_return(actor=lead, assessment_id=assessment.pk, reason="Add how people get home.")
    assert RiskAssessment.objects.get().status == Status.DRAFT
    event = AuditEvent.objects.filter(event_type="riskassessment.status_changed").first()
    assert event.payload["reason"] == "Add how people get home." and event.actor == lead


def test_workers_cannot_return_an_assessment(worker, engagement):
    assessment = ready(worker, engagement)
    risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
    with pytest.raises(PermissionDenied):
        risk_assessment_return(actor=worker, assessment_id=assessment.pk, reason="No")


def test_another_partnerships_assessment_is_404(worker, other_partnership):
    theirs = RiskAssessmentFactory(engagement=EngagementFactory(partnership=other_partnership))
    for call in (
        lambda: risk_assessment_update(actor=worker, assessment_id=theirs.pk, venue="x"),
        lambda: risk_assessment_submit(actor=worker, assessment_id=theirs.pk),
        lambda: hazard_add(actor=worker, assessment_id=theirs.pk, hazard="x", control="y"),
        lambda: risk_assessment_create(actor=worker, engagement_id=EngagementFactory(partnership=other_partnership).pk),
    ):
        with pytest.raises(Http404):
            call()


def test_a_hazard_owner_must_be_staff_of_the_partnership(worker, member, engagement, other_partnership):
    assessment = ready(worker, engagement)
    young = member(Role.YOUNG_PERSON)
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    for owner in (young, stranger):
        with pytest.raises(ApplicationError) as refused:
            hazard_add(actor=worker, assessment_id=assessment.pk, hazard="x", control="y", owner_id=owner.pk)
        assert refused.value.extra["field"] == "owner_id"
    hazard = hazard_add(actor=worker, assessment_id=assessment.pk, hazard="x", control="y", owner_id=worker.pk)
    assert hazard.owner == worker


# --- Pages ------------------------------------------------------------------------------------------------------


def test_the_list_puts_waiting_for_approval_first(worker, lead, partnership, login):
    draft = EngagementFactory(partnership=partnership, title="Draft one")
    ready(worker, draft)
    waiting = EngagementFactory(partnership=partnership, title="Waiting one")
    risk_assessment_submit(actor=worker, assessment_id=ready(worker, waiting).pk)
    EngagementFactory(partnership=partnership, title="Nothing yet")
    done = EngagementFactory(partnership=partnership, title="Approved one")
    approved(worker, lead, done)
    body = login(lead).get("/staff/risk-assessments/").content.decode()
    order = [body.index(title) for title in ("Waiting one", "Draft one", "Nothing yet", "Approved one")]
    assert order == sorted(order)


def test_the_list_holds_only_own_partnership(lead, login, other_partnership):
    EngagementFactory(partnership=other_partnership, title="Someone else's panel")
    assert "Someone else's panel" not in login(lead).get("/staff/risk-assessments/").content.decode()


def test_preparing_and_approving_on_the_page(worker, member, engagement, login, client):
    risk_template_save(
        actor=member(Role.SAFEGUARDING_LEAD), opportunity_type=engagement.opportunity_type, hazards=LINES
    )
    url = f"/staff/engagements/{engagement.pk}/risk-assessment/"
    page = login(worker)
    page.post(url, {"action": "create"})
    body = page.get(url).content.decode()
    assert "Upsetting topic" in body and "Not started" not in body
    form = {
        "action": "update",
        "venue": "Youth centre",
        "travel": "",
        "online": "",
        "topic_sensitivity": "high",
        "content_warning": "",
        "staff_count": "2",
        "young_people_count": "8",
        "lone_working_plan": "",
    }
    body = page.post(url, form).content.decode()
    assert "There is a problem" in body and "content warning" in body.lower()
    assert 'value="8"' in body  # what was typed is kept
    page.post(url, {**form, "content_warning": "We talk about exploitation."})
    body = page.get(url).content.decode()
    assert "2 to 8" in body and "(1:4)" in body
    page.post(url, {"action": "submit"})
    assert RiskAssessment.objects.get().status == Status.SUBMITTED

    approver = member(Role.SAFEGUARDING_LEAD)
    page = login(approver)
    page.post(url, {"action": "approve"})
    assert RiskAssessment.objects.get().status == Status.APPROVED


def test_the_page_tells_a_lead_who_prepared_it_to_find_another(lead, engagement, login):
    assessment = ready(lead, engagement)
    risk_assessment_submit(actor=lead, assessment_id=assessment.pk)
    url = f"/staff/engagements/{engagement.pk}/risk-assessment/"
    client = login(lead)
    assert "another safeguarding lead must approve it" in client.get(url).content.decode()
    client.post(url, {"action": "approve"})
    assert RiskAssessment.objects.get().status == Status.SUBMITTED


def test_returning_on_the_page_shows_the_reason(worker, lead, engagement, login):
    assessment = ready(worker, engagement)
    risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
    url = f"/staff/engagements/{engagement.pk}/risk-assessment/"
    body = login(lead).post(url, {"action": "return", "reason": ""}).content.decode()
    assert "There is a problem" in body
    login(lead).post(url, {"action": "return", "reason": "Say who meets people at the door."})
    body = login(worker).get(url).content.decode()
    assert "Say who meets people at the door." in body


def test_another_partnerships_engagement_page_is_404(lead, login, other_partnership):
    theirs = EngagementFactory(partnership=other_partnership)
    client = login(lead)
    url = f"/staff/engagements/{theirs.pk}/risk-assessment/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "create"}).status_code == 404
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.YOUNG_PERSON, Role.SCRUTINY_LEAD])
def test_other_roles_cannot_see_risk_assessments(member, login, engagement, role):
    client = login(member(role))
    assert client.get("/staff/risk-assessments/").status_code == 403
    assert client.get(f"/staff/engagements/{engagement.pk}/risk-assessment/").status_code == 403


def test_the_template_pages(lead, login):
    client = login(lead)
    assert "Focus group" in client.get("/staff/risk-templates/").content.decode()
    url = f"/staff/risk-templates/{OpportunityType.FOCUS_GROUP}/"
    data = {
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "40",
        "lines-0-hazard": "Upsetting topic",
        "lines-0-control": "",
        "lines-1-hazard": "",
        "lines-1-control": "",
        "lines-2-hazard": "",
        "lines-2-control": "",
    }
    body = client.post(url, data).content.decode()
    assert "Line 1: Enter how the hazard is controlled" in body
    client.post(url, {**data, "lines-0-control": "Quiet room."})
    assert RiskAssessmentTemplate.objects.get().hazards == [{"hazard": "Upsetting topic", "control": "Quiet room."}]
    assert client.get("/staff/risk-templates/party/").status_code == 404


def test_workers_cannot_see_templates(worker, login):
    assert login(worker).get("/staff/risk-templates/").status_code == 403


def test_the_list_query_count_does_not_grow(worker, lead, partnership, login):
    client = login(lead)

    def grow(n):
        for _ in range(n):
            assessment = ready(worker, EngagementFactory(partnership=partnership))
            risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
            EngagementFactory(partnership=partnership)

    grow(3)
    client.get("/staff/risk-assessments/")
    with CaptureQueriesContext(connection) as small:
        client.get("/staff/risk-assessments/")
    grow(22)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/staff/risk-assessments/").status_code == 200
    assert len(large) == len(small)


def test_the_assessment_page_query_count_does_not_grow_with_hazards(worker, engagement, login):
    assessment = ready(worker, engagement)
    client = login(worker)
    url = f"/staff/engagements/{engagement.pk}/risk-assessment/"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(30):
        Hazard.objects.create(
            partnership=engagement.partnership, assessment=assessment, hazard=f"h{n}", control="c", owner=worker
        )
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
