"""Writes for safeguarding concerns. Pages, the API and tasks call these; nothing else writes concerns.

The rules they keep:
- Any staff member can raise a concern. The partnership's safeguarding leads are emailed that one was raised,
  with a link and no details at all (no names, no category).
- Only safeguarding leads who passed their second factor in this session can read or add to a concern. For
  anyone else a concern is a 404, exactly like one that does not exist.
- The chronology is append-only. There is no service that edits or deletes an entry: a correction is a new
  entry pointing at the one it corrects, and a change of category is itself an entry. ConcernEntry refuses
  update() and delete() on every ORM path as well.
- Every read is recorded (`concern_open`), in the same transaction as the read.
- Concerns are kept until the young person's 25th birthday (the partnership's `concern_review_age`), then listed
  for review; a concern on legal hold is never deleted.
- Audit rows say who did what to which concern, and never what the concern says: no text, no words, no names,
  no category (the audit log is read by partnership admins, who may not read concerns).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import router, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tasks import send_email_message
from core.tenancy import scope
from core.workflows import transition
from participants.models import Membership, Role, User
from participants.selectors import memberships_visible_to
from safeguarding.models import Concern, ConcernCategory, ConcernEntry, ConcernView, SafeguardingPolicy
from safeguarding.models.concerns import review_date
from safeguarding.selectors.concerns import concern_get_for_actor

TEXT_MAX = 20_000
NAME_MAX = 200
DEFAULT_REVIEW_AGE: int = SafeguardingPolicy._meta.get_field("concern_review_age").get_default()

Kind = ConcernEntry.Kind


# --- Helpers ----------------------------------------------------------------------------------------------------


def _text(value: str, *, field: str, required: str | None = None, max_length: int = TEXT_MAX) -> str:
    """Strip `value`; refuse it when empty (with the message `required`) or too long, naming the field."""
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(required, extra={"field": field})
    if len(value) > max_length:
        raise ApplicationError(f"This must be {max_length:,} characters or fewer.", extra={"field": field})
    return value


def _concern_for_change(actor: User, concern_id: int) -> Concern:
    """Lock the concern for a change. Missing, another partnership's, or one the actor may not read: all 404."""
    concern = get_object_or_404(scope(Concern.objects.select_for_update(), actor), pk=concern_id)
    if not actor.has_perm("safeguarding.view_concern", concern):
        raise Http404("No concern found.")
    require(actor, "safeguarding.change_concern", concern)
    return concern


def _entry_add(
    *, actor: User, concern: Concern, kind: str, text: str = "", audit: bool = True, **fields: Any
) -> ConcernEntry:
    entry = ConcernEntry(
        partnership_id=concern.partnership_id, concern=concern, author=actor, kind=kind, text=text, **fields
    )
    entry.full_clean()
    entry.save()
    if audit:
        _audit(actor, concern, "concern.entry_added", {"entry_id": entry.pk, "kind": kind})
    return entry


def _audit(actor: User, concern: Concern, event_type: str, payload: dict[str, Any]) -> None:
    """An audit row about a concern. Callers pass ids, kinds and flags only: never text, names or the category."""
    audit_record(actor=actor, partnership=actor.partnership, subject=concern, event_type=event_type, payload=payload)


def _review_age(partnership_id: int) -> int:
    age = (
        SafeguardingPolicy.objects.filter(partnership_id=partnership_id)
        .values_list("concern_review_age", flat=True)
        .first()
    )
    return int(age) if age is not None else DEFAULT_REVIEW_AGE


def _category(value: str) -> str:
    if value not in ConcernCategory.values:
        raise ApplicationError("Choose a category.", extra={"field": "category"})
    return value


def _concern_link(concern: Concern) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("concern_detail", args=[concern.pk])


def _tell_leads(actor: User, concern: Concern) -> None:
    """Email each safeguarding lead that a concern was raised: a link and nothing else (no names, no category),
    sent after the transaction commits. One message per lead, so no lead sees who else was told."""
    leads = memberships_visible_to(actor, role=Role.SAFEGUARDING_LEAD, status=Membership.Status.ACTIVE)
    emails = sorted(set(leads.filter(user__is_active=True).values_list("user__email", flat=True)))
    subject = "A safeguarding concern has been raised"
    body = (
        f"A safeguarding concern has been raised in {actor.partnership.name}.\n\n"
        "To read it, sign in with your authentication app and open this link:\n"
        f"{_concern_link(concern)}\n\n"
        "This email has no details on purpose. Please do not forward it."
    )
    for email in emails:
        transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[email]))


# --- Raising ----------------------------------------------------------------------------------------------------


@transaction.atomic
def concern_raise(
    *,
    actor: User,
    category: str,
    young_persons_words: str,
    what_happened: str = "",
    membership_id: int | None = None,
    about_name: str = "",
) -> Concern:
    """Any staff member raises a concern about one of the partnership's active young people, or about someone
    else by name. The first entry of the chronology is the report, as the reporter wrote it."""
    require(actor, "safeguarding.raise_concern", message="Only staff can raise a safeguarding concern.")
    category = _category(category)
    about_name = _text(about_name, field="about_name", max_length=NAME_MAX)
    if membership_id is not None and about_name:
        raise ApplicationError(
            "Choose one of our young people or give a name, not both.", extra={"field": "about_name"}
        )
    if membership_id is None and not about_name:
        raise ApplicationError(
            "Choose the young person, or give the name of who the concern is about.", extra={"field": "membership_id"}
        )
    young_persons_words = _text(
        young_persons_words,
        field="young_persons_words",
        required="Enter what the young person said, in their own words.",
    )
    what_happened = _text(what_happened, field="what_happened")

    membership: Membership | None = None
    review_due_on: datetime.date | None = None
    if membership_id is not None:
        membership = (
            memberships_visible_to(actor, role=Role.YOUNG_PERSON, status=Membership.Status.ACTIVE)
            .select_related("profile")
            .filter(pk=membership_id)
            .first()
        )
        if membership is None:
            raise ApplicationError("Choose a young person from the list.", extra={"field": "membership_id"})
        try:
            date_of_birth = membership.profile.date_of_birth
        except ObjectDoesNotExist:
            date_of_birth = None
        if date_of_birth is not None:
            review_due_on = review_date(date_of_birth, _review_age(actor.partnership.pk))

    concern = Concern(
        partnership=actor.partnership,
        membership=membership,
        about_name=about_name,
        raised_by=actor,
        category=category,
        young_persons_words=young_persons_words,
        what_happened=what_happened,
        review_due_on=review_due_on,
    )
    concern.full_clean()
    concern.save()
    entry = _entry_add(
        actor=actor,
        concern=concern,
        kind=Kind.REPORT,
        text=young_persons_words,
        details={"category": category},
        audit=False,
    )
    _audit(actor, concern, "concern.raised", {"entry_id": entry.pk})
    _tell_leads(actor, concern)
    return concern


# --- Reading ----------------------------------------------------------------------------------------------------


@transaction.atomic
def concern_open(*, actor: User, concern_id: int, via: str = "page") -> Concern:
    """Fetch a concern to show it, and record that the actor read it, in one transaction: no read goes unrecorded.
    A 404 for anyone who may not read it."""
    concern = concern_get_for_actor(actor, concern_id)
    view = ConcernView(partnership_id=concern.partnership_id, concern=concern, viewer=actor, via=via)
    view.full_clean()
    view.save()
    return concern


# --- The chronology (append-only) -------------------------------------------------------------------------------


@transaction.atomic
def concern_note_add(*, actor: User, concern_id: int, text: str) -> ConcernEntry:
    concern = _concern_for_change(actor, concern_id)
    text = _text(text, field="text", required="Enter the note.")
    return _entry_add(actor=actor, concern=concern, kind=Kind.NOTE, text=text)


@transaction.atomic
def concern_correction_add(*, actor: User, concern_id: int, corrects_id: int, text: str) -> ConcernEntry:
    """A correction is a new entry pointing at the one it corrects; the original stays exactly as it was."""
    concern = _concern_for_change(actor, concern_id)
    original = ConcernEntry.objects.filter(concern=concern, pk=corrects_id).first()
    if original is None:
        raise ApplicationError("Choose an entry of this concern to correct.", extra={"field": "corrects"})
    text = _text(text, field="text", required="Enter the correction.")
    return _entry_add(actor=actor, concern=concern, kind=Kind.CORRECTION, text=text, corrects=original)


@transaction.atomic
def concern_category_change(*, actor: User, concern_id: int, category: str, text: str) -> ConcernEntry:
    """Change the concern's category; the change (from and to) is itself an entry of the chronology."""
    concern = _concern_for_change(actor, concern_id)
    category = _category(category)
    if category == concern.category:
        raise ApplicationError("That is already the concern's category. Choose a different one.", {"field": "category"})
    text = _text(text, field="text", required="Say why the category is changing.")
    previous = concern.category
    concern.category = category
    concern.full_clean()
    concern.save(update_fields=["category"])
    entry = _entry_add(
        actor=actor,
        concern=concern,
        kind=Kind.CATEGORY_CHANGE,
        text=text,
        details={"from": previous, "to": category},
        audit=False,
    )
    _audit(actor, concern, "concern.category_changed", {"entry_id": entry.pk})
    return entry


@transaction.atomic
def concern_action_add(
    *, actor: User, concern_id: int, text: str, owner_id: int, due_on: datetime.date, today: datetime.date | None = None
) -> ConcernEntry:
    """An action with an owner (a staff member of this partnership) and a due date."""
    concern = _concern_for_change(actor, concern_id)
    text = _text(text, field="text", required="Enter what needs to be done.")
    owner_membership = (
        memberships_visible_to(actor, status=Membership.Status.ACTIVE, staff_only=True)
        .filter(user_id=owner_id, user__is_active=True)
        .select_related("user")
        .first()
    )
    if owner_membership is None:
        raise ApplicationError("Choose a member of staff to own this action.", extra={"field": "owner"})
    if due_on < (today or timezone.localdate()):
        raise ApplicationError("The due date must be today or in the future.", extra={"field": "due_on"})
    return _entry_add(
        actor=actor,
        concern=concern,
        kind=Kind.ACTION,
        text=text,
        action_owner=owner_membership.user,
        action_due_on=due_on,
    )


@transaction.atomic
def concern_action_done(*, actor: User, concern_id: int, action_id: int, text: str = "") -> ConcernEntry:
    """Marking an action done is a new entry that names the action; the action entry itself is never changed."""
    concern = _concern_for_change(actor, concern_id)
    action = ConcernEntry.objects.filter(concern=concern, pk=action_id, kind=Kind.ACTION).first()
    if action is None:
        raise ApplicationError("Choose an action of this concern.", extra={"field": "action"})
    already = ConcernEntry.objects.filter(concern=concern, kind=Kind.ACTION_DONE, details__action=action.pk)
    if already.exists():
        raise ApplicationError("That action is already marked as done.", extra={"field": "action"})
    text = _text(text, field="text")
    return _entry_add(actor=actor, concern=concern, kind=Kind.ACTION_DONE, text=text, details={"action": action.pk})


@transaction.atomic
def concern_referral_add(*, actor: User, concern_id: int, agency: str, text: str) -> ConcernEntry:
    """A referral to the front door / MASH, the LADO, the police, health or another agency, with its details."""
    concern = _concern_for_change(actor, concern_id)
    if agency not in ConcernEntry.Agency.values:
        raise ApplicationError("Choose who the referral was made to.", extra={"field": "agency"})
    text = _text(
        text, field="text", required="Enter the details of the referral: when, who you spoke to, any reference."
    )
    return _entry_add(actor=actor, concern=concern, kind=Kind.REFERRAL, text=text, agency=agency)


@transaction.atomic
def concern_outcome_record(*, actor: User, concern_id: int, text: str) -> ConcernEntry:
    """Record the outcome. The concern shows the latest; every outcome stays in the chronology."""
    concern = _concern_for_change(actor, concern_id)
    text = _text(text, field="text", required="Enter the outcome.")
    concern.outcome = text
    concern.full_clean()
    concern.save(update_fields=["outcome"])
    return _entry_add(actor=actor, concern=concern, kind=Kind.OUTCOME, text=text)


def _status_change(*, actor: User, concern: Concern, to: str, text: str) -> ConcernEntry:
    entry = _entry_add(
        actor=actor,
        concern=concern,
        kind=Kind.STATUS_CHANGE,
        text=text,
        details={"from": concern.status, "to": to},
        audit=False,
    )
    # transition() checks the move against Concern.TRANSITIONS and writes the audit row (ids and states only).
    transition(concern, to=to, actor=actor, payload={"entry_id": entry.pk})
    return entry


@transaction.atomic
def concern_close(*, actor: User, concern_id: int, text: str = "") -> ConcernEntry:
    concern = _concern_for_change(actor, concern_id)
    if concern.status == Concern.Status.OPEN and not concern.outcome:
        raise ApplicationError("Record the outcome before you close the concern.", extra={"field": "text"})
    text = _text(text, field="text")
    return _status_change(actor=actor, concern=concern, to=Concern.Status.CLOSED, text=text)


@transaction.atomic
def concern_reopen(*, actor: User, concern_id: int, text: str) -> ConcernEntry:
    concern = _concern_for_change(actor, concern_id)
    text = _text(text, field="text", required="Say why the concern is being reopened.")
    return _status_change(actor=actor, concern=concern, to=Concern.Status.OPEN, text=text)


@transaction.atomic
def concern_legal_hold_set(*, actor: User, concern_id: int, on: bool, text: str) -> ConcernEntry:
    """Put a concern on legal hold (it can then never be deleted) or lift the hold, with the reason recorded."""
    concern = _concern_for_change(actor, concern_id)
    if concern.legal_hold == on:
        state = "already on legal hold" if on else "not on legal hold"
        raise ApplicationError(f"This concern is {state}.", extra={"field": "legal_hold"})
    text = _text(text, field="text", required="Say why." if on else "Say why the legal hold can be lifted.")
    concern.legal_hold = on
    concern.full_clean()
    concern.save(update_fields=["legal_hold"])
    entry = _entry_add(actor=actor, concern=concern, kind=Kind.LEGAL_HOLD, text=text, details={"on": on}, audit=False)
    _audit(actor, concern, "concern.legal_hold_changed", {"entry_id": entry.pk, "on": on})
    return entry


# --- Retention --------------------------------------------------------------------------------------------------


@transaction.atomic
def concern_delete_after_review(*, actor: User, concern_id: int, today: datetime.date | None = None) -> int:
    """Delete a closed concern, with its entries and viewing log, once its review date has come. Never while on
    legal hold. Leaves an audit row with counts only. Returns the id of the deleted concern."""
    concern = _concern_for_change(actor, concern_id)
    today = today or timezone.localdate()
    if concern.legal_hold:
        raise ApplicationError(
            "This concern is on legal hold, so it cannot be deleted. Lift the hold first if it no longer applies.",
            extra={"field": "legal_hold"},
        )
    if concern.review_due_on is None:
        raise ApplicationError("This concern has no review date, so it is kept.", extra={"field": "review_due_on"})
    if today < concern.review_due_on:
        raise ApplicationError(
            "This concern cannot be deleted before its review date.", extra={"field": "review_due_on"}
        )
    if concern.status != Concern.Status.CLOSED:
        raise ApplicationError("Close the concern before you delete it.", extra={"field": "status"})

    concern_pk = concern.pk
    entries = ConcernEntry.objects.filter(partnership_id=concern.partnership_id, concern=concern)
    views = ConcernView.objects.filter(partnership_id=concern.partnership_id, concern=concern)
    # The record that the deletion happened: counts only, no personal data (not even the review date, which
    # would give away a date of birth). It commits or rolls back with the deletion itself.
    _audit(actor, concern, "concern.deleted_after_review", {"entries": entries.count(), "views": views.count()})
    # The viewing log is append-only too: the same one sanctioned exception applies (see below).
    views._raw_delete(using=router.db_for_write(ConcernView))
    # ConcernEntry refuses delete() on the model, its queryset and its base manager, so that no code path can
    # delete part of a chronology. This service is the one sanctioned exception: the retention period has ended,
    # there is no legal hold, the row is locked, and the whole concern goes at once, recorded above. `_raw_delete`
    # issues one DELETE for exactly this concern's entries (corrections point at entries of the same concern, so
    # the self-references go with them in the same statement). Do not copy this anywhere else.
    entries._raw_delete(using=router.db_for_write(ConcernEntry))
    concern.delete()
    return int(concern_pk)


@transaction.atomic
def concerns_listed(*, actor: User, concerns: Iterable[Concern], via: str = "list") -> None:
    """A list shows who each concern is about and its category, so showing it is a read: record one view per
    concern shown, like opening it. (The caller has already fetched them through concerns_visible_to.)"""
    shown = list(concerns)
    if not shown:
        return
    require(actor, "safeguarding.view_concern", shown[0])
    ConcernView.objects.bulk_create(
        [ConcernView(partnership_id=c.partnership_id, concern=c, viewer=actor, via=via) for c in shown]
    )
