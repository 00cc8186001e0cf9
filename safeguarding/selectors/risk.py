"""Reads of risk assessments and their templates, and the rule can_take_part asks:
`risk_assessment_approved(engagement)`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.models import AuditEvent
from core.permissions import require
from core.selectors import audit_events_for_subject
from core.tenancy import scope
from engagements.models import Engagement, OpportunityType
from participants.models import User
from safeguarding.models import Hazard, RiskAssessment, RiskAssessmentTemplate

Status = RiskAssessment.Status
NOT_STARTED = "not_started"
# Waiting for approval first, then drafts, then engagements with none yet, then approved ones.
LIST_ORDER: dict[str, int] = {Status.SUBMITTED: 0, Status.DRAFT: 1, NOT_STARTED: 2, Status.APPROVED: 3}
LIST_STATUS_CHOICES: list[tuple[str, str]] = [
    (Status.SUBMITTED, Status.SUBMITTED.label),
    (Status.DRAFT, Status.DRAFT.label),
    (NOT_STARTED, "Not started"),
    (Status.APPROVED, Status.APPROVED.label),
]


def risk_assessment_approved(engagement: Engagement) -> bool:
    """Whether the engagement's risk assessment is approved now. can_take_part asks this; nothing is cached, so
    a change that returns it to draft counts at once."""
    return RiskAssessment.objects.filter(engagement_id=engagement.pk, status=Status.APPROVED).exists()


def engagement_get_for_risk(actor: User, engagement_id: int) -> Engagement:
    """An engagement of the actor's partnership, for its risk assessment page (404 for anyone else's)."""
    require(actor, "safeguarding.view_riskassessment")
    engagements = scope(Engagement.objects.select_related("staff_lead"), actor)
    return get_object_or_404(engagements, pk=engagement_id)


def _with_details(assessments: QuerySet[RiskAssessment]) -> QuerySet[RiskAssessment]:
    return assessments.select_related("engagement", "engagement__staff_lead", "prepared_by", "approved_by")


def risk_assessments_visible_to(actor: User, *, status: str | None = None) -> QuerySet[RiskAssessment]:
    """Risk assessments, waiting for approval first, then drafts, then approved; soonest engagement first."""
    require(actor, "safeguarding.view_riskassessment")
    assessments = _with_details(scope(RiskAssessment.objects.all(), actor)).annotate(
        status_rank=Case(
            *[When(status=value, then=Value(rank)) for value, rank in LIST_ORDER.items() if value != NOT_STARTED],
            output_field=IntegerField(),
        )
    )
    if status:
        assessments = assessments.filter(status=status)
    return assessments.order_by("status_rank", "engagement__starts_at", "pk")


def engagements_with_risk_status(actor: User, *, status: str | None = None) -> QuerySet[Engagement]:
    """Every engagement with its risk assessment (or none yet), in the list's order: waiting for approval first,
    then drafts, then not started, then approved; soonest first within each."""
    require(actor, "safeguarding.view_riskassessment")
    engagements = (
        scope(Engagement.objects.select_related("risk_assessment", "staff_lead"), actor)
        .annotate(
            risk_rank=Case(
                When(risk_assessment__isnull=True, then=Value(LIST_ORDER[NOT_STARTED])),
                *[
                    When(risk_assessment__status=value, then=Value(rank))
                    for value, rank in LIST_ORDER.items()
                    if value != NOT_STARTED
                ],
                output_field=IntegerField(),
            )
        )
        .order_by("risk_rank", "starts_at", "pk")
    )
    if status == NOT_STARTED:
        engagements = engagements.filter(risk_assessment__isnull=True)
    elif status:
        engagements = engagements.filter(risk_assessment__status=status)
    return engagements


def risk_assessment_get_for_actor(actor: User, assessment_id: int) -> RiskAssessment:
    require(actor, "safeguarding.view_riskassessment")
    assessments = _with_details(scope(RiskAssessment.objects.all(), actor)).prefetch_related(
        Prefetch("hazards", queryset=Hazard.objects.select_related("owner").order_by("order", "pk"))
    )
    return get_object_or_404(assessments, pk=assessment_id)


def risk_assessment_for_engagement(actor: User, engagement: Engagement) -> RiskAssessment | None:
    """The engagement's assessment with its hazards, or None when none has been started."""
    require(actor, "safeguarding.view_riskassessment", engagement)
    return (
        _with_details(scope(RiskAssessment.objects.all(), actor))
        .prefetch_related(Prefetch("hazards", queryset=Hazard.objects.select_related("owner").order_by("order", "pk")))
        .filter(engagement=engagement)
        .first()
    )


# Audit events that mean "this person wrote some of it": they may not approve it.
AUTHORING_EVENTS = (
    "riskassessment.created",
    "riskassessment.updated",
    "riskassessment.hazard_added",
    "riskassessment.hazard_removed",
)


def risk_assessment_written_by(actor: User, assessment: RiskAssessment) -> bool:
    """Whether the actor prepared, changed or submitted the assessment at any time (so may not approve it)."""
    if assessment.prepared_by_id == actor.pk:
        return True
    return AuditEvent.objects.filter(
        Q(event_type__in=AUTHORING_EVENTS)
        | Q(event_type="riskassessment.status_changed", payload__to=Status.SUBMITTED),
        partnership_id=assessment.partnership_id,
        subject_type=ContentType.objects.get_for_model(RiskAssessment),
        subject_id=str(assessment.pk),
        actor=actor,
    ).exists()


def risk_assessment_last_returned(actor: User, assessment: RiskAssessment) -> AuditEvent | None:
    """The latest time a safeguarding lead returned it to draft with a reason (to show the preparer why)."""
    if not actor.has_perm("safeguarding.view_riskassessment", assessment):
        return None
    return (
        scope(AuditEvent.objects.select_related("actor"), actor)
        .filter(
            subject_type=ContentType.objects.get_for_model(RiskAssessment),
            subject_id=str(assessment.pk),
            event_type="riskassessment.status_changed",
            payload__to=Status.DRAFT,
            payload__has_key="reason",
        )
        .first()
    )


def risk_assessment_history(actor: User, assessment: RiskAssessment) -> QuerySet[AuditEvent] | None:
    """The assessment's history for partnership admins (who read the audit log); None for others."""
    if not actor.has_perm("core.view_auditevent"):
        return None
    return audit_events_for_subject(actor, assessment)


@dataclass(frozen=True)
class TemplateRow:
    opportunity_type: str
    label: str
    template: RiskAssessmentTemplate | None

    @property
    def hazards(self) -> list[dict[str, Any]]:
        return list(self.template.hazards) if self.template else []


def risk_templates_visible_to(actor: User) -> list[TemplateRow]:
    """One row per opportunity type, with the partnership's template for it if there is one."""
    require(actor, "safeguarding.change_risktemplate")
    templates = {t.opportunity_type: t for t in scope(RiskAssessmentTemplate.objects.all(), actor)}
    return [TemplateRow(value, label, templates.get(value)) for value, label in OpportunityType.choices]


def risk_template_for_type(actor: User, opportunity_type: str) -> TemplateRow:
    require(actor, "safeguarding.change_risktemplate")
    if opportunity_type not in OpportunityType.values:
        raise Http404("No such opportunity type.")
    template = scope(RiskAssessmentTemplate.objects.all(), actor).filter(opportunity_type=opportunity_type).first()
    return TemplateRow(opportunity_type, OpportunityType(opportunity_type).label, template)


def staff_ratio(staff_count: int, young_people_count: int) -> str:
    """Staff to young people, in lowest terms: 2 staff and 6 young people is "1:3"."""
    if staff_count < 1 or young_people_count < 1:
        return ""
    divisor = math.gcd(staff_count, young_people_count)
    return f"{staff_count // divisor}:{young_people_count // divisor}"
