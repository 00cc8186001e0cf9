"""Reads for outputs, scoped to the actor's partnership: another partnership's record is a 404.

Staff who may see outputs (organisers, safeguarding leads, scrutiny leads) see every output of the partnership,
hidden and flagged ones included. A young person sees only outputs they made, and never a hidden one: a hidden
output is a 404 to them, exactly like one that does not exist.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import with_subjects
from core.models import AuditEvent
from core.permissions import require
from core.tenancy import scope
from engagements.models import Engagement, Output
from engagements.services.outputs import MediaConsent, contributors_allowed, media_consents
from participants.models import Membership, Role, User
from safeguarding.models import Consent
from safeguarding.services.consent import is_by_parent_or_carer

VIEW_OUTPUT = "engagements.view_output"

# Who gave a consent, shown as a category only: never a parent's or carer's name, nor the relationship they typed.
GIVEN_BY_SELF = "self"
GIVEN_BY_PARENT_OR_CARER = "parent_or_carer"
GIVEN_BY_WHO: dict[str, str] = {GIVEN_BY_SELF: "them", GIVEN_BY_PARENT_OR_CARER: "a parent or carer"}


def consent_given_by(consent: Consent) -> str:
    """'self' for the young person's own consent, else 'parent_or_carer'."""
    return GIVEN_BY_PARENT_OR_CARER if is_by_parent_or_carer(consent) else GIVEN_BY_SELF


@dataclass(frozen=True)
class ShownConsent:
    """A consent an output rests on, as staff see it: the kind, when it was given, by whom (them, or a parent or
    carer) and whether it still stands."""

    consent: Consent

    @property
    def given_by(self) -> str:
        return consent_given_by(self.consent)

    @property
    def given_by_who(self) -> str:
        return GIVEN_BY_WHO[self.given_by]

    @property
    def given_by_label(self) -> str:
        return f"Given by {self.given_by_who}"


def output_consents(output: Output) -> list[ShownConsent]:
    """The consents an output rests on (prefetched by the selectors above), newest first."""
    return [ShownConsent(consent) for consent in output.consents.all()]


def is_output_staff(actor: User) -> bool:
    """Staff who see every output of the partnership (not young people, who see only their own)."""
    return bool(actor.is_partnership_staff and actor.has_perm(VIEW_OUTPUT))


def _with_details(outputs: QuerySet[Output]) -> QuerySet[Output]:
    return outputs.select_related("engagement", "created_by").prefetch_related(
        Prefetch("contributors", queryset=Membership.objects.select_related("user").order_by("user__full_name", "pk")),
        Prefetch("consents", queryset=Consent.objects.select_related("membership__user").order_by("-given_at", "-pk")),
    )


def outputs_visible_to(
    actor: User,
    *,
    engagement_id: int | None = None,
    kind: str | None = None,
    include_hidden: bool | None = None,
) -> QuerySet[Output]:
    """Outputs, newest first. Staff: all of the partnership's, hidden ones included unless include_hidden=False.
    A young person: only the ones they made that are not hidden (include_hidden is ignored for them)."""
    outputs = _with_details(scope(Output.objects.all(), actor))
    if is_output_staff(actor):
        if include_hidden is False:
            outputs = outputs.filter(is_hidden=False)
    elif Role.YOUNG_PERSON in actor.roles and actor.membership is not None:
        outputs = outputs.filter(contributors=actor.membership, is_hidden=False)
    else:
        raise PermissionDenied("You do not have permission to see outputs.")
    if engagement_id is not None:
        outputs = outputs.filter(engagement_id=engagement_id)
    if kind:
        outputs = outputs.filter(kind=kind)
    return outputs.order_by("-created_at", "-pk")


def output_get_for_actor(actor: User, output_id: int) -> Output:
    """One output: 404 when missing, another partnership's, not theirs (a young person) or hidden (a young
    person)."""
    return get_object_or_404(outputs_visible_to(actor), pk=output_id)


def own_outputs(actor: User) -> QuerySet[Output]:
    """What a young person made (not hidden), newest first; for their own pages and portfolio."""
    if actor.membership is None:
        raise PermissionDenied("You are not acting in any partnership.")
    return (
        scope(Output.objects.all(), actor)
        .filter(contributors=actor.membership, is_hidden=False)
        .select_related("engagement")
        .order_by("-created_at", "-pk")
    )


def output_history(actor: User, output: Output) -> QuerySet[AuditEvent]:
    """The output's own history (created, changed, hidden, flagged, restored) for the staff who see it. It says
    which outputs were hidden and why; never what a consent withdrawal's reason was (that is not recorded here)."""
    require(actor, VIEW_OUTPUT, output)
    if not is_output_staff(actor):
        raise PermissionDenied("You do not have permission to see this output's history.")
    return (
        with_subjects(scope(AuditEvent.objects.select_related("actor"), actor))
        .filter(subject_type=ContentType.objects.get_for_model(Output), subject_id=str(output.pk))
        .order_by("-created_at", "-pk")
    )


def output_engagement_get_for_actor(actor: User, engagement_id: int) -> Engagement:
    """The engagement an output is being added to (404 for another partnership's)."""
    require(actor, "engagements.change_output")
    return get_object_or_404(scope(Engagement.objects.select_related("partnership"), actor), pk=engagement_id)


def output_engagements(actor: User) -> QuerySet[Engagement]:
    """Engagements that have outputs, for the list page's filter."""
    if not is_output_staff(actor):
        raise PermissionDenied("You do not have permission to see outputs.")
    ids = scope(Output.objects.all(), actor).values("engagement_id")
    return scope(Engagement.objects.all(), actor).filter(pk__in=ids).order_by("-starts_at", "pk")


@dataclass(frozen=True)
class Candidate:
    """A young person who may be named as making an output of an engagement, and their media consent today."""

    membership: Membership
    media: MediaConsent

    @property
    def can_be_included(self) -> bool:
        return self.media.counts

    @property
    def given_by_who(self) -> str:
        """'them' or 'a parent or carer' for the consent that counts ('' with none)."""
        consent = self.media.consent
        return GIVEN_BY_WHO[consent_given_by(consent)] if consent is not None else ""


def output_candidates(
    actor: User, engagement: Engagement, *, extra: Iterable[Membership] = (), on: datetime.date | None = None
) -> list[Candidate]:
    """Everyone confirmed for or who attended the engagement (and `extra`: an output's current makers), with whether
    their media consent counts (and if not, why), in a fixed number of queries."""
    require(actor, "engagements.change_output", engagement)
    people = contributors_allowed(engagement)
    known = {person.pk for person in people}
    people += [person for person in extra if person.pk not in known]
    states = media_consents(people, on or timezone.localdate())
    return [Candidate(person, states[person.pk]) for person in people]
