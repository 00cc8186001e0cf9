"""How the audit log describes participants' events in plain words (see core.audit.describes)."""

from __future__ import annotations

from collections.abc import Callable

from core.audit import actor_name, describes, register_subject_queryset
from core.models import AuditEvent
from participants.models import Membership, Role

register_subject_queryset(Membership.objects.select_related("user"))


def _roles(values: list[str]) -> str:
    labels = [Role(value).label.lower() for value in values if value in Role.values]
    return " and ".join(labels) or "no role"


@describes("supportsession.created")
def _support_created(event: AuditEvent) -> str:
    return f"{actor_name(event)} recorded a support session."


@describes("supportfollowup.created")
def _support_follow_up(event: AuditEvent) -> str:
    return f"{actor_name(event)} added a support follow-up."


@describes("supportfollowup.status_changed")
def _support_follow_up_done(event: AuditEvent) -> str:
    return f"{actor_name(event)} marked a support follow-up {event.payload.get('to', 'changed')}."


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


_PLAIN = {
    "training.module_created": "created a training module",
    "training.module_updated": "changed a training module",
    "training.session_created": "added a training session",
    "training.booked": "booked a training place",
    "training.record_created": "recorded completed training",
    "training.record_removed": "removed a training record",
    "training.reminder_sent": "sent a training expiry reminder",
    "skill.created": "added a skill to the list",
    "skill.activated": "put a skill back on the list",
    "skill.deactivated": "took a skill off the list",
    "skillclaim.created": "claimed a skill",
    "skillclaim.status_changed": "confirmed or declined a skill",
    "referenceletter.requested": "asked for a reference letter",
    "referenceletter.status_changed": "signed off a reference letter",
}


def _plain(words: str) -> Callable[[AuditEvent], str]:
    def describe(event: AuditEvent) -> str:
        return f"{actor_name(event)} {words}."

    return describe


for _event_type, _words in _PLAIN.items():
    describes(_event_type)(_plain(_words))


# --- Data rights (participants.services.data_rights, docs/data-rights.md): no names, no details ------------------
def _data_rights_events() -> None:
    from core.audit import describe_in_words, describe_status_moves
    from participants.models import DataRequest

    describe_in_words(
        {
            "datarequest.received": "recorded a request about someone's information",
            "person_data.downloaded": "downloaded someone's information",
            "person.erased": "erased someone's information, keeping what must be kept",
            "partnership.retention_changed": "changed the retention settings",
        }
    )
    describe_status_moves({"datarequest.status_changed": ("moved a data request to", dict(DataRequest.Status.choices))})


_data_rights_events()
