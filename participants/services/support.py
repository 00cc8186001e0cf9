"""The support log: sessions with a young person (1:1s, supervision, mentoring, debriefs, emotional support,
reasonable adjustments), what was agreed, and follow-ups with owners and due dates.

What was discussed (`restricted_notes`) is encrypted at rest and only participation workers and safeguarding
leads read it. It never goes into an audit payload or an email: the audit log and reminders name the session,
its kind and dates only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.permissions import require
from core.tasks import send_email_message
from core.workflows import transition
from participants.models import Membership, SupportFollowUp, SupportSession, User
from participants.selectors.support import support_owners_for

FollowUpStatus = SupportFollowUp.Status


@dataclass(frozen=True)
class FollowUpInput:
    description: str
    owner_id: int
    due_on: datetime.date


def _young_person_for(actor: User, membership_id: int) -> Membership:
    memberships = Membership.objects.filter(partnership=actor.partnership, is_young_person=True)
    return get_object_or_404(memberships, pk=membership_id)


@transaction.atomic
def support_session_create(
    *,
    actor: User,
    membership_id: int,
    kind: str,
    held_on: datetime.date,
    restricted_notes: str = "",
    agreed: str = "",
    follow_ups: Iterable[FollowUpInput] = (),
) -> SupportSession:
    """Record a session held by the actor with a young person of their partnership, with any follow-ups."""
    require(actor, "participants.change_supportsession")
    membership = _young_person_for(actor, membership_id)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date of the session must be today or in the past."})
    session = SupportSession(
        partnership=membership.partnership,
        membership=membership,
        kind=kind,
        held_on=held_on,
        staff=actor,
        restricted_notes=restricted_notes.strip(),
        agreed=agreed.strip(),
    )
    session.full_clean()
    session.save()
    follow_ups = list(follow_ups)
    if follow_ups:
        owners = set(support_owners_for(membership.partnership_id).values_list("pk", flat=True))
        for follow_up in follow_ups:
            _follow_up_add(session, follow_up, owners)
    audit_record(
        actor=actor,
        partnership=session.partnership,
        subject=session,
        event_type="supportsession.created",
        payload={"kind": kind, "held_on": held_on.isoformat(), "follow_ups": len(follow_ups)},
    )
    return session


def _follow_up_add(session: SupportSession, data: FollowUpInput, owners: set[int]) -> SupportFollowUp:
    if data.owner_id not in owners:
        raise ValidationError(
            {"follow_ups": "The owner of a follow-up must be a participation worker or safeguarding lead here."}
        )
    if data.due_on < session.held_on:
        raise ValidationError({"follow_ups": "A follow-up cannot be due before the session was held."})
    follow_up = SupportFollowUp(
        partnership=session.partnership,
        session=session,
        description=data.description.strip(),
        owner_id=data.owner_id,
        due_on=data.due_on,
    )
    try:
        follow_up.full_clean()
    except ValidationError as error:
        raise ValidationError({"follow_ups": error.messages}) from None
    follow_up.save()
    return follow_up


@transaction.atomic
def support_follow_up_add(
    *, actor: User, session_id: int, description: str, owner_id: int, due_on: datetime.date
) -> SupportFollowUp:
    require(actor, "participants.change_supportsession")
    session = get_object_or_404(
        SupportSession.objects.select_for_update().filter(partnership=actor.partnership), pk=session_id
    )
    owners = set(support_owners_for(session.partnership_id).values_list("pk", flat=True))
    follow_up = _follow_up_add(session, FollowUpInput(description, owner_id, due_on), owners)
    audit_record(
        actor=actor,
        partnership=session.partnership,
        subject=follow_up,
        event_type="supportfollowup.created",
        payload={"session": session.pk, "due_on": due_on.isoformat()},
    )
    return follow_up


def _follow_up_move(*, actor: User, follow_up_id: int, to: str) -> SupportFollowUp:
    require(actor, "participants.change_supportsession")
    follow_up = get_object_or_404(
        SupportFollowUp.objects.select_for_update().filter(partnership=actor.partnership), pk=follow_up_id
    )
    follow_up.done_at = timezone.now() if to == FollowUpStatus.DONE else None
    transition(follow_up, to=to, actor=actor, extra_update_fields=["done_at"])
    return follow_up


@transaction.atomic
def support_follow_up_complete(*, actor: User, follow_up_id: int) -> SupportFollowUp:
    return _follow_up_move(actor=actor, follow_up_id=follow_up_id, to=FollowUpStatus.DONE)


@transaction.atomic
def support_follow_up_reopen(*, actor: User, follow_up_id: int) -> SupportFollowUp:
    return _follow_up_move(actor=actor, follow_up_id=follow_up_id, to=FollowUpStatus.OPEN)


@transaction.atomic
def support_follow_up_reminders_run(today: datetime.date | None = None) -> int:
    """Email each owner about their overdue open follow-ups, at most once per follow-up per day (reminded_on).
    Safe to run twice. The email names the young person, the follow-up and its due date: never the notes.
    Returns the number of emails queued. Schedule it daily (Celery beat)."""
    today = today or timezone.localdate()
    due = list(
        SupportFollowUp.objects.select_for_update(of=("self",))
        .filter(status=FollowUpStatus.OPEN, due_on__lt=today)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .select_related("owner", "session__membership__user", "partnership")
        .order_by("owner_id", "due_on", "pk")
    )
    by_owner: dict[int, list[SupportFollowUp]] = defaultdict(list)
    for follow_up in due:
        by_owner[follow_up.owner_id].append(follow_up)
    for follow_ups in by_owner.values():
        owner = follow_ups[0].owner
        lines = "\n".join(
            f"- {f.session.membership.user.full_name} ({f.partnership.name}): {f.description}, due {f.due_on:%d %B %Y}"
            for f in follow_ups
        )
        count = len(follow_ups)
        subject = f"{count} support follow-up{'s' if count != 1 else ''} overdue"
        body = (
            f"Hi {owner.full_name},\n\nThese support follow-ups you own are overdue:\n\n{lines}\n\n"
            "Sign in to Young Scrutineers and open Support to mark them done."
        )
        transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[owner.email]))
    SupportFollowUp.objects.filter(pk__in=[f.pk for f in due]).update(reminded_on=today)
    return len(by_owner)
