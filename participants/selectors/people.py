"""Reads of people and memberships, scoped to the actor's partnership."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from core.permissions import require
from core.tenancy import scope
from participants.models import Membership, Role, User


def memberships_visible_to(
    actor: User,
    *,
    role: str | None = None,
    status: str | None = None,
    search: str | None = None,
    staff_only: bool = False,
) -> QuerySet[Membership]:
    require(actor, "participants.view_membership")
    memberships = scope(Membership.objects.select_related("user", "partnership"), actor)
    if role:
        memberships = memberships.filter(Membership.with_role(role))
    if staff_only:
        memberships = memberships.filter(Membership.with_any_staff_role())
    if status:
        memberships = memberships.filter(status=status)
    if search:
        memberships = memberships.filter(Q(user__full_name__icontains=search) | Q(user__email__icontains=search))
    return memberships.order_by("user__full_name", "pk")


def membership_get_for_actor(actor: User, membership_id: int) -> Membership:
    """404 both for a membership that does not exist and for one of another partnership."""
    membership = get_object_or_404(memberships_visible_to(actor), pk=membership_id)
    return membership


def staff_contacts_for(actor: User) -> QuerySet[Membership]:
    """The participation workers a young person can contact in their partnership."""
    require(actor, "participants.view_staff_contacts")
    return (
        scope(Membership.objects.select_related("user"), actor)
        .filter(Membership.with_role(Role.PARTICIPATION_WORKER), status=Membership.Status.ACTIVE)
        .order_by("user__full_name")
    )
