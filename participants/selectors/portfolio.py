"""Reads for the young person's portfolio: what they have done, from confirmed records only.

Confirmed work is engagements they were marked as attending (present, late or left early) that have finished
(hours are the time a worker approved in their work log, preparation and travel included, where there is one,
else the engagement's length) and training completed (TrainingRecord rows, read
directly here; training's own services write them). Skills count only once a worker has confirmed them.
Every read is scoped to the actor's partnership: another partnership's person or letter is a 404.

A portfolio is read in a fixed number of queries, however much the person has done.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.permissions import require
from core.tenancy import scope
from engagements.models import Attendance, Engagement, OpportunityType, Output, WorkLog
from participants.models import Membership, ReferenceLetter, Role, Skill, SkillClaim, TrainingRecord, User


def format_hours(minutes: int) -> str:
    """Whole or half-past hours in plain words: '2 hours', '1.5 hours', '1 hour', '0 hours'."""
    hours = round(minutes / 30) / 2
    text = f"{hours:g}"
    return f"{text} hour" if hours == 1 else f"{text} hours"


@dataclass(frozen=True)
class HoursByKind:
    kind: str
    label: str
    minutes: int
    engagements: int

    @property
    def hours(self) -> str:
        return format_hours(self.minutes)


@dataclass(frozen=True)
class EngagementTakenPart:
    engagement_id: int
    title: str
    kind: str
    kind_label: str
    starts_at: datetime.datetime
    minutes: int

    @property
    def hours(self) -> str:
        return format_hours(self.minutes)


@dataclass(frozen=True)
class RoleHeld:
    label: str
    since: datetime.date


@dataclass(frozen=True)
class TrainingCompleted:
    module_title: str
    completed_on: datetime.date
    expires_on: datetime.date | None


@dataclass(frozen=True)
class ConfirmedSkill:
    name: str
    example: str
    confirmed_on: datetime.date | None


@dataclass(frozen=True)
class OutputMade:
    title: str
    kind_label: str
    engagement_title: str
    made_on: datetime.date
    link: str


@dataclass
class Portfolio:
    membership: Membership
    hours_by_kind: list[HoursByKind]
    engagements: list[EngagementTakenPart]
    roles: list[RoleHeld]
    training: list[TrainingCompleted]
    skills: list[ConfirmedSkill]
    skill_claims: list[SkillClaim] = field(default_factory=list)  # every claim, with its status
    references: list[ReferenceLetter] = field(default_factory=list)
    outputs: list[OutputMade] = field(default_factory=list)  # what they made, unless hidden (consent withdrawn)

    @property
    def name(self) -> str:
        return self.membership.user.full_name

    @property
    def total_minutes(self) -> int:
        return sum(row.minutes for row in self.hours_by_kind)

    @property
    def total_hours(self) -> str:
        return format_hours(self.total_minutes)

    @property
    def has_confirmed_work(self) -> bool:
        return bool(self.engagements or self.training)

    def missing_for_reference(self) -> list[str]:
        """What a reference letter needs but the record does not have yet (empty: a letter can be written)."""
        if self.has_confirmed_work:
            return []
        return ["an engagement you attended", "a training module you completed"]


ROLE_NAMES: dict[str, str] = {Role.YOUNG_PERSON.value: "Young scrutineer"}


def portfolio_membership_get_for_actor(actor: User, membership_id: int) -> Membership:
    """The person whose portfolio it is: 404 if missing or another partnership's, then the permission check."""
    membership = get_object_or_404(scope(Membership.objects.select_related("user"), actor), pk=membership_id)
    require(actor, "participants.view_portfolio", membership)
    return membership


def own_membership(actor: User) -> Membership:
    if actor.membership is None:  # pragma: no cover - the API base and the pages attach one first
        raise Http404
    return portfolio_membership_get_for_actor(actor, actor.membership.pk)


def portfolio_for(actor: User, membership_id: int) -> Portfolio:
    membership = portfolio_membership_get_for_actor(actor, membership_id)
    now = timezone.now()
    labels = dict(OpportunityType.choices)

    # The time a worker approved for the engagement (preparation, session and travel), where there is one.
    approved_minutes = WorkLog.objects.filter(
        engagement=OuterRef("pk"),
        membership=membership,
        status__in=(WorkLog.Status.APPROVED, WorkLog.Status.CLAIMED),
    ).values(
        total=Coalesce(F("approved_preparation_minutes"), 0)
        + Coalesce(F("approved_session_minutes"), 0)
        + Coalesce(F("approved_travel_minutes"), 0)
    )[:1]
    attended = (
        Engagement.objects.filter(
            partnership_id=membership.partnership_id,
            attendance__membership=membership,
            attendance__status__in=Attendance.ATTENDED,
            ends_at__lte=now,
        )
        .annotate(approved_minutes=Subquery(approved_minutes))
        .only("pk", "title", "opportunity_type", "starts_at", "ends_at")
        .order_by("-starts_at", "pk")
    )
    engagements = [
        EngagementTakenPart(
            engagement_id=e.pk,
            title=e.title,
            kind=e.opportunity_type,
            kind_label=str(labels.get(e.opportunity_type, e.opportunity_type)),
            starts_at=e.starts_at,
            minutes=(
                e.approved_minutes
                if e.approved_minutes is not None
                else int((e.ends_at - e.starts_at).total_seconds() // 60)
            ),
        )
        for e in attended
    ]
    minutes: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for row in engagements:
        minutes[row.kind] += row.minutes
        counts[row.kind] += 1
    hours_by_kind = sorted(
        (
            HoursByKind(kind=kind, label=str(labels.get(kind, kind)), minutes=total, engagements=counts[kind])
            for kind, total in minutes.items()
        ),
        key=lambda row: (-row.minutes, row.label),
    )

    since = timezone.localtime(membership.created_at).date()
    roles = [RoleHeld(label=ROLE_NAMES.get(role, label), since=since) for role, label in _roles_with_labels(membership)]

    training = [
        TrainingCompleted(module_title=r.module.title, completed_on=r.completed_on, expires_on=r.expires_on)
        for r in TrainingRecord.objects.filter(partnership_id=membership.partnership_id, membership=membership)
        .select_related("module")
        .order_by("-completed_on", "-pk")
    ]

    claims = list(
        SkillClaim.objects.filter(partnership_id=membership.partnership_id, membership=membership)
        .select_related("skill")
        .order_by("skill__name", "pk")
    )
    skills = [
        ConfirmedSkill(
            name=claim.skill.name,
            example=claim.example,
            confirmed_on=timezone.localtime(claim.confirmed_at).date() if claim.confirmed_at else None,
        )
        for claim in claims
        if claim.status == SkillClaim.Status.CONFIRMED
    ]
    references = list(
        ReferenceLetter.objects.filter(partnership_id=membership.partnership_id, membership=membership).select_related(
            "signed_off_by"
        )
    )
    outputs = [
        OutputMade(
            title=output.title,
            kind_label=output.get_kind_display(),
            engagement_title=output.engagement.title,
            made_on=timezone.localtime(output.created_at).date(),
            link=output.link,
        )
        for output in Output.objects.filter(
            partnership_id=membership.partnership_id, contributors=membership, is_hidden=False
        )
        .select_related("engagement")
        .order_by("-created_at", "-pk")
    ]
    return Portfolio(
        membership=membership,
        outputs=outputs,
        hours_by_kind=hours_by_kind,
        engagements=engagements,
        roles=roles,
        training=training,
        skills=skills,
        skill_claims=claims,
        references=references,
    )


def _roles_with_labels(membership: Membership) -> list[tuple[str, str]]:
    return [(role, str(Role(role).label)) for role in Role.values if role in membership.roles]


def skills_for(actor: User, *, active_only: bool = False) -> QuerySet[Skill]:
    """The partnership's skill list. Anyone in the partnership may read it (young people choose from it)."""
    require(actor, "participants.view_partnership")
    skills = scope(Skill.objects.all(), actor)
    if active_only:
        skills = skills.filter(is_active=True)
    return skills.order_by("name", "pk")


def reference_get_for_download(actor: User, reference_id: int) -> ReferenceLetter:
    """A signed-off letter the actor may download: their own, or anyone's for workers. Drafts are a 404."""
    letter = get_object_or_404(
        scope(
            ReferenceLetter.objects.select_related("membership__user", "membership__partnership", "signed_off_by"),
            actor,
        ),
        pk=reference_id,
    )
    require(actor, "participants.view_portfolio", letter.membership)
    if letter.status != ReferenceLetter.Status.SIGNED_OFF:
        raise Http404("This letter has not been signed off yet.")
    return letter
