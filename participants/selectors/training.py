"""Reads for training, scoped to the actor's partnership: modules, sessions, records, the matrix, and
`training_gaps` (which engagements use to decide whether a person may take part)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.permissions import require
from core.tenancy import scope
from participants.models import (
    Membership,
    TrainingBooking,
    TrainingModule,
    TrainingRecord,
    TrainingSession,
    User,
)

Attendance = TrainingBooking.Attendance
DUE_SOON_DAYS = 60


class CellStatus:
    DONE = "done"
    DUE_SOON = "due_soon"
    EXPIRED = "expired"
    MISSING = "missing"
    LABELS: dict[str, str] = {DONE: "Done", DUE_SOON: "Due soon", EXPIRED: "Expired", MISSING: "Missing"}


# --- Modules and sessions ----------------------------------------------------------------------------------------


def modules_visible_to(actor: User, *, active_only: bool = False) -> QuerySet[TrainingModule]:
    require(actor, "participants.view_partnership")
    modules = scope(TrainingModule.objects.all(), actor)
    if active_only or not actor.has_perm("participants.change_trainingmodule"):
        modules = modules.filter(is_active=True)
    return modules.order_by("title", "pk")


def module_get_for_actor(actor: User, module_id: int) -> TrainingModule:
    require(actor, "participants.change_trainingmodule")
    return get_object_or_404(scope(TrainingModule.objects.all(), actor), pk=module_id)


def _with_counts(sessions: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    return sessions.select_related("module").annotate(
        booked_count=Count("bookings", filter=~Q(bookings__status=Attendance.CANCELLED))
    )


def sessions_for_module(actor: User, module: TrainingModule) -> QuerySet[TrainingSession]:
    require(actor, "participants.change_trainingmodule", module)
    return _with_counts(scope(TrainingSession.objects.filter(module=module), actor)).order_by("-starts_at")


def session_get_for_actor(actor: User, session_id: int) -> TrainingSession:
    """The session page for workers: the session and its bookings (with each person)."""
    if not actor.has_perm("participants.change_trainingrecord"):
        require(actor, "participants.change_trainingmodule")
    bookings = TrainingBooking.objects.select_related("membership__user").order_by("membership__user__full_name")
    return get_object_or_404(
        _with_counts(scope(TrainingSession.objects.all(), actor)).prefetch_related(Prefetch("bookings", bookings)),
        pk=session_id,
    )


def sessions_upcoming(actor: User) -> QuerySet[TrainingSession]:
    """Sessions of active modules that have not started, for a young person to book."""
    require(actor, "participants.view_partnership")
    return _with_counts(
        scope(TrainingSession.objects.filter(module__is_active=True, starts_at__gt=timezone.now()), actor)
    ).order_by("starts_at", "pk")


# --- Records -----------------------------------------------------------------------------------------------------


def _sees_everyones_records(actor: User) -> bool:
    return bool(
        actor.has_perm("participants.change_trainingrecord") or actor.has_perm("participants.view_training_matrix")
    )


def records_visible_to(actor: User, *, membership_id: int | None = None) -> QuerySet[TrainingRecord]:
    """Workers, admins and safeguarding leads see everyone's; a young person sees their own; others nothing."""
    records = scope(TrainingRecord.objects.all(), actor).select_related(
        "module", "membership__user", "signed_off_by", "session"
    )
    if not _sees_everyones_records(actor):
        require(actor, "participants.book_training")
        records = records.filter(membership=actor.membership)
    if membership_id is not None:
        records = records.filter(membership_id=membership_id)
    return records.order_by("-completed_on", "-pk")


def record_get_for_actor(actor: User, record_id: int) -> TrainingRecord:
    return get_object_or_404(records_visible_to(actor).select_related("partnership"), pk=record_id)


@dataclass
class MyTraining:
    upcoming: list[TrainingSession]
    bookings: list[TrainingBooking]
    records: list[TrainingRecord]
    booked_session_ids: set[int] = field(default_factory=set)


def training_for_self(actor: User) -> MyTraining:
    require(actor, "participants.book_training")
    bookings = list(
        scope(TrainingBooking.objects.filter(membership=actor.membership), actor)
        .select_related("session__module")
        .order_by("-session__starts_at")
    )
    return MyTraining(
        upcoming=list(sessions_upcoming(actor)),
        bookings=bookings,
        records=list(records_visible_to(actor, membership_id=actor.membership.pk if actor.membership else None)),
        booked_session_ids={b.session_id for b in bookings if b.status != Attendance.CANCELLED},
    )


# --- Eligibility ------------------------------------------------------------------------------------------------


def training_gaps(membership: Membership, opportunity_type: str, on: datetime.date) -> list[str]:
    """What the person still needs for this opportunity type on that day, one line per module, e.g.
    "Safeguarding basics: expired on 3 March 2026" or "Section 11 training: not done". Empty: eligible.
    The rule is `training_gaps_many`'s, for one person."""
    return training_gaps_many([membership], opportunity_type, on=on)[membership.pk]


def training_gaps_many(
    memberships: Iterable[Membership], opportunity_type: str, on: datetime.date
) -> dict[int, list[str]]:
    """`training_gaps` for many people at once, by membership id: two queries however many there are (the active
    modules of their partnerships, then their records for the modules this opportunity type needs; one when no
    module is needed). Reads the records every time, nothing is cached."""
    people = {membership.pk: membership for membership in memberships}
    if not people:
        return {}
    partnership_ids = {membership.partnership_id for membership in people.values()}
    required: dict[int, list[TrainingModule]] = defaultdict(list)
    for module in TrainingModule.objects.filter(partnership_id__in=partnership_ids, is_active=True).order_by(
        "title", "pk"
    ):
        if module.is_required_for(opportunity_type):
            required[module.partnership_id].append(module)
    if not required:
        return {pk: [] for pk in people}
    records: dict[tuple[int, int], list[TrainingRecord]] = defaultdict(list)
    module_ids = [module.pk for modules in required.values() for module in modules]
    for record in TrainingRecord.objects.filter(membership_id__in=list(people), module_id__in=module_ids):
        records[(record.membership_id, record.module_id)].append(record)
    return {
        pk: _gaps(required.get(membership.partnership_id, []), records, pk, on) for pk, membership in people.items()
    }


def _gaps(
    modules: list[TrainingModule],
    records: dict[tuple[int, int], list[TrainingRecord]],
    membership_id: int,
    on: datetime.date,
) -> list[str]:
    gaps = []
    for module in modules:
        own = records.get((membership_id, module.pk), [])
        if any(r.counts_on(on) for r in own):
            continue
        expired = [r.expires_on for r in own if r.expires_on is not None and r.expires_on <= on]
        if expired:
            gaps.append(f"{module.title}: expired on {max(expired):%-d %B %Y}")
        else:
            gaps.append(f"{module.title}: not done")
    return gaps


# --- The matrix --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    module: TrainingModule
    status: str
    record: TrainingRecord | None

    @property
    def label(self) -> str:
        return CellStatus.LABELS[self.status]


@dataclass(frozen=True)
class MatrixRow:
    membership: Membership
    cells: list[Cell]


def cell_for(records: Iterable[TrainingRecord], module: TrainingModule, today: datetime.date) -> Cell:
    """The person's best record for the module: the one that counts longest (no expiry beats any date)."""
    done = [r for r in records if r.module_id == module.pk and r.completed_on <= today]
    if not done:
        return Cell(module, CellStatus.MISSING, None)
    best = max(done, key=lambda r: (r.expires_on is None, r.expires_on or r.completed_on, r.completed_on))
    if not best.counts_on(today):
        return Cell(module, CellStatus.EXPIRED, best)
    if best.expires_on is not None and (best.expires_on - today).days <= DUE_SOON_DAYS:
        return Cell(module, CellStatus.DUE_SOON, best)
    return Cell(module, CellStatus.DONE, best)


def training_matrix(
    actor: User, *, module_id: int | None = None, status: str | None = None, today: datetime.date | None = None
) -> tuple[list[TrainingModule], list[MatrixRow]]:
    """Active young people by active modules, in a fixed number of queries whatever the number of people."""
    require(actor, "participants.view_training_matrix")
    today = today or timezone.localdate()
    modules = list(scope(TrainingModule.objects.filter(is_active=True), actor).order_by("title", "pk"))
    if module_id is not None:
        modules = [m for m in modules if m.pk == module_id]
    people = (
        scope(Membership.objects.filter(is_young_person=True, status=Membership.Status.ACTIVE), actor)
        .select_related("user")
        .prefetch_related(
            Prefetch("training", queryset=TrainingRecord.objects.filter(module__in=[m.pk for m in modules]))
        )
        .order_by("user__full_name", "pk")
    )
    rows = []
    for person in people:
        records = list(person.training.all())
        cells = [cell_for(records, module, today) for module in modules]
        if status and not any(cell.status == status for cell in cells):
            continue
        rows.append(MatrixRow(person, cells))
    return modules, rows
