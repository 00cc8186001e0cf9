"""Reads of checks on adults (enhanced DBS with the barred list), and the rule other parts ask:
`staff_check_current(membership, on)`.

Status of a member of staff on a day, from their check with the latest renewal date issued on or before that day:
- current: renewal is more than 60 days away;
- due within 60 days: renewal is on a day within the next 60 days;
- lapsed: the renewal date has passed (a check counts up to, not including, its renewal date);
- missing: no check recorded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.shortcuts import get_object_or_404

from core.permissions import require
from core.tenancy import scope
from participants.models import Membership, User
from safeguarding.models import StaffCheck

DUE_SOON_DAYS = 60
REMINDER_DAYS: tuple[int, ...] = (60, 30, 7)


class CheckStatus(models.TextChoices):
    LAPSED = "lapsed", "Lapsed"
    MISSING = "missing", "Missing"
    DUE_SOON = "due_soon", "Due within 60 days"
    CURRENT = "current", "Current"


# Problems first on the list: lapsed, missing, due soon, current.
STATUS_ORDER: dict[str, int] = {status: rank for rank, status in enumerate(CheckStatus.values)}


def mask_certificate(number: str) -> str:
    """Only the last four digits: enough to match a certificate in hand, not enough to reuse it."""
    digits = number.strip()
    return "*" * max(len(digits) - 4, 4) + digits[-4:]


def staff_check_current(membership: Membership, on: datetime.date) -> bool:
    """Whether the member of staff has an enhanced DBS check that counts on `on` (issued on or before it, and
    its renewal date after it). Engagements ask this before naming someone as staff lead."""
    return StaffCheck.objects.filter(membership=membership, issued_on__lte=on, renewal_due_on__gt=on).exists()


def status_on(renewal_due_on: datetime.date | None, today: datetime.date) -> CheckStatus:
    if renewal_due_on is None:
        return CheckStatus.MISSING
    if renewal_due_on <= today:
        return CheckStatus.LAPSED
    if renewal_due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return CheckStatus.DUE_SOON
    return CheckStatus.CURRENT


@dataclass(frozen=True)
class StaffCheckRow:
    membership: Membership
    check: StaffCheck | None
    status: CheckStatus
    days_left: int | None  # until the renewal date (negative once lapsed); None without a check

    @property
    def masked_certificate(self) -> str:
        return mask_certificate(self.check.certificate_number) if self.check else ""


def staff_checks_overview(actor: User, *, today: datetime.date, status: str | None = None) -> QuerySet[Membership]:
    """Every active member of staff, with `check_status` and `check_rank` annotated (problems first), and their
    checks newest first in `checks_newest_first` (one query for the whole page)."""
    require(actor, "safeguarding.view_staffcheck")
    latest_renewal = Subquery(
        StaffCheck.objects.filter(membership=OuterRef("pk"), issued_on__lte=today)
        .order_by("-renewal_due_on", "-pk")
        .values("renewal_due_on")[:1],
        output_field=models.DateField(),
    )
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    conditions = [  # first match wins, as in status_on()
        (Q(latest_renewal__isnull=True), CheckStatus.MISSING),
        (Q(latest_renewal__lte=today), CheckStatus.LAPSED),
        (Q(latest_renewal__lte=soon), CheckStatus.DUE_SOON),
    ]
    memberships = (
        scope(Membership.objects.select_related("user"), actor)
        .filter(Membership.with_any_staff_role(), status=Membership.Status.ACTIVE)
        .annotate(latest_renewal=latest_renewal)
        # The status and its rank come from the same conditions on the latest renewal, not the rank from the status:
        # a rank built on `check_status` repeats the status's CASE (and its subquery) inside every branch.
        .annotate(
            check_status=Case(
                *[When(condition, then=Value(status.value)) for condition, status in conditions],
                default=Value(CheckStatus.CURRENT.value),
                output_field=models.CharField(),
            ),
            check_rank=Case(
                *[When(condition, then=Value(STATUS_ORDER[status])) for condition, status in conditions],
                default=Value(STATUS_ORDER[CheckStatus.CURRENT]),
                output_field=IntegerField(),
            ),
        )
        .prefetch_related(
            Prefetch(
                "staff_checks",
                queryset=StaffCheck.objects.filter(issued_on__lte=today).order_by("-renewal_due_on", "-pk"),
                to_attr="checks_newest_first",
            )
        )
        .order_by("check_rank", "latest_renewal", "user__full_name", "pk")
    )
    if status:
        memberships = memberships.filter(check_rank=STATUS_ORDER.get(status, -1))  # an unknown status: none
    return memberships


def staff_check_rows(memberships: list[Membership], today: datetime.date) -> list[StaffCheckRow]:
    """One row per member of staff (from `staff_checks_overview`): their latest check and its status."""
    rows = []
    for membership in memberships:
        checks: list[StaffCheck] = getattr(membership, "checks_newest_first", [])
        check = checks[0] if checks else None
        rows.append(
            StaffCheckRow(
                membership=membership,
                check=check,
                status=status_on(check.renewal_due_on if check else None, today),
                days_left=(check.renewal_due_on - today).days if check else None,
            )
        )
    return rows


def staff_member_get_for_checks(actor: User, membership_id: int) -> Membership:
    """A member of staff of the actor's partnership (404 for anyone else, or another partnership's)."""
    require(actor, "safeguarding.view_staffcheck")
    memberships = scope(Membership.objects.select_related("user"), actor).filter(Membership.with_any_staff_role())
    return get_object_or_404(memberships, pk=membership_id)


def staff_checks_for_member(actor: User, membership: Membership) -> QuerySet[StaffCheck]:
    """Every check recorded for one member of staff, newest renewal first."""
    require(actor, "safeguarding.view_staffcheck", membership)
    return (
        scope(StaffCheck.objects.select_related("recorded_by"), actor)
        .filter(membership=membership)
        .order_by("-renewal_due_on", "-pk")
    )


def staff_check_get_for_actor(actor: User, staff_check_id: int) -> StaffCheck:
    require(actor, "safeguarding.view_staffcheck")
    checks = scope(StaffCheck.objects.select_related("membership__user"), actor)
    return get_object_or_404(checks, pk=staff_check_id)
