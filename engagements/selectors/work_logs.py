"""Reads for work logs, scoped to the actor's partnership: another partnership's record is a 404.

Young people read only their own logs; participation workers, finance officers and partnership admins read the
partnership's (engagements.view_worklog). A receipt is opened only by its owner, participation workers and finance
officers: for anyone else it is a 404, as it is for another partnership's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.permissions import require
from core.tenancy import scope
from engagements.models import Attendance, Engagement, Expense, WorkLog
from participants.models import Role, User

Status = WorkLog.Status
VIEW_WORKLOG = "engagements.view_worklog"
ADD_WORKLOG = "engagements.add_worklog"
# Who may open a receipt besides its owner.
RECEIPT_ROLES = frozenset({Role.PARTICIPATION_WORKER.value, Role.FINANCE_OFFICER.value})
# A log the young person can still change (or start): none yet, a draft, or one sent back.
TO_LOG = (Status.DRAFT, Status.REJECTED)


def _with_details(logs: QuerySet[WorkLog]) -> QuerySet[WorkLog]:
    """With what a list shows of each log; the expense totals (WorkLog.expenses_total and the rest) add up the
    prefetched expenses."""
    return logs.select_related("engagement", "membership__user", "decided_by").prefetch_related(
        Prefetch("expenses", queryset=Expense.objects.order_by("pk"))
    )


def staff_can_view(actor: User) -> bool:
    return bool(actor.has_perm(VIEW_WORKLOG))


def work_logs_visible_to(
    actor: User, *, status: str | None = None, engagement_id: int | None = None
) -> QuerySet[WorkLog]:
    """Logs the actor may read: the partnership's for workers, finance officers and admins; their own for a young
    person; PermissionDenied for anyone else. Newest first."""
    logs = scope(WorkLog.objects.all(), actor)
    if staff_can_view(actor):
        pass
    elif actor.has_perm(ADD_WORKLOG) and actor.membership is not None:
        logs = logs.filter(membership=actor.membership)
    else:
        raise PermissionDenied("You do not have permission to see work logs.")
    if status:
        logs = logs.filter(status=status)
    if engagement_id is not None:
        logs = logs.filter(engagement_id=engagement_id)
    return _with_details(logs).order_by("-created_at", "-pk")


def work_log_get_for_actor(actor: User, work_log_id: int) -> WorkLog:
    """One log the actor may read (404 for anyone else's, and for another partnership's)."""
    return get_object_or_404(work_logs_visible_to(actor), pk=work_log_id)


def work_log_queue(
    actor: User, *, status: str | None = Status.SUBMITTED, engagement_id: int | None = None
) -> QuerySet[WorkLog]:
    """The staff queue: logs waiting for approval (or of another status, or of one engagement), the longest
    waiting first."""
    require(actor, VIEW_WORKLOG)
    logs = work_logs_visible_to(actor, status=status or None, engagement_id=engagement_id)
    return logs.order_by("submitted_at", "created_at", "pk")


def work_log_queue_engagement(actor: User, engagement_id: int) -> Engagement:
    """The engagement the staff queue is narrowed to (404 for another partnership's, or none)."""
    require(actor, VIEW_WORKLOG)
    return get_object_or_404(scope(Engagement.objects.all(), actor), pk=engagement_id)


def own_work_logs(actor: User) -> QuerySet[WorkLog]:
    """The young person's own logs, newest engagement first."""
    require(actor, ADD_WORKLOG)
    if actor.membership is None:  # pragma: no cover - require() refuses anyone acting in no partnership
        raise PermissionDenied
    logs = scope(WorkLog.objects.filter(membership=actor.membership), actor)
    return _with_details(logs).order_by("-engagement__starts_at", "-pk")


def own_work_log_for_engagement(actor: User, engagement_id: int) -> WorkLog | None:
    return own_work_logs(actor).filter(engagement_id=engagement_id).first()


@dataclass(frozen=True)
class EngagementToLog:
    engagement: Engagement
    work_log: WorkLog | None


def engagements_to_log(actor: User) -> list[EngagementToLog]:
    """Engagements the young person attended (marked present, late or left early) with no log yet, a draft, or
    one sent back: soonest first."""
    require(actor, ADD_WORKLOG)
    membership = actor.membership
    if membership is None:  # pragma: no cover
        raise PermissionDenied
    mine = WorkLog.objects.filter(membership=membership)
    engagements = (
        scope(Engagement.objects.all(), actor)
        .filter(attendance__membership=membership, attendance__status__in=Attendance.ATTENDED)
        .exclude(pk__in=mine.exclude(status__in=TO_LOG).values("engagement_id"))
        .prefetch_related(Prefetch("work_logs", queryset=mine, to_attr="own_logs"))
        .order_by("starts_at", "pk")
    )
    return [EngagementToLog(engagement=e, work_log=e.own_logs[0] if e.own_logs else None) for e in engagements]


def engagement_get_for_logging(actor: User, engagement_id: int) -> Engagement:
    """An engagement the young person was confirmed for, marked at or has a log for (404 for any other)."""
    require(actor, ADD_WORKLOG)
    membership = actor.membership
    if membership is None:  # pragma: no cover
        raise PermissionDenied
    engagements = scope(Engagement.objects.all(), actor).filter(
        Q(attendees=membership) | Q(attendance__membership=membership) | Q(work_logs__membership=membership)
    )
    return get_object_or_404(engagements.distinct(), pk=engagement_id)


def attendance_for(membership_id: int, engagement_id: int) -> Attendance | None:
    return Attendance.objects.filter(engagement_id=engagement_id, membership_id=membership_id).first()


def work_logs_ready_to_claim(actor: User) -> QuerySet[WorkLog]:
    """Approved logs, not yet claimed for payment: the payments side turns each into a claim. Oldest decision
    first. For finance officers (and anyone else who may read the partnership's logs)."""
    if not staff_can_view(actor):
        raise PermissionDenied("You do not have permission to see work logs.")
    return work_logs_visible_to(actor, status=Status.APPROVED).order_by("decided_at", "pk")


def expense_get_for_receipt(actor: User, expense_id: int, *, work_log_id: int | None = None) -> Expense:
    """An expense whose receipt the actor may open: their own, or any in the partnership for participation workers
    and finance officers. 404 for everyone else (and for an expense with no receipt, or, with `work_log_id`, one
    on another log)."""
    expenses = scope(Expense.objects.select_related("work_log"), actor).exclude(receipt="")
    if work_log_id is not None:
        expenses = expenses.filter(work_log_id=work_log_id)
    if actor.roles & RECEIPT_ROLES:
        pass
    elif Role.YOUNG_PERSON in actor.roles and actor.membership is not None:
        expenses = expenses.filter(work_log__membership=actor.membership)
    else:
        expenses = expenses.none()
    return get_object_or_404(expenses, pk=expense_id)
