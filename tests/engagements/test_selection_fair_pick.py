"""The selection page's data (candidates_for: eligibility and load) and the fair pick (a pure function)."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Attendance, Engagement, Interest, OpportunityType
from engagements.selectors.selection import (
    CandidateRow,
    Load,
    LoadCheck,
    candidates_for,
    fair_pick,
)
from participants.models import Role, TrainingModule
from safeguarding.services.eligibility import Decision
from tests.engagements.helpers import approve_risk_assessment, make_eligible, young_person
from tests.factories.engagements import AttendanceFactory, InterestFactory, OpportunityFactory

Status = Interest.Status
NOW = timezone.now()
_ids = itertools.count(1)


# --- fair_pick, a pure function ----------------------------------------------------------------------------------


def row(
    name,
    *,
    engagements=0,
    minutes=0,
    last_days_ago=None,
    interested_days_ago=1,
    eligible=True,
    status=Status.INTERESTED,
    on_previous=False,
    over_load=False,
):
    pk = next(_ids)
    interest = Interest(pk=pk, status=status, created_at=NOW - datetime.timedelta(days=interested_days_ago))
    today = timezone.localdate()
    return CandidateRow(
        interest=interest,
        decision=Decision(allowed=eligible, reasons=[] if eligible else ["No consent to take part."]),
        training_gaps=[],
        recent=Load(engagements=engagements, minutes=minutes),
        load=LoadCheck(
            engagements=engagements + 1,
            engagements_from=today,
            minutes=minutes,
            minutes_from=today,
            limit_engagements=engagements if over_load else 99,
            limit_hours=99,
        ),
        last_took_part=None if last_days_ago is None else NOW - datetime.timedelta(days=last_days_ago),
        on_previous=on_previous,
    ), name


def pick(rows, places):
    names = {id(r): name for r, name in rows}
    return [names[id(r)] for r in fair_pick([r for r, _ in rows], places)]


def test_fair_pick_prefers_those_with_fewer_recent_engagements():
    rows = [
        row("busy", engagements=4, last_days_ago=3, interested_days_ago=9),
        row("some", engagements=2, last_days_ago=20, interested_days_ago=8),
        row("none", engagements=0, last_days_ago=120, interested_days_ago=1),
    ]
    assert pick(rows, 2) == ["none", "some"]


def test_then_fewer_hours_then_longest_since_they_last_took_part_never_first():
    rows = [
        row("more hours", engagements=1, minutes=300, last_days_ago=60),
        row("recent", engagements=1, minutes=120, last_days_ago=5),
        row("a while ago", engagements=1, minutes=120, last_days_ago=70),
        row("never", engagements=1, minutes=120),
    ]
    assert pick(rows, 4) == ["never", "a while ago", "recent", "more hours"]


def test_ties_go_to_whoever_said_they_were_interested_first():
    rows = [
        row("second", interested_days_ago=2),
        row("first", interested_days_ago=5),
        row("third", interested_days_ago=1),
    ]
    assert pick(rows, 2) == ["first", "second"]


def test_only_eligible_people_whose_interest_is_open_are_suggested():
    rows = [
        row("not eligible", eligible=False),
        row("confirmed", status=Status.CONFIRMED),
        row("not selected", status=Status.NOT_SELECTED),
        row("cancelled", status=Status.CANCELLED),
        row("waiting", status=Status.WAITING, engagements=3),
        row("interested", engagements=4),
    ]
    assert pick(rows, 5) == ["waiting", "interested"]
    assert pick(rows, 0) == []


def test_those_who_would_pass_the_load_limit_come_last():
    rows = [row("over", engagements=0, over_load=True), row("fine", engagements=2)]
    assert pick(rows, 1) == ["fine"]
    assert pick(rows, 2) == ["fine", "over"]


def test_never_the_same_people_twice_running_when_others_are_eligible():
    rows = [
        row("again 1", engagements=0, on_previous=True),
        row("again 2", engagements=0, on_previous=True, interested_days_ago=0),
        row("new", engagements=3, on_previous=False),
    ]
    # By load alone both of last time's panel would go; the lower-ranked of them gives way to someone new.
    assert pick(rows, 2) == ["again 1", "new"]


def test_the_same_people_rule_counts_those_already_confirmed():
    rows = [
        row("confirmed again", status=Status.CONFIRMED, on_previous=True),
        row("again", engagements=0, on_previous=True),
        row("new", engagements=3, on_previous=False),
    ]
    assert pick(rows, 1) == ["new"]
    rows_with_a_newcomer_confirmed = [
        row("confirmed new", status=Status.CONFIRMED, on_previous=False),
        row("again", engagements=0, on_previous=True),
        row("new", engagements=3, on_previous=False),
    ]
    assert pick(rows_with_a_newcomer_confirmed, 1) == ["again"]


def test_the_same_people_may_go_again_when_nobody_else_can():
    rows = [
        row("again 1", on_previous=True),
        row("again 2", on_previous=True),
        row("new but not eligible", on_previous=False, eligible=False),
    ]
    assert pick(rows, 2) == ["again 1", "again 2"]


# --- candidates_for ------------------------------------------------------------------------------------------------


def took_part(membership, *, days_before, engagement, hours=2, attendance=None, status=Engagement.Status.COMPLETED):
    ends = engagement.starts_at - datetime.timedelta(days=days_before)
    past = OpportunityFactory(
        partnership=membership.partnership,
        starts_at=ends - datetime.timedelta(hours=hours),
        ends_at=ends,
        status=status,
        opportunity_type=OpportunityType.FOCUS_GROUP,
    )
    past.attendees.add(membership)
    if attendance:
        AttendanceFactory(engagement=past, membership=membership, status=attendance)
    return past


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def engagement(partnership):
    engagement = OpportunityFactory(partnership=partnership, places=3)
    approve_risk_assessment(engagement)
    return engagement


@pytest.mark.django_db
def test_each_candidate_has_eligibility_with_training_gaps_apart_and_their_recent_load(
    member, partnership, engagement, worker
):
    TrainingModule.objects.create(
        partnership=partnership, title="Panel skills", duration_minutes=60, required_for=[engagement.opportunity_type]
    )
    ready = young_person(member, engagement, user__full_name="Ready Person")
    unready = young_person(member, engagement, eligible=False, user__full_name="Unready Person")
    withdrawn = young_person(member, engagement)
    for user in (ready, unready):
        InterestFactory(engagement=engagement, membership=user.membership)
    InterestFactory(engagement=engagement, membership=withdrawn.membership, status=Status.WITHDRAWN)

    took_part(ready.membership, days_before=10, engagement=engagement, hours=3)
    took_part(ready.membership, days_before=40, engagement=engagement, attendance=Attendance.Status.LATE)
    took_part(ready.membership, days_before=50, engagement=engagement, attendance=Attendance.Status.ABSENT)
    took_part(ready.membership, days_before=60, engagement=engagement, status=Engagement.Status.CANCELLED)
    took_part(ready.membership, days_before=200, engagement=engagement)

    rows = {r.name: r for r in candidates_for(worker, engagement)}
    assert set(rows) == {"Ready Person", "Unready Person"}
    assert rows["Ready Person"].eligible
    assert (rows["Ready Person"].recent.engagements, rows["Ready Person"].recent.hours) == (2, 5)
    assert rows["Ready Person"].last_took_part == engagement.starts_at - datetime.timedelta(days=10)
    unready_row = rows["Unready Person"]
    assert not unready_row.eligible
    assert unready_row.training_gaps == ["Panel skills: not done"]
    assert unready_row.training_gaps[0] in unready_row.decision.reasons
    assert "Panel skills: not done" not in unready_row.other_reasons
    assert unready_row.other_reasons
    assert (unready_row.recent.engagements, unready_row.last_took_part) == (0, None)


@pytest.mark.django_db
def test_attendance_recorded_without_a_place_still_counts(member, engagement, worker):
    user = young_person(member, engagement)
    InterestFactory(engagement=engagement, membership=user.membership)
    past = OpportunityFactory(
        partnership=engagement.partnership,
        starts_at=engagement.starts_at - datetime.timedelta(days=5, hours=1),
        ends_at=engagement.starts_at - datetime.timedelta(days=5),
        status=Engagement.Status.COMPLETED,
    )
    AttendanceFactory(engagement=past, membership=user.membership, status=Attendance.Status.PRESENT)
    (candidate,) = candidates_for(worker, engagement)
    assert (candidate.recent.engagements, candidate.recent.minutes) == (1, 60)


@pytest.mark.django_db
def test_who_was_on_the_previous_engagement_of_the_same_type(member, engagement, worker, partnership):
    again = young_person(member, engagement, user__full_name="Again")
    new = young_person(member, engagement, user__full_name="New")
    for user in (again, new):
        InterestFactory(engagement=engagement, membership=user.membership)
    older = OpportunityFactory(partnership=partnership, starts_at=engagement.starts_at - datetime.timedelta(days=60))
    older.attendees.add(new.membership)
    previous = OpportunityFactory(partnership=partnership, starts_at=engagement.starts_at - datetime.timedelta(days=30))
    previous.attendees.add(again.membership)
    other_type = OpportunityFactory(
        partnership=partnership,
        starts_at=engagement.starts_at - datetime.timedelta(days=10),
        opportunity_type=OpportunityType.DEEP_DIVE,
    )
    other_type.attendees.add(new.membership)
    rows = {r.name: r for r in candidates_for(worker, engagement)}
    assert rows["Again"].on_previous and not rows["New"].on_previous
    assert [r.name for r in fair_pick(list(rows.values()), 1)] == ["New"]


@pytest.mark.django_db
def test_would_pass_load_matches_the_partnerships_limits(member, engagement, worker, partnership):
    partnership.load_limit_engagements = 2
    partnership.save()
    busy = young_person(member, engagement, user__full_name="Busy")
    InterestFactory(engagement=engagement, membership=busy.membership)
    for days in (5, 15):
        took_part(busy.membership, days_before=days, engagement=engagement)
    (candidate,) = candidates_for(worker, engagement)
    assert candidate.would_pass_load
    assert candidate.load.engagements == 3
    assert "3 engagements in the 90 days" in candidate.load.describe()


@pytest.mark.django_db
def test_the_load_figures_cost_the_same_queries_however_much_each_person_has_done(
    member, engagement, worker, partnership
):
    people = [young_person(member, engagement) for _ in range(4)]
    for user in people:
        InterestFactory(engagement=engagement, membership=user.membership)
    candidates_for(worker, engagement)
    with CaptureQueriesContext(connection) as before:
        candidates_for(worker, engagement)
    for user in people:
        for days in range(1, 80, 8):
            took_part(user.membership, days_before=days, engagement=engagement)
    with CaptureQueriesContext(connection) as after:
        rows = candidates_for(worker, engagement)
    assert all(r.recent.engagements == 10 for r in rows)
    assert len(after) == len(before)


# Eligibility (can_take_part, and training_gaps shown apart) reads each candidate's records afresh: bounded per person.
ELIGIBILITY_QUERIES_PER_CANDIDATE = 12


@pytest.mark.django_db
def test_candidates_for_costs_a_fixed_number_of_queries_plus_a_bounded_number_per_candidate(member, engagement, worker):
    def grow(n):
        for _ in range(n):
            user = young_person(member, engagement)
            InterestFactory(engagement=engagement, membership=user.membership)
            took_part(user.membership, days_before=3, engagement=engagement)

    grow(2)
    candidates_for(worker, engagement)
    with CaptureQueriesContext(connection) as small:
        candidates_for(worker, engagement)
    grow(10)
    with CaptureQueriesContext(connection) as large:
        assert len(candidates_for(worker, engagement)) == 12
    assert len(large) - len(small) <= 10 * ELIGIBILITY_QUERIES_PER_CANDIDATE
    assert len(small) <= 8 + 2 * ELIGIBILITY_QUERIES_PER_CANDIDATE


@pytest.mark.django_db
def test_a_confirmed_candidate_keeps_a_place_in_the_list(member, engagement, worker):
    user = young_person(member, engagement)
    make_eligible(user.membership, engagement)
    InterestFactory(engagement=engagement, membership=user.membership, status=Status.CONFIRMED)
    engagement.attendees.add(user.membership)
    (candidate,) = candidates_for(worker, engagement)
    assert candidate.status == Status.CONFIRMED
    assert fair_pick([candidate], 3) == []
