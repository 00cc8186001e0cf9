"""Reads of wellbeing check-ins and follow-up tasks.

Who reads what:
- workers and safeguarding leads see follow-ups and check-ins (score, a request to talk);
- a check-in's comment is for safeguarding leads, and for the worker the follow-up is assigned to;
- a follow-up note flagged sensitive (a debrief, say) is for safeguarding leads and the worker who holds it.
"""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Case, ExpressionWrapper, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from core.permissions import require
from core.tenancy import scope
from engagements.models import Engagement
from participants.models import Membership, Role, User
from safeguarding.models import FollowUpTask, WellbeingCheckIn

CHECK_IN_WINDOW_DAYS = 30


def is_safeguarding_lead(actor: User) -> bool:
    # There is no permission for "read what a young person wrote" yet; it follows the role (see the report).
    return Role.SAFEGUARDING_LEAD in actor.roles


def checkin_comment_visible(actor: User, task: FollowUpTask | None = None) -> bool:
    if is_safeguarding_lead(actor):
        return True
    return task is not None and task.assigned_to_id == actor.pk


def followup_note_visible(actor: User, task: FollowUpTask) -> bool:
    return not task.sensitive or is_safeguarding_lead(actor) or task.assigned_to_id == actor.pk


def followups_visible_to(
    actor: User, *, now: datetime.datetime, mine_only: bool = False, status: str | None = None
) -> QuerySet[FollowUpTask]:
    """Follow-ups: overdue first, then the rest still to do by due time, then done (latest first)."""
    require(actor, "safeguarding.view_followup")
    tasks = (
        scope(FollowUpTask.objects.all(), actor)
        .select_related("membership__user", "assigned_to", "checkin__engagement")
        .annotate(
            rank=Case(
                When(status=FollowUpTask.Status.OPEN, due_at__lt=now, then=Value(0)),
                When(status=FollowUpTask.Status.OPEN, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            is_overdue=ExpressionWrapper(
                Q(status=FollowUpTask.Status.OPEN, due_at__lt=now), output_field=BooleanField()
            ),
        )
        .order_by("rank", Case(When(rank=2, then="done_at"), default=None).desc(nulls_last=True), "due_at", "pk")
    )
    if mine_only:
        tasks = tasks.filter(assigned_to=actor)
    if status:
        tasks = tasks.filter(status=status)
    return tasks


def followup_get_for_actor(actor: User, task_id: int) -> FollowUpTask:
    require(actor, "safeguarding.view_followup")
    tasks = scope(FollowUpTask.objects.all(), actor).select_related(
        "membership__user", "assigned_to", "checkin__engagement"
    )
    return get_object_or_404(tasks, pk=task_id)


def checkins_visible_to(actor: User) -> QuerySet[WellbeingCheckIn]:
    """Every check-in, newest first, with its follow-up if it made one. Workers and safeguarding leads."""
    require(actor, "safeguarding.view_followup")
    return scope(WellbeingCheckIn.objects.all(), actor).select_related(
        "membership__user", "engagement", "follow_up", "follow_up__assigned_to"
    )


def checkin_engagements_for_self(actor: User, *, now: datetime.datetime) -> QuerySet[Engagement]:
    """The sessions a young person can check in about: ones they attended that started in the last 30 days."""
    require(actor, "safeguarding.check_in")
    return (
        scope(Engagement.objects.all(), actor)
        .filter(
            attendees=actor.membership,
            starts_at__lte=now,
            starts_at__gte=now - datetime.timedelta(days=CHECK_IN_WINDOW_DAYS),
        )
        .order_by("-starts_at", "pk")
    )


def engagement_get_for_debrief(actor: User, engagement_id: int) -> Engagement:
    """An engagement of the actor's partnership, for writing debriefs (404 for another partnership's)."""
    require(actor, "safeguarding.change_followup")
    return get_object_or_404(scope(Engagement.objects.select_related("staff_lead"), actor), pk=engagement_id)


def debrief_attendees(engagement: Engagement) -> list[Membership]:
    return list(engagement.attendees.select_related("user").order_by("user__full_name", "pk"))
