"""Reads for the support log, scoped to the actor's partnership.

Two audiences, two shapes: participation workers and safeguarding leads read whole sessions, restricted notes
included; a young person reads their own sessions with the notes never loaded (`defer`), so a template or
serializer cannot show them by mistake. Everyone else is refused.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.permissions import require
from core.tenancy import scope
from participants.models import Membership, Role, SupportFollowUp, SupportSession, User

FollowUpStatus = SupportFollowUp.Status


def can_read_support_notes(actor: User) -> bool:
    return bool(actor.has_perm("participants.view_supportsession"))


def _follow_ups() -> Prefetch[Any]:
    return Prefetch("follow_ups", queryset=SupportFollowUp.objects.select_related("owner").order_by("due_on", "pk"))


def support_sessions_visible_to(actor: User, *, membership_id: int | None = None) -> QuerySet[SupportSession]:
    """Every session in the partnership, with notes: participation workers and safeguarding leads only."""
    require(actor, "participants.view_supportsession")
    sessions = (
        scope(SupportSession.objects.all(), actor)
        .select_related("membership__user", "staff")
        .prefetch_related(_follow_ups())
        .order_by("-held_on", "-pk")
    )
    if membership_id is not None:
        sessions = sessions.filter(membership_id=membership_id)
    return sessions


def support_sessions_for_self(actor: User) -> QuerySet[SupportSession]:
    """A young person's own sessions, without the restricted notes (never loaded from the database)."""
    membership = actor.membership
    if membership is None or Role.YOUNG_PERSON not in actor.roles:
        raise PermissionDenied("Only young people have a support log of their own.")
    return (
        scope(SupportSession.objects.all(), actor)
        .filter(membership=membership)
        .defer("restricted_notes")
        .select_related("membership__user", "staff")
        .prefetch_related(_follow_ups())
        .order_by("-held_on", "-pk")
    )


def support_session_get_for_actor(actor: User, session_id: int) -> SupportSession:
    """One session: with notes for workers and leads, the young person's own without notes; 404 for another
    partnership's (or another young person's); refused for everyone else."""
    if can_read_support_notes(actor):
        return get_object_or_404(support_sessions_visible_to(actor), pk=session_id)
    return get_object_or_404(support_sessions_for_self(actor), pk=session_id)


def support_owners_for(partnership_id: int) -> QuerySet[User]:
    """Who may own a follow-up: active participation workers and safeguarding leads of the partnership."""
    return (
        User.objects.filter(
            memberships__partnership_id=partnership_id,
            memberships__status=Membership.Status.ACTIVE,
            is_active=True,
        )
        .filter(Q(memberships__is_participation_worker=True) | Q(memberships__is_safeguarding_lead=True))
        .distinct()
        .order_by("full_name", "pk")
    )


def support_young_person_get_for_actor(actor: User, membership_id: int) -> Membership:
    require(actor, "participants.view_supportsession")
    memberships = scope(Membership.objects.filter(is_young_person=True), actor).select_related("user")
    return get_object_or_404(memberships, pk=membership_id)


def support_young_people_for(actor: User) -> QuerySet[Membership]:
    require(actor, "participants.view_supportsession")
    return (
        scope(Membership.objects.filter(is_young_person=True, status=Membership.Status.ACTIVE), actor)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


def support_follow_ups_open(actor: User, *, today: datetime.date | None = None) -> QuerySet[SupportFollowUp]:
    """Open follow-ups in the partnership, overdue first (then by due date), each marked `is_overdue`."""
    require(actor, "participants.view_supportsession")
    today = today or timezone.localdate()
    return (
        scope(SupportFollowUp.objects.filter(status=FollowUpStatus.OPEN), actor)
        .select_related("owner", "session__membership__user")
        .defer("session__restricted_notes")
        .annotate(
            is_overdue=Case(
                When(Q(due_on__lt=today), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by("-is_overdue", "due_on", "pk")
    )


def support_follow_ups_for_self(actor: User) -> QuerySet[SupportFollowUp]:
    membership = actor.membership
    if membership is None or Role.YOUNG_PERSON not in actor.roles:
        raise PermissionDenied("Only young people have a support log of their own.")
    return (
        scope(SupportFollowUp.objects.filter(session__membership=membership), actor)
        .select_related("owner")
        .order_by("status", "due_on", "pk")
    )
