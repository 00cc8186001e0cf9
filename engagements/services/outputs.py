"""Outputs: the films, poems, blogs, infographics and reports young people made in an engagement, with the media
consents they rest on.

The rules, in one place (pages, API and the consent withdrawal all call these):
- Only organisers (participation workers, partnership admins) add, change, hide and restore outputs
  (engagements.change_output).
- An output has at least one contributor, and each is a young person who was confirmed for the engagement
  (engagement.attendees) or whose attendance was marked (present, late or left early). Not a cancelled engagement.
- Every output puts its makers' names and work in front of others, so every contributor must have media consent
  (photos, film and media) that counts today, by the same rules as `can_take_part` (safeguarding.services.consent:
  the newest act decides; expiry; asked again at 16 and 18; a parent's consent stops at 18; under 16, a parent or
  carer must have given it unless a competence judgement stands in; no date of birth, no answer). The output
  records the Consent rows it rests on (Output.consents).
- A link must be an https address. A file must be a PDF, PNG or JPG (recognised by its first bytes, core.uploads)
  of at most 25 MB; it is stored under a random name, never the uploaded one.
- Withdrawing a media consent flags and hides at once every output that rests on it or that the young person made,
  and emails the staff who hold each one (who added it, and the engagement's staff lead) after the withdrawal
  commits. Restoring needs every contributor to have media consent that counts again.

Locking: a write that checks media consent locks the contributors' media Consent rows first (then the output), and
the withdrawal locks the consent before it looks for outputs, so an output can never be saved resting on a consent
that is being withdrawn at the same moment.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tasks import send_email_message
from core.uploads import document_kind, document_problem
from engagements.models import Attendance, Engagement, Output
from participants.models import Membership, Role, User
from safeguarding.models import Consent, ConsentType
from safeguarding.services.consent import (
    ADULT,
    EXPIRED,
    MISSING,
    REFUSED,
    RENEW,
    WITHDRAWN,
    ConsentFacts,
    competence_stands_in,
    consent_facts,
    consent_state,
    is_by_parent_or_carer,
    needs_parent_consent,
)

CHANGE_OUTPUT = "engagements.change_output"
MEDIA = ConsentType.MEDIA

MAX_FILE_BYTES = 25 * 1024 * 1024

# Why a young person's media consent does not count for an output, in plain words for staff.
MEDIA_PROBLEMS: dict[str, str] = {
    MISSING: "no media consent (photos, film and media) recorded",
    REFUSED: "they said no to photos, film and media",
    WITHDRAWN: "their media consent was withdrawn",
    EXPIRED: "their media consent has expired: ask again",
    RENEW: "their media consent was given before they turned {age}: ask again",
    ADULT: "their media consent was given by a parent or carer, which stopped counting when they turned 18: ask them",
}
NO_DATE_OF_BIRTH = "no date of birth is recorded, so we cannot tell whether their media consent counts"
UNDER_16 = "they are under 16, so a parent or carer must give media consent"


# --- The media consent rule ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaConsent:
    """Whether one young person's media consent counts on a day: the consent that counts, or why none does."""

    membership: Membership
    consent: Consent | None  # the consent that counts (None when none does)
    problem: str  # "" when it counts

    @property
    def counts(self) -> bool:
        return self.consent is not None and not self.problem


def media_consent_for(facts: ConsentFacts, on: datetime.date) -> MediaConsent:
    """Apply the consent rules (safeguarding.services.consent) to media consent for an output."""
    membership = facts.membership
    if facts.date_of_birth is None:
        return MediaConsent(membership, None, NO_DATE_OF_BIRTH)
    state = consent_state(facts, MEDIA, on)
    if not state.counts or state.latest is None:
        return MediaConsent(membership, None, MEDIA_PROBLEMS[state.reason].format(age=state.renewal_age or ""))
    parent_must_decide = needs_parent_consent(facts, on) and not competence_stands_in(facts, on)
    if parent_must_decide and not is_by_parent_or_carer(state.latest):
        return MediaConsent(membership, None, UNDER_16)
    return MediaConsent(membership, state.latest, "")


def media_consents(memberships: Iterable[Membership], on: datetime.date) -> dict[int, MediaConsent]:
    """Media consent for many young people at once (a fixed number of queries), keyed by membership id."""
    return {pk: media_consent_for(facts, on) for pk, facts in consent_facts(memberships).items()}


# --- Files and links ----------------------------------------------------------------------------------------------


def _check_file(upload: File[Any]) -> str:
    """The upload's kind ('pdf', 'jpg' or 'png', from its first bytes), or a refusal naming the file field."""
    problem = document_problem(upload, max_bytes=MAX_FILE_BYTES, name="The file")
    kind = document_kind(upload)
    if problem or kind is None:
        raise ApplicationError(
            f"{problem or 'The file must be a photo (JPG or PNG) or a PDF'}.", extra={"field": "file"}
        )
    return kind


def _check_link(link: str) -> str:
    link = link.strip()
    if not link:
        return ""
    try:
        URLValidator(schemes=["https"])(link)
    except ValidationError:
        raise ApplicationError(
            "Enter the link as a full https address, like https://www.example.org/our-film.", extra={"field": "link"}
        ) from None
    if len(link) > Output._meta.get_field("link").max_length:  # type: ignore[operator]
        raise ApplicationError("The link is too long.", extra={"field": "link"})
    return link


def _check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ApplicationError("Enter a title.", extra={"field": "title"})
    if len(title) > Output._meta.get_field("title").max_length:  # type: ignore[operator]
        raise ApplicationError("The title must be 200 characters or fewer.", extra={"field": "title"})
    return title


def _check_kind(kind: str) -> str:
    if kind not in Output.Kind.values:
        raise ApplicationError("Choose what kind of output it is.", extra={"field": "kind"})
    return kind


# --- Contributors ---------------------------------------------------------------------------------------------


def contributors_allowed(engagement: Engagement) -> list[Membership]:
    """The young people who may be named as making an output of this engagement: those confirmed for it and those
    whose attendance was marked (present, late or left early). Sorted by name."""
    attended = Attendance.objects.filter(engagement=engagement, status__in=Attendance.ATTENDED).values("membership_id")
    return list(
        Membership.objects.filter(Membership.with_role(Role.YOUNG_PERSON), partnership_id=engagement.partnership_id)
        .filter(Q(engagements=engagement) | Q(pk__in=attended))
        .select_related("user", "partnership")
        .distinct()
        .order_by("user__full_name", "pk")
    )


def _lock_media_consents(membership_ids: Iterable[int]) -> None:
    """Lock the media consents of these young people (in a fixed order), so a withdrawal waits for this write."""
    list(
        Consent.objects.select_for_update()
        .filter(membership_id__in=list(membership_ids), consent_type=MEDIA)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _contributors(engagement: Engagement, contributor_ids: Sequence[int]) -> tuple[list[Membership], list[Consent]]:
    """Check the contributors and their media consent; return them and the consents the output rests on.
    Call inside the write's transaction (it locks their media consents)."""
    wanted = list(dict.fromkeys(int(pk) for pk in contributor_ids))
    if not wanted:
        raise ApplicationError("Choose at least one young person who made it.", extra={"field": "contributor_ids"})
    allowed = {membership.pk: membership for membership in contributors_allowed(engagement)}
    if any(pk not in allowed for pk in wanted):
        raise ApplicationError(
            "Choose only young people who were confirmed for or attended this engagement.",
            extra={"field": "contributor_ids"},
        )
    _lock_media_consents(wanted)
    people = [allowed[pk] for pk in wanted]
    states = media_consents(people, timezone.localdate())
    refused = [states[person.pk] for person in people if not states[person.pk].counts]
    if refused:
        reasons = "; ".join(f"{state.membership.user.full_name}: {state.problem}" for state in refused)
        raise ApplicationError(
            f"These young people cannot be included until they have media consent that counts: {reasons}.",
            extra={
                "field": "contributor_ids",
                "people": [{"membership_id": state.membership.pk, "reason": state.problem} for state in refused],
            },
        )
    consents = [state.consent for state in (states[person.pk] for person in people) if state.consent is not None]
    return people, consents


# --- Writes -----------------------------------------------------------------------------------------------------


def _engagement_for(actor: User, engagement_id: int) -> Engagement:
    engagement = get_object_or_404(
        Engagement.objects.select_related("partnership").filter(partnership=actor.partnership), pk=engagement_id
    )
    require(actor, CHANGE_OUTPUT, engagement)
    if engagement.status == Engagement.Status.CANCELLED:
        raise ApplicationError("This engagement was cancelled, so it has no outputs.", extra={"field": "engagement_id"})
    return engagement


def _lock_output(actor: User, output_id: int) -> Output:
    """Lock the output; another partnership's is a 404, exactly like a missing one."""
    outputs = Output.objects.select_for_update().filter(partnership=actor.partnership)
    output = get_object_or_404(outputs, pk=output_id)
    require(actor, CHANGE_OUTPUT, output)
    return output


@transaction.atomic
def output_create(
    *,
    actor: User,
    engagement_id: int,
    title: str,
    kind: str,
    contributor_ids: Sequence[int],
    summary: str = "",
    link: str = "",
    file: File[Any] | None = None,
) -> Output:
    """Record something young people made in an engagement, resting on each contributor's media consent."""
    require(actor, CHANGE_OUTPUT)
    engagement = _engagement_for(actor, engagement_id)
    title = _check_title(title)
    kind = _check_kind(kind)
    link = _check_link(link)
    file_kind = _check_file(file) if file is not None else None
    people, consents = _contributors(engagement, contributor_ids)
    output = Output(
        partnership=engagement.partnership,
        engagement=engagement,
        title=title,
        kind=kind,
        summary=summary.strip(),
        link=link,
        created_by=actor,
    )
    if file is not None and file_kind is not None:
        output.file.save(f"{uuid.uuid4().hex}.{file_kind}", file, save=False)
    try:
        output.full_clean()
        output.save()
        output.contributors.set(people)
        output.consents.set(consents)
        audit_record(
            actor=actor,
            partnership=output.partnership,
            subject=output,
            event_type="output.created",
            payload={
                "engagement": engagement.pk,
                "kind": kind,
                "contributors": [person.pk for person in people],
                "consents": [consent.pk for consent in consents],
                "file": bool(output.file),
            },
        )
    except BaseException:
        if output.file:
            output.file.storage.delete(output.file.name)
        raise
    return output


@transaction.atomic
def output_update(
    *,
    actor: User,
    output_id: int,
    title: str | None = None,
    kind: str | None = None,
    summary: str | None = None,
    link: str | None = None,
    file: File[Any] | None = None,
    contributor_ids: Sequence[int] | None = None,
) -> Output:
    """Change an output. None leaves a field as it is. New contributors are checked as on creation, and the output
    then rests on the media consents that count for them now. A hidden output stays hidden (restore it)."""
    require(actor, CHANGE_OUTPUT)
    current = get_object_or_404(Output.objects.filter(partnership=actor.partnership), pk=output_id)
    changed: list[str] = []
    people: list[Membership] | None = None
    consents: list[Consent] | None = None
    if contributor_ids is not None:
        engagement = get_object_or_404(Engagement.objects.select_related("partnership"), pk=current.engagement_id)
        people, consents = _contributors(engagement, contributor_ids)
    output = _lock_output(actor, output_id)
    if title is not None and title.strip() != output.title:
        output.title = _check_title(title)
        changed.append("title")
    if kind is not None and kind != output.kind:
        output.kind = _check_kind(kind)
        changed.append("kind")
    if summary is not None and summary.strip() != output.summary:
        output.summary = summary.strip()
        changed.append("summary")
    if link is not None and link.strip() != output.link:
        output.link = _check_link(link)
        changed.append("link")
    old_file = output.file.name if output.file else ""
    if file is not None:
        file_kind = _check_file(file)
        output.file.save(f"{uuid.uuid4().hex}.{file_kind}", file, save=False)
        changed.append("file")
    payload: dict[str, Any] = {}
    try:
        output.full_clean()
        if changed:
            output.save(update_fields=changed)
        if people is not None and consents is not None:
            before = sorted(output.contributors.values_list("pk", flat=True))
            after = sorted(person.pk for person in people)
            before_consents = sorted(output.consents.values_list("pk", flat=True))
            after_consents = sorted(consent.pk for consent in consents)
            if before != after:
                output.contributors.set(people)
                changed.append("contributors")
                payload["contributors"] = {"from": before, "to": after}
            if before_consents != after_consents:
                output.consents.set(consents)
                payload["consents"] = {"from": before_consents, "to": after_consents}
        if changed:
            audit_record(
                actor=actor,
                partnership=output.partnership,
                subject=output,
                event_type="output.updated",
                payload={"fields": changed, **payload},
            )
    except BaseException:
        if file is not None and output.file and output.file.name != old_file:
            output.file.storage.delete(output.file.name)
        raise
    if file is not None and old_file:
        storage = output.file.storage
        transaction.on_commit(partial(storage.delete, old_file))
    return output


@transaction.atomic
def output_hide(*, actor: User, output_id: int, reason: str) -> Output:
    """Hide an output (young people no longer see it), with a reason kept in its history."""
    output = _lock_output(actor, output_id)
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Enter why you are hiding it.", extra={"field": "reason"})
    if len(reason) > 1000:
        raise ApplicationError("The reason must be 1000 characters or fewer.", extra={"field": "reason"})
    if output.is_hidden:
        raise ApplicationError("This output is already hidden.", extra={"field": "reason"})
    output.is_hidden = True
    output.save(update_fields=["is_hidden"])
    audit_record(
        actor=actor,
        partnership=output.partnership,
        subject=output,
        event_type="output.hidden",
        payload={"reason": reason},
    )
    return output


@transaction.atomic
def output_restore(*, actor: User, output_id: int) -> Output:
    """Show a hidden output again. Only when every contributor has media consent that counts today; the output then
    rests on those consents, and any flag from a withdrawn consent is cleared (its history stays)."""
    require(actor, CHANGE_OUTPUT)
    unlocked = get_object_or_404(Output.objects.filter(partnership=actor.partnership), pk=output_id)
    contributor_ids = list(unlocked.contributors.order_by("pk").values_list("pk", flat=True))
    _lock_media_consents(contributor_ids)
    output = _lock_output(actor, output_id)
    if not output.is_hidden:
        raise ApplicationError("This output is not hidden.", extra={"field": "is_hidden"})
    people = list(output.contributors.select_related("user", "partnership").order_by("user__full_name", "pk"))
    if not people:
        raise ApplicationError(
            "Nobody is named as making this output. Add who made it before showing it again.",
            extra={"field": "contributor_ids"},
        )
    _lock_media_consents(person.pk for person in people if person.pk not in contributor_ids)
    states = media_consents(people, timezone.localdate())
    refused = [states[person.pk] for person in people if not states[person.pk].counts]
    if refused:
        reasons = "; ".join(f"{state.membership.user.full_name}: {state.problem}" for state in refused)
        raise ApplicationError(
            f"It cannot be shown again until everyone who made it has media consent that counts: {reasons}. "
            "Or take them off the output first.",
            extra={
                "field": "contributor_ids",
                "people": [{"membership_id": state.membership.pk, "reason": state.problem} for state in refused],
            },
        )
    consents = [states[person.pk].consent for person in people]
    before_consents = sorted(output.consents.values_list("pk", flat=True))
    output.consents.set([consent for consent in consents if consent is not None])
    was_flagged = output.flagged_at is not None
    output.is_hidden = False
    output.flagged_at = None
    output.flag_reason = ""
    output.save(update_fields=["is_hidden", "flagged_at", "flag_reason"])
    audit_record(
        actor=actor,
        partnership=output.partnership,
        subject=output,
        event_type="output.restored",
        payload={
            "was_flagged": was_flagged,
            "consents": {"from": before_consents, "to": sorted(c.pk for c in consents if c is not None)},
        },
    )
    return output


# --- Consent withdrawn ----------------------------------------------------------------------------------------


def _withdrawn_by(membership: Membership, actor: User | None) -> str:
    young_person = membership.user
    if actor is None:
        return "a parent or carer"
    if actor.pk == young_person.pk:
        return young_person.full_name
    return actor.full_name


@transaction.atomic
def outputs_flag_for_withdrawn_consent(*, consent: Consent, actor: User | None) -> list[Output]:
    """A media consent was withdrawn (called by safeguarding inside the withdrawal's transaction, with the consent
    locked): flag and hide every output that rests on it or that the young person made, and email the staff who
    hold each one after the withdrawal commits. Any other kind of consent, or nobody's outputs: nothing happens.

    No permission check: this is a consequence of a withdrawal that has already been allowed (a young person, a
    parent by signed link, or a worker), not something the person withdrawing does to outputs."""
    if consent.consent_type != MEDIA:
        return []
    ids = set(
        Output.objects.filter(partnership_id=consent.partnership_id)
        .filter(Q(consents=consent) | Q(contributors=consent.membership_id))
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    outputs = list(
        Output.objects.select_for_update(of=("self",))
        .select_related("engagement", "engagement__staff_lead", "created_by", "partnership")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    membership = Membership.objects.select_related("user").get(pk=consent.membership_id)
    now = timezone.now()
    withdrawn_on = timezone.localdate(consent.withdrawn_at or now)
    reason = (
        f"Media consent for {membership.user.full_name} withdrawn by {_withdrawn_by(membership, actor)} "
        f"on {withdrawn_on:%-d %B %Y}"
    )
    for output in outputs:
        output.is_hidden = True
        output.flag_reason = f"{output.flag_reason}\n{reason}" if output.flagged_at and output.flag_reason else reason
        output.flagged_at = now
        output.save(update_fields=["is_hidden", "flagged_at", "flag_reason"])
        audit_record(
            actor=actor,
            partnership=output.partnership,
            subject=output,
            event_type="output.flagged",
            payload={"consent": consent.pk, "membership": membership.pk, "reason": "media consent withdrawn"},
        )
    _email_holders(outputs, withdrawn_on=withdrawn_on)
    return outputs


def _email_holders(outputs: Sequence[Output], *, withdrawn_on: datetime.date) -> None:
    """One email to each member of staff who holds some of these outputs: who added it, and the engagement's staff
    lead. It names the outputs and says consent was withdrawn: not whose, not why (they can see that when signed in).
    """
    held: dict[str, list[Output]] = defaultdict(list)
    for output in outputs:
        holders = {output.created_by, output.engagement.staff_lead}
        for user in holders:
            if user is not None and user.is_active and user.email:
                held[user.email].append(output)
    site = str(settings.SITE_URL).rstrip("/")
    for email, theirs in sorted(held.items()):
        lines = [
            f'- "{output.title}" ({output.get_kind_display().lower()}, from {output.engagement.title}): '
            f"{site}{reverse('output_detail', args=[output.pk])}"
            for output in theirs
        ]
        count = len(theirs)
        what = "an output" if count == 1 else f"{count} outputs"
        body = (
            f"A media consent that {what} you hold rests on was withdrawn on {withdrawn_on:%-d %B %Y}. It took "
            "effect straight away, so we have hidden "
            + ("it" if count == 1 else "them")
            + " in Young Scrutineers:\n\n"
            + "\n".join(lines)
            + "\n\nDo not use, publish or share "
            + ("it" if count == 1 else "them")
            + ". If already published, take "
            + ("it" if count == 1 else "them")
            + " down and tell anyone you shared "
            + ("it" if count == 1 else "them")
            + " with. Sign in to see what changed."
        )
        subject = "Output hidden: media consent withdrawn" if count == 1 else "Outputs hidden: media consent withdrawn"
        transaction.on_commit(
            partial(send_email_message.delay, subject=subject, body=body, to=[email], html=linebreaks(escape(body)))
        )
