"""Writes for opportunities: create, edit, publish, cancel and complete an engagement; name its staff lead;
the partnership's defaults per type of opportunity; a young person's calendar feed address.

Rules:
- A member of staff whose enhanced DBS check is lapsed or missing on the engagement's dates cannot be its named
  staff lead (safeguarding.selectors.checks.staff_check_current). The check is made again on publishing.
- A scrutiny lead named on an engagement is an active scrutiny lead of the partnership.
- An online engagement has an https:// link; young people see it only once their place is confirmed.
- A section 11 challenge panel lists at least one agency under review and one standard before it is published
  (a draft may be incomplete); other types of opportunity have neither.
- Unspecified pay basis, pay note, filming and preparation time come from the type's defaults
  (OpportunityTypeSetting, or the built-in ones).
- Editing: only drafts and published engagements. Once anyone holds a confirmed place, the date and times and
  the type cannot change (the gate, working hours and training were checked against them), filming cannot be
  turned on (media consents were not asked for) and places cannot go below the number confirmed. The worker
  cancels and publishes a new one, or withdraws places first. A published engagement must still start in the
  future if its times change. Nor may a change leave anyone with a confirmed place unable to take part: each of
  them is checked with can_take_part against the changed engagement before it is saved (for example, going from
  online to in person needs their emergency medical consent), and the change is refused naming who and why.
  Reasons that were already there before the change (a consent that has lapsed since) do not block other edits.
- Single-line fields (title, topic, commissioned by, place, pay) cannot hold line breaks or control characters:
  the title is an email subject.
- Publishing needs a staff lead with a current check and a start in the future. Cancelling needs a reason and
  emails each confirmed young person and the staff lead after the transaction commits; it leaves interests as
  they are. Completing is only possible once the engagement has ended.
"""

from __future__ import annotations

import copy
import datetime
import secrets
import unicodedata
import uuid
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tasks import send_email_message
from core.workflows import transition
from engagements.models import (
    CalendarFeed,
    Engagement,
    OpportunityType,
    OpportunityTypeSetting,
    PayBasis,
    Section11Standard,
)
from engagements.selectors.opportunities import (
    VIEW_OPPORTUNITY,
    engagement_confirmed_count,
    engagement_confirmed_people,
    opportunity_type_defaults,
)
from participants.models import Membership, Partnership, Role, User
from safeguarding.selectors.checks import staff_check_current

# Creating and staffing an engagement: participation workers and partnership admins (engagements/rules.py).
CHANGE_ENGAGEMENT = "engagements.change_engagement"
CHANGE_TYPE_SETTING = "engagements.change_opportunitytypesetting"

Status = Engagement.Status

BRIEFING_PACK_MAX_BYTES = 10 * 1024 * 1024
MAX_PREPARATION_MINUTES = 24 * 60
MAX_PLACES = 500
MAX_AGENCIES = 30
AGENCY_MAX_LENGTH = 200
REASON_MAX_LENGTH = 2000
TEXT_LIMITS: dict[str, tuple[str, int]] = {
    "title": ("Title", 200),
    "topic": ("Topic", 200),
    "commissioned_by": ("Commissioned by", 200),
    "location": ("Place", 200),
    "pay_note": ("Pay", 200),
    "online_link": ("Online link", 200),
}
# What engagement_update accepts (the ids name users; everything else is a field of Engagement).
UPDATABLE = frozenset(
    {
        "title",
        "opportunity_type",
        "topic",
        "commissioned_by",
        "scrutiny_lead_id",
        "description",
        "starts_at",
        "ends_at",
        "preparation_minutes",
        "location",
        "is_online",
        "online_link",
        "is_filmed",
        "places",
        "content_warning",
        "pay_basis",
        "pay_note",
        "agencies_under_review",
        "section_11_standards",
        "staff_lead_id",
    }
)
LOCKED_ONCE_CONFIRMED = ("starts_at", "ends_at", "opportunity_type")
# One line each (the title is an email subject): no line breaks or other control characters.
SINGLE_LINE = ("title", "topic", "commissioned_by", "location", "pay_note", "online_link")
# Which change most likely made a confirmed person unable to take part, in this order (can_take_part reads them).
ELIGIBILITY_FIELDS = ("is_online", "is_filmed", "opportunity_type", "starts_at", "ends_at")


def _has_control_characters(text: str) -> bool:
    """Line breaks (including Unicode line and paragraph separators), tabs and other control characters."""
    return any(unicodedata.category(character) in ("Cc", "Zl", "Zp") for character in text)


def _check_single_line(name: str, label: str, value: str) -> None:
    if _has_control_characters(value):
        raise ApplicationError(
            f"{label} must be on one line, without line breaks or special characters.", extra={"field": name}
        )


def _dates(starts_at: datetime.datetime, ends_at: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    return timezone.localdate(starts_at), timezone.localdate(ends_at)


def _when(engagement: Engagement) -> str:
    """'Tuesday 3 March 2026, 16:30 to 18:30' in the UK's time."""
    starts = timezone.localtime(engagement.starts_at)
    ends = timezone.localtime(engagement.ends_at)
    end = ends.strftime("%H:%M") if ends.date() == starts.date() else ends.strftime("%A %-d %B %Y, %H:%M")
    return f"{starts.strftime('%A %-d %B %Y, %H:%M')} to {end}"


def _check_staff_lead(
    engagement_partnership_id: int, staff_lead_id: int, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> User:
    """The staff lead must be an active member of staff of the partnership with a check that counts on every
    day of the engagement. Anyone else (including another partnership's people) gets the same refusal."""
    membership = (
        Membership.objects.select_related("user")
        .filter(
            Membership.with_role(Role.PARTICIPATION_WORKER) | Membership.with_role(Role.SAFEGUARDING_LEAD),
            partnership_id=engagement_partnership_id,
            user_id=staff_lead_id,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
        )
        .first()
    )
    if membership is None:
        raise ApplicationError(
            "Choose a participation worker or safeguarding lead in this partnership as the staff lead.",
            extra={"field": "staff_lead"},
        )
    first_day, last_day = _dates(starts_at, ends_at)
    for day in sorted({first_day, last_day}):
        if not staff_check_current(membership, day):
            raise ApplicationError(
                f"{membership.user.full_name} cannot be the staff lead: they have no current enhanced DBS check "
                f"on {day.strftime('%-d %B %Y')}. A safeguarding lead can record their check.",
                extra={"field": "staff_lead", "reason": "check_not_current", "on": day.isoformat()},
            )
    return membership.user


def _check_scrutiny_lead(partnership_id: int, scrutiny_lead_id: int) -> User:
    membership = (
        Membership.objects.select_related("user")
        .filter(
            Membership.with_role(Role.SCRUTINY_LEAD),
            partnership_id=partnership_id,
            user_id=scrutiny_lead_id,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
        )
        .first()
    )
    if membership is None:
        raise ApplicationError(
            "Choose an active scrutiny lead in this partnership, or leave it empty.", extra={"field": "scrutiny_lead"}
        )
    return membership.user


def _clean_agencies(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ApplicationError("List the agencies under review, one each.", extra={"field": "agencies_under_review"})
    agencies: list[str] = []
    for number, agency in enumerate(value, start=1):
        name = agency.strip() if isinstance(agency, str) else ""
        if not name:
            raise ApplicationError(
                f"Agency {number} is empty: enter its name or take it out.", extra={"field": "agencies_under_review"}
            )
        if len(name) > AGENCY_MAX_LENGTH:
            raise ApplicationError(
                f"Agency {number} must be {AGENCY_MAX_LENGTH} characters or fewer.",
                extra={"field": "agencies_under_review"},
            )
        if name.casefold() not in {a.casefold() for a in agencies}:
            agencies.append(name)
    if len(agencies) > MAX_AGENCIES:
        raise ApplicationError(
            f"A panel can review up to {MAX_AGENCIES} agencies.", extra={"field": "agencies_under_review"}
        )
    return agencies


def _clean_standards(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or any(s not in Section11Standard.values for s in value):
        raise ApplicationError("Choose section 11 standards from the list.", extra={"field": "section_11_standards"})
    return [standard for standard in Section11Standard.values if standard in value]  # in the standards' order


def _check_fields(values: dict[str, Any], partnership_id: int) -> dict[str, Any]:
    """Check and tidy an engagement's fields (model field names; the leads as ids). Returns the values to save,
    with `staff_lead` and `scrutiny_lead` as users. Refusals name the field."""
    v = dict(values)
    for name in ("title", "topic", "commissioned_by", "location", "pay_note", "online_link"):
        v[name] = (v.get(name) or "").strip()
    for name in ("description", "content_warning"):
        v[name] = (v.get(name) or "").strip()
    if not v["title"]:
        raise ApplicationError("Enter a title.", extra={"field": "title"})
    if v["opportunity_type"] not in OpportunityType.values:
        raise ApplicationError("Choose a type of opportunity.", extra={"field": "opportunity_type"})
    if v["ends_at"] <= v["starts_at"]:
        raise ApplicationError("The end must be after the start.", extra={"field": "ends_at"})
    if not v["location"] and not v["is_online"]:
        raise ApplicationError("Enter where it takes place, or say it is online.", extra={"field": "location"})
    for name, (label, limit) in TEXT_LIMITS.items():
        if name in SINGLE_LINE:
            _check_single_line(name, label, v[name])
        if len(v[name]) > limit:
            raise ApplicationError(f"{label} must be {limit} characters or fewer.", extra={"field": name})
    if v["is_online"] and not v["online_link"]:
        raise ApplicationError(
            "Enter the online link (the confirmed young people will see it).", extra={"field": "online_link"}
        )
    if v["online_link"]:
        try:
            URLValidator(schemes=["https"])(v["online_link"])
        except ValidationError:
            raise ApplicationError(
                "Enter the online link as a full address starting https://, like https://meet.example.org/abc.",
                extra={"field": "online_link"},
            ) from None
    places = v["places"]
    if not isinstance(places, int) or isinstance(places, bool) or not 1 <= places <= MAX_PLACES:
        raise ApplicationError(f"Places must be between 1 and {MAX_PLACES}.", extra={"field": "places"})
    minutes = v["preparation_minutes"]
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= MAX_PREPARATION_MINUTES:
        raise ApplicationError(
            f"Preparation time must be between 0 and {MAX_PREPARATION_MINUTES} minutes.",
            extra={"field": "preparation_minutes"},
        )
    if v["pay_basis"] not in PayBasis.values:
        raise ApplicationError("Choose how it is paid.", extra={"field": "pay_basis"})
    v["agencies_under_review"] = _clean_agencies(v.get("agencies_under_review"))
    v["section_11_standards"] = _clean_standards(v.get("section_11_standards"))
    if v["opportunity_type"] != OpportunityType.SECTION_11_PANEL:
        if v["agencies_under_review"]:
            raise ApplicationError(
                "Agencies under review are only for a section 11 challenge panel: clear them or change the type.",
                extra={"field": "agencies_under_review"},
            )
        if v["section_11_standards"]:
            raise ApplicationError(
                "Section 11 standards are only for a section 11 challenge panel: clear them or change the type.",
                extra={"field": "section_11_standards"},
            )
    scrutiny_lead_id = v.pop("scrutiny_lead_id", None)
    v["scrutiny_lead"] = _check_scrutiny_lead(partnership_id, scrutiny_lead_id) if scrutiny_lead_id else None
    staff_lead_id = v.pop("staff_lead_id", None)
    v["staff_lead"] = (
        _check_staff_lead(partnership_id, staff_lead_id, v["starts_at"], v["ends_at"]) if staff_lead_id else None
    )
    return v


def _check_ready_to_publish(engagement: Engagement, *, check_start: bool = True) -> None:
    """What a published engagement must have (a draft may be incomplete). Refusals name the field."""
    if engagement.opportunity_type == OpportunityType.SECTION_11_PANEL:
        if not engagement.agencies_under_review:
            raise ApplicationError(
                "A section 11 challenge panel needs at least one agency under review.",
                extra={"field": "agencies_under_review"},
            )
        if not engagement.section_11_standards:
            raise ApplicationError(
                "A section 11 challenge panel needs at least one section 11 standard.",
                extra={"field": "section_11_standards"},
            )
    if engagement.staff_lead_id is None:
        raise ApplicationError("Name a staff lead before publishing.", extra={"field": "staff_lead"})
    if check_start and engagement.starts_at <= timezone.now():
        raise ApplicationError(
            "It has already started: only an engagement that starts in the future can be published.",
            extra={"field": "starts_at"},
        )


@transaction.atomic
def engagement_create(
    *,
    actor: User,
    title: str,
    opportunity_type: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    location: str = "",
    is_online: bool = False,
    is_filmed: bool | None = None,
    staff_lead_id: int | None = None,
    topic: str = "",
    commissioned_by: str = "",
    scrutiny_lead_id: int | None = None,
    description: str = "",
    preparation_minutes: int | None = None,
    online_link: str = "",
    places: int = 6,
    content_warning: str = "",
    pay_basis: str | None = None,
    pay_note: str | None = None,
    agencies_under_review: list[str] | None = None,
    section_11_standards: list[str] | None = None,
) -> Engagement:
    """A new draft engagement. Pay basis, pay note, filming and preparation time left as None come from the
    type's defaults."""
    require(actor, CHANGE_ENGAGEMENT)
    partnership = actor.partnership
    defaults = opportunity_type_defaults(partnership.pk, opportunity_type)
    values = _check_fields(
        {
            "title": title,
            "opportunity_type": opportunity_type,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "location": location,
            "is_online": bool(is_online),
            "is_filmed": defaults.is_filmed if is_filmed is None else bool(is_filmed),
            "staff_lead_id": staff_lead_id,
            "topic": topic,
            "commissioned_by": commissioned_by,
            "scrutiny_lead_id": scrutiny_lead_id,
            "description": description,
            "preparation_minutes": defaults.preparation_minutes if preparation_minutes is None else preparation_minutes,
            "online_link": online_link,
            "places": places,
            "content_warning": content_warning,
            "pay_basis": defaults.pay_basis if pay_basis is None else pay_basis,
            "pay_note": defaults.pay_note if pay_note is None else pay_note,
            "agencies_under_review": agencies_under_review,
            "section_11_standards": section_11_standards,
        },
        partnership.pk,
    )
    engagement = Engagement(partnership=partnership, created_by=actor, **values)
    engagement.full_clean()
    engagement.save()
    staff_lead = values["staff_lead"]
    audit_record(
        actor=actor,
        partnership=partnership,
        subject=engagement,
        event_type="engagement.created",
        payload={"opportunity_type": opportunity_type, "staff_lead": staff_lead.pk if staff_lead else None},
    )
    return engagement


def _lock_engagement(actor: User, engagement_id: int) -> Engagement:
    """Lock the row; another partnership's engagement is a 404, exactly like a missing one."""
    locked = Engagement.objects.select_for_update().filter(partnership=actor.partnership)
    return get_object_or_404(locked, pk=engagement_id)


@transaction.atomic
def engagement_set_staff_lead(*, actor: User, engagement_id: int, staff_lead_id: int | None) -> Engagement:
    """Name (or clear, with None) the staff lead. Refused, naming the field, when their check is not current on
    the engagement's dates."""
    require(actor, CHANGE_ENGAGEMENT)
    engagement = _lock_engagement(actor, engagement_id)
    require(actor, CHANGE_ENGAGEMENT, engagement)
    previous = engagement.staff_lead_id
    staff_lead = (
        _check_staff_lead(engagement.partnership_id, staff_lead_id, engagement.starts_at, engagement.ends_at)
        if staff_lead_id
        else None
    )
    if previous == (staff_lead.pk if staff_lead else None):
        return engagement
    if staff_lead is None and engagement.status == Status.PUBLISHED:
        raise ApplicationError(
            "A published engagement needs a staff lead: name someone else instead.", extra={"field": "staff_lead"}
        )
    engagement.staff_lead = staff_lead
    engagement.full_clean()
    engagement.save(update_fields=["staff_lead"])
    audit_record(
        actor=actor,
        partnership=engagement.partnership,
        subject=engagement,
        event_type="engagement.staff_lead_changed",
        payload={"from": previous, "to": engagement.staff_lead_id},
    )
    return engagement


def _current_values(engagement: Engagement) -> dict[str, Any]:
    values = {name: getattr(engagement, name) for name in UPDATABLE if not name.endswith("_id")}
    values["staff_lead_id"] = engagement.staff_lead_id
    values["scrutiny_lead_id"] = engagement.scrutiny_lead_id
    values["agencies_under_review"] = list(engagement.agencies_under_review or [])
    values["section_11_standards"] = list(engagement.section_11_standards or [])
    return values


@transaction.atomic
def engagement_update(*, actor: User, engagement_id: int, **changes: Any) -> Engagement:
    """Change a draft or published engagement. Pass only what changes (model field names; `staff_lead_id` and
    `scrutiny_lead_id` for the leads, None to clear). See the module's rules for what is refused once people
    hold confirmed places."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise TypeError(f"engagement_update cannot change {', '.join(sorted(unknown))}")
    require(actor, CHANGE_ENGAGEMENT)
    engagement = _lock_engagement(actor, engagement_id)
    require(actor, CHANGE_ENGAGEMENT, engagement)
    if engagement.status not in (Status.DRAFT, Status.PUBLISHED):
        raise ApplicationError(
            f"A {engagement.get_status_display().lower()} engagement cannot be changed.", extra={"field": "status"}
        )
    before = _current_values(engagement)
    changed = {name for name, value in changes.items() if value != before[name]}
    if "places" in changes and changes["places"] is None:
        raise ApplicationError("Enter the number of places.", extra={"field": "places"})
    if not changed:
        return engagement
    confirmed = engagement_confirmed_count(engagement)
    if confirmed:
        for name in LOCKED_ONCE_CONFIRMED:
            if name in changed:
                what = "type" if name == "opportunity_type" else "date and times"
                people = "1 young person holds" if confirmed == 1 else f"{confirmed} young people hold"
                raise ApplicationError(
                    f"{people} a confirmed place, so the {what} cannot change here. Cancel this engagement and "
                    "publish a new one, or withdraw their places first.",
                    extra={"field": name, "confirmed": confirmed},
                )
        if "is_filmed" in changed and changes["is_filmed"]:
            raise ApplicationError(
                "Young people are already confirmed without being asked about filming, so filming cannot be "
                "turned on. Cancel and publish a new engagement, or withdraw their places first.",
                extra={"field": "is_filmed"},
            )
        if "places" in changed and isinstance(changes["places"], int) and changes["places"] < confirmed:
            raise ApplicationError(
                f"Places cannot be fewer than the {confirmed} young people already confirmed.",
                extra={"field": "places", "confirmed": confirmed},
            )
    merged = {**before, **changes}
    staff_lead_id = merged["staff_lead_id"]
    # A lead already named keeps their place unless they change or the dates do (their check was made then).
    recheck_staff_lead = bool({"staff_lead_id", "starts_at", "ends_at"} & changed)
    if not recheck_staff_lead:
        merged["staff_lead_id"] = None
    if "scrutiny_lead_id" not in changed:
        merged["scrutiny_lead_id"] = None
    values = _check_fields(merged, engagement.partnership_id)
    if not recheck_staff_lead:
        values["staff_lead"] = engagement.staff_lead
    if "scrutiny_lead_id" not in changed:
        values["scrutiny_lead"] = engagement.scrutiny_lead
    unchanged = copy.copy(engagement)
    for name, value in values.items():
        setattr(engagement, name, value)
    if confirmed:
        _check_confirmed_can_still_take_part(engagement, unchanged, changed)
    if engagement.status == Status.PUBLISHED:
        if staff_lead_id is None:
            raise ApplicationError(
                "A published engagement needs a staff lead: name someone else instead.", extra={"field": "staff_lead"}
            )
        if {"starts_at", "ends_at"} & changed and engagement.starts_at <= timezone.now():
            raise ApplicationError("A published engagement must start in the future.", extra={"field": "starts_at"})
        _check_ready_to_publish(engagement, check_start=False)  # one under way can still be corrected
    engagement.full_clean()
    engagement.save()
    audit_record(
        actor=actor,
        partnership=engagement.partnership,
        subject=engagement,
        event_type="engagement.updated",
        payload={"fields": sorted(name.removesuffix("_id") for name in changed)},
    )
    if confirmed and changed & TOLD_TO_CONFIRMED:
        _change_emails(engagement, changed & TOLD_TO_CONFIRMED)
    return engagement


def _check_confirmed_can_still_take_part(engagement: Engagement, unchanged: Engagement, changed: set[str]) -> None:
    """Refuse a change (not yet saved: `engagement` holds it, `unchanged` the engagement as it is) that would leave
    someone with a confirmed place unable to take part, naming each of them and every new reason. A reason they
    already had before the change is not the change's doing and does not block it."""
    from safeguarding.services.eligibility import can_take_part_many

    confirmed = engagement_confirmed_people(engagement)
    after = can_take_part_many(confirmed, engagement)  # everyone at once: a fixed number of queries
    refused = [membership for membership in confirmed if not after[membership.pk].allowed]
    before = can_take_part_many(refused, unchanged)
    blocked: list[tuple[Membership, list[str]]] = []
    for membership in refused:
        new = [reason for reason in after[membership.pk].reasons if reason not in set(before[membership.pk].reasons)]
        if new:
            blocked.append((membership, new))
    if not blocked:
        return
    field = next((name for name in ELIGIBILITY_FIELDS if name in changed), min(changed))
    who = " ".join(f"{membership.user.full_name}: {' '.join(reasons)}" for membership, reasons in blocked)
    people = "this young person" if len(blocked) == 1 else f"these {len(blocked)} young people"
    raise ApplicationError(
        f"This change would leave {people} with a confirmed place unable to take part. {who} Sort that out first, "
        "or cancel their places, then make the change.",
        extra={
            "field": field,
            "reason": "not_eligible",
            "people": [{"membership": m.pk, "reasons": reasons} for m, reasons in blocked],
        },
    )


# What the young people with a confirmed place need to hear about when it changes: where to go, how to join, and
# what it will cover.
TOLD_TO_CONFIRMED = {"location", "is_online", "online_link", "content_warning"}


def _change_emails(engagement: Engagement, changed: set[str]) -> None:
    """One email each to the confirmed young people, after commit, saying what changed (nobody sees who else)."""
    lines = []
    if {"location", "is_online", "online_link"} & changed:
        if engagement.is_online:
            lines.append(f"It is now online. Join here: {engagement.online_link}")
        if engagement.location:
            lines.append(f"Where: {engagement.location}")
    if "content_warning" in changed and engagement.content_warning:
        lines.append(f"Please know before you go: {engagement.content_warning}")
    if not lines:
        return
    when = _when(engagement)
    for membership in engagement_confirmed_people(engagement):
        user = membership.user
        body = (
            f"Hi {user.get_short_name()},\n\n"
            f"Something has changed about {engagement.title} on {when}:\n\n"
            + "\n".join(lines)
            + "\n\nYour place is still confirmed. Any questions, ask your participation worker.\n\n"
            f"{engagement.partnership.name}"
        )
        transaction.on_commit(
            partial(send_email_message.delay, subject=f"Changed: {engagement.title}", body=body, to=[user.email])
        )


# --- Transitions --------------------------------------------------------------------------------------------------


@transaction.atomic
def engagement_publish(*, actor: User, engagement_id: int) -> Engagement:
    """Publish a draft: young people of the partnership see it from now. Needs a staff lead whose check is
    current on its dates, a start in the future and, for a section 11 panel, its agencies and standards."""
    require(actor, CHANGE_ENGAGEMENT)
    engagement = _lock_engagement(actor, engagement_id)
    require(actor, CHANGE_ENGAGEMENT, engagement)
    if engagement.status == Status.DRAFT:
        _check_ready_to_publish(engagement)
        assert engagement.staff_lead_id is not None  # noqa: S101 - checked just above
        _check_staff_lead(engagement.partnership_id, engagement.staff_lead_id, engagement.starts_at, engagement.ends_at)
    engagement.published_at = timezone.now()
    transition(engagement, to=Status.PUBLISHED, actor=actor, extra_update_fields=["published_at"])
    return engagement


def _cancellation_emails(engagement: Engagement, actor: User, reason: str) -> None:
    """One email each (nobody sees who else was going), sent once the cancellation is committed."""
    when = _when(engagement)
    partnership = engagement.partnership.name
    for membership in engagement_confirmed_people(engagement):
        user = membership.user
        body = (
            f"Hi {user.get_short_name()},\n\n"
            f"Sorry: {engagement.title} on {when} has been cancelled, so it is not going ahead.\n\n"
            f"Why: {reason}\n\n"
            "You do not need to do anything. If you have already spent money on travel, keep the receipt and tell "
            "your participation worker. Any questions, just ask them.\n\n"
            f"{partnership}"
        )
        transaction.on_commit(
            partial(send_email_message.delay, subject=f"Cancelled: {engagement.title}", body=body, to=[user.email])
        )
    lead = engagement.staff_lead
    if lead is not None and lead.pk != actor.pk:
        body = (
            f"Hi {lead.get_short_name()},\n\n"
            f"{engagement.title} on {when}, which you lead, was cancelled by {actor.full_name}.\n\n"
            f"Why: {reason}\n\n"
            "The young people who had a confirmed place have been emailed.\n\n"
            f"{partnership}"
        )
        transaction.on_commit(
            partial(send_email_message.delay, subject=f"Cancelled: {engagement.title}", body=body, to=[lead.email])
        )


@transaction.atomic
def engagement_cancel(*, actor: User, engagement_id: int, reason: str) -> Engagement:
    """Cancel a draft or published engagement, with a reason that the confirmed young people are told. Their
    interests are left as they were (so they can see what they had)."""
    require(actor, CHANGE_ENGAGEMENT)
    engagement = _lock_engagement(actor, engagement_id)
    require(actor, CHANGE_ENGAGEMENT, engagement)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Enter why it is cancelled.", extra={"field": "reason"})
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(
            f"The reason must be {REASON_MAX_LENGTH} characters or fewer.", extra={"field": "reason"}
        )
    engagement.cancelled_reason = reason
    transition(
        engagement,
        to=Status.CANCELLED,
        actor=actor,
        payload={"reason": reason},
        extra_update_fields=["cancelled_reason"],
    )
    _cancellation_emails(engagement, actor, reason)
    return engagement


@transaction.atomic
def engagement_complete(*, actor: User, engagement_id: int) -> Engagement:
    """Mark a published engagement complete, once it has ended."""
    require(actor, CHANGE_ENGAGEMENT)
    engagement = _lock_engagement(actor, engagement_id)
    require(actor, CHANGE_ENGAGEMENT, engagement)
    if engagement.status == Status.PUBLISHED and engagement.ends_at > timezone.now():
        ends = timezone.localtime(engagement.ends_at).strftime("%-d %B %Y at %H:%M")
        raise ApplicationError(f"It can be marked complete once it has ended, after {ends}.", extra={"field": "status"})
    transition(engagement, to=Status.COMPLETED, actor=actor)
    return engagement


# --- Defaults per type of opportunity -----------------------------------------------------------------------------


def _briefing_pack_problem(document: File[Any]) -> str | None:
    """Why this upload cannot be the briefing pack (None if it can): a PDF, by its first bytes, up to 10 MB."""
    size = document.size
    if size is None or size > BRIEFING_PACK_MAX_BYTES:
        return "The briefing pack must be smaller than 10 MB"
    if size == 0:
        return "The briefing pack is empty"
    document.seek(0)
    head = document.read(5)
    document.seek(0)
    if not isinstance(head, bytes) or head != b"%PDF-":
        return "The briefing pack must be a PDF file"
    return None


@transaction.atomic
def opportunity_type_setting_save(
    *,
    actor: User,
    opportunity_type: str,
    pay_basis: str,
    pay_note: str,
    is_filmed: bool,
    preparation_minutes: int,
    briefing_notes: str,
    briefing_pack: File[Any] | None = None,
    remove_briefing_pack: bool = False,
) -> OpportunityTypeSetting:
    """Save the partnership's defaults for a type of opportunity (and, optionally, a new briefing pack PDF, or
    take the pack away). New engagements of the type start from these."""
    require(actor, CHANGE_TYPE_SETTING)
    if opportunity_type not in OpportunityType.values:
        raise ApplicationError("Choose a type of opportunity.", extra={"field": "opportunity_type"})
    if pay_basis not in PayBasis.values:
        raise ApplicationError("Choose how it is usually paid.", extra={"field": "pay_basis"})
    pay_note = (pay_note or "").strip()
    _check_single_line("pay_note", "Pay", pay_note)
    if len(pay_note) > TEXT_LIMITS["pay_note"][1]:
        raise ApplicationError("Pay must be 200 characters or fewer.", extra={"field": "pay_note"})
    if (
        not isinstance(preparation_minutes, int)
        or isinstance(preparation_minutes, bool)
        or not 0 <= preparation_minutes <= MAX_PREPARATION_MINUTES
    ):
        raise ApplicationError(
            f"Preparation time must be between 0 and {MAX_PREPARATION_MINUTES} minutes.",
            extra={"field": "preparation_minutes"},
        )
    if briefing_pack is not None:
        problem = _briefing_pack_problem(briefing_pack)
        if problem:
            raise ApplicationError(problem, extra={"field": "briefing_pack"})
    partnership: Partnership = actor.partnership
    setting = (
        OpportunityTypeSetting.objects.select_for_update()
        .filter(partnership=partnership, opportunity_type=opportunity_type)
        .first()
    )
    created = setting is None
    if setting is None:
        setting = OpportunityTypeSetting(partnership=partnership, opportunity_type=opportunity_type)
    old_pack = setting.briefing_pack.name if setting.briefing_pack else ""
    setting.pay_basis = pay_basis
    setting.pay_note = pay_note
    setting.is_filmed = bool(is_filmed)
    setting.preparation_minutes = preparation_minutes
    setting.briefing_notes = (briefing_notes or "").strip()
    setting.updated_by = actor
    setting.updated_at = timezone.now()
    pack_change = None
    if briefing_pack is not None:
        setting.briefing_pack.save(f"{uuid.uuid4().hex}.pdf", briefing_pack, save=False)
        pack_change = "replaced" if old_pack else "added"
    elif remove_briefing_pack and old_pack:
        setting.briefing_pack = ""
        pack_change = "removed"
    setting.full_clean()
    setting.save()
    if pack_change and old_pack:
        storage = setting.briefing_pack.storage
        transaction.on_commit(partial(storage.delete, old_pack))
    audit_record(
        actor=actor,
        partnership=partnership,
        subject=setting,
        event_type="opportunitytypesetting.created" if created else "opportunitytypesetting.updated",
        payload={"opportunity_type": opportunity_type, "briefing_pack": pack_change},
    )
    return setting


# --- Calendar feeds -----------------------------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def calendar_feed_get_or_create(*, actor: User) -> CalendarFeed:
    """The young person's calendar feed, made with a new secret address the first time they ask."""
    require(actor, VIEW_OPPORTUNITY)
    membership = Membership.objects.select_for_update().get(pk=actor.membership.pk)  # type: ignore[union-attr]
    feed = CalendarFeed.objects.filter(membership=membership).first()
    if feed is not None:
        return feed
    feed = CalendarFeed(partnership=membership.partnership, membership=membership, token=_new_token())
    feed.full_clean()
    feed.save()
    audit_record(actor=actor, partnership=feed.partnership, subject=feed, event_type="calendarfeed.created")
    return feed


@transaction.atomic
def calendar_feed_reset(*, actor: User) -> CalendarFeed:
    """Give the young person a new secret address: the old one stops working at once."""
    require(actor, VIEW_OPPORTUNITY)
    membership = Membership.objects.select_for_update().get(pk=actor.membership.pk)  # type: ignore[union-attr]
    feed = CalendarFeed.objects.filter(membership=membership).first()
    if feed is None:
        feed = CalendarFeed(partnership=membership.partnership, membership=membership)
    feed.token = _new_token()
    feed.created_at = timezone.now()
    feed.full_clean()
    feed.save()
    audit_record(actor=actor, partnership=feed.partnership, subject=feed, event_type="calendarfeed.reset")
    return feed
