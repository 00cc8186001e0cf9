"""Reads of onboarding checklists."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from core.permissions import require
from core.tenancy import scope
from participants.models import Membership, OnboardingItem, Role, User


def onboarding_for_self(actor: User) -> list[OnboardingItem]:
    """The young person's own checklist, in the partnership they act in."""
    require(actor, "participants.view_young_person_home")
    if actor.membership is None:
        return []
    return list(OnboardingItem.objects.filter(membership=actor.membership).order_by("order", "pk"))


def onboarding_overview(actor: User, *, only_incomplete: bool = False) -> QuerySet[Membership]:
    """Every young scrutineer with their checklist and how many items are left."""
    require(actor, "participants.view_onboarding")
    memberships = (
        scope(Membership.objects.select_related("user"), actor)
        .filter(Membership.with_role(Role.YOUNG_PERSON), status=Membership.Status.ACTIVE)
        .annotate(
            items_total=Count("onboarding"),
            items_left=Count("onboarding", filter=Q(onboarding__status=OnboardingItem.Status.TO_DO)),
        )
        .prefetch_related(Prefetch("onboarding", queryset=OnboardingItem.objects.order_by("order", "pk")))
        .order_by("-items_left", "user__full_name")
    )
    if only_incomplete:
        memberships = memberships.filter(items_left__gt=0)
    return memberships
