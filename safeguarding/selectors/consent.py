"""Reads of consent records, scoped to the actor's partnership: a record of another partnership is a 404, exactly
like a missing one. The rules that say which consents count live in safeguarding.services.consent."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from core.permissions import require
from core.tenancy import scope
from participants.models import Membership, Role, User
from safeguarding.models import CompetenceAssessment, Consent, ConsentRequest, ConsentType, SafeguardingPolicy
from safeguarding.services.consent import (
    OWN_TYPES,
    ConsentFacts,
    ConsentState,
    competence_stands_in,
    consent_facts,
    consent_gaps_for,
    consent_state,
    latest_competence,
    needs_parent_consent,
    safeguarding_policy_for,
)

ALL_TYPES: tuple[str, ...] = tuple(ConsentType.values)


def consents_visible_to(
    actor: User,
    *,
    membership_id: int | None = None,
    consent_type: str | None = None,
    status: str | None = None,
) -> QuerySet[Consent]:
    require(actor, "safeguarding.view_consent")
    consents = scope(Consent.objects.select_related("membership__user", "recorded_by"), actor)
    if membership_id is not None:
        consents = consents.filter(membership_id=membership_id)
    if consent_type:
        consents = consents.filter(consent_type=consent_type)
    if status:
        consents = consents.filter(status=status)
    return consents.order_by("-given_at", "-pk")


def consent_get_for_actor(actor: User, consent_id: int, *, membership_id: int | None = None) -> Consent:
    """404 both for a consent that does not exist and for one of another partnership."""
    consents = consents_visible_to(actor)
    if membership_id is not None:
        consents = consents.filter(membership_id=membership_id)
    return get_object_or_404(consents, pk=consent_id)


def young_people_for_consents(actor: User, *, search: str | None = None) -> QuerySet[Membership]:
    """The partnership's active young people, for the consents overview."""
    require(actor, "safeguarding.view_consent")
    memberships = scope(Membership.objects.select_related("user", "partnership"), actor).filter(
        Membership.with_role(Role.YOUNG_PERSON), status=Membership.Status.ACTIVE
    )
    if search:
        memberships = memberships.filter(Q(user__full_name__icontains=search) | Q(user__email__icontains=search))
    return memberships.order_by("user__full_name", "pk")


def young_person_get_for_consents(actor: User, membership_id: int) -> Membership:
    """One young person of the actor's partnership (404 for anyone else)."""
    require(actor, "safeguarding.view_consent")
    memberships = scope(Membership.objects.select_related("user", "partnership"), actor).filter(
        Membership.with_role(Role.YOUNG_PERSON)
    )
    return get_object_or_404(memberships, pk=membership_id)


def consent_requests_visible_to(actor: User, *, membership_id: int | None = None) -> QuerySet[ConsentRequest]:
    require(actor, "safeguarding.view_consent")
    requests = scope(ConsentRequest.objects.select_related("membership__user", "created_by"), actor)
    if membership_id is not None:
        requests = requests.filter(membership_id=membership_id)
    return requests.order_by("-created_at", "-pk")


def competence_assessments_for(actor: User, membership: Membership) -> QuerySet[CompetenceAssessment]:
    require(actor, "safeguarding.view_consent")
    return (
        scope(CompetenceAssessment.objects.select_related("assessed_by"), actor)
        .filter(membership=membership)
        .order_by("-assessed_on", "-pk")
    )


def policy_get_for_actor(actor: User) -> SafeguardingPolicy:
    require(actor, "safeguarding.change_policy", actor.partnership)
    return safeguarding_policy_for(actor.partnership)


@dataclass(frozen=True)
class ConsentRow:
    """One young person in the consents overview: what is missing, today."""

    membership: Membership
    age: int | None
    gaps: list[str]


def consent_overview_rows(memberships: Sequence[Membership], on: datetime.date) -> list[ConsentRow]:
    """What is missing for each of these young people (already fetched through a scoped selector) before an
    in-person, filmed engagement: the strictest case. A fixed number of queries, however many there are."""
    facts = consent_facts(memberships)
    return [
        ConsentRow(m, facts[m.pk].age_on(on), consent_gaps_for(facts[m.pk], on, filmed=True, online=False))
        for m in memberships
    ]


@dataclass(frozen=True)
class ConsentSummary:
    """Everything the pages show about one young person's consents on one day."""

    facts: ConsentFacts
    on: datetime.date
    states: list[ConsentState]
    parent_needed: bool
    competence: CompetenceAssessment | None
    competence_stands_in: bool
    gaps: list[str]

    @property
    def age(self) -> int | None:
        return self.facts.age_on(self.on)


def consent_summary(membership: Membership, on: datetime.date, *, kinds: Sequence[str] = ALL_TYPES) -> ConsentSummary:
    """For a membership already fetched through a scoped selector (or the actor's own)."""
    facts = consent_facts([membership])[membership.pk]
    return ConsentSummary(
        facts=facts,
        on=on,
        states=[consent_state(facts, kind, on) for kind in kinds],
        parent_needed=needs_parent_consent(facts, on),
        competence=latest_competence(facts, on),
        competence_stands_in=competence_stands_in(facts, on),
        gaps=consent_gaps_for(facts, on, filmed=True, online=False),
    )


def own_consent_summary(actor: User, on: datetime.date) -> ConsentSummary:
    """The young person's own consents: the kinds they decide, and (under 16) their parent or carer's."""
    require(actor, "safeguarding.give_own_consent")
    membership = actor.membership
    if membership is None:  # require() has refused anyone acting in no partnership
        raise PermissionDenied("You are not acting in any partnership.")
    return consent_summary(membership, on, kinds=OWN_TYPES)
