"""Risk assessments for engagements: templates per opportunity type, an assessment pre-filled from its template,
hazards with controls and owners, and the approval workflow (draft -> submitted -> approved, or back to draft).

Rules:
- Only a safeguarding lead approves, and never someone who prepared or changed the assessment (four eyes).
- Any change to a submitted or approved assessment returns it to draft: an approval always covers exactly what
  the approver read.
- A lead can return a submitted (or approved) assessment to draft with a reason.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.workflows import transition
from engagements.models import Engagement, OpportunityType
from participants.models import Membership, User
from safeguarding.models import Hazard, RiskAssessment, RiskAssessmentTemplate
from safeguarding.selectors.risk import risk_assessment_written_by

Status = RiskAssessment.Status
Sensitivity = RiskAssessment.Sensitivity

HAZARD_MAX = 300
CONTROL_MAX = 2000
TEMPLATE_LINES_MAX = 40
TEXT_FIELDS = ("venue", "travel", "online", "content_warning", "lone_working_plan")


# --- Templates ----------------------------------------------------------------------------------------------------


def _clean_lines(hazards: list[dict[str, Any]]) -> list[dict[str, str]]:
    lines: list[dict[str, str]] = []
    for number, line in enumerate(hazards, start=1):
        hazard = str(line.get("hazard") or "").strip()
        control = str(line.get("control") or "").strip()
        if not hazard and not control:
            continue
        if not hazard or not control:
            raise ApplicationError(
                f"Line {number}: enter both the hazard and how it is controlled.", extra={"field": "hazards"}
            )
        if len(hazard) > HAZARD_MAX or len(control) > CONTROL_MAX:
            raise ApplicationError(
                f"Line {number}: a hazard must be {HAZARD_MAX} characters or fewer and a control "
                f"{CONTROL_MAX} or fewer.",
                extra={"field": "hazards"},
            )
        lines.append({"hazard": hazard, "control": control})
    if len(lines) > TEMPLATE_LINES_MAX:
        raise ApplicationError(f"A template can have up to {TEMPLATE_LINES_MAX} lines.", extra={"field": "hazards"})
    return lines


@transaction.atomic
def risk_template_save(*, actor: User, opportunity_type: str, hazards: list[dict[str, Any]]) -> RiskAssessmentTemplate:
    """Set the hazard and control lines a new risk assessment for this type of opportunity starts with."""
    require(actor, "safeguarding.change_risktemplate")
    if opportunity_type not in OpportunityType.values:
        raise ApplicationError("Choose a type of opportunity.", extra={"field": "opportunity_type"})
    lines = _clean_lines(hazards)
    template = (
        RiskAssessmentTemplate.objects.select_for_update()
        .filter(partnership=actor.partnership, opportunity_type=opportunity_type)
        .first()
    )
    if template is None:
        template = RiskAssessmentTemplate(partnership=actor.partnership, opportunity_type=opportunity_type)
    template.hazards = lines
    template.updated_at = timezone.now()
    template.full_clean()
    template.save()
    audit_record(
        actor=actor,
        partnership=template.partnership,
        subject=template,
        event_type="risktemplate.saved",
        payload={"opportunity_type": opportunity_type, "lines": len(lines)},
    )
    return template


# --- Assessments --------------------------------------------------------------------------------------------------


def _lock(actor: User, assessment_id: int) -> RiskAssessment:
    """Lock the row; another partnership's assessment is a 404, exactly like a missing one."""
    locked = RiskAssessment.objects.select_for_update().select_related("engagement")
    return get_object_or_404(locked.filter(partnership=actor.partnership), pk=assessment_id)


def _staff_user(partnership_id: int, user_id: int, field: str) -> User:
    membership = (
        Membership.objects.select_related("user")
        .filter(
            Membership.with_any_staff_role(),
            partnership_id=partnership_id,
            user_id=user_id,
            status=Membership.Status.ACTIVE,
        )
        .first()
    )
    if membership is None:
        raise ApplicationError("Choose a member of staff in this partnership.", extra={"field": field})
    return membership.user


def _reopen_if_needed(assessment: RiskAssessment, actor: User, changed: list[str]) -> None:
    """A change to a submitted or approved assessment puts it back to draft (and clears the approval)."""
    if assessment.status == Status.DRAFT:
        return
    why = "changed after approval" if assessment.status == Status.APPROVED else "changed while waiting for approval"
    assessment.approved_by = None
    assessment.approved_at = None
    transition(
        assessment,
        to=Status.DRAFT,
        actor=actor,
        payload={"reason": why, "automatic": True, "fields": changed},
        extra_update_fields=["approved_by", "approved_at"],
    )


def _check_consistent(assessment: RiskAssessment) -> None:
    if assessment.topic_sensitivity != Sensitivity.LOW and not assessment.content_warning.strip():
        raise ApplicationError(
            "Write a content warning: the topic is marked as sensitive, so young people need to know what to "
            "expect before they agree to take part.",
            extra={"field": "content_warning"},
        )
    if assessment.lone_working and not assessment.lone_working_plan.strip():
        raise ApplicationError(
            "Write the lone working plan: who knows where the worker is, and how they check in.",
            extra={"field": "lone_working_plan"},
        )
    if assessment.staff_count < 1:
        raise ApplicationError("At least one member of staff must be there.", extra={"field": "staff_count"})
    if assessment.young_people_count < 1:
        raise ApplicationError("Enter how many young people will take part.", extra={"field": "young_people_count"})


@transaction.atomic
def risk_assessment_create(*, actor: User, engagement_id: int) -> RiskAssessment:
    """Start the engagement's risk assessment, pre-filled from the engagement and its type's template."""
    require(actor, "safeguarding.change_riskassessment")
    engagement = get_object_or_404(
        Engagement.objects.select_for_update().filter(partnership=actor.partnership), pk=engagement_id
    )
    require(actor, "safeguarding.change_riskassessment", engagement)
    if RiskAssessment.objects.filter(engagement=engagement).exists():
        raise ApplicationError("This engagement already has a risk assessment.", extra={"field": "engagement_id"})
    template = RiskAssessmentTemplate.objects.filter(
        partnership=engagement.partnership, opportunity_type=engagement.opportunity_type
    ).first()
    assessment = RiskAssessment(
        partnership=engagement.partnership,
        engagement=engagement,
        venue=engagement.location,
        online="This session takes place online." if engagement.is_online else "",
        staff_count=1,
        young_people_count=max(engagement.attendees.count(), 1),
        prepared_by=actor,
    )
    assessment.full_clean()
    assessment.save()
    lines = template.hazards if template else []
    Hazard.objects.bulk_create(
        [
            Hazard(
                partnership=engagement.partnership,
                assessment=assessment,
                hazard=line["hazard"],
                control=line["control"],
                order=order,
            )
            for order, line in enumerate(lines)
        ]
    )
    audit_record(
        actor=actor,
        partnership=assessment.partnership,
        subject=assessment,
        event_type="riskassessment.created",
        payload={"engagement": engagement.pk, "from_template": template is not None, "hazards": len(lines)},
    )
    return assessment


@transaction.atomic
def risk_assessment_update(
    *,
    actor: User,
    assessment_id: int,
    venue: str | None = None,
    travel: str | None = None,
    online: str | None = None,
    topic_sensitivity: str | None = None,
    content_warning: str | None = None,
    staff_count: int | None = None,
    young_people_count: int | None = None,
    lone_working: bool | None = None,
    lone_working_plan: str | None = None,
) -> RiskAssessment:
    """Change any of the assessment's fields (None leaves a field as it is). A change to a submitted or approved
    assessment returns it to draft."""
    require(actor, "safeguarding.change_riskassessment")
    assessment = _lock(actor, assessment_id)
    require(actor, "safeguarding.change_riskassessment", assessment)
    wanted: dict[str, Any] = {
        "venue": venue,
        "travel": travel,
        "online": online,
        "topic_sensitivity": topic_sensitivity,
        "content_warning": content_warning,
        "staff_count": staff_count,
        "young_people_count": young_people_count,
        "lone_working": lone_working,
        "lone_working_plan": lone_working_plan,
    }
    if topic_sensitivity is not None and topic_sensitivity not in Sensitivity.values:
        raise ApplicationError("Choose low, medium or high.", extra={"field": "topic_sensitivity"})
    changed: list[str] = []
    for name, value in wanted.items():
        if value is None:
            continue
        if name in TEXT_FIELDS:
            value = str(value).strip()
        if getattr(assessment, name) != value:
            setattr(assessment, name, value)
            changed.append(name)
    if not changed:
        return assessment
    _check_consistent(assessment)
    assessment.updated_at = timezone.now()
    assessment.full_clean()
    _reopen_if_needed(assessment, actor, changed)
    assessment.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        partnership=assessment.partnership,
        subject=assessment,
        event_type="riskassessment.updated",
        payload={"fields": changed},
    )
    return assessment


@transaction.atomic
def hazard_add(*, actor: User, assessment_id: int, hazard: str, control: str, owner_id: int | None = None) -> Hazard:
    require(actor, "safeguarding.change_riskassessment")
    assessment = _lock(actor, assessment_id)
    require(actor, "safeguarding.change_riskassessment", assessment)
    hazard = hazard.strip()
    control = control.strip()
    if not hazard:
        raise ApplicationError("Enter the hazard.", extra={"field": "hazard"})
    if len(hazard) > HAZARD_MAX:
        raise ApplicationError(f"The hazard must be {HAZARD_MAX} characters or fewer.", extra={"field": "hazard"})
    if not control:
        raise ApplicationError("Enter how the hazard is controlled.", extra={"field": "control"})
    owner = _staff_user(assessment.partnership_id, owner_id, "owner_id") if owner_id else None
    order = (assessment.hazards.aggregate(last=Max("order"))["last"] or 0) + 1
    row = Hazard(
        partnership=assessment.partnership,
        assessment=assessment,
        hazard=hazard,
        control=control,
        owner=owner,
        order=order,
    )
    row.full_clean()
    _reopen_if_needed(assessment, actor, ["hazards"])
    row.save()
    assessment.updated_at = timezone.now()
    assessment.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        partnership=assessment.partnership,
        subject=assessment,
        event_type="riskassessment.hazard_added",
        payload={"hazard": row.pk},
    )
    return row


@transaction.atomic
def hazard_remove(*, actor: User, assessment_id: int, hazard_id: int) -> RiskAssessment:
    require(actor, "safeguarding.change_riskassessment")
    assessment = _lock(actor, assessment_id)
    require(actor, "safeguarding.change_riskassessment", assessment)
    row = get_object_or_404(Hazard.objects.filter(assessment=assessment), pk=hazard_id)
    _reopen_if_needed(assessment, actor, ["hazards"])
    row.delete()
    assessment.updated_at = timezone.now()
    assessment.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        partnership=assessment.partnership,
        subject=assessment,
        event_type="riskassessment.hazard_removed",
        payload={"hazard": hazard_id},
    )
    return assessment


@transaction.atomic
def risk_assessment_submit(*, actor: User, assessment_id: int) -> RiskAssessment:
    """Send a draft to the safeguarding leads for approval, once it is complete."""
    require(actor, "safeguarding.change_riskassessment")
    assessment = _lock(actor, assessment_id)
    require(actor, "safeguarding.change_riskassessment", assessment)
    if assessment.status == Status.DRAFT:  # let transition() name any other state
        if not assessment.engagement.is_online and not assessment.venue.strip():
            raise ApplicationError("Describe the venue.", extra={"field": "venue"})
        if assessment.engagement.is_online and not assessment.online.strip():
            raise ApplicationError("Say how the online part is kept safe.", extra={"field": "online"})
        _check_consistent(assessment)
        if not assessment.hazards.exists():
            raise ApplicationError("Add at least one hazard and how it is controlled.", extra={"field": "hazard"})
    transition(assessment, to=Status.SUBMITTED, actor=actor)
    return assessment


@transaction.atomic
def risk_assessment_approve(*, actor: User, assessment_id: int) -> RiskAssessment:
    """A safeguarding lead approves a submitted assessment that they did not prepare, change or submit."""
    require(actor, "safeguarding.approve_riskassessment")
    assessment = _lock(actor, assessment_id)
    require(actor, "safeguarding.approve_riskassessment", assessment, "Only a safeguarding lead can approve this.")
    if risk_assessment_written_by(actor, assessment):
        raise ApplicationError(
            "You prepared or changed this risk assessment, so another safeguarding lead must approve it.",
            extra={"field": "approved_by"},
        )
    assessment.approved_by = actor
    assessment.approved_at = timezone.now()
    transition(assessment, to=Status.APPROVED, actor=actor, extra_update_fields=["approved_by", "approved_at"])
    return assessment


@transaction.atomic
def risk_assessment_return(*, actor: User, assessment_id: int, reason: str) -> RiskAssessment:
    """A safeguarding lead sends a submitted (or approved) assessment back to draft, saying why."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say what needs to change.", extra={"field": "reason"})
    if len(reason) > 1000:
        raise ApplicationError("The reason must be 1000 characters or fewer.", extra={"field": "reason"})
    require(actor, "safeguarding.approve_riskassessment")
    assessment = _lock(actor, assessment_id)
    require(actor, "safeguarding.approve_riskassessment", assessment, "Only a safeguarding lead can return this.")
    assessment.approved_by = None
    assessment.approved_at = None
    transition(
        assessment,
        to=Status.DRAFT,
        actor=actor,
        payload={"reason": reason},
        extra_update_fields=["approved_by", "approved_at"],
    )
    return assessment
