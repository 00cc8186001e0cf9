"""`require`: the check a service makes before it acts. The service's check is the one that counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from participants.models import User


def require(actor: User, perm: str, obj: Any = None, message: str | None = None) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message or "You do not have permission to do that.")
