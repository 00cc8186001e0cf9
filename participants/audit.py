"""How the audit log describes participants' events in plain words (see core.audit.describes)."""

from __future__ import annotations

from core.audit import actor_name, describes, register_subject_queryset
from core.models import AuditEvent
from participants.models import Membership, Role

register_subject_queryset(Membership.objects.select_related("user"))


def _roles(values: list[str]) -> str:
    labels = [Role(value).label.lower() for value in values if value in Role.values]
    return " and ".join(labels) or "no role"


@describes("membership.created")
def _created(event: AuditEvent) -> str:
    membership: Membership = event.subject  # type: ignore[assignment]
    return f"{actor_name(event)} added {membership.user.full_name} as {_roles(event.payload.get('roles', []))}."


@describes("membership.status_changed")
def _status_changed(event: AuditEvent) -> str:
    membership: Membership = event.subject  # type: ignore[assignment]
    verb = "suspended" if event.payload.get("to") == Membership.Status.SUSPENDED else "reactivated"
    reason = event.payload.get("reason")
    text = f"{actor_name(event)} {verb} {membership.user.full_name}'s account."
    return f"{text} Reason: {reason}" if reason else text
