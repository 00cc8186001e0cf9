"""Reads for selection, scoped to the actor's partnership: another partnership's record is a 404.

What a worker sees when choosing who goes (`candidates_for`), the "fair pick" suggestion (`fair_pick`, a pure
function), each young person's recent load, and the young person's own view of an opportunity and of their
places (`opportunity_for_young_person`, `my_engagements_for`).

Load, in one place so the selection page and the confirm service agree:
- A person "took part" in an engagement when they held a confirmed place on it (Engagement.attendees) and the
  staff lead did not record them absent, or when attendance was recorded as present, late or left early.
  Cancelled engagements never count. Hours are the session's length (start to end); preparation and travel are
  not counted here (work logs are not always in yet when the next selection happens).
- "In the last 90 days" (the figures on the selection page): engagements ending in the 90 days before this
  engagement starts. Confirmed places on engagements still to come before this one count as well, since by then
  they will have happened.
- The load warning: confirming would give the person more engagements, or more hours, than the partnership's
  limits (Partnership.load_limit_engagements / load_limit_hours) in some 90-day period that includes this
  engagement. Places already confirmed after it count too, so a run of future places is caught.

Query cost of `candidates_for`: a fixed number of queries whatever the number of candidates: the interests, the
load figures and when each last took part (for every candidate at once), the previous engagement of the same type,
and the eligibility decision for everyone at once (safeguarding's can_take_part_many: consent, training, the
children's working hours when the partnership employs its young people, the risk assessment; 7 to 10 queries;
the training gaps shown on their own are the decision's). The records are read afresh on every request, so a
withdrawn consent shows at once. Tests hold the page and the API to the same count for N and 2N candidates.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.db.models import CharField, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.permissions import require
from core.tenancy import scope
from engagements.models import Attendance, Engagement, Interest, OpportunityTypeSetting, WorkLog
from engagements.selectors.attendance import marking_opens_at
from participants.models import Membership, Partnership, Role, User

if TYPE_CHECKING:
    from safeguarding.services.eligibility import Decision

SELECT_INTEREST = "engagements.select_interest"
EXPRESS_INTEREST = "engagements.express_interest"
LOAD_WINDOW = datetime.timedelta(days=90)
Status = Interest.Status
# Worker decisions are possible while an engagement is being planned or is open for interest, until it starts.
OPEN_FOR_SELECTION = (Engagement.Status.DRAFT, Engagement.Status.PUBLISHED)


# --- Load -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shift:
    """One engagement a person took part in (or holds a place on)."""

    engagement_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Load:
    engagements: int
    minutes: int

    @property
    def hours(self) -> Decimal:
        return _hours(self.minutes)


@dataclass(frozen=True)
class LoadCheck:
    """The busiest 90-day periods that include the engagement, counting the engagement itself: the most engagements
    in any such period (and the day it starts), and the most hours (and the day that period starts)."""

    engagements: int
    engagements_from: datetime.date
    minutes: int
    minutes_from: datetime.date
    limit_engagements: int
    limit_hours: int

    @property
    def hours(self) -> Decimal:
        return _hours(self.minutes)

    @property
    def over_engagements(self) -> bool:
        return self.engagements > self.limit_engagements

    @property
    def over_hours(self) -> bool:
        return self.minutes > self.limit_hours * 60

    @property
    def passes_limit(self) -> bool:
        return self.over_engagements or self.over_hours

    def describe(self) -> str:
        """For example "7 engagements in the 90 days from 3 March 2026 (the partnership's limit is 6)"."""
        parts = []
        if self.over_engagements:
            parts.append(
                f"{self.engagements} engagements in the 90 days from {self.engagements_from:%-d %B %Y} "
                f"(the partnership's limit is {self.limit_engagements})"
            )
        if self.over_hours:
            parts.append(
                f"{self.hours} hours in the 90 days from {self.minutes_from:%-d %B %Y} "
                f"(the partnership's limit is {self.limit_hours})"
            )
        return " and ".join(parts)

    def as_payload(self) -> dict[str, object]:
        return {
            "engagements": self.engagements,
            "engagements_from": self.engagements_from.isoformat(),
            "hours": str(self.hours),
            "hours_from": self.minutes_from.isoformat(),
            "limit_engagements": self.limit_engagements,
            "limit_hours": self.limit_hours,
        }


def shifts_for(membership_ids: Iterable[int], engagement: Engagement) -> dict[int, list[Shift]]:
    """Every engagement each person took part in or holds a place on, within 90 days either side of this one
    (this one excluded). Two queries whatever the number of people."""
    ids = list(membership_ids)
    if not ids:
        return {}
    low, high = engagement.starts_at - LOAD_WINDOW, engagement.ends_at + LOAD_WINDOW
    window = Q(
        engagement__partnership_id=engagement.partnership_id,
        engagement__starts_at__lt=high,
        engagement__ends_at__gt=low,
    ) & ~Q(engagement__status=Engagement.Status.CANCELLED)
    recorded_absent = Attendance.objects.filter(
        engagement_id=OuterRef("engagement_id"), membership_id=OuterRef("membership_id")
    ).exclude(status__in=Attendance.ATTENDED)
    places = (
        Engagement.attendees.through.objects.filter(window, membership_id__in=ids)
        .exclude(engagement_id=engagement.pk)
        .exclude(Exists(recorded_absent))
        .values_list("membership_id", "engagement_id", "engagement__starts_at", "engagement__ends_at")
    )
    attended = (
        Attendance.objects.filter(window, membership_id__in=ids, status__in=Attendance.ATTENDED)
        .exclude(engagement_id=engagement.pk)
        .values_list("membership_id", "engagement_id", "engagement__starts_at", "engagement__ends_at")
    )
    found: dict[int, dict[int, Shift]] = defaultdict(dict)
    for membership_id, engagement_id, starts_at, ends_at in [*places, *attended]:
        found[membership_id][engagement_id] = Shift(engagement_id, starts_at, ends_at)
    return {membership_id: sorted(by_id.values(), key=lambda s: s.starts_at) for membership_id, by_id in found.items()}


def recent_load(shifts: Sequence[Shift], engagement: Engagement) -> Load:
    """Engagements ending in the 90 days before this one starts."""
    start = engagement.starts_at
    counted = [s for s in shifts if start - LOAD_WINDOW <= s.ends_at <= start and s.engagement_id != engagement.pk]
    return Load(engagements=len(counted), minutes=sum(s.minutes for s in counted))


def load_check(shifts: Sequence[Shift], engagement: Engagement, partnership: Partnership) -> LoadCheck:
    """The busiest 90-day periods that include this engagement's start, counting this engagement: the person would
    pass the limit if any such period holds more engagements, or more hours, than the partnership allows."""
    this = Shift(engagement.pk, engagement.starts_at, engagement.ends_at)
    every = [s for s in shifts if s.engagement_id != engagement.pk] + [this]
    # A busiest period can always be moved to begin at one of the shifts' starts, so those are the only ones to try.
    starts = sorted({s.starts_at for s in every if this.starts_at - LOAD_WINDOW < s.starts_at <= this.starts_at})
    most = (0, this.starts_at)
    longest = (0, this.starts_at)
    for period_start in starts:
        inside = [s for s in every if period_start <= s.starts_at < period_start + LOAD_WINDOW]
        if len(inside) > most[0]:
            most = (len(inside), period_start)
        minutes = sum(s.minutes for s in inside)
        if minutes > longest[0]:
            longest = (minutes, period_start)
    return LoadCheck(
        engagements=most[0],
        engagements_from=timezone.localdate(most[1]),
        minutes=longest[0],
        minutes_from=timezone.localdate(longest[1]),
        limit_engagements=partnership.load_limit_engagements,
        limit_hours=partnership.load_limit_hours,
    )


def last_took_part(membership_ids: Iterable[int], engagement: Engagement) -> dict[int, datetime.datetime]:
    """When each person last took part (the end of their latest counted engagement before this one starts), at any
    time in the past. Two aggregate queries whatever the number of people."""
    ids = list(membership_ids)
    if not ids:
        return {}
    before = Q(
        engagement__partnership_id=engagement.partnership_id, engagement__ends_at__lte=engagement.starts_at
    ) & ~Q(engagement__status=Engagement.Status.CANCELLED)
    recorded_absent = Attendance.objects.filter(
        engagement_id=OuterRef("engagement_id"), membership_id=OuterRef("membership_id")
    ).exclude(status__in=Attendance.ATTENDED)
    places = (
        Engagement.attendees.through.objects.filter(before, membership_id__in=ids)
        .exclude(Exists(recorded_absent))
        .values("membership_id")
        .annotate(last=Max("engagement__ends_at"))
    )
    attended = (
        Attendance.objects.filter(before, membership_id__in=ids, status__in=Attendance.ATTENDED)
        .values("membership_id")
        .annotate(last=Max("engagement__ends_at"))
    )
    latest: dict[int, datetime.datetime] = {}
    for found in [*places, *attended]:
        membership_id, last = found["membership_id"], found["last"]
        if last is not None and (membership_id not in latest or last > latest[membership_id]):
            latest[membership_id] = last
    return latest


def previous_of_type(engagement: Engagement) -> tuple[Engagement | None, set[int]]:
    """The latest published or completed engagement of the same type that started before this one, and who held a
    place on it. Two queries."""
    previous = (
        Engagement.objects.filter(
            partnership_id=engagement.partnership_id,
            opportunity_type=engagement.opportunity_type,
            status__in=(Engagement.Status.PUBLISHED, Engagement.Status.COMPLETED),
            starts_at__lt=engagement.starts_at,
        )
        .exclude(pk=engagement.pk)
        .order_by("-starts_at", "-pk")
        .first()
    )
    if previous is None:
        return None, set()
    return previous, set(previous.attendees.values_list("pk", flat=True))


def can_move(interest: Interest, to: str) -> bool:
    """Whether the interest's workflow allows the move from where it is now."""
    return to in Interest.TRANSITIONS.get(Interest.Status(interest.status), set())


def ratio_cap(engagement: Engagement) -> int | None:
    """How many young people the engagement's risk assessment covers (None when it has none yet)."""
    assessment = getattr(engagement, "risk_assessment", None)
    return int(assessment.young_people_count) if assessment is not None else None


def places_left(engagement: Engagement, confirmed: int) -> int:
    """Free places: the smaller of the engagement's places and what the risk assessment covers, less those taken."""
    cap = ratio_cap(engagement)
    most = engagement.places if cap is None else min(engagement.places, cap)
    return max(most - confirmed, 0)


# --- The selection page ---------------------------------------------------------------------------------------------


@dataclass
class CandidateRow:
    interest: Interest
    decision: Decision
    training_gaps: list[str]
    recent: Load
    load: LoadCheck
    last_took_part: datetime.datetime | None
    on_previous: bool
    suggested: bool = False
    other_reasons: list[str] = field(default_factory=list)

    @property
    def membership(self) -> Membership:
        return self.interest.membership

    @property
    def name(self) -> str:
        return self.interest.membership.user.full_name

    @property
    def status(self) -> str:
        return self.interest.status

    @property
    def note(self) -> str:
        return self.interest.note

    @property
    def eligible(self) -> bool:
        return self.decision.allowed

    @property
    def would_pass_load(self) -> bool:
        return self.load.passes_limit

    @property
    def is_open(self) -> bool:
        return self.interest.status in Interest.OPEN


def engagement_get_for_selection(actor: User, engagement_id: int) -> Engagement:
    """The engagement, for choosing who goes (404 for another partnership's)."""
    require(actor, SELECT_INTEREST)
    engagements = scope(Engagement.objects.select_related("partnership", "staff_lead", "risk_assessment"), actor)
    engagement = get_object_or_404(engagements, pk=engagement_id)
    require(actor, SELECT_INTEREST, engagement)
    return engagement


def candidates_for(actor: User, engagement: Engagement) -> list[CandidateRow]:
    """Everyone with an interest in the engagement (any status but withdrawn): their eligibility, with training gaps
    shown on their own, and their recent load. See the module's docstring for what counts and what it costs."""
    from safeguarding.services.eligibility import can_take_part_many

    require(actor, SELECT_INTEREST, engagement)
    interests = list(
        scope(Interest.objects.filter(engagement=engagement), actor)
        .exclude(status=Status.WITHDRAWN)
        .select_related("membership__user", "invited_by")
        .order_by("created_at", "pk")
    )
    ids = [i.membership_id for i in interests]
    shifts = shifts_for(ids, engagement)
    last = last_took_part(ids, engagement)
    _previous, on_previous = previous_of_type(engagement)
    partnership = engagement.partnership
    decisions = can_take_part_many([interest.membership for interest in interests], engagement)
    rows = []
    for interest in interests:
        membership = interest.membership
        decision = decisions[membership.pk]
        gaps = decision.training_gaps
        own = shifts.get(membership.pk, [])
        rows.append(
            CandidateRow(
                interest=interest,
                decision=decision,
                training_gaps=gaps,
                other_reasons=[r for r in decision.reasons if r not in gaps],
                recent=recent_load(own, engagement),
                load=load_check(own, engagement, partnership),
                last_took_part=last.get(membership.pk),
                on_previous=membership.pk in on_previous,
            )
        )
    return rows


def _rank(row: CandidateRow) -> tuple[object, ...]:
    last = row.last_took_part
    return (
        row.would_pass_load,  # anyone who would pass the load limit goes after everyone who would not
        row.recent.engagements,
        row.recent.minutes,
        (0, datetime.datetime.min.replace(tzinfo=datetime.UTC)) if last is None else (1, last),
        row.interest.created_at,
        row.interest.pk,
    )


def fair_pick(rows: Sequence[CandidateRow], places_left: int) -> list[CandidateRow]:
    """Who to suggest for the free places: eligible people whose interest is open (interested or waiting), fewest
    engagements in the last 90 days first, then fewest hours, then longest since they last took part (never first),
    then earliest interest. Those who would pass the load limit come last.

    Not the same people twice running: if the panel (those already confirmed plus the suggestions) would be made up
    only of people who were on the previous engagement of this type, and an eligible candidate who was not on it is
    waiting, the lowest-ranked suggestion from the previous panel gives way to the best-ranked such candidate."""
    if places_left <= 0:
        return []
    pool = sorted((r for r in rows if r.eligible and r.is_open), key=_rank)
    picked = pool[:places_left]
    confirmed = [r for r in rows if r.status == Status.CONFIRMED]
    panel = confirmed + picked
    if picked and all(r.on_previous for r in panel):
        newcomers = [r for r in pool if not r.on_previous and r not in picked]
        if newcomers:
            picked[-1] = newcomers[0]  # all in `picked` were on the previous panel; the last ranked gives way
            picked.sort(key=_rank)
    return picked


def invitable_young_people(actor: User, engagement: Engagement) -> QuerySet[Membership]:
    """Active young people of the partnership who have not expressed interest in the engagement (nor withdrawn)."""
    require(actor, SELECT_INTEREST, engagement)
    return (
        scope(Membership.objects.select_related("user"), actor)
        .filter(Membership.with_role(Role.YOUNG_PERSON), status=Membership.Status.ACTIVE, user__is_active=True)
        .exclude(interests__engagement=engagement)
        .order_by("user__full_name", "pk")
    )


def interests_visible_to(
    actor: User, *, engagement_id: int | None = None, status: str | None = None
) -> QuerySet[Interest]:
    """A young person's own interests; for a participation worker, the partnership's (one engagement's if asked, a
    404 if the engagement is not theirs). Only those with `status`, if asked.

    The partnership is named on the engagement too (an interest is always in its engagement's partnership): the
    list is ordered by the engagement's start, and without it PostgreSQL joins every partnership's engagements to
    sort this one's interests; with it, it reads only this partnership's engagements, by their partnership index
    (docs/performance.md, Indexes). The young people are prefetched for the page's rows rather than joined: a join
    made PostgreSQL fetch every interest's person before it sorted and took a page (14 ms at the national scale)."""
    interests = scope(
        Interest.objects.select_related("engagement").prefetch_related(
            Prefetch("membership", queryset=Membership.objects.select_related("user"))
        ),
        actor,
    )
    interests = scope(interests, actor, field="engagement__partnership")
    if status:
        interests = interests.filter(status=status)
    if actor.has_perm(SELECT_INTEREST):
        if engagement_id is not None:
            engagement = get_object_or_404(scope(Engagement.objects.all(), actor), pk=engagement_id)
            interests = interests.filter(engagement=engagement)
        return interests.order_by("engagement__starts_at", "engagement_id", "created_at", "pk")
    require(actor, EXPRESS_INTEREST)
    interests = interests.filter(membership=actor.membership)
    if engagement_id is not None:
        interests = interests.filter(engagement_id=engagement_id)
    return interests.order_by("-engagement__starts_at", "pk")


def interest_get_for_actor(actor: User, interest_id: int) -> Interest:
    """One interest: a worker's of the partnership, or a young person's own. 404 for anything else."""
    return get_object_or_404(interests_visible_to(actor), pk=interest_id)


# --- The young person's pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpportunityView:
    engagement: Engagement
    interest: Interest | None
    briefing: OpportunityTypeSetting | None
    attendance: Attendance | None = None  # theirs, once the staff lead has marked it
    work_log: WorkLog | None = None  # theirs, once they have started one

    @property
    def confirmed(self) -> bool:
        return self.interest is not None and self.interest.status == Status.CONFIRMED

    @property
    def is_cancelled(self) -> bool:
        return self.engagement.status == Engagement.Status.CANCELLED

    @property
    def is_over(self) -> bool:
        """It has ended (or been marked complete)."""
        return self.engagement.status == Engagement.Status.COMPLETED or self.engagement.ends_at <= timezone.now()

    @property
    def attended(self) -> bool:
        """Marked present, late or left early."""
        return self.attendance is not None and self.attendance.status in Attendance.ATTENDED

    @property
    def marked_absent(self) -> bool:
        return self.attendance is not None and self.attendance.status == Attendance.Status.ABSENT

    @property
    def online_link(self) -> str:
        """Only for the young people confirmed, and never once the engagement is cancelled."""
        return self.engagement.online_link if self.confirmed and not self.is_cancelled else ""

    @property
    def has_started(self) -> bool:
        return self.engagement.starts_at <= timezone.now()

    @property
    def marking_has_opened(self) -> bool:
        """Attendance marking opens an hour before the start: from then on, only a worker can change a place."""
        return timezone.now() >= marking_opens_at(self.engagement)

    @property
    def can_express(self) -> bool:
        return (
            self.engagement.status == Engagement.Status.PUBLISHED
            and not self.has_started
            and (self.interest is None or self.interest.status == Status.WITHDRAWN)
        )

    @property
    def can_withdraw(self) -> bool:
        return (
            self.interest is not None
            and self.interest.status in (*Interest.OPEN, Status.CONFIRMED)
            and self.engagement.status in OPEN_FOR_SELECTION
            and not self.marking_has_opened
        )

    @property
    def too_late_to_withdraw(self) -> bool:
        """They hold a place, it has not started, but it starts within the hour: they talk to their worker."""
        return (
            self.confirmed
            and self.engagement.status in OPEN_FOR_SELECTION
            and self.marking_has_opened
            and not self.has_started
        )


def opportunity_for_young_person(actor: User, engagement_id: int) -> OpportunityView:
    """An opportunity a young person may see: published (or any they have an interest in), in their partnership.
    404 otherwise. The online link is given only to those confirmed (OpportunityView.online_link)."""
    require(actor, "engagements.view_opportunity")
    membership = actor.membership
    engagement = (
        scope(Engagement.objects.select_related("staff_lead"), actor)
        .filter(pk=engagement_id)
        .prefetch_related(
            Prefetch("interests", queryset=Interest.objects.filter(membership=membership), to_attr="own_interests"),
            Prefetch("attendance", queryset=Attendance.objects.filter(membership=membership), to_attr="own_attendance"),
            Prefetch("work_logs", queryset=WorkLog.objects.filter(membership=membership), to_attr="own_work_logs"),
        )
        .first()
    )
    if engagement is None:
        raise Http404("No such opportunity.")
    own_interests = cast(list[Interest], engagement.own_interests)
    own_attendance = cast(list[Attendance], engagement.own_attendance)
    own_work_logs = cast(list[WorkLog], engagement.own_work_logs)
    interest = own_interests[0] if own_interests else None
    if engagement.status != Engagement.Status.PUBLISHED and interest is None:
        raise Http404("No such opportunity.")
    briefing = OpportunityTypeSetting.objects.filter(
        partnership_id=engagement.partnership_id, opportunity_type=engagement.opportunity_type
    ).first()
    return OpportunityView(
        engagement=engagement,
        interest=interest,
        briefing=briefing,
        attendance=own_attendance[0] if own_attendance else None,
        work_log=own_work_logs[0] if own_work_logs else None,
    )


# How long a decision that ended someone's plans (not selected, a place cancelled, withdrawn, or the engagement
# called off) stays on their sessions page: this long after the decision or the engagement's date, whichever is later.
RECENT_OUTCOME_DAYS = 28


@dataclass(frozen=True)
class MySession:
    """One of a young person's interests, with what became of it: their attendance and their work log's status
    (Attendance.Status and WorkLog.Status values, or None while there is none)."""

    interest: Interest
    attendance: str | None = None
    work_log_status: str | None = None

    @property
    def engagement(self) -> Engagement:
        return self.interest.engagement

    @property
    def attended(self) -> bool:
        return self.attendance in Attendance.ATTENDED

    @property
    def marked_absent(self) -> bool:
        return self.attendance == Attendance.Status.ABSENT

    @property
    def outcome(self) -> str:
        """For an interest that came to nothing: "not_selected" (including an open interest in one that has
        started without a decision), "cancelled" (their place, or the engagement) or "withdrawn". Otherwise ""."""
        status, engagement = self.interest.status, self.interest.engagement
        if status == Status.WITHDRAWN:
            return "withdrawn"
        if status == Status.CANCELLED or engagement.status == Engagement.Status.CANCELLED:
            return "cancelled"
        if status == Status.NOT_SELECTED or (status in Interest.OPEN and engagement.starts_at <= timezone.now()):
            return "not_selected"
        return ""

    @property
    def reason(self) -> str:
        """The worker's reason the young person sees: why they were not selected or their place was cancelled, or
        why the engagement was cancelled. Never their own reason for withdrawing."""
        outcome, status = self.outcome, self.interest.status
        if outcome == "not_selected" and status == Status.NOT_SELECTED:
            return self.interest.reason
        if outcome == "cancelled":
            return self.interest.reason if status == Status.CANCELLED else self.engagement.cancelled_reason
        return ""

    @property
    def outcome_date(self) -> datetime.datetime:
        """When it stopped being news: the decision or the engagement's end, whichever is later."""
        decided = self.interest.decided_at
        ends = self.engagement.ends_at
        return max(decided, ends) if decided is not None else ends


@dataclass(frozen=True)
class MyEngagements:
    upcoming: list[MySession]
    waiting: list[MySession]
    recent: list[MySession]
    past: list[MySession]


def my_engagements_for(actor: User) -> MyEngagements:
    """The young person's places still to come (a worker may confirm them before an opportunity is published),
    interests in published opportunities waiting for a decision, recent outcomes (not selected, cancelled or
    withdrawn, for RECENT_OUTCOME_DAYS after the decision or the engagement's date, latest first), and past places
    (with their attendance and work log). One query."""
    require(actor, "engagements.view_opportunity")
    now = timezone.now()
    own = {"engagement_id": OuterRef("engagement_id"), "membership_id": OuterRef("membership_id")}
    interests = list(
        scope(Interest.objects.select_related("engagement"), actor)
        .filter(membership=actor.membership)
        .annotate(
            my_attendance=Subquery(Attendance.objects.filter(**own).values("status")[:1], output_field=CharField()),
            my_work_log=Subquery(WorkLog.objects.filter(**own).values("status")[:1], output_field=CharField()),
        )
        .order_by("engagement__starts_at", "pk")
    )
    sessions = [
        MySession(
            interest=i,
            attendance=i.my_attendance,
            work_log_status=i.my_work_log,
        )
        for i in interests
    ]
    cancelled = Engagement.Status.CANCELLED
    upcoming = [
        s
        for s in sessions
        if s.interest.status == Status.CONFIRMED and s.engagement.ends_at > now and s.engagement.status != cancelled
    ]
    waiting = [
        s
        for s in sessions
        if s.interest.status in Interest.OPEN
        and s.engagement.starts_at > now
        and s.engagement.status == Engagement.Status.PUBLISHED
    ]
    since = now - datetime.timedelta(days=RECENT_OUTCOME_DAYS)
    recent = sorted(
        (s for s in sessions if s.outcome and s.outcome_date >= since),
        key=lambda s: (s.outcome_date, s.interest.pk),
        reverse=True,
    )
    past = [
        s
        for s in reversed(sessions)
        if s.interest.status == Status.CONFIRMED and s.engagement.ends_at <= now and s.engagement.status != cancelled
    ]
    return MyEngagements(upcoming=upcoming, waiting=waiting, recent=recent, past=past)
