"""Wellbeing after sessions, and care details.

- A young person checks in (how they feel 1-5, "I'd like to talk to someone", an optional comment). A score of
  1 or 2, or a request to talk, creates a follow-up task for a named worker, due within 24 hours, and emails that
  worker (with no comment, score or name in the email: they read it signed in).
- Workers mark follow-ups done with a note (encrypted), which they can flag sensitive.
- A debrief after a session is modelled as a follow-up that is done when it is written: the young person, the
  worker who held it, "Debrief after <engagement>", the note (encrypted) and the sensitive flag. (FollowUpTask has
  no engagement column: the engagement is in the audit row's payload and in the reason. See the report.)
- Care details: the young person updates their own access needs, health information and emergency contact; an
  engagement's staff lead opens them for the attendees around the engagement's date (each opening is recorded).
"""

from __future__ import annotations

import datetime
import logging
import re
from functools import partial

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tasks import send_email_message
from core.tenancy import scope
from core.workflows import transition
from engagements.models import Engagement
from participants.models import Membership, OnboardingItem, Role, User, YoungPersonProfile
from participants.services.onboarding import onboarding_item_record
from safeguarding.models import FollowUpTask, WellbeingCheckIn
from safeguarding.selectors.care import CareSheet, care_details_for_engagement

logger = logging.getLogger(__name__)

LOW_SCORE = 2
FOLLOW_UP_WITHIN = datetime.timedelta(hours=24)
COMMENT_MAX = 2000
NOTE_MAX = 5000
CARE_TEXT_MAX = 2000
EMERGENCY_CONTACT_ITEM = "safeguarding.emergency_contact"
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


# --- Check-ins ----------------------------------------------------------------------------------------------------


def _active_staff(partnership_id: int, role: str) -> User | None:
    membership = (
        Membership.objects.select_related("user")
        .filter(
            Membership.with_role(role),
            partnership_id=partnership_id,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
        )
        .order_by("user__full_name", "pk")
        .first()
    )
    return membership.user if membership else None


def follow_up_worker_for(partnership_id: int, engagement: Engagement | None) -> User | None:
    """Who a follow-up goes to: the engagement's staff lead if they are still an active worker or lead here, else
    the partnership's first active participation worker by name (then a safeguarding lead, so a
    request to talk is never left with nobody)."""
    if engagement is not None and engagement.staff_lead_id:
        still_here = Membership.objects.filter(
            Membership.with_role(Role.PARTICIPATION_WORKER) | Membership.with_role(Role.SAFEGUARDING_LEAD),
            partnership_id=partnership_id,
            user_id=engagement.staff_lead_id,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
        ).exists()
        if still_here and engagement.staff_lead is not None:
            return engagement.staff_lead
    # Only people who can open a follow-up (workers and safeguarding leads) are ever given one.
    for role in (Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD):
        worker = _active_staff(partnership_id, role)
        if worker is not None:
            return worker
    return None


def follow_up_reason(score: int, wants_to_talk: bool) -> str:
    parts = []
    if score <= LOW_SCORE:
        parts.append(f"Felt {score} out of 5")
    if wants_to_talk:
        parts.append("asked to talk to someone" if parts else "Asked to talk to someone")
    return " and ".join(parts) + " after a session" if parts else ""


@transaction.atomic
def checkin_create(
    *,
    actor: User,
    score: int,
    wants_to_talk: bool = False,
    comment: str = "",
    engagement_id: int | None = None,
    now: datetime.datetime | None = None,
) -> WellbeingCheckIn:
    """A young person's check-in. A score of 1 or 2, or a request to talk, creates a follow-up for a named worker
    due within 24 hours, and emails that worker after the transaction commits."""
    require(actor, "safeguarding.check_in")
    now = now or timezone.now()
    membership = actor.membership
    if membership is None:  # require() already refuses anyone acting in no partnership
        raise ApplicationError("You are not part of a partnership.")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ApplicationError("Choose how you feel, from 1 to 5.", extra={"field": "score"})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ApplicationError(f"Your comment must be {COMMENT_MAX} characters or fewer.", extra={"field": "comment"})
    engagement = None
    if engagement_id is not None:
        engagement = (
            scope(Engagement.objects.select_related("staff_lead"), actor)
            .filter(pk=engagement_id, attendees=membership)
            .first()
        )
        if engagement is None:
            raise ApplicationError("Choose a session you went to.", extra={"field": "engagement_id"})
        if engagement.starts_at > now:
            raise ApplicationError(
                "You can check in about a session once it has started.", extra={"field": "engagement_id"}
            )
    checkin = WellbeingCheckIn(
        partnership=membership.partnership,
        membership=membership,
        engagement=engagement,
        score=score,
        wants_to_talk=wants_to_talk,
        comment=comment,
        created_at=now,
    )
    checkin.full_clean()
    checkin.save()
    audit_record(actor=actor, partnership=checkin.partnership, subject=checkin, event_type="wellbeingcheckin.created")
    if score <= LOW_SCORE or wants_to_talk:
        _follow_up_create(checkin, engagement, now)
    return checkin


def _follow_up_create(checkin: WellbeingCheckIn, engagement: Engagement | None, now: datetime.datetime) -> None:
    worker = follow_up_worker_for(checkin.partnership_id, engagement)
    if worker is None:
        # A partnership with no active staff at all: keep the check-in, and tell the operators (ids only).
        logger.error("No worker to follow up a wellbeing check-in", extra={"checkin": checkin.pk})
        return
    task = FollowUpTask(
        partnership=checkin.partnership,
        membership=checkin.membership,
        checkin=checkin,
        assigned_to=worker,
        reason=follow_up_reason(checkin.score, checkin.wants_to_talk),
        due_at=now + FOLLOW_UP_WITHIN,
        created_at=now,
    )
    task.full_clean()
    task.save()
    audit_record(
        actor=None,
        partnership=task.partnership,
        subject=task,
        event_type="followuptask.created",
        payload={"assigned_to": worker.pk, "due_at": task.due_at.isoformat()},
    )
    _email_follow_up(task, worker)


def _email_follow_up(task: FollowUpTask, worker: User) -> None:
    """Only what the worker needs to act: that there is a follow-up and when it is due. Nothing the young person
    wrote, no score and no name: the worker reads those signed in."""
    due = timezone.localtime(task.due_at).strftime("%-I:%M%p on %A %-d %B").replace("AM", "am").replace("PM", "pm")
    link = str(settings.SITE_URL).rstrip("/") + reverse("followup_detail", args=[task.pk])
    subject = "A young person needs a follow-up from you"
    body = (
        f"Hi {worker.get_short_name()},\n\nA young scrutineer's check-in after a session needs a follow-up from you "
        f"by {due}.\n\nSign in to see it and mark it done:\n{link}"
    )
    transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[worker.email]))


# --- Follow-ups and debriefs --------------------------------------------------------------------------------------


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ApplicationError("Write a note of what happened.", extra={"field": "note"})
    if len(note) > NOTE_MAX:
        raise ApplicationError(f"The note must be {NOTE_MAX} characters or fewer.", extra={"field": "note"})
    return note


@transaction.atomic
def followup_complete(
    *, actor: User, task_id: int, note: str, sensitive: bool = False, now: datetime.datetime | None = None
) -> FollowUpTask:
    """Mark a follow-up done with a note (encrypted at rest; the audit row holds no text)."""
    require(actor, "safeguarding.change_followup")
    note = _clean_note(note)
    task = get_object_or_404(FollowUpTask.objects.select_for_update().filter(partnership=actor.partnership), pk=task_id)
    require(actor, "safeguarding.change_followup", task)
    task.note = note
    task.sensitive = sensitive
    task.done_at = now or timezone.now()
    transition(
        task,
        to=FollowUpTask.Status.DONE,
        actor=actor,
        payload={"sensitive": sensitive},
        extra_update_fields=["note", "sensitive", "done_at"],
    )
    return task


@transaction.atomic
def debrief_record(
    *,
    actor: User,
    engagement_id: int,
    membership_id: int,
    note: str,
    sensitive: bool = False,
    now: datetime.datetime | None = None,
) -> FollowUpTask:
    """A worker's debrief note with a young person after a session they attended: a follow-up done as it is
    written, held by the worker. Flag it sensitive to keep the note to safeguarding leads and its writer."""
    require(actor, "safeguarding.change_followup")
    now = now or timezone.now()
    note = _clean_note(note)
    engagement = get_object_or_404(scope(Engagement.objects.all(), actor), pk=engagement_id)
    if engagement.starts_at > now:
        raise ApplicationError("A debrief is written after the session has started.", extra={"field": "note"})
    membership = engagement.attendees.filter(pk=membership_id, partnership=engagement.partnership).first()
    if membership is None:
        raise ApplicationError("Choose someone who attended this session.", extra={"field": "membership_id"})
    task = FollowUpTask(
        partnership=engagement.partnership,
        membership=membership,
        assigned_to=actor,
        reason=f"Debrief after {engagement.title}"[:200],
        due_at=now,
        status=FollowUpTask.Status.DONE,
        done_at=now,
        note=note,
        sensitive=sensitive,
        created_at=now,
    )
    task.full_clean()
    task.save()
    audit_record(
        actor=actor,
        partnership=task.partnership,
        subject=task,
        event_type="followuptask.debrief_recorded",
        payload={"engagement": engagement.pk, "membership": membership.pk, "sensitive": sensitive},
    )
    return task


# --- Care details -------------------------------------------------------------------------------------------------

CARE_FIELDS = (
    "access_needs",
    "health_information",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
)


@transaction.atomic
def care_details_update(
    *,
    actor: User,
    access_needs: str,
    health_information: str,
    emergency_contact_name: str,
    emergency_contact_relationship: str,
    emergency_contact_phone: str,
) -> YoungPersonProfile:
    """A young person updates their own care details (encrypted at rest). The audit row names the fields that
    changed, never their values. An emergency contact with a name and a phone number ticks the onboarding item."""
    # Being a young person is what "your own details" asks (no separate permission yet; see the report).
    require(actor, "participants.view_young_person_home")
    membership = actor.membership
    profile = (
        YoungPersonProfile.objects.select_for_update().filter(membership=membership).first() if membership else None
    )
    if profile is None or membership is None:
        raise ApplicationError("We do not have your profile yet. Ask your participation worker to set it up.")
    values = {
        "access_needs": access_needs,
        "health_information": health_information,
        "emergency_contact_name": emergency_contact_name,
        "emergency_contact_relationship": emergency_contact_relationship,
        "emergency_contact_phone": emergency_contact_phone,
    }
    values = {name: (value or "").strip() for name, value in values.items()}
    for name, value in values.items():
        limit = 150 if name.startswith("emergency_contact") else CARE_TEXT_MAX
        if len(value) > limit:
            raise ApplicationError(f"This must be {limit} characters or fewer.", extra={"field": name})
    phone = values["emergency_contact_phone"]
    if phone and not _PHONE.match(phone):
        raise ApplicationError("Enter a phone number, like 07700 900 982.", extra={"field": "emergency_contact_phone"})
    if values["emergency_contact_name"] and not phone:
        raise ApplicationError(
            "Enter a phone number for your emergency contact.", extra={"field": "emergency_contact_phone"}
        )
    if phone and not values["emergency_contact_name"]:
        raise ApplicationError("Enter the name of your emergency contact.", extra={"field": "emergency_contact_name"})
    changed = [name for name, value in values.items() if getattr(profile, name) != value]
    if not changed:
        return profile
    for name in changed:
        setattr(profile, name, values[name])
    profile.updated_at = timezone.now()
    profile.full_clean()
    profile.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        partnership=profile.partnership,
        subject=profile,
        event_type="youngpersonprofile.care_details_updated",
        payload={"fields": changed},
    )
    if any(name.startswith("emergency_contact") for name in changed):
        has_contact = bool(values["emergency_contact_name"] and phone)
        onboarding_item_record(
            membership=membership,
            key=EMERGENCY_CONTACT_ITEM,
            status=OnboardingItem.Status.DONE if has_contact else OnboardingItem.Status.TO_DO,
            by=actor,
        )
    return profile


@transaction.atomic
def care_details_open(*, actor: User, engagement_id: int, today: datetime.date | None = None) -> CareSheet:
    """The staff lead opens the attendees' care details (404 unless allowed: see care_details_for_engagement).
    Each opening is recorded, with how many people it showed and nothing of what it showed."""
    sheet = care_details_for_engagement(actor, engagement_id, today or timezone.localdate())
    audit_record(
        actor=actor,
        partnership=sheet.engagement.partnership,
        subject=sheet.engagement,
        event_type="engagement.care_details_viewed",
        payload={"people": len(sheet.people)},
    )
    return sheet
