"""Tenant scoping that fails closed.

Every request acts in one partnership. For a browser session it is the one the person last chose (stored in
the session), else the first of their active memberships; for an API token it is the one named by the
`X-Partnership` header, else their only active membership. Until a membership is attached, `user.partnership`
raises PermissionDenied and `user.roles` is empty, so every predicate says no and every scoped query refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from participants.models import Membership, Partnership, User

SESSION_KEY = "active_partnership_id"
HEADER = "HTTP_X_PARTNERSHIP"

M = TypeVar("M", bound=models.Model)


def active_memberships(user: User) -> models.QuerySet[Membership]:
    from participants.models import Membership

    return (
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE, user__is_active=True)
        .select_related("partnership")
        .order_by("partnership__name")
    )


def act_in(user: User, partnership: Partnership | int | None) -> Membership | None:
    """Attach the user's active membership in `partnership` (or their first one when None) to the user."""
    memberships = active_memberships(user)
    if partnership is not None:
        partnership_id = partnership if isinstance(partnership, int) else partnership.pk
        memberships = memberships.filter(partnership_id=partnership_id)
    membership = memberships.first()
    user._active_membership = membership
    return membership


def act_in_slug(user: User, slug: str | None) -> Membership | None:
    """For API clients: the membership named by slug, or the only one when no slug is given."""
    memberships = active_memberships(user)
    if slug:
        memberships = memberships.filter(partnership__slug=slug)
    found = list(memberships[:2])
    membership = found[0] if len(found) == 1 else None
    user._active_membership = membership
    return membership


def scope(queryset: models.QuerySet[M], actor: User, field: str = "partnership") -> models.QuerySet[M]:
    """Filter to the actor's partnership. Raises PermissionDenied if the actor acts in none (fails closed)."""
    return queryset.filter(**{field: actor.partnership})


def switch_partnership(request: HttpRequest, partnership_id: int) -> Membership:
    user: User = request.user  # type: ignore[assignment]
    membership = act_in(user, partnership_id)
    if membership is None:
        raise Http404("No such partnership.")
    request.session[SESSION_KEY] = membership.partnership_id
    return membership


def active_membership_count(user: User) -> int:
    """How many partnerships the person may act in: counted by PartnershipMiddleware's one query when it ran for this
    request (the menu asks on every page), else counted now."""
    seen = user._active_memberships
    return len(seen) if seen is not None else active_memberships(user).count()


class PartnershipMiddleware:
    """Attaches the active membership to request.user for browser sessions (the API base does it for tokens): the one
    chosen in the session, else the first, read with all of the person's active memberships in one query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            wanted = request.session.get(SESSION_KEY)
            memberships = list(active_memberships(user))
            membership = next((m for m in memberships if m.partnership_id == wanted), None) if wanted else None
            if membership is None and memberships:
                membership = memberships[0]
                request.session[SESSION_KEY] = membership.partnership_id
            user._active_membership = membership
            user._active_memberships = memberships
        return self.get_response(request)
