"""Writes for selection: expressions of interest, confirming places (through the gate), the waiting list,
withdrawal and cancellation, and the day-before reminders.

Rules:
- Every move of an Interest goes through core.workflows.transition on a row locked with select_for_update.
- Whenever places are counted the Engagement row is locked first (then the Interest), always in that order, so
  two workers confirming different people for the last place end with exactly one confirmed.
- `Engagement.attendees` is the confirmed set: it is changed here only, in step with CONFIRMED interests.
- The gate (`_gate`): can_take_part must say yes (every reason is given); never more than the engagement's places
  or the number of young people its risk assessment covers; no other confirmed place whose times overlap; and a
  load warning (engagements/selectors/selection.py says what counts) that the worker must acknowledge.
- The waiting list: when a confirmed place frees up (a young person withdraws or a worker cancels a place), the
  person who has waited longest (by when they expressed interest) and who passes the whole gate without a load
  warning is confirmed at once and emailed. Anyone who does not pass stays on the waiting list. One freed place
  confirms at most one person.
- Worker decisions are made while the engagement is a draft or published and has not started (a worker may invite
  people before publishing: invitation-only engagements). Once attendance marking has opened (an hour before the
  start) or someone's attendance is recorded, their place can no longer be given up or cancelled here: the staff
  lead records them absent instead. Nobody withdraws from a cancelled or completed engagement.
- The gate locks the engagement, then the person's Membership row, so two confirmations of the same person for
  overlapping engagements are serialised and the second sees the first's place.
- When a consent the person needs is withdrawn (safeguarding.services.consent), their confirmed places on
  engagements that have not started are checked again with can_take_part in the same transaction; a place they
  can no longer take is cancelled ("Consent withdrawn") and offered to the waiting list
  (`places_review_after_consent_change`).
- Emails go after the transaction commits (transaction.on_commit). A young person's reason for withdrawing, and a
  worker's reason for not selecting someone or cancelling a place, are kept on the interest and are not put in
  the audit log (its payload only says there was one); the withdrawing young person's reason is in no email.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.permissions import require
from core.tasks import send_email_message
from core.workflows import transition
from engagements.models import Attendance, Engagement, Interest, OpportunityTypeSetting
from engagements.selectors.attendance import marking_opens_at
from engagements.selectors.selection import (
    EXPRESS_INTEREST,
    OPEN_FOR_SELECTION,
    SELECT_INTEREST,
    LoadCheck,
    can_move,
    load_check,
    ratio_cap,
    shifts_for,
)
from engagements.services.opportunities import _lock_engagement
from participants.models import Membership, Role, User

Status = Interest.Status
NOTE_MAX = 1000
REASON_MAX = 1000


# --- Small helpers --------------------------------------------------------------------------------------------------


def _time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%-I:%M%p").replace("AM", "am").replace("PM", "pm")


def when(engagement: Engagement) -> str:
    """For example "Tuesday 3 March 2026, 4:30pm to 6:30pm" (Europe/London)."""
    start = timezone.localtime(engagement.starts_at)
    end = timezone.localtime(engagement.ends_at)
    day = start.strftime("%A %-d %B %Y")
    if start.date() == end.date():
        return f"{day}, {_time(start)} to {_time(end)}"
    return f"{day}, {_time(start)} to {end:%A %-d %B %Y}, {_time(end)}"


def _where(engagement: Engagement, *, confirmed: bool) -> str:
    if engagement.is_online:
        link = engagement.online_link if confirmed and engagement.online_link else "we will send you the link"
        online = f"Online: {link}"
        return f"{online}\nand at {engagement.location}" if engagement.location else online
    return engagement.location


def _link(name: str, *args: object) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse(name, args=args)


def _email(to: str, subject: str, body: str) -> None:
    if to:
        transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[to]))


def _clean(text: str, *, field: str, what: str, maximum: int, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ApplicationError(f"Enter {what}.", extra={"field": field})
    if len(text) > maximum:
        raise ApplicationError(
            f"{what[0].upper()}{what[1:]} must be {maximum} characters or fewer (it has {len(text)}).",
            extra={"field": field},
        )
    return text


def _has_started(engagement: Engagement) -> bool:
    return engagement.starts_at <= timezone.now()


def _marking_has_opened(engagement: Engagement, membership_id: int) -> bool:
    """Attendance marking has opened (an hour before the start), or this person's attendance is recorded."""
    if timezone.now() >= marking_opens_at(engagement):
        return True
    return Attendance.objects.filter(engagement=engagement, membership_id=membership_id).exists()


def _check_open_for_selection(engagement: Engagement) -> None:
    if engagement.status not in OPEN_FOR_SELECTION:
        raise ApplicationError(
            f"This engagement is {engagement.get_status_display().lower()}: places can no longer change.",
            extra={"field": "engagement", "reason": "closed"},
        )
    if _has_started(engagement):
        raise ApplicationError(
            "This engagement has already started: places can no longer change.",
            extra={"field": "engagement", "reason": "started"},
        )


def _lock_interest(actor: User, interest_id: int, *, own: bool) -> tuple[Engagement, Interest]:
    """Lock the engagement, then the interest (always in that order). A young person may only reach their own;
    anything of another partnership is a 404, like a missing one."""
    found = Interest.objects.filter(partnership=actor.partnership, pk=interest_id)
    if own:
        found = found.filter(membership=actor.membership)
    engagement_id = found.values_list("engagement_id", flat=True).first()
    if engagement_id is None:
        raise Http404("No such interest.")
    engagement = _lock_engagement(actor, engagement_id)
    interest = get_object_or_404(
        found.filter(engagement=engagement).select_for_update(of=("self",)).select_related("membership__user"),
    )
    return engagement, interest


def _refuse_move(interest: Interest, to: str, message: str) -> None:
    if not can_move(interest, to):
        raise ApplicationError(message, extra={"field": "status", "from": interest.status, "to": to})


# --- Young people: interest and withdrawal --------------------------------------------------------------------------


@transaction.atomic
def interest_express(*, actor: User, engagement_id: int, note: str = "") -> Interest:
    """A young person says they are interested in a published opportunity that has not started, with an optional
    note. Saying it again while the interest is open (or after being confirmed) changes nothing; after withdrawing
    it opens the interest again with the new note."""
    require(actor, EXPRESS_INTEREST)
    visible = Engagement.objects.select_for_update().filter(partnership=actor.partnership)
    engagement = get_object_or_404(visible.exclude(status=Engagement.Status.DRAFT), pk=engagement_id)
    require(actor, EXPRESS_INTEREST, engagement)
    note = _clean(note, field="note", what="your note", maximum=NOTE_MAX)
    membership = actor.membership
    assert membership is not None  # noqa: S101 - require() above needs one
    interest = Interest.objects.select_for_update().filter(engagement=engagement, membership=membership).first()
    if interest is not None and interest.status in (*Interest.OPEN, Status.CONFIRMED):
        return interest
    if engagement.status != Engagement.Status.PUBLISHED or _has_started(engagement):
        raise ApplicationError(
            "This opportunity is closed: it is no longer taking expressions of interest.",
            extra={"field": "engagement", "reason": "closed"},
        )
    if interest is None:
        interest = Interest(partnership=engagement.partnership, engagement=engagement, membership=membership, note=note)
        interest.full_clean()
        interest.save()
        audit_record(
            actor=actor,
            partnership=engagement.partnership,
            subject=interest,
            event_type="interest.expressed",
            payload={"engagement": engagement.pk},
        )
        return interest
    if interest.status == Status.NOT_SELECTED:
        raise ApplicationError(
            "You were not selected for this one. Talk to your participation worker if you have a question.",
            extra={"field": "engagement", "reason": "decided"},
        )
    if interest.status == Status.CANCELLED:
        raise ApplicationError(
            "Your place on this one was cancelled. Talk to your participation worker if you have a question.",
            extra={"field": "engagement", "reason": "decided"},
        )
    interest.note = note
    interest.reason = ""
    interest.created_at = timezone.now()  # asking again joins the queue at the back: the waiting list stays fair
    transition(
        interest,
        to=Status.INTERESTED,
        actor=actor,
        payload={"engagement": engagement.pk},
        extra_update_fields=["note", "reason", "created_at"],
    )
    return interest


@transaction.atomic
def interest_withdraw(*, actor: User, interest_id: int, reason: str = "") -> Interest:
    """A young person withdraws their interest or gives up their place, until attendance marking opens an hour
    before the start. Giving up a place tells the staff lead and offers the place to the waiting list. Nothing to
    withdraw from once the engagement is cancelled or completed."""
    require(actor, EXPRESS_INTEREST)
    engagement, interest = _lock_interest(actor, interest_id, own=True)
    require(actor, EXPRESS_INTEREST, engagement)
    reason = _clean(reason, field="reason", what="your reason", maximum=REASON_MAX)
    if engagement.status == Engagement.Status.CANCELLED:
        raise ApplicationError(
            "This has been cancelled, so there is nothing to withdraw from.",
            extra={"field": "engagement", "reason": "cancelled"},
        )
    if engagement.status == Engagement.Status.COMPLETED:
        raise ApplicationError(
            "This has finished, so you cannot withdraw from it. Talk to your participation worker if something is "
            "not right.",
            extra={"field": "engagement", "reason": "completed"},
        )
    _refuse_move(interest, Status.WITHDRAWN, "There is nothing to withdraw from: no place or interest is open.")
    if _has_started(engagement):
        raise ApplicationError(
            "This has already started. Talk to your participation worker.",
            extra={"field": "engagement", "reason": "started"},
        )
    if _marking_has_opened(engagement, interest.membership_id):
        raise ApplicationError(
            "It starts within the hour, so you cannot withdraw here any more. If you cannot come, please talk to "
            "your participation worker.",
            extra={"field": "engagement", "reason": "marking_open"},
        )
    was_confirmed = interest.status == Status.CONFIRMED
    interest.reason = reason
    transition(
        interest,
        to=Status.WITHDRAWN,
        actor=actor,
        payload={"engagement": engagement.pk, "gave_up_place": was_confirmed},
        extra_update_fields=["reason"],
    )
    if was_confirmed:
        _remove_attendee(actor, engagement, interest, event="withdrew")
        _email_staff_lead_withdrawal(engagement, interest)
        _offer_waiting_list(engagement, freed_by=interest)
    return interest


# --- Workers: confirm, waiting list, not selected, cancel, invite ------------------------------------------------


def not_eligible_lead(name: str) -> str:
    """The start of the gate's refusal, before its reasons: pages show it with the reasons as a list."""
    return f"{name} cannot take part yet"


def not_eligible_message(name: str, reasons: list[str]) -> str:
    """One sentence: "Sam Lee cannot take part yet: No consent to take part; Safeguarding basics: not done."."""
    joined = "; ".join(reason.strip().rstrip(".") for reason in reasons)
    return f"{not_eligible_lead(name)}: {joined}."


def _gate(engagement: Engagement, membership: Membership, *, acknowledge_load: bool) -> LoadCheck:
    """Refuse, naming every reason, unless this person may be confirmed now. Runs on a locked engagement row, so
    the count of places cannot change underneath it. Returns the load figures (for the audit row)."""
    from safeguarding.services.eligibility import can_take_part

    # The person's row next (always after the engagement's): two confirmations of the same person, for two
    # engagements at overlapping times, wait for each other here, so the second sees the first's place. A consent
    # being withdrawn takes the same lock (places_review_after_consent_change), so neither misses the other.
    list(Membership.objects.select_for_update(of=("self",)).filter(pk=membership.pk).values_list("pk", flat=True))
    name = membership.user.full_name
    decision = can_take_part(membership, engagement)
    if not decision.allowed:
        raise ApplicationError(
            not_eligible_message(name, decision.reasons),
            extra={"field": "membership_id", "reason": "not_eligible", "reasons": decision.reasons},
        )
    confirmed = engagement.attendees.count()
    if confirmed >= engagement.places:
        raise ApplicationError(
            f"All {engagement.places} places are taken. Put {name} on the waiting list, or cancel a place first.",
            extra={"field": "membership_id", "reason": "full"},
        )
    cap = ratio_cap(engagement)
    if cap is not None and confirmed + 1 > cap:
        raise ApplicationError(
            f"The risk assessment covers {cap} young people. Update it (and have it approved again) before adding "
            "more.",
            extra={"field": "membership_id", "reason": "ratio"},
        )
    overlapping = (
        Engagement.objects.filter(
            attendees=membership, starts_at__lt=engagement.ends_at, ends_at__gt=engagement.starts_at
        )
        .exclude(pk=engagement.pk)
        .exclude(status=Engagement.Status.CANCELLED)
        .order_by("starts_at")
        .first()
    )
    if overlapping is not None:
        raise ApplicationError(
            f"{name} already has a place on {overlapping.title} ({when(overlapping)}), which overlaps this one.",
            extra={"field": "membership_id", "reason": "overlap", "engagement": overlapping.pk},
        )
    load = load_check(
        shifts_for([membership.pk], engagement).get(membership.pk, []), engagement, engagement.partnership
    )
    if load.passes_limit and not acknowledge_load:
        raise ApplicationError(
            f"Confirming {name} would give them {load.describe()}. Tick to confirm you understand, or choose "
            "someone else.",
            extra={"field": "acknowledge_load", "reason": "load", "load": load.as_payload()},
        )
    return load


def _confirm(
    actor: User | None,
    engagement: Engagement,
    interest: Interest,
    *,
    acknowledge_load: bool,
    freed_by: Interest | None = None,
) -> Interest:
    """Confirm a locked interest on a locked engagement through the gate (`freed_by`: the place it takes came free
    when that interest was withdrawn or cancelled, and the waiting list is filling it)."""
    if interest.status == Status.CONFIRMED:
        return interest
    _refuse_move(
        interest,
        Status.CONFIRMED,
        f"{interest.membership.user.full_name} has withdrawn their interest, so their place cannot be confirmed.",
    )
    _check_open_for_selection(engagement)
    load = _gate(engagement, interest.membership, acknowledge_load=acknowledge_load)
    payload: dict[str, object] = {"engagement": engagement.pk}
    if load.passes_limit:
        payload["load_acknowledged"] = True
        payload["load"] = load.as_payload()
    if freed_by is not None:
        payload["from_waiting_list"] = True
        payload["place_freed_by"] = freed_by.pk
    interest.decided_by = actor
    interest.decided_at = timezone.now()
    interest.reason = ""
    transition(
        interest,
        to=Status.CONFIRMED,
        actor=actor,
        payload=payload,
        extra_update_fields=["decided_by", "decided_at", "reason"],
    )
    engagement.attendees.add(interest.membership)
    audit_record(
        actor=actor,
        partnership=engagement.partnership,
        subject=engagement,
        event_type="engagement.attendee_added",
        payload={"membership": interest.membership_id, "interest": interest.pk},
    )
    _email_confirmed(engagement, interest, from_waiting_list=freed_by is not None)
    return interest


def _remove_attendee(actor: User | None, engagement: Engagement, interest: Interest, *, event: str) -> None:
    engagement.attendees.remove(interest.membership)
    audit_record(
        actor=actor,
        partnership=engagement.partnership,
        subject=engagement,
        event_type="engagement.attendee_removed",
        payload={"membership": interest.membership_id, "interest": interest.pk, "because": event},
    )


def _offer_waiting_list(engagement: Engagement, *, freed_by: Interest) -> Interest | None:
    """The freed place goes to whoever has waited longest and passes the gate (no load warning). Others stay."""
    if engagement.status not in OPEN_FOR_SELECTION or _has_started(engagement):
        return None
    waiting = (
        Interest.objects.select_for_update(of=("self",))
        .select_related("membership__user")
        .filter(engagement=engagement, status=Status.WAITING)
        .order_by("created_at", "pk")
    )
    for interest in waiting:
        try:
            with transaction.atomic():  # a savepoint: a refusal leaves nothing behind
                return _confirm(None, engagement, interest, acknowledge_load=False, freed_by=freed_by)
        except ApplicationError as refused:
            if refused.extra.get("reason") in ("full", "ratio"):
                return None  # no place after all (the limits changed): nobody else can have it either
    return None


def _worker_lock(actor: User, interest_id: int) -> tuple[Engagement, Interest]:
    require(actor, SELECT_INTEREST)
    engagement, interest = _lock_interest(actor, interest_id, own=False)
    require(actor, SELECT_INTEREST, engagement)
    return engagement, interest


@transaction.atomic
def place_confirm(*, actor: User, interest_id: int, acknowledge_load: bool = False) -> Interest:
    """Confirm a place, through the gate. Refused (with every reason) unless can_take_part says yes, a place is free,
    the risk assessment covers one more young person and the person has no overlapping place; a load warning
    unless acknowledge_load (recorded in the audit row). Confirming someone already confirmed changes nothing."""
    engagement, interest = _worker_lock(actor, interest_id)
    return _confirm(actor, engagement, interest, acknowledge_load=acknowledge_load)


@transaction.atomic
def place_waitlist(*, actor: User, interest_id: int) -> Interest:
    """Put someone on the waiting list; they are confirmed automatically when a place frees up and they pass."""
    engagement, interest = _worker_lock(actor, interest_id)
    if interest.status == Status.WAITING:
        return interest
    _refuse_move(
        interest,
        Status.WAITING,
        f"{interest.membership.user.full_name} cannot go on the waiting list from “{interest.get_status_display()}”.",
    )
    _check_open_for_selection(engagement)
    interest.decided_by = actor
    interest.decided_at = timezone.now()
    transition(
        interest,
        to=Status.WAITING,
        actor=actor,
        payload={"engagement": engagement.pk},
        extra_update_fields=["decided_by", "decided_at"],
    )
    user = interest.membership.user
    _email(
        user.email,
        f"You are on the waiting list: {engagement.title}",
        f"Hi {user.get_short_name()},\n\nThank you for saying you are interested in {engagement.title} "
        f"({when(engagement)}). All the places are being filled for now, so you are on the waiting list. If a place "
        "comes up and you can take part, we will give it to you and email you straight away.\n\n"
        f"You can see where you are here:\n{_link('opportunity_detail', engagement.pk)}",
    )
    return interest


@transaction.atomic
def place_decline(*, actor: User, interest_id: int, reason: str) -> Interest:
    """Not selected this time, with a reason the young person sees, and a kind email."""
    engagement, interest = _worker_lock(actor, interest_id)
    reason = _clean(reason, field="reason", what="a reason", maximum=REASON_MAX, required=True)
    _refuse_move(
        interest,
        Status.NOT_SELECTED,
        f"{interest.membership.user.full_name}'s interest is “{interest.get_status_display()}”: "
        "only an open interest can be turned down (cancel a confirmed place instead).",
    )
    _check_open_for_selection(engagement)
    interest.decided_by = actor
    interest.decided_at = timezone.now()
    interest.reason = reason
    transition(
        interest,
        to=Status.NOT_SELECTED,
        actor=actor,
        payload={"engagement": engagement.pk, "has_reason": True},  # the reason stays on the interest
        extra_update_fields=["decided_by", "decided_at", "reason"],
    )
    user = interest.membership.user
    _email(
        user.email,
        f"About {engagement.title}",
        f"Hi {user.get_short_name()},\n\nThank you for saying you wanted to take part in {engagement.title}. We "
        f"could not offer you a place this time.\n\n{reason}\n\nThis is not about you: we share places out so that "
        "everyone gets a turn, and there will be other chances soon. Keep an eye on your opportunities page, and "
        "talk to your participation worker if you would like to know more.\n\n"
        f"{_link('my_engagements')}",
    )
    return interest


@transaction.atomic
def place_cancel(*, actor: User, interest_id: int, reason: str) -> Interest:
    """A worker cancels a confirmed place (before it starts), with a reason; the place goes to the waiting list."""
    engagement, interest = _worker_lock(actor, interest_id)
    reason = _clean(reason, field="reason", what="a reason", maximum=REASON_MAX, required=True)
    _refuse_move(
        interest,
        Status.CANCELLED,
        f"{interest.membership.user.full_name} does not hold a confirmed place, so there is nothing to cancel.",
    )
    if engagement.status not in OPEN_FOR_SELECTION:
        _check_open_for_selection(engagement)
    if _has_started(engagement):
        raise ApplicationError(
            "This engagement has already started: record attendance instead.",
            extra={"field": "engagement", "reason": "started"},
        )
    if _marking_has_opened(engagement, interest.membership_id):
        raise ApplicationError(
            "Attendance marking has opened (an hour before the start), so this place can no longer be cancelled. "
            "If they are not coming, record them as absent on the attendance sheet.",
            extra={"field": "engagement", "reason": "marking_open"},
        )
    interest.decided_by = actor
    interest.decided_at = timezone.now()
    interest.reason = reason
    transition(
        interest,
        to=Status.CANCELLED,
        actor=actor,
        payload={"engagement": engagement.pk, "has_reason": True},  # the reason stays on the interest
        extra_update_fields=["decided_by", "decided_at", "reason"],
    )
    _remove_attendee(actor, engagement, interest, event="cancelled")
    user = interest.membership.user
    _email(
        user.email,
        f"Your place has been cancelled: {engagement.title}",
        f"Hi {user.get_short_name()},\n\nWe are sorry: your place on {engagement.title} ({when(engagement)}) has "
        f"been cancelled.\n\n{reason}\n\nIf you have any questions, talk to your participation worker.",
    )
    _offer_waiting_list(engagement, freed_by=interest)
    return interest


@transaction.atomic
def place_invite(*, actor: User, engagement_id: int, membership_id: int, acknowledge_load: bool = False) -> Interest:
    """Confirm a young person who did not express interest: their interest is created (invited_by the worker) and
    confirmed through the same gate. Nothing is kept if the gate refuses. A young person who withdrew is not
    invited back over their decision."""
    require(actor, SELECT_INTEREST)
    engagement = _lock_engagement(actor, engagement_id)
    require(actor, SELECT_INTEREST, engagement)
    membership = get_object_or_404(
        Membership.objects.select_related("user").filter(partnership=engagement.partnership), pk=membership_id
    )
    if Role.YOUNG_PERSON not in membership.roles or not membership.is_active:
        raise ApplicationError(
            "Only an active young scrutineer can attend an engagement.", extra={"field": "membership_id"}
        )
    interest = (
        Interest.objects.select_for_update(of=("self",))
        .select_related("membership__user")
        .filter(engagement=engagement, membership=membership)
        .first()
    )
    if interest is not None and interest.status == Status.CONFIRMED:
        return interest
    if interest is not None and interest.status == Status.WITHDRAWN:
        raise ApplicationError(
            f"{membership.user.full_name} withdrew from this one. They can say they are interested again.",
            extra={"field": "membership_id", "reason": "withdrawn"},
        )
    if interest is None:
        _check_open_for_selection(engagement)
        interest = Interest(
            partnership=engagement.partnership, engagement=engagement, membership=membership, invited_by=actor
        )
        interest.full_clean()
        interest.save()
        audit_record(
            actor=actor,
            partnership=engagement.partnership,
            subject=interest,
            event_type="interest.invited",
            payload={"engagement": engagement.pk, "membership": membership.pk},
        )
    return _confirm(actor, engagement, interest, acknowledge_load=acknowledge_load)


@transaction.atomic
def engagement_add_attendee(*, actor: User, engagement_id: int, membership_id: int) -> Engagement:
    """Confirm a young scrutineer for an engagement (the older name, kept for its callers). Safe to call twice.
    The same gate as place_invite; a load warning is taken as acknowledged, as before the warning existed."""
    place_invite(actor=actor, engagement_id=engagement_id, membership_id=membership_id, acknowledge_load=True)
    return get_object_or_404(Engagement.objects.filter(partnership=actor.partnership), pk=engagement_id)


# --- System: a consent was withdrawn --------------------------------------------------------------------------------

CONSENT_WITHDRAWN = "Consent withdrawn"


def places_review_after_consent_change(*, membership: Membership, actor: User | None) -> list[Interest]:
    """Check the person's confirmed places again after one of their consents was withdrawn: on every engagement
    that has not started (draft or published), a place can_take_part now refuses is cancelled ("Consent
    withdrawn"), taken out of the confirmed set and offered to the waiting list; the staff lead (or whoever
    confirmed it) and the young person are emailed after commit, without saying which consent or why. Runs inside
    the withdrawal's transaction (it must be in one); `actor` is whoever withdrew (None for a parent's link).
    Returns the places cancelled."""
    from safeguarding.services.eligibility import can_take_part

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("places_review_after_consent_change must run inside the withdrawal's transaction.")
    # The person's row first: a confirmation of them that is under way finishes (and is seen below) or waits until
    # the withdrawal has committed (and then sees it). Engagements are locked only where they hold a place.
    person = Membership.objects.select_for_update(of=("self",)).select_related("user").filter(pk=membership.pk).first()
    if person is None:
        return []
    engagement_ids = list(
        Interest.objects.filter(
            membership=person,
            status=Status.CONFIRMED,
            engagement__status__in=OPEN_FOR_SELECTION,
            engagement__starts_at__gt=timezone.now(),
        )
        .order_by("engagement_id")
        .values_list("engagement_id", flat=True)
    )
    cancelled = []
    for engagement_id in engagement_ids:
        engagement = (
            Engagement.objects.select_for_update(of=("self",))
            .select_related("staff_lead")
            .filter(pk=engagement_id, partnership_id=person.partnership_id)
            .first()
        )
        if engagement is None or engagement.status not in OPEN_FOR_SELECTION or _has_started(engagement):
            continue
        interest = (
            Interest.objects.select_for_update(of=("self",))
            .select_related("decided_by")
            .filter(engagement=engagement, membership=person, status=Status.CONFIRMED)
            .first()
        )
        if interest is None or can_take_part(person, engagement).allowed:
            continue
        interest.membership = person
        confirmed_by = interest.decided_by
        interest.decided_by = None  # nobody decided: the system did, because a consent was withdrawn
        interest.decided_at = timezone.now()
        interest.reason = CONSENT_WITHDRAWN
        transition(
            interest,
            to=Status.CANCELLED,
            actor=actor,
            payload={"engagement": engagement.pk, "because": "consent_withdrawn"},
            extra_update_fields=["decided_by", "decided_at", "reason"],
        )
        _remove_attendee(actor, engagement, interest, event="consent_withdrawn")
        _email_consent_withdrawn(engagement, interest, staff=engagement.staff_lead or confirmed_by)
        _offer_waiting_list(engagement, freed_by=interest)
        cancelled.append(interest)
    return cancelled


# --- Emails ------------------------------------------------------------------------------------------------------


def _briefing(engagement: Engagement) -> str:
    setting = OpportunityTypeSetting.objects.filter(
        partnership_id=engagement.partnership_id, opportunity_type=engagement.opportunity_type
    ).first()
    return setting.briefing_notes.strip() if setting is not None else ""


def _details(engagement: Engagement, *, confirmed: bool) -> str:
    lines = [
        f"What: {engagement.title} ({engagement.get_opportunity_type_display()})",
        f"When: {when(engagement)}",
        f"Where: {_where(engagement, confirmed=confirmed)}",
    ]
    if engagement.staff_lead is not None:
        lines.append(f"Who to ask for: {engagement.staff_lead.full_name}")
    text = "\n".join(lines)
    if engagement.content_warning:
        text += f"\n\nPlease know before you come: {engagement.content_warning.strip()}"
    briefing = _briefing(engagement)
    if briefing:
        text += f"\n\nWhat to expect and what to bring:\n{briefing}"
    if engagement.preparation_minutes:
        text += f"\n\nYou can spend up to {engagement.preparation_minutes} minutes getting ready, and log it as work."
    return text


def _email_confirmed(engagement: Engagement, interest: Interest, *, from_waiting_list: bool) -> None:
    user = interest.membership.user
    opening = (
        "A place has come up, and it is yours: you are confirmed for"
        if from_waiting_list
        else "Good news: you have a place on"
    )
    _email(
        user.email,
        f"You have a place: {engagement.title}",
        f"Hi {user.get_short_name()},\n\n{opening} {engagement.title}.\n\n{_details(engagement, confirmed=True)}"
        "\n\nIf you can no longer come, please withdraw as soon as you can so someone else can have the place:\n"
        f"{_link('opportunity_detail', engagement.pk)}",
    )


def _email_staff_lead_withdrawal(engagement: Engagement, interest: Interest) -> None:
    """To the staff lead (or, when there is none, whoever confirmed the place). The reason stays in the system."""
    lead = engagement.staff_lead or interest.decided_by
    if lead is None:
        return
    _email(
        lead.email,
        f"A young person has given up their place: {engagement.title}",
        f"Hi {lead.get_short_name()},\n\n{interest.membership.user.full_name} has given up their place on "
        f"{engagement.title} ({when(engagement)}). If someone on the waiting list can take part, they have been "
        f"given the place.\n\nSee who is going:\n{_link('engagement_selection', engagement.pk)}",
    )


def _email_consent_withdrawn(engagement: Engagement, interest: Interest, *, staff: User | None) -> None:
    """The young person, kindly; the staff lead (or whoever confirmed the place), without saying which consent or
    why: the consent records hold that, for those who may see them."""
    user = interest.membership.user
    _email(
        user.email,
        f"About your place: {engagement.title}",
        f"Hi {user.get_short_name()},\n\nWe are sorry: your place on {engagement.title} ({when(engagement)}) has "
        "been cancelled, because one of the consents needed to take part has been withdrawn.\n\nYou have not done "
        "anything wrong. If you would like to take part, or have any questions, talk to your participation worker: "
        "they can help you sort it out.\n\n"
        f"{_link('my_engagements')}",
    )
    if staff is None:
        return
    _email(
        staff.email,
        f"A place has been cancelled: {engagement.title}",
        f"Hi {staff.get_short_name()},\n\n{user.full_name}'s place on {engagement.title} ({when(engagement)}) has "
        "been cancelled because a consent was withdrawn. If someone on the waiting list can take part, they have "
        f"been given the place.\n\nSee who is going:\n{_link('engagement_selection', engagement.pk)}",
    )


# --- The day-before reminders ----------------------------------------------------------------------------------


def _tomorrow_range(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tomorrow = today + datetime.timedelta(days=1)
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(tomorrow + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


# Reminded: published engagements, and drafts someone holds a confirmed place on (invited before publishing).
REMINDED = (Engagement.Status.PUBLISHED, Engagement.Status.DRAFT)


def engagement_reminders_run(today: datetime.date | None = None) -> int:
    """Email everyone confirmed for an engagement that starts tomorrow (Europe/London), and its staff lead, once
    for each start time: a conditional update of Interest.reminded_for claims each person's reminder, and an audit
    row (under the engagement's lock) the staff lead's. Published engagements, and drafts with a confirmed place
    (nobody is reminded of a draft nobody holds a place on). Safe to run twice or at the same time; an engagement
    moved to another time is reminded again. Returns how many emails were sent."""
    start, end = _tomorrow_range(today or timezone.localdate())
    ids = list(
        Engagement.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .filter(
            Q(status=Engagement.Status.PUBLISHED)
            | Q(status=Engagement.Status.DRAFT, interests__status=Status.CONFIRMED)
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(_remind(engagement_id) for engagement_id in ids)


@transaction.atomic
def _remind(engagement_id: int) -> int:
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("staff_lead", "partnership")
        .filter(pk=engagement_id, status__in=REMINDED)
        .first()
    )
    if engagement is None:
        return 0
    due = Q(reminded_for__isnull=True) | ~Q(reminded_for=engagement.starts_at)
    sent = 0
    details = _details(engagement, confirmed=True)
    confirmed = list(
        Interest.objects.select_related("membership__user")
        .filter(engagement=engagement, status=Status.CONFIRMED)
        .order_by("membership__user__full_name", "pk")
    )
    if engagement.status == Engagement.Status.DRAFT and not confirmed:
        return 0
    for interest in confirmed:
        claimed = (
            Interest.objects.filter(pk=interest.pk, status=Status.CONFIRMED)
            .filter(due)
            .update(reminded_for=engagement.starts_at)
        )
        if not claimed:
            continue
        user = interest.membership.user
        _email(
            user.email,
            f"Tomorrow: {engagement.title}",
            f"Hi {user.get_short_name()},\n\nA reminder that you have a place on {engagement.title} tomorrow.\n\n"
            f"{details}\n\nIf you can no longer come, please tell us as soon as you can:\n"
            f"{_link('opportunity_detail', engagement.pk)}",
        )
        sent += 1
    lead = engagement.staff_lead
    marker = {"starts_at": engagement.starts_at.isoformat()}
    if lead is not None and not _lead_reminded(engagement, marker["starts_at"]):
        names = "\n".join(f"- {i.membership.user.full_name}" for i in confirmed) or "- Nobody is confirmed yet."
        _email(
            lead.email,
            f"Tomorrow you lead: {engagement.title}",
            f"Hi {lead.get_short_name()},\n\nA reminder that you are the staff lead for {engagement.title} "
            f"tomorrow.\n\nWhen: {when(engagement)}\nWhere: {_where(engagement, confirmed=True)}\n\n"
            f"Confirmed young people ({len(confirmed)}):\n{names}\n\n"
            f"See who is going:\n{_link('engagement_selection', engagement.pk)}",
        )
        audit_record(
            actor=None,
            partnership=engagement.partnership,
            subject=engagement,
            event_type="engagement.reminder_sent",
            payload={**marker, "young_people": sent},
        )
        sent += 1
    return sent


def _lead_reminded(engagement: Engagement, starts_at: str) -> bool:
    """Whether the staff lead was reminded for this start time (the audit row written when they were)."""
    return AuditEvent.objects.filter(
        partnership_id=engagement.partnership_id,
        event_type="engagement.reminder_sent",
        subject_type=ContentType.objects.get_for_model(Engagement),
        subject_id=str(engagement.pk),
        payload__starts_at=starts_at,
    ).exists()
