"""Reads for opportunities, scoped to the actor's partnership: another partnership's record is a 404.

Staff read engagements (`engagements_visible_to`, `engagement_get_for_actor`); young people read opportunities
(`opportunities_for_young_person`, `opportunity_get_for_young_person`), each annotated with their own interest
in it (`my_interest`), whether they hold a confirmed place (`my_confirmed`) and `link_for_me`: the online link,
only for those confirmed, and never once the engagement is cancelled. Young people's pages, API answers and
calendar feeds use `link_for_me`, never `online_link`.

A worker may invite young people before publishing (invitation-only engagements): a draft is never listed as an
opportunity, but a young person with a place on one (or who had one) sees it, in the API and on the page, in
their calendar feed and as their next engagement.

The calendar feed is read without a signed-in person (calendar apps cannot sign in): `calendar_feed_owner`
finds the young person from the secret token, and `calendar_engagements` reads what their feed shows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.models import AuditEvent
from core.permissions import require
from core.tenancy import scope
from engagements.models import (
    CalendarFeed,
    Engagement,
    Interest,
    OpportunityType,
    OpportunityTypeSetting,
    PayBasis,
)
from participants.models import Membership, Role, TrainingModule, User

VIEW_ENGAGEMENT = "engagements.view_engagement"
VIEW_OPPORTUNITY = "engagements.view_opportunity"
CHANGE_TYPE_SETTING = "engagements.change_opportunitytypesetting"

# How long a cancelled engagement stays in a calendar feed, marked cancelled, so phones take it away.
CANCELLED_KEPT_IN_FEED = datetime.timedelta(days=30)
# How far back a feed keeps the engagements a young person took part in.
PAST_KEPT_IN_FEED = datetime.timedelta(days=365)

Attendees = Engagement.attendees.through


# --- Defaults per type of opportunity -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeDefaults:
    """What a new engagement of a type starts from when the worker does not say otherwise."""

    pay_basis: str = PayBasis.HOURLY
    pay_note: str = ""
    is_filmed: bool = False
    preparation_minutes: int = 0
    briefing_notes: str = ""


# Built in, until the partnership saves its own: films and infographics are usually filmed.
BUILT_IN_DEFAULTS: dict[str, TypeDefaults] = {
    value: TypeDefaults(is_filmed=value == OpportunityType.MEDIA_PRODUCTION) for value in OpportunityType.values
}


def _defaults_from(setting: OpportunityTypeSetting | None, opportunity_type: str) -> TypeDefaults:
    if setting is None:
        return BUILT_IN_DEFAULTS.get(opportunity_type, TypeDefaults())
    return TypeDefaults(
        pay_basis=setting.pay_basis,
        pay_note=setting.pay_note,
        is_filmed=setting.is_filmed,
        preparation_minutes=setting.preparation_minutes,
        briefing_notes=setting.briefing_notes,
    )


def opportunity_type_defaults(partnership_id: int, opportunity_type: str) -> TypeDefaults:
    """The partnership's defaults for a type, or the built-in ones when it has saved none."""
    setting = OpportunityTypeSetting.objects.filter(
        partnership_id=partnership_id, opportunity_type=opportunity_type
    ).first()
    return _defaults_from(setting, opportunity_type)


@dataclass(frozen=True)
class OpportunityTypeRow:
    opportunity_type: str
    label: str
    setting: OpportunityTypeSetting | None
    defaults: TypeDefaults
    training_modules: list[TrainingModule] = field(default_factory=list)
    has_risk_template: bool = False

    @property
    def has_briefing_pack(self) -> bool:
        return bool(self.setting is not None and self.setting.briefing_pack)


def _type_rows(actor: User, types: list[str]) -> list[OpportunityTypeRow]:
    from safeguarding.models import RiskAssessmentTemplate

    settings = {
        s.opportunity_type: s
        for s in scope(OpportunityTypeSetting.objects.filter(opportunity_type__in=types), actor).select_related(
            "updated_by"
        )
    }
    modules = list(scope(TrainingModule.objects.filter(is_active=True), actor).order_by("title", "pk"))
    templates = set(
        scope(RiskAssessmentTemplate.objects.filter(opportunity_type__in=types), actor).values_list(
            "opportunity_type", flat=True
        )
    )
    labels = dict(OpportunityType.choices)
    return [
        OpportunityTypeRow(
            opportunity_type=value,
            label=str(labels[value]),
            setting=settings.get(value),
            defaults=_defaults_from(settings.get(value), value),
            training_modules=[module for module in modules if module.is_required_for(value)],
            has_risk_template=value in templates,
        )
        for value in types
    ]


def opportunity_types_for_actor(actor: User) -> list[OpportunityTypeRow]:
    """Every type of opportunity with the partnership's defaults (or the built-in ones), the training it needs
    and whether it has a risk assessment template. Three queries, whatever the number of types."""
    require(actor, VIEW_ENGAGEMENT)
    return _type_rows(actor, list(OpportunityType.values))


def opportunity_type_row(actor: User, opportunity_type: str) -> OpportunityTypeRow:
    require(actor, VIEW_ENGAGEMENT)
    if opportunity_type not in OpportunityType.values:
        raise Http404("No such type of opportunity.")
    return _type_rows(actor, [opportunity_type])[0]


def may_read_briefing_pack(actor: User, opportunity_type: str) -> bool:
    """Whether the actor may download a type's briefing pack (if it has one): staff, and a young person with a
    confirmed place on a (not cancelled, perhaps not yet published) engagement of that type. At most one query."""
    if actor.has_perm(VIEW_ENGAGEMENT):
        return True
    if not actor.has_perm(VIEW_OPPORTUNITY):
        return False
    membership = actor.membership
    return (
        scope(Engagement.objects.filter(opportunity_type=opportunity_type), actor)
        .exclude(status=Engagement.Status.CANCELLED)
        .filter(
            Q(attendees=membership) | Q(interests__membership=membership, interests__status=Interest.Status.CONFIRMED)
        )
        .exists()
    )


def briefing_pack_for_actor(actor: User, opportunity_type: str) -> OpportunityTypeSetting:
    """The setting holding a type's briefing pack, for those who may read it (`may_read_briefing_pack`). Anyone
    else, a missing pack or an unknown type: 404."""
    if opportunity_type not in OpportunityType.values:
        raise Http404("No such type of opportunity.")
    if not may_read_briefing_pack(actor, opportunity_type):
        raise Http404("No briefing pack.")
    setting = scope(OpportunityTypeSetting.objects.all(), actor).filter(opportunity_type=opportunity_type).first()
    if setting is None or not setting.briefing_pack:
        raise Http404("No briefing pack.")
    return setting


# --- Staff: engagements -------------------------------------------------------------------------------------------


def _places_filled() -> Coalesce:
    """The confirmed set's size, as a subquery (no GROUP BY over the list's joins)."""
    counted = Attendees.objects.filter(engagement_id=OuterRef("pk")).values(total=Func(F("pk"), function="COUNT"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def engagements_visible_to(
    actor: User, *, status: str | None = None, upcoming: bool | None = None, search: str | None = None
) -> QuerySet[Engagement]:
    """The partnership's engagements for staff, with `places_filled`. Upcoming ones (not yet ended) soonest
    first; past ones (or all) latest first."""
    require(actor, VIEW_ENGAGEMENT)
    engagements = scope(Engagement.objects.select_related("staff_lead", "scrutiny_lead"), actor).annotate(
        places_filled=_places_filled()
    )
    if status:
        engagements = engagements.filter(status=status)
    now = timezone.now()
    if upcoming is True:
        engagements = engagements.filter(ends_at__gt=now).order_by("starts_at", "pk")
    elif upcoming is False:
        engagements = engagements.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    else:
        engagements = engagements.order_by("-starts_at", "-pk")
    if search:
        term = search.strip()
        engagements = engagements.filter(
            Q(title__icontains=term) | Q(topic__icontains=term) | Q(commissioned_by__icontains=term)
        )
    return engagements


def engagement_get_for_actor(actor: User, engagement_id: int) -> Engagement:
    """One engagement for staff; another partnership's is a 404 exactly like a missing one."""
    require(actor, VIEW_ENGAGEMENT)
    engagements = scope(Engagement.objects.select_related("staff_lead", "scrutiny_lead", "created_by"), actor).annotate(
        places_filled=_places_filled()
    )
    return get_object_or_404(engagements, pk=engagement_id)


def engagement_confirmed_count(engagement: Engagement) -> int:
    """How many young people hold a confirmed place (in the confirmed set, or with a confirmed interest)."""
    return (
        Membership.objects.filter(
            Q(engagements=engagement) | Q(interests__engagement=engagement, interests__status=Interest.Status.CONFIRMED)
        )
        .distinct()
        .count()
    )


def engagement_confirmed_people(engagement: Engagement) -> list[Membership]:
    """The young people holding a confirmed place, with their user (to tell them about a cancellation)."""
    return list(
        Membership.objects.filter(
            Q(engagements=engagement) | Q(interests__engagement=engagement, interests__status=Interest.Status.CONFIRMED)
        )
        .select_related("user")
        .distinct()
        .order_by("pk")
    )


# --- Young people: opportunities ----------------------------------------------------------------------------------


def _for_membership(engagements: QuerySet[Engagement], membership: Membership) -> QuerySet[Engagement]:
    """Annotate each engagement with this young person's own interest (and the worker's reason, when they were not
    selected or their place was cancelled), place and (if confirmed) online link."""
    mine = Interest.objects.filter(engagement_id=OuterRef("pk"), membership_id=membership.pk)
    in_set = Attendees.objects.filter(engagement_id=OuterRef("pk"), membership_id=membership.pk)
    confirmed = Q(Exists(in_set)) | Q(Exists(mine.filter(status=Interest.Status.CONFIRMED)))
    decided = mine.filter(status__in=(Interest.Status.NOT_SELECTED, Interest.Status.CANCELLED))
    return engagements.annotate(
        my_interest=Subquery(mine.values("status")[:1], output_field=CharField()),
        my_interest_reason=Coalesce(
            Subquery(decided.values("reason")[:1], output_field=CharField()), Value(""), output_field=CharField()
        ),
        my_confirmed=Case(When(confirmed, then=Value(True)), default=Value(False), output_field=BooleanField()),
        link_for_me=Case(
            When(confirmed & ~Q(status=Engagement.Status.CANCELLED), then=F("online_link")),
            default=Value(""),
            output_field=CharField(),
        ),
        places_filled=_places_filled(),
    ).annotate(places_left=Greatest(F("places") - F("places_filled"), Value(0)))


def _young_person(actor: User) -> Membership:
    require(actor, VIEW_OPPORTUNITY)
    membership = actor.membership
    if membership is None:  # pragma: no cover - the rule above already needs a membership
        raise Http404("No such opportunity.")
    return membership


def opportunities_for_young_person(actor: User, *, without_my_places: bool = False) -> QuerySet[Engagement]:
    """Published opportunities in the young person's partnership that have not started yet, soonest first, each
    with `my_interest`, `my_confirmed`, `link_for_me`, `places_filled` and `places_left`. `without_my_places`
    leaves out those they already have a place on."""
    membership = _young_person(actor)
    engagements = scope(Engagement.objects.all(), actor).filter(
        status=Engagement.Status.PUBLISHED, starts_at__gt=timezone.now()
    )
    annotated = _for_membership(engagements, membership)
    if without_my_places:
        annotated = annotated.filter(Q(my_confirmed=False))
    return annotated.order_by("starts_at", "pk")


def opportunity_get_for_young_person(actor: User, engagement_id: int) -> Engagement:
    """One opportunity for a young person: a published one of their partnership, or one they expressed interest
    in or hold a place on, so they can still see it once it is cancelled or over. That includes a draft they were
    invited to (only an invitation makes an interest in a draft), as on the opportunity's page. Other drafts and
    other partnerships' are a 404."""
    membership = _young_person(actor)
    engagements = _for_membership(scope(Engagement.objects.all(), actor), membership).filter(
        Q(status=Engagement.Status.PUBLISHED) | Q(my_interest__isnull=False) | Q(my_confirmed=True)
    )
    return get_object_or_404(engagements, pk=engagement_id)


# How long a cancelled place stays on the young person's home page.
CANCELLED_NOTICE_DAYS = 14


def recently_cancelled_places(actor: User) -> list[Engagement]:
    """Engagements the young person held a confirmed place on that were cancelled in the last 14 days and would not
    have ended yet, soonest first, at most three (each with `cancelled_at`, from the audit log). Cancelling leaves
    the places as they were, so they are still in the confirmed set or a confirmed interest. One query (and one
    for the content type, cached)."""
    membership = _young_person(actor)
    now = timezone.now()
    cancelled_at = (
        AuditEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Engagement),
            subject_id=Cast(OuterRef("pk"), output_field=CharField()),
            event_type="engagement.status_changed",
            payload__to=Engagement.Status.CANCELLED,
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    engagements = (
        scope(Engagement.objects.all(), actor)
        .filter(status=Engagement.Status.CANCELLED, ends_at__gt=now)
        .filter(
            Q(attendees=membership) | Q(interests__membership=membership, interests__status=Interest.Status.CONFIRMED)
        )
        .distinct()
        .annotate(cancelled_at=Subquery(cancelled_at))
        .filter(cancelled_at__gte=now - datetime.timedelta(days=CANCELLED_NOTICE_DAYS))
        .order_by("starts_at", "pk")
    )
    return list(engagements[:3])


def next_engagement_for_young_person(actor: User) -> Engagement | None:
    """The young person's next engagement with a confirmed place that has not ended (or None), published or a
    draft they were invited to."""
    membership = _young_person(actor)
    engagements = scope(Engagement.objects.all(), actor).filter(
        status__in=(Engagement.Status.PUBLISHED, Engagement.Status.DRAFT), ends_at__gt=timezone.now()
    )
    return _for_membership(engagements, membership).filter(Q(my_confirmed=True)).order_by("starts_at", "pk").first()


# --- Calendar feeds -----------------------------------------------------------------------------------------------


def calendar_feed_for_self(actor: User) -> CalendarFeed | None:
    membership = _young_person(actor)
    return CalendarFeed.objects.filter(membership=membership).first()


def calendar_feed_owner(token: str) -> Membership:
    """The young person whose feed this secret token opens. Unknown tokens, suspended memberships and people who
    are no longer young people in the partnership are all a 404."""
    if not token or len(token) > CalendarFeed._meta.get_field("token").max_length:  # type: ignore[operator]
        raise Http404("No such calendar.")
    feed = (
        CalendarFeed.objects.select_related("membership__partnership", "membership__user")
        .filter(
            token=token,
            membership__status=Membership.Status.ACTIVE,
            membership__is_young_person=True,
            membership__user__is_active=True,
        )
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    return feed.membership


# Interests that end someone's plans to go: kept in the feed, marked cancelled, so phones take the event away.
GONE_FROM_PLANS = (Interest.Status.WITHDRAWN, Interest.Status.CANCELLED)


def calendar_engagements(membership: Membership) -> list[Engagement]:
    """What a young person's calendar feed shows: engagements they hold a confirmed place on (from a year ago; a
    draft they were invited to as well), published ones they are interested in or waiting for (not yet ended), and,
    for 30 days after it would have ended, any of these once cancelled or once they withdrew or their place was
    cancelled (the feed marks those cancelled, so phones remove them). A withdrawal cannot be told apart from one
    made before a place was confirmed, so every withdrawn or cancelled interest is kept that way: each was in the
    feed before."""
    now = timezone.now()
    engagements = _for_membership(Engagement.objects.filter(partnership_id=membership.partnership_id), membership)
    cancelled = Engagement.Status.CANCELLED
    recently = Q(ends_at__gte=now - CANCELLED_KEPT_IN_FEED)
    return list(
        engagements.filter(
            Q(my_confirmed=True, ends_at__gte=now - PAST_KEPT_IN_FEED) & ~Q(status=cancelled)
            | Q(my_interest__in=Interest.OPEN, status=Engagement.Status.PUBLISHED, ends_at__gt=now)
            | ((Q(my_confirmed=True) | Q(my_interest__in=Interest.OPEN)) & Q(status=cancelled) & recently)
            | (Q(my_confirmed=False, my_interest__in=GONE_FROM_PLANS) & recently)
        ).order_by("starts_at", "pk")
    )


def lead_candidates(actor: User) -> tuple[list[Membership], list[Membership]]:
    """Who may be named on an engagement form: (staff leads: active participation workers and safeguarding
    leads; scrutiny leads: active scrutiny leads), by name."""
    require(actor, "engagements.change_engagement")
    active = scope(Membership.objects.select_related("user"), actor).filter(
        status=Membership.Status.ACTIVE, user__is_active=True
    )
    staff = list(
        active.filter(
            Membership.with_role(Role.PARTICIPATION_WORKER) | Membership.with_role(Role.SAFEGUARDING_LEAD)
        ).order_by("user__full_name", "pk")
    )
    scrutiny = list(active.filter(Membership.with_role(Role.SCRUTINY_LEAD)).order_by("user__full_name", "pk"))
    return staff, scrutiny
