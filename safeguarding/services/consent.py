"""Consent: the rules that say which consents count, and every write (a decision, a withdrawal, a parent's link, a
competence judgement, the partnership's policy, the yearly asking again at 16 and 18).

The rules, in one place (pages, API, background jobs and `can_take_part` all call these):
- Each kind of consent is decided by its newest act: a decision (given or refused) at the moment it was given, a
  withdrawal at the moment it was withdrawn. Only a newest act that is "given" can count.
- A consent stops counting when it expires, when it was given by a parent or carer and the young person has turned
  18, and, for taking part and media, when it was given before the young person's most recent 16th or 18th
  birthday (they are asked again).
- An under-16 needs a parent or carer's consent to take part, unless the partnership's policy lets a competence
  (Gillick) judgement stand in for it and the newest judgement, still within its review date, says competent.
- A filmed engagement needs media consent; an in-person engagement needs emergency medical consent.
- Withdrawal takes effect at once: `consent_gaps` reads the records every time, nothing is cached.

Parents and carers act through signed links (django.core.signing, one salt per purpose, with a maximum age) that
name a ConsentRequest (give) or a Consent (withdraw); a ConsentRequest works once (`used_at`).
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.permissions import require
from core.uploads import document_kind, document_problem
from core.workflows import transition
from participants.models import Membership, OnboardingItem, Partnership, Role, User, YoungPersonProfile
from participants.models.profile import birthday_in
from participants.services.onboarding import onboarding_item_record
from safeguarding import consent_emails
from safeguarding.models import (
    CompetenceAssessment,
    Consent,
    ConsentMethod,
    ConsentRequest,
    ConsentType,
    SafeguardingPolicy,
)

Status = Consent.Status

SELF = "Self"
# The kinds a young person decides for themselves, in their account (a parent's consent to take part is not theirs).
OWN_TYPES: tuple[str, ...] = (
    ConsentType.TAKING_PART,
    ConsentType.MEDIA,
    ConsentType.DATA_SHARING,
    ConsentType.EMERGENCY_MEDICAL,
)
# The kinds a parent or carer can be asked for by link (taking part itself is the young person's own).
PARENT_LINK_TYPES: tuple[str, ...] = (
    ConsentType.PARENT_CARER,
    ConsentType.MEDIA,
    ConsentType.DATA_SHARING,
    ConsentType.EMERGENCY_MEDICAL,
)
# Ways a worker records a consent given outside the system.
STAFF_METHODS: tuple[str, ...] = (ConsentMethod.PAPER_FORM, ConsentMethod.VERBAL_WITNESSED)
# Asked again at these ages, for these kinds.
RENEWAL_AGES: tuple[int, ...] = (16, 18)
RENEWED_TYPES: tuple[str, ...] = (ConsentType.TAKING_PART, ConsentType.MEDIA, ConsentType.EMERGENCY_MEDICAL)
# Under 16, these count only when a parent or carer gave them (or a competence judgement stands in): a 14-year-old
# cannot alone agree to be filmed or to emergency treatment. (A choice made with the safeguarding lead's view that
# the conservative reading of "under-16s need a parent or carer's consent" is the right one; a partnership that
# allows competence judgements can let a competent under-16 decide.)
PARENT_DECIDES_UNDER_16: tuple[str, ...] = (ConsentType.MEDIA, ConsentType.EMERGENCY_MEDICAL)
PARENT_CONSENT_UNDER = 16
PARENT_CONSENT_ENDS_AT = 18

ONBOARDING_KEYS: dict[str, str] = {
    ConsentType.TAKING_PART: "consent.taking_part",
    ConsentType.PARENT_CARER: "consent.parent_carer",
    ConsentType.MEDIA: "consent.media",
}

# Paper consent forms: PDF or an image, at most 5 MB, recognised by their first bytes (never by name or type).
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
)
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}

# Signed links. A token made for one purpose does not work for another (each has its own salt).
GIVE = "give"
WITHDRAW = "withdraw"
RECEIPT = "receipt"
LINK_SALTS = {
    GIVE: "safeguarding.consent_request.give",
    WITHDRAW: "safeguarding.consent.withdraw",
    RECEIPT: "safeguarding.consent.receipt",
}
PARENT_LINK_DAYS = 14
LINK_MAX_AGE_DAYS = {GIVE: PARENT_LINK_DAYS, WITHDRAW: 3 * 366, RECEIPT: 1}


# --- Plain words ---------------------------------------------------------------------------------------------------

# What each kind means, for a 13-year-old and for a parent. Kept as the consent's scope when given in the system.
EXPLANATIONS: dict[str, str] = {
    ConsentType.TAKING_PART: (
        "You agree to take part as a young scrutineer: going to meetings and events, sharing your views and "
        "ideas, and being paid for your time. You can stop at any time."
    ),
    ConsentType.PARENT_CARER: (
        "Because you are under 16, we also ask a parent or carer if it is OK for you to take part. We email them "
        "a link."
    ),
    ConsentType.MEDIA: (
        "You agree that we can take photos or film of you at events, and use them in things like reports, "
        "videos and our website. Saying no is fine: you can still take part in everything."
    ),
    ConsentType.DATA_SHARING: (
        "You agree that we can share some information about you, like your name and the work you did, with the "
        "organisations in the partnership (the council, police and health), when the work needs it. We never "
        "share more than we need to."
    ),
    ConsentType.EMERGENCY_MEDICAL: (
        "If you are hurt or become ill at an event and we cannot reach your emergency contact, you agree that "
        "staff can say yes to urgent medical treatment that a doctor says you need."
    ),
}

PARENT_EXPLANATIONS: dict[str, str] = {
    ConsentType.PARENT_CARER: (
        "You agree that {name} can take part as a young scrutineer with {partnership}: going to meetings and "
        "events where young people give their views on how children are kept safe, and being paid for their time. "
        "Sessions are planned and risk assessed, and staff who work with young people have enhanced DBS checks."
    ),
    ConsentType.MEDIA: (
        "You agree that {partnership} can take photos or film of {name} at events, and use them in reports, "
        "videos and on its website."
    ),
    ConsentType.DATA_SHARING: (
        "You agree that {partnership} can share some information about {name}, like their name and the work they "
        "did, with the organisations in the partnership (the council, police and health), when the work needs it."
    ),
    ConsentType.EMERGENCY_MEDICAL: (
        "If {name} is hurt or becomes ill at an event and staff cannot reach you or their emergency contact, you "
        "agree that staff can say yes to urgent medical treatment that a doctor says they need."
    ),
}

# Why a kind of consent does not count, in the words `consent_gaps` uses. {age} is 16 or 18.
MISSING = "missing"
REFUSED = "refused"
WITHDRAWN = "withdrawn"
EXPIRED = "expired"
RENEW = "renew"
ADULT = "adult"

_GAP_WORDS: dict[str, dict[str, str]] = {
    ConsentType.TAKING_PART: {
        MISSING: "No consent to take part",
        REFUSED: "They said no to taking part",
        WITHDRAWN: "Consent to take part was withdrawn",
        EXPIRED: "Consent to take part has expired: ask again",
        RENEW: "Consent to take part was given before they turned {age}: ask again",
        ADULT: "Consent to take part was given by a parent or carer, which stopped counting when they turned 18: "
        "ask them",
    },
    ConsentType.PARENT_CARER: {
        MISSING: "Needs a parent or carer's consent (under 16)",
        REFUSED: "Needs a parent or carer's consent (under 16): their parent or carer said no",
        WITHDRAWN: "Needs a parent or carer's consent (under 16): it was withdrawn",
        EXPIRED: "Needs a parent or carer's consent (under 16): it has expired",
        RENEW: "Needs a parent or carer's consent (under 16)",
        ADULT: "Needs a parent or carer's consent (under 16)",
    },
    ConsentType.MEDIA: {
        MISSING: "Media consent needed for a filmed engagement",
        REFUSED: "They said no to photos and film, and this engagement is filmed",
        WITHDRAWN: "Media consent was withdrawn, and this engagement is filmed",
        EXPIRED: "Media consent has expired: ask again before a filmed engagement",
        RENEW: "Media consent was given before they turned {age}: ask again",
        ADULT: "Media consent was given by a parent or carer, which stopped counting when they turned 18: ask them",
    },
    ConsentType.EMERGENCY_MEDICAL: {
        MISSING: "Emergency medical consent needed for an in-person engagement",
        REFUSED: "They said no to emergency medical treatment, and this engagement is in person",
        WITHDRAWN: "Emergency medical consent was withdrawn, and this engagement is in person",
        EXPIRED: "Emergency medical consent has expired: ask again before an in-person engagement",
        RENEW: "Emergency medical consent was given before they turned {age}: ask again",
        ADULT: "Emergency medical consent was given by a parent or carer, which stopped counting when they turned "
        "18: ask them",
    },
}
NO_DATE_OF_BIRTH = "No date of birth recorded, so we cannot tell which consents they need"


# --- The facts the rules read -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentFacts:
    """Everything the consent rules need about one young person, loaded in a fixed number of queries."""

    membership: Membership
    date_of_birth: datetime.date | None
    consents: tuple[Consent, ...]
    assessments: tuple[CompetenceAssessment, ...]
    allow_competence: bool

    def age_on(self, day: datetime.date) -> int | None:
        born = self.date_of_birth
        if born is None:
            return None
        return day.year - born.year - (1 if day < birthday_in(born, day.year) else 0)

    def birthday_at(self, age: int) -> datetime.date | None:
        if self.date_of_birth is None:
            return None
        return birthday_in(self.date_of_birth, self.date_of_birth.year + age)


@dataclass(frozen=True)
class ConsentState:
    """One kind of consent for one young person on one day: the newest act, whether it counts, and why not."""

    consent_type: str
    latest: Consent | None  # the newest act (given, refused or withdrawn), whether or not it counts
    counts: bool
    reason: str  # "" when it counts; else MISSING, REFUSED, WITHDRAWN, EXPIRED, RENEW or ADULT
    renewal_age: int | None = None

    @property
    def label(self) -> str:
        return str(ConsentType(self.consent_type).label)

    @property
    def current(self) -> Consent | None:
        return self.latest if self.counts else None


def consent_facts(memberships: Iterable[Membership]) -> dict[int, ConsentFacts]:
    """Load the facts for many young people at once: four queries, however many there are."""
    people = {membership.pk: membership for membership in memberships}
    if not people:
        return {}
    ids = list(people)
    births = dict(
        YoungPersonProfile.objects.filter(membership_id__in=ids).values_list("membership_id", "date_of_birth")
    )
    consents: dict[int, list[Consent]] = {pk: [] for pk in ids}
    for consent in Consent.objects.filter(membership_id__in=ids).order_by("given_at", "pk"):
        consents[consent.membership_id].append(consent)
    assessments: dict[int, list[CompetenceAssessment]] = {pk: [] for pk in ids}
    for assessment in CompetenceAssessment.objects.filter(membership_id__in=ids).order_by("assessed_on", "pk"):
        assessments[assessment.membership_id].append(assessment)
    partnership_ids = {membership.partnership_id for membership in people.values()}
    allowed = dict(
        SafeguardingPolicy.objects.filter(partnership_id__in=partnership_ids).values_list(
            "partnership_id", "allow_competence_for_parent_consent"
        )
    )
    default = SafeguardingPolicy._meta.get_field("allow_competence_for_parent_consent").get_default()
    return {
        pk: ConsentFacts(
            membership=membership,
            date_of_birth=births.get(pk),
            consents=tuple(consents[pk]),
            assessments=tuple(assessments[pk]),
            allow_competence=bool(allowed.get(membership.partnership_id, default)),
        )
        for pk, membership in people.items()
    }


def _facts_for(membership: Membership) -> ConsentFacts:
    return consent_facts([membership])[membership.pk]


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def _act_time(consent: Consent) -> tuple[datetime.datetime, int]:
    """When this row's newest act happened: its withdrawal, or else the decision itself."""
    if consent.status == Status.WITHDRAWN and consent.withdrawn_at is not None:
        return consent.withdrawn_at, consent.pk
    return consent.given_at, consent.pk


def _renewal_age(facts: ConsentFacts, on: datetime.date) -> int | None:
    """The most recent of the young person's 16th and 18th birthdays on or before `on` (the age, or None)."""
    age = facts.age_on(on)
    if age is None:
        return None
    reached = [milestone for milestone in RENEWAL_AGES if age >= milestone]
    return max(reached) if reached else None


def is_by_parent_or_carer(consent: Consent) -> bool:
    return consent.relationship.strip().lower() != SELF.lower()


def consent_state(facts: ConsentFacts, consent_type: str, on: datetime.date) -> ConsentState:
    """Apply the rules to one kind of consent on one day."""
    rows = [c for c in facts.consents if c.consent_type == consent_type and _local_date(c.given_at) <= on]
    if not rows:
        return ConsentState(consent_type, None, False, MISSING)
    latest = max(rows, key=_act_time)
    if latest.status == Status.REFUSED:
        return ConsentState(consent_type, latest, False, REFUSED)
    if latest.status == Status.WITHDRAWN:
        return ConsentState(consent_type, latest, False, WITHDRAWN)
    if latest.expires_on is not None and latest.expires_on < on:
        return ConsentState(consent_type, latest, False, EXPIRED)
    adult_from = facts.birthday_at(PARENT_CONSENT_ENDS_AT)
    if adult_from is not None and on >= adult_from and is_by_parent_or_carer(latest):
        return ConsentState(consent_type, latest, False, ADULT)
    if consent_type in RENEWED_TYPES:
        milestone = _renewal_age(facts, on)
        if milestone is not None:
            birthday = facts.birthday_at(milestone)
            if birthday is not None and _local_date(latest.given_at) < birthday:
                return ConsentState(consent_type, latest, False, RENEW, renewal_age=milestone)
    return ConsentState(consent_type, latest, True, "")


def latest_competence(facts: ConsentFacts, on: datetime.date) -> CompetenceAssessment | None:
    rows = [a for a in facts.assessments if a.assessed_on <= on]
    return max(rows, key=lambda a: (a.assessed_on, a.created_at, a.pk)) if rows else None


def competence_stands_in(facts: ConsentFacts, on: datetime.date) -> bool:
    """Whether a competence judgement stands in for a parent's consent: the policy allows it, and the newest
    judgement says competent and is not past its review date."""
    if not facts.allow_competence:
        return False
    judgement = latest_competence(facts, on)
    if judgement is None or not judgement.is_competent:
        return False
    return judgement.review_on is None or judgement.review_on >= on


def needs_parent_consent(facts: ConsentFacts, on: datetime.date) -> bool:
    age = facts.age_on(on)
    return age is not None and age < PARENT_CONSENT_UNDER


def parent_consent_satisfied(facts: ConsentFacts, on: datetime.date) -> bool:
    return consent_state(facts, ConsentType.PARENT_CARER, on).counts or competence_stands_in(facts, on)


def _gap(state: ConsentState) -> str:
    words = _GAP_WORDS[state.consent_type][state.reason]
    return words.format(age=state.renewal_age or "")


UNDER_16_PARENT_DECIDES: dict[str, str] = {
    ConsentType.MEDIA: "Photo and film consent must come from a parent or carer (under 16)",
    ConsentType.EMERGENCY_MEDICAL: "Emergency medical consent must come from a parent or carer (under 16)",
}


def consent_gaps_for(facts: ConsentFacts, on: datetime.date, *, filmed: bool, online: bool) -> list[str]:
    """Plain-words reasons this young person cannot take part on `on` as far as consent goes ([] = nothing missing)."""
    gaps: list[str] = []
    if facts.date_of_birth is None:
        gaps.append(NO_DATE_OF_BIRTH)
    taking_part = consent_state(facts, ConsentType.TAKING_PART, on)
    if not taking_part.counts:
        gaps.append(_gap(taking_part))
    if needs_parent_consent(facts, on) and not parent_consent_satisfied(facts, on):
        gaps.append(_gap(consent_state(facts, ConsentType.PARENT_CARER, on)))
    parent_must_decide = needs_parent_consent(facts, on) and not competence_stands_in(facts, on)
    needed = ([ConsentType.MEDIA] if filmed else []) + ([] if online else [ConsentType.EMERGENCY_MEDICAL])
    for consent_type in needed:
        state = consent_state(facts, consent_type, on)
        if not state.counts:
            gaps.append(_gap(state))
        elif (
            parent_must_decide
            and consent_type in PARENT_DECIDES_UNDER_16
            and state.latest is not None
            and not is_by_parent_or_carer(state.latest)
        ):
            gaps.append(UNDER_16_PARENT_DECIDES[consent_type])
    return gaps


def consent_gaps(membership: Membership, on: datetime.date, *, filmed: bool, online: bool) -> list[str]:
    """What consent is missing before this young person can take part on `on` in an engagement that is (or is not)
    filmed and online. Reads the records every time, so a withdrawal shows at once. [] means nothing is missing."""
    return consent_gaps_for(_facts_for(membership), on, filmed=filmed, online=online)


def current_consent(membership: Membership, consent_type: str, on: datetime.date) -> Consent | None:
    """The consent of this kind that counts on `on`, or None."""
    return consent_state(_facts_for(membership), consent_type, on).current


def _age_when_given(membership: Membership, given_at: datetime.datetime) -> int | None:
    profile = YoungPersonProfile.objects.filter(membership=membership).first()
    return profile.age_on(_local_date(given_at)) if profile is not None else None


# --- The onboarding checklist ------------------------------------------------------------------------------------


def _sync_onboarding(membership: Membership, consent_type: str, *, by: User | None) -> None:
    """Tick or untick the checklist item this kind of consent stands for, from what the records now say.
    Only the item for the kind that changed is touched, so a worker's own marking of other items stays."""
    key = ONBOARDING_KEYS.get(consent_type)
    if key is None:
        return
    today = timezone.localdate()
    facts = _facts_for(membership)
    if consent_type == ConsentType.PARENT_CARER:
        age = facts.age_on(today)
        if age is not None and age >= PARENT_CONSENT_UNDER:
            return  # no longer needed: the checklist item is left as it is
        done = parent_consent_satisfied(facts, today)
    elif consent_type == ConsentType.MEDIA:
        # A media decision either way (yes or no) completes the item; a withdrawal or a stale one does not.
        state = consent_state(facts, consent_type, today)
        done = state.counts or state.reason == REFUSED
    else:
        done = consent_state(facts, consent_type, today).counts
    status = OnboardingItem.Status.DONE if done else OnboardingItem.Status.TO_DO
    onboarding_item_record(membership=membership, key=key, status=status, by=by)


# --- Paper consent forms ------------------------------------------------------------------------------------------


def consent_document_kind(document: IO[bytes] | File[Any]) -> str | None:
    """'pdf', 'png' or 'jpg' from the file's first bytes; None for anything else (core.uploads decides)."""
    return document_kind(document)


def consent_document_problem(document: File[Any]) -> str | None:
    """Why this upload cannot be kept as a paper consent form (None if it can)."""
    return document_problem(
        document,
        max_bytes=MAX_DOCUMENT_BYTES,
        name="The consent form",
        wrong_kind="The consent form must be a PDF, JPG or PNG file",
    )


# --- Helpers for writes ------------------------------------------------------------------------------------------


def _young_person(actor: User, membership_id: int) -> Membership:
    """A young person of the actor's partnership (404 for anyone else, or another partnership's)."""
    return get_object_or_404(
        Membership.objects.select_related("user", "partnership").filter(
            Membership.with_role(Role.YOUNG_PERSON), partnership=actor.partnership
        ),
        pk=membership_id,
    )


def _choice(value: str, allowed: Sequence[str], *, field: str, message: str) -> str:
    if value not in allowed:
        raise ApplicationError(message, extra={"field": field})
    return value


def _record(
    *,
    membership: Membership,
    consent_type: str,
    give: bool,
    given_by_name: str,
    relationship: str,
    method: str,
    recorded_by: User | None,
    given_at: datetime.datetime,
    by: str,
    witness_name: str = "",
    scope: str = "",
    expires_on: datetime.date | None = None,
    document: File[Any] | None = None,
    document_kind: str | None = None,
    extra_payload: dict[str, Any] | None = None,
) -> Consent:
    consent = Consent(
        partnership=membership.partnership,
        membership=membership,
        consent_type=consent_type,
        status=Status.GIVEN if give else Status.REFUSED,
        given_by_name=given_by_name.strip(),
        relationship=relationship.strip(),
        method=method,
        witness_name=witness_name.strip(),
        scope=scope.strip(),
        given_at=given_at,
        age_when_given=_age_when_given(membership, given_at),
        expires_on=expires_on,
        recorded_by=recorded_by,
    )
    if document is not None and document_kind is not None:
        # Named by what it is, never by the uploaded name (which may hold personal details or path tricks).
        consent.document.save(f"{uuid.uuid4().hex}.{document_kind}", document, save=False)
    try:
        consent.full_clean()
        consent.save()
        audit_record(
            actor=recorded_by,
            partnership=membership.partnership,
            subject=consent,
            event_type="consent.recorded",
            payload={
                "type": consent_type,
                "status": consent.status,
                "method": method,
                "by": by,
                **(extra_payload or {}),
            },
        )
    except BaseException:
        if consent.document:
            consent.document.storage.delete(consent.document.name)
        raise
    _sync_onboarding(membership, consent_type, by=recorded_by)
    return consent


# --- The young person's own consents -----------------------------------------------------------------------------


@transaction.atomic
def consent_give_own(*, actor: User, consent_type: str, give: bool) -> Consent:
    """The young person says yes or no to one kind of consent, in their own account."""
    require(actor, "safeguarding.give_own_consent")
    _choice(consent_type, OWN_TYPES, field="consent_type", message="Choose a kind of consent you can give yourself.")
    membership = actor.membership
    if membership is None:  # require() has already refused anyone acting in no partnership
        raise ApplicationError("You are not part of a partnership.")
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user", "partnership").get(pk=membership.pk)
    )
    state = consent_state(_facts_for(membership), consent_type, timezone.localdate())
    if state.counts and state.latest is not None and not is_by_parent_or_carer(state.latest):
        raise ApplicationError(
            "You have already said yes to this. If you have changed your mind, withdraw your consent instead.",
            extra={"field": "decision"},
        )
    return _record(
        membership=membership,
        consent_type=consent_type,
        give=give,
        given_by_name=actor.full_name,
        relationship=SELF,
        method=ConsentMethod.IN_ACCOUNT,
        recorded_by=actor,
        given_at=timezone.now(),
        by="self",
        scope=EXPLANATIONS[consent_type],
    )


# --- Recorded by a worker: paper forms and verbal consent with a witness ------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor: User,
    membership_id: int,
    consent_type: str,
    give: bool,
    given_by_name: str,
    relationship: str,
    method: str,
    witness_name: str = "",
    document: File[Any] | None = None,
    scope: str = "",
    expires_on: datetime.date | None = None,
    given_on: datetime.date | None = None,
) -> Consent:
    """A worker records a consent given on a paper form (with the scanned form, when there is one) or verbally
    with a named witness. `relationship` is "Self" when the young person gave it themselves."""
    membership = _young_person(actor, membership_id)
    require(actor, "safeguarding.change_consent", membership)
    _choice(consent_type, ConsentType.values, field="consent_type", message="Choose which kind of consent this is.")
    _choice(method, STAFF_METHODS, field="method", message="Choose a paper form or verbal, with a witness.")
    today = timezone.localdate()
    given_on = given_on or today
    if given_on > today:
        raise ApplicationError("The date consent was given must be today or in the past.", extra={"field": "given_on"})
    if expires_on is not None and expires_on <= given_on:
        raise ApplicationError(
            "The expiry date must be after the date consent was given.", extra={"field": "expires_on"}
        )
    own = relationship.strip().lower() in {"", SELF.lower()}
    if consent_type == ConsentType.TAKING_PART and not own:
        raise ApplicationError(
            "Consent to take part is the young person's own. Record a parent or carer's as "
            "'Parent or carer's consent to take part'.",
            extra={"field": "relationship"},
        )
    if consent_type == ConsentType.PARENT_CARER and own:
        raise ApplicationError(
            "Say how the parent or carer who gave consent is related to the young person.",
            extra={"field": "relationship"},
        )
    if own:
        relationship, given_by_name = SELF, given_by_name.strip() or membership.user.full_name
    elif not given_by_name.strip():
        raise ApplicationError("Enter the name of the person who gave consent.", extra={"field": "given_by_name"})
    if method == ConsentMethod.VERBAL_WITNESSED:
        if not witness_name.strip():
            raise ApplicationError(
                "Enter the name of the person who witnessed the consent.", extra={"field": "witness_name"}
            )
        if document is not None:
            raise ApplicationError("Attach a form only to consent given on paper.", extra={"field": "document"})
    else:
        witness_name = ""
    kind = None
    if document is not None:
        problem = consent_document_problem(document)
        if problem:
            raise ApplicationError(problem, extra={"field": "document"})
        kind = consent_document_kind(document)
    given_at = timezone.now() if given_on == today else _midday(given_on)
    return _record(
        membership=membership,
        consent_type=consent_type,
        give=give,
        given_by_name=given_by_name,
        relationship=relationship,
        method=method,
        recorded_by=actor,
        given_at=given_at,
        by="staff",
        witness_name=witness_name,
        scope=scope,
        expires_on=expires_on,
        document=document,
        document_kind=kind,
    )


def _midday(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


# --- Withdrawal ----------------------------------------------------------------------------------------------------


def _withdraw(consent: Consent, *, actor: User | None, reason: str, by: str) -> Consent:
    """The transition given → withdrawn on a locked row; takes effect at once."""
    consent.withdrawn_at = timezone.now()
    consent.withdrawal_reason = reason.strip()
    transition(
        consent,
        to=Status.WITHDRAWN,
        actor=actor,
        payload={"type": consent.consent_type, "by": by},
        extra_update_fields=["withdrawn_at", "withdrawal_reason"],
    )
    membership = Membership.objects.select_related("user", "partnership").get(pk=consent.membership_id)
    _sync_onboarding(membership, consent.consent_type, by=actor)
    if consent.consent_type in (
        ConsentType.TAKING_PART,
        ConsentType.PARENT_CARER,
        ConsentType.EMERGENCY_MEDICAL,
        ConsentType.MEDIA,
    ):
        # These can stop a young person taking part, so the withdrawal takes effect on their places too: each
        # confirmed place on an engagement that has not started is checked again with can_take_part, in this
        # transaction, and one they can no longer take is cancelled and offered to the waiting list (emails after
        # commit). Imported here for the same reason as below.
        from engagements.services.selection import places_review_after_consent_change

        places_review_after_consent_change(membership=membership, actor=actor)
    if consent.consent_type == ConsentType.MEDIA:
        # Media consent withdrawn: the staff who hold photos, films and other outputs must stop using any that show
        # this person. Their outputs are flagged and hidden now, in this transaction, and the staff who hold each
        # one are emailed after it commits (engagements.services.outputs). Imported here: engagements' services
        # import this module, so a top-level import would be circular.
        from engagements.services.outputs import outputs_flag_for_withdrawn_consent

        outputs_flag_for_withdrawn_consent(consent=consent, actor=actor)
        consent_emails.send_media_withdrawn(membership, withdrawn_on=_local_date(consent.withdrawn_at))
    if consent.consent_type in (ConsentType.MEDIA, ConsentType.DATA_SHARING):
        # The shared library's examples that name this person or show something they made are withdrawn (published)
        # or sent back to draft (waiting for approval) now, in this transaction; their editors are emailed after it
        # commits (library.services). Imported here for the same reason as above.
        from library.services import examples_withdraw_for_consent

        examples_withdraw_for_consent(membership=membership, actor=actor)
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent_id: int, reason: str = "") -> Consent:
    """Withdraw a consent: a young person their own (reason optional), a worker anyone's (reason needed)."""
    consent = get_object_or_404(
        Consent.objects.select_for_update().filter(partnership=actor.partnership), pk=consent_id
    )
    own = actor.membership is not None and consent.membership_id == actor.membership.pk
    if not own and not actor.has_perm("safeguarding.change_consent"):
        # Someone else's consent, to someone who may not see others' consents: exactly as if it did not exist.
        raise Http404("No such consent.")
    if own and not is_by_parent_or_carer(consent) and actor.has_perm("safeguarding.give_own_consent"):
        by = "self"
    else:
        require(actor, "safeguarding.change_consent", consent)
        by = "staff"
        if not reason.strip():
            raise ApplicationError("Enter why the consent is being withdrawn.", extra={"field": "reason"})
    if consent.status != Status.GIVEN:
        raise ApplicationError(
            f"This consent cannot be withdrawn: it is {consent.get_status_display().lower()}.",
            extra={"field": "status"},
        )
    return _withdraw(consent, actor=actor, reason=reason, by=by)


# --- Signed links -------------------------------------------------------------------------------------------------


class ConsentLinkError(ApplicationError):
    """A signed link that cannot be used: `reason` is invalid, expired or used; `partnership` when known (so the
    page can say whom to contact)."""

    def __init__(self, message: str, *, reason: str, partnership: Partnership | None = None) -> None:
        super().__init__(message, extra={"reason": reason})
        self.reason = reason
        self.partnership = partnership


def consent_token_make(purpose: str, pk: int) -> str:
    return str(signing.dumps(pk, salt=LINK_SALTS[purpose], compress=True))


def consent_token_read(purpose: str, token: str) -> int:
    """The id a link names. Raises ConsentLinkError: invalid (tampered, another purpose) or expired (then the id
    is in `expired_id`, to find whom to contact)."""
    salt = LINK_SALTS[purpose]
    try:
        value = signing.loads(token, salt=salt, max_age=datetime.timedelta(days=LINK_MAX_AGE_DAYS[purpose]))
    except signing.SignatureExpired as error:
        expired = ConsentLinkError("This link has expired.", reason="expired")
        with contextlib.suppress(signing.BadSignature, TypeError, ValueError):  # the signature was just checked
            expired.extra["expired_id"] = int(signing.loads(token, salt=salt))
        raise expired from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise ConsentLinkError("This link is not right.", reason="invalid") from error
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConsentLinkError("This link is not right.", reason="invalid")
    return value


def consent_link_url(purpose: str, pk: int) -> str:
    names = {GIVE: "consent_parent", WITHDRAW: "consent_parent_withdraw", RECEIPT: "consent_parent_answered"}
    return str(settings.SITE_URL).rstrip("/") + reverse(names[purpose], args=[consent_token_make(purpose, pk)])


def _partnership_of_expired(error: ConsentLinkError, model: type[ConsentRequest] | type[Consent]) -> None:
    expired_id = error.extra.get("expired_id")
    if expired_id is not None:
        found = model.objects.select_related("partnership").filter(pk=expired_id).first()
        error.partnership = found.partnership if found is not None else None
    error.extra.pop("expired_id", None)


def consent_request_from_token(token: str, *, lock: bool = False) -> ConsentRequest:
    """The parent's link, checked: signature, purpose, age, the request's own expiry, and not used before."""
    try:
        pk = consent_token_read(GIVE, token)
    except ConsentLinkError as error:
        _partnership_of_expired(error, ConsentRequest)
        raise
    requests = ConsentRequest.objects.select_related("membership__user", "partnership")
    if lock:
        requests = requests.select_for_update(of=("self",))
    request = requests.filter(pk=pk).first()
    if request is None:
        raise ConsentLinkError("This link is not right.", reason="invalid")
    if request.used_at is not None:
        raise ConsentLinkError("This link has already been used.", reason="used", partnership=request.partnership)
    if request.expires_at <= timezone.now():
        raise ConsentLinkError("This link has expired.", reason="expired", partnership=request.partnership)
    return request


def consent_from_token(purpose: str, token: str, *, lock: bool = False) -> Consent:
    """The consent a withdraw link or a receipt names."""
    try:
        pk = consent_token_read(purpose, token)
    except ConsentLinkError as error:
        _partnership_of_expired(error, Consent)
        raise
    consents = Consent.objects.select_related("membership__user", "partnership")
    if lock:
        consents = consents.select_for_update(of=("self",))
    consent = consents.filter(pk=pk).first()
    if consent is None:
        raise ConsentLinkError("This link is not right.", reason="invalid")
    return consent


@transaction.atomic
def consent_request_send(
    *,
    actor: User,
    membership_id: int,
    parent_name: str,
    parent_email: str,
    consent_type: str = ConsentType.PARENT_CARER,
) -> ConsentRequest:
    """Email a parent or carer a link to give or refuse consent. The link works once and for 14 days."""
    membership = _young_person(actor, membership_id)
    require(actor, "safeguarding.change_consent", membership)
    _choice(
        consent_type,
        PARENT_LINK_TYPES,
        field="consent_type",
        message="Choose a kind of consent a parent or carer can give.",
    )
    if not parent_name.strip():
        raise ApplicationError("Enter the parent or carer's name.", extra={"field": "parent_name"})
    if not parent_email.strip():
        raise ApplicationError("Enter the parent or carer's email address.", extra={"field": "parent_email"})
    now = timezone.now()
    request = ConsentRequest(
        partnership=membership.partnership,
        membership=membership,
        consent_type=consent_type,
        parent_name=parent_name.strip(),
        parent_email=parent_email.strip(),
        created_by=actor,
        created_at=now,
        expires_at=now + datetime.timedelta(days=PARENT_LINK_DAYS),
    )
    try:
        request.full_clean()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            name, messages = next(iter(error.message_dict.items()))
            raise ApplicationError(messages[0], extra={"field": name}) from error
        raise
    request.save()
    audit_record(
        actor=actor,
        partnership=membership.partnership,
        subject=request,
        event_type="consentrequest.sent",
        payload={"type": consent_type, "membership": membership.pk},
    )
    consent_emails.send_parent_request(request, link=consent_link_url(GIVE, request.pk))
    return request


@transaction.atomic
def consent_request_answer(*, token: str, given_by_name: str, relationship: str, give: bool) -> Consent:
    """A parent or carer gives or refuses consent through their link. The link is used up; nothing is recorded if
    the link is not right, has expired or was used before."""
    request = consent_request_from_token(token, lock=True)
    if not given_by_name.strip():
        raise ApplicationError("Enter your full name.", extra={"field": "given_by_name"})
    if relationship.strip().lower() in {"", SELF.lower()}:
        name = request.membership.user.get_short_name()
        raise ApplicationError(f"Enter how you are related to {name}.", extra={"field": "relationship"})
    membership = request.membership
    consent = _record(
        membership=membership,
        consent_type=request.consent_type,
        give=give,
        given_by_name=given_by_name,
        relationship=relationship,
        method=ConsentMethod.SIGNED_LINK,
        recorded_by=None,
        given_at=timezone.now(),
        by="parent",
        scope=parent_explanation(request.consent_type, membership),
        extra_payload={"request": request.pk},
    )
    request.used_at = timezone.now()
    request.consent = consent
    request.save(update_fields=["used_at", "consent"])
    if give:
        consent_emails.send_withdraw_link(request, consent, link=consent_link_url(WITHDRAW, consent.pk))
    return consent


@transaction.atomic
def consent_withdraw_by_link(*, token: str, reason: str = "") -> Consent:
    """A parent or carer withdraws the consent they gave, through the link emailed to them."""
    consent = consent_from_token(WITHDRAW, token, lock=True)
    if consent.status != Status.GIVEN:
        raise ConsentLinkError(
            "This consent has already been withdrawn.", reason="withdrawn", partnership=consent.partnership
        )
    return _withdraw(consent, actor=None, reason=reason, by="parent")


def parent_explanation(consent_type: str, membership: Membership) -> str:
    return PARENT_EXPLANATIONS[consent_type].format(
        name=membership.user.get_short_name(), partnership=membership.partnership.name
    )


# --- Competence (Gillick) judgements --------------------------------------------------------------------------------


@transaction.atomic
def competence_assessment_record(
    *,
    actor: User,
    membership_id: int,
    is_competent: bool,
    reasoning: str,
    review_on: datetime.date | None = None,
) -> CompetenceAssessment:
    """A named worker (the actor) records whether an under-16 is competent to consent for themselves."""
    membership = _young_person(actor, membership_id)
    require(actor, "safeguarding.change_consent", membership)
    today = timezone.localdate()
    facts = _facts_for(membership)
    if not needs_parent_consent(facts, today):
        raise ApplicationError(
            "A competence judgement is only for young people under 16 (with a date of birth recorded).",
            extra={"field": "is_competent"},
        )
    if not reasoning.strip():
        raise ApplicationError("Explain how you reached your judgement.", extra={"field": "reasoning"})
    if review_on is not None and review_on <= today:
        raise ApplicationError("The review date must be in the future.", extra={"field": "review_on"})
    assessment = CompetenceAssessment(
        partnership=membership.partnership,
        membership=membership,
        assessed_by=actor,
        assessed_on=today,
        is_competent=is_competent,
        reasoning=reasoning.strip(),
        review_on=review_on,
    )
    assessment.full_clean()
    assessment.save()
    audit_record(
        actor=actor,
        partnership=membership.partnership,
        subject=assessment,
        event_type="competenceassessment.recorded",
        payload={"membership": membership.pk, "is_competent": is_competent},
    )
    _sync_onboarding(membership, ConsentType.PARENT_CARER, by=actor)
    return assessment


# --- The partnership's policy ------------------------------------------------------------------------------------


@transaction.atomic
def safeguarding_policy_for(partnership: Partnership) -> SafeguardingPolicy:
    """The partnership's policy, created with the defaults when first read."""
    policy, _ = SafeguardingPolicy.objects.get_or_create(partnership=partnership)
    return policy


@transaction.atomic
def safeguarding_policy_update(*, actor: User, allow_competence_for_parent_consent: bool) -> SafeguardingPolicy:
    require(actor, "safeguarding.change_policy", actor.partnership)
    safeguarding_policy_for(actor.partnership)
    policy = SafeguardingPolicy.objects.select_for_update().get(partnership=actor.partnership)
    before = policy.allow_competence_for_parent_consent
    if before == allow_competence_for_parent_consent:
        return policy
    policy.allow_competence_for_parent_consent = allow_competence_for_parent_consent
    policy.full_clean()
    policy.save(update_fields=["allow_competence_for_parent_consent"])
    audit_record(
        actor=actor,
        partnership=policy.partnership,
        subject=policy,
        event_type="safeguardingpolicy.changed",
        payload={
            "field": "allow_competence_for_parent_consent",
            "from": before,
            "to": allow_competence_for_parent_consent,
        },
    )
    return policy


# --- Asking again at 16 and 18 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalDue:
    membership: Membership
    age: int  # the birthday (16 or 18) they have reached since these consents were given
    birthday: datetime.date
    consent_types: tuple[str, ...]


def _renewals(partnership: Partnership, today: datetime.date) -> list[RenewalDue]:
    young_people = (
        Membership.objects.filter(
            Membership.with_role(Role.YOUNG_PERSON), partnership=partnership, status=Membership.Status.ACTIVE
        )
        .select_related("user", "partnership")
        .order_by("user__full_name", "pk")
    )
    due: list[RenewalDue] = []
    for facts in consent_facts(young_people).values():
        milestone = _renewal_age(facts, today)
        birthday = facts.birthday_at(milestone) if milestone is not None else None
        if milestone is None or birthday is None:
            continue
        stale = []
        for consent_type in RENEWED_TYPES:
            state = consent_state(facts, consent_type, today)
            latest = state.latest
            if latest is not None and latest.status != Status.WITHDRAWN and _local_date(latest.given_at) < birthday:
                stale.append(consent_type)
        if stale:
            due.append(RenewalDue(facts.membership, milestone, birthday, tuple(stale)))
    return due


def consents_due_for_renewal(partnership: Partnership, today: datetime.date) -> list[Membership]:
    """Active young people whose decision about taking part or media was made before their most recent 16th or
    18th birthday: they need asking again."""
    return [row.membership for row in _renewals(partnership, today)]


def consent_renewal_run(today: datetime.date) -> int:
    """For each partnership: put the checklist items of everyone due back to do, and email the partnership's
    participation workers one list. Safe to run twice: each young person is asked once per birthday (16, 18),
    remembered in the audit log. Returns how many young people were newly asked about."""
    membership_type = ContentType.objects.get_for_model(Membership)
    newly_asked = 0
    for partnership in Partnership.objects.order_by("pk"):
        with transaction.atomic():
            fresh: list[RenewalDue] = []
            for row in _renewals(partnership, today):
                already = AuditEvent.objects.filter(
                    partnership=partnership,
                    event_type="consent.renewal_due",
                    subject_type=membership_type,
                    subject_id=str(row.membership.pk),
                    payload__age=row.age,
                ).exists()
                if already:
                    continue
                for consent_type in row.consent_types:
                    onboarding_item_record(
                        membership=row.membership, key=ONBOARDING_KEYS[consent_type], status=OnboardingItem.Status.TO_DO
                    )
                audit_record(
                    actor=None,
                    partnership=partnership,
                    subject=row.membership,
                    event_type="consent.renewal_due",
                    payload={"age": row.age, "types": list(row.consent_types)},
                )
                fresh.append(row)
            if fresh:
                consent_emails.send_renewal_list(
                    partnership,
                    [(row.membership, row.age, row.birthday, row.consent_types) for row in fresh],
                )
            newly_asked += len(fresh)
    return newly_asked
