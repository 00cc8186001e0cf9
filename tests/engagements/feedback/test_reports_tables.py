"""The dashboard's tables (engagements.selectors.reports) on known data: what each counts, what it leaves out,
small-number suppression that cannot be undone from a total, another partnership's data never counted, and a
number of queries that does not grow with the data.

The helpers here build the known data; the page, API and annual report tests import them.
"""

from __future__ import annotations

import datetime
import itertools
import random
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import (
    Attendance,
    Engagement,
    OpportunityType,
    Recommendation,
    RecommendationResponse,
    TimelineEntry,
    WorkLog,
)
from engagements.selectors.reports import (
    FEWER_THAN_FIVE,
    NOT_SHOWN,
    Hidden,
    Period,
    dashboard_for,
    protect_counts,
    reporting_year,
)
from participants import equality
from participants.models import (
    AnonymousOutcomeCount,
    Application,
    EqualityResponse,
    OutreachChannel,
    Referral,
    Role,
    YoungPersonProfile,
)
from payments.models import Payout
from tests.factories import MembershipFactory
from tests.factories.engagements import AttendanceFactory, WorkLogFactory
from tests.factories.feedback import RecommendationFactory, RecommendationResponseFactory
from tests.factories.payments import PayoutFactory
from tests.factories.recruitment import ApplicationFactory, OutreachLinkFactory, RoundFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")
YEAR = 2025  # the reporting year 1 April 2025 to 31 March 2026 (in the past when these tests were written)
PERIOD = reporting_year(YEAR)
Status = RecommendationResponse.Status


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UK)


def session(partnership, starts_at, kind=OpportunityType.SECTION_11_PANEL, **fields) -> Engagement:
    return EngagementFactory(
        partnership=partnership,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        opportunity_type=kind,
        status=fields.pop("status", Engagement.Status.COMPLETED),
        **fields,
    )


def person(partnership, *, born: datetime.date | None = None):
    membership = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
    if born is not None:
        YoungPersonProfile.objects.create(membership=membership, partnership=partnership, date_of_birth=born)
    return membership


def work_log(
    engagement, minutes=(30, 120, 40), *, status=WorkLog.Status.APPROVED, membership=None, approved=None
) -> WorkLog:
    prep, sess, travel = minutes
    approved = status in (WorkLog.Status.APPROVED, WorkLog.Status.CLAIMED) if approved is None else approved
    return WorkLogFactory(
        engagement=engagement,
        membership=membership or person(engagement.partnership),
        status=status,
        preparation_minutes=prep,
        session_minutes=sess,
        travel_minutes=travel,
        approved_preparation_minutes=prep if approved else None,
        approved_session_minutes=sess if approved else None,
        approved_travel_minutes=travel if approved else None,
    )


def recommendation(partnership, made_at, *, status=None, answered_at=None, engagement=None, **fields):
    made = RecommendationFactory(
        engagement=engagement or session(partnership, made_at - datetime.timedelta(days=1)),
        created_at=made_at,
        **fields,
    )
    if status is not None:
        RecommendationResponseFactory(
            recommendation=made, status=status, created_at=answered_at or made_at, updated_at=answered_at or made_at
        )
    return made


def paid(partnership, paid_at, *, pay=2400, expenses=450, status=Payout.Status.PAID) -> Payout:
    return PayoutFactory(
        claim__membership=person(partnership),
        claim__pay_pence=pay,
        claim__expenses_pence=expenses,
        status=status,
        paid_at=paid_at,
    )


def equality_answers(round_, answers: dict[str, str], times: int = 1) -> None:
    EqualityResponse.objects.bulk_create(
        [EqualityResponse(partnership=round_.partnership, round=round_, answers=answers) for _ in range(times)]
    )


def row(table, label):
    return next(r for r in table.rows if r[0] == label)


def display(table, label):
    return next(r for r in table.display_rows() if r[0] == label)


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


# --- Hours ---------------------------------------------------------------------------------------------------------


def build_hours(partnership):
    april = session(partnership, at(2025, 4, 10))
    work_log(april, (30, 120, 40))  # 190 minutes
    work_log(april, (60, 0, 0), status=WorkLog.Status.CLAIMED)  # 60 minutes, claimed since
    # Waiting, or not approved: not counted, even with approved minutes on them.
    work_log(april, (600, 600, 600), status=WorkLog.Status.SUBMITTED, approved=True)
    work_log(april, (600, 600, 600), status=WorkLog.Status.REJECTED, approved=True)
    june = session(partnership, at(2025, 6, 3), OpportunityType.FOCUS_GROUP)
    work_log(june, (0, 90, 0))
    # The last minutes of the year count; the first of the next year and the last of the one before do not.
    work_log(session(partnership, at(2026, 3, 31, 23, 0), OpportunityType.FOCUS_GROUP), (0, 60, 0))
    work_log(session(partnership, at(2026, 4, 1, 0, 30)), (0, 600, 0))
    work_log(session(partnership, at(2025, 3, 31, 23, 30)), (0, 600, 0))


def test_hours_count_approved_minutes_by_month_of_the_engagement_and_kind_of_work(partnership, other_partnership, lead):
    build_hours(partnership)
    build_hours(other_partnership)  # never counted

    table = dashboard_for(lead, PERIOD).table("hours")

    assert [c.label for c in table.columns] == [
        "Month",
        "Section 11 challenge panel",
        "Focus group",
        "All kinds of work",
    ]
    assert len(table.rows) == 12 and table.rows[0][0] == "April 2025" and table.rows[-1][0] == "March 2026"
    assert row(table, "April 2025") == ("April 2025", 4.2, 0.0, 4.2)  # 250 minutes
    assert row(table, "June 2025") == ("June 2025", 0.0, 1.5, 1.5)
    assert row(table, "March 2026") == ("March 2026", 0.0, 1.0, 1.0)
    assert table.total == ("Total", 4.2, 2.5, 6.7)  # 400 minutes
    assert "approved" in table.note and "month the engagement started" in table.note


# --- Reach ---------------------------------------------------------------------------------------------------------


def build_channels(partnership):
    round_ = RoundFactory(
        partnership=partnership, opens_on=datetime.date(2025, 5, 1), closes_on=datetime.date(2025, 6, 30)
    )
    council = OutreachLinkFactory(round=round_, channel=OutreachChannel.YOUTH_COUNCIL)
    care = OutreachLinkFactory(round=round_, channel=OutreachChannel.CHILDREN_IN_CARE_COUNCIL)
    ApplicationFactory(round=round_, outreach_link=council)
    ApplicationFactory(round=round_, outreach_link=council, status=Application.Status.ACCEPTED)
    ApplicationFactory(round=round_, outreach_link=care)
    ApplicationFactory(round=round_)  # direct
    ApplicationFactory(round=round_, outreach_link=council, status=Application.Status.DRAFT)  # not sent
    referrer = person(partnership)
    referral = Referral.objects.create(
        partnership=partnership, round=round_, referrer=referrer, friend_name="A friend", friend_email="f@example.org",
        token=f"tok{round_.pk}",
    )  # fmt: skip
    ApplicationFactory(round=round_, referral=referral, outreach_link=council)  # a referral counts as a referral
    AnonymousOutcomeCount.objects.create(
        partnership=partnership, round=round_, outcome=Application.Status.UNSUCCESSFUL, channel="Youth council", count=3
    )
    later = RoundFactory(
        partnership=partnership, opens_on=datetime.date(2026, 4, 1), closes_on=datetime.date(2026, 5, 1)
    )
    ApplicationFactory(round=later)  # its round closes after the period
    return round_


def test_reach_by_channel_counts_sent_applications_of_rounds_closing_in_the_period(
    partnership, other_partnership, lead
):
    build_channels(partnership)
    build_channels(other_partnership)

    table = dashboard_for(lead, PERIOD).table("channels")

    assert row(table, "Youth council") == ("Youth council", 5)  # 2 sent + 3 deleted since
    assert row(table, "Children in care council") == ("Children in care council", 1)
    assert row(table, "Referred by a friend") == ("Referred by a friend", 1)
    assert row(table, "Direct") == ("Direct", 1)
    assert row(table, "LGBTQ+ groups") == ("LGBTQ+ groups", 0)
    assert table.total == ("Total", 8)


def build_ages(partnership):
    first, second = session(partnership, at(2025, 5, 1)), session(partnership, at(2025, 9, 1))
    thirteen = person(partnership, born=datetime.date(2012, 1, 15))
    sixteen_then_seventeen = person(partnership, born=datetime.date(2009, 6, 1))  # 16 on 1 September 2025
    unknown = person(partnership)
    twenty_one = person(partnership, born=datetime.date(2004, 4, 30))
    AttendanceFactory(engagement=first, membership=thirteen)
    AttendanceFactory(engagement=second, membership=thirteen, status=Attendance.Status.LATE)  # counted once
    AttendanceFactory(engagement=second, membership=sixteen_then_seventeen, status=Attendance.Status.LEFT_EARLY)
    AttendanceFactory(engagement=first, membership=unknown)
    AttendanceFactory(engagement=first, membership=twenty_one)
    AttendanceFactory(engagement=first, membership=person(partnership, born=datetime.date(2008, 1, 1)),
                      status=Attendance.Status.ABSENT)  # fmt: skip
    AttendanceFactory(engagement=session(partnership, at(2025, 3, 1)), membership=person(partnership))  # before


def test_reach_by_age_band_counts_each_young_person_who_came_once_by_age_at_their_first_session(
    partnership, other_partnership, lead
):
    build_ages(partnership)
    build_ages(other_partnership)

    table = dashboard_for(lead, PERIOD).table("ages")

    assert dict(table.rows) == {"Under 16": 1, "16 to 17": 1, "18 to 20": 0, "21 and over": 1, "Not known": 1}
    assert table.total == ("Total", 4)


# --- Equality ------------------------------------------------------------------------------------------------------


def closed_round(partnership, **fields):
    return RoundFactory(
        partnership=partnership, opens_on=datetime.date(2025, 6, 1), closes_on=datetime.date(2025, 7, 1), **fields
    )


def equality_cell(table, question_key, option, column=2):
    question = equality.BY_KEY[question_key]
    label = dict(question.options)[option]
    return next(r for r in table.rows if r[0] == question.text and r[1] == label)[column]


def test_a_count_of_4_is_fewer_than_5_and_a_count_of_5_is_shown(partnership, lead):
    round_ = closed_round(partnership)
    equality_answers(round_, {"gender": "non_binary", "disability": "yes"}, times=4)
    equality_answers(round_, {"gender": "girl_woman", "disability": "no"}, times=20)
    equality_answers(round_, {"disability": "yes"}, times=1)  # skipped gender: 5 said yes to disability

    table = dashboard_for(lead, PERIOD).table("equality")

    assert [c.label for c in table.columns] == ["Question", "Answer", round_.title]
    assert table.rows[0] == ("Everyone", "Answered the equality questions", 25)
    assert equality_cell(table, "gender", "non_binary") == FEWER_THAN_FIVE
    assert equality_cell(table, "disability", "yes") == 5
    assert equality_cell(table, "disability", "no") == 20
    assert equality_cell(table, "gender", "boy_man") == 0
    assert "fewer than 5" in " ".join(" ".join(r) for r in table.display_rows())
    assert table.chart is None


def test_a_suppressed_count_cannot_be_worked_out_from_the_total(partnership, lead):
    """20 answered; 19 girls and 1 non-binary. Showing 19 next to a total of 20 would give the 1 away, so the 19 is
    hidden too."""
    round_ = closed_round(partnership)
    equality_answers(round_, {"gender": "girl_woman"}, times=19)
    equality_answers(round_, {"gender": "non_binary"}, times=1)

    table = dashboard_for(lead, PERIOD).table("equality")

    assert table.rows[0][2] == 20
    assert equality_cell(table, "gender", "non_binary") == FEWER_THAN_FIVE
    assert equality_cell(table, "gender", "girl_woman") == NOT_SHOWN
    shown = [r[2] for r in table.rows[1:] if r[0] == equality.BY_KEY["gender"].text]
    assert worked_out(shown, total=20) == set()


def test_rounds_still_open_are_left_out_and_other_partnerships_never_counted(partnership, other_partnership, lead):
    today = timezone.localdate()
    open_round = RoundFactory(
        partnership=partnership,
        opens_on=today - datetime.timedelta(days=20),
        closes_on=today + datetime.timedelta(days=5),
    )
    ours = RoundFactory(
        partnership=partnership,
        opens_on=today - datetime.timedelta(days=40),
        closes_on=today - datetime.timedelta(days=1),
    )
    theirs = RoundFactory(partnership=other_partnership, opens_on=ours.opens_on, closes_on=ours.closes_on)
    equality_answers(theirs, {"gender": "boy_man"}, times=9)
    equality_answers(open_round, {"gender": "boy_man"}, times=9)
    equality_answers(ours, {"gender": "girl_woman"}, times=6)

    period = Period(today - datetime.timedelta(days=60), today + datetime.timedelta(days=60))
    table = dashboard_for(lead, period).table("equality")

    assert [c.label for c in table.columns] == ["Question", "Answer", ours.title]
    assert equality_cell(table, "gender", "girl_woman") == 6
    assert equality_cell(table, "gender", "boy_man") == 0
    assert "still taking applications" in table.note


def worked_out(cells, *, total):
    """The hidden cells an attacker who knows the question's total (and how suppression works) can pin down exactly:
    'fewer than 5' is 1 to 4; 'not shown' is 5 or more but no more than the smallest count still shown (the smallest
    are hidden first), or anything from 0 when the whole question is hidden. Brute force over the possibilities."""
    hidden = [i for i, cell in enumerate(cells) if isinstance(cell, Hidden)]
    shown = [cell for cell in cells if not isinstance(cell, Hidden)]
    rest = total - sum(shown)
    ceiling = min([n for n in shown if n >= 5], default=total)
    everything = len(hidden) == len(cells)

    def values(i):
        if everything:
            return range(0, total + 1)
        if cells[i] == FEWER_THAN_FIVE:
            return range(1, 5)
        return range(5, ceiling + 1)

    possible = {i: set() for i in hidden}
    for combination in itertools.product(*(values(i) for i in hidden)):
        if sum(combination) == rest:
            for i, value in zip(hidden, combination, strict=True):
                possible[i].add(value)
    return {i for i, seen in possible.items() if len(seen) == 1}


def test_no_hidden_count_can_be_worked_out_whatever_the_counts():
    chance = random.Random(8)
    for _ in range(400):
        counts = [chance.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 19]) for _ in range(chance.randint(2, 5))]
        cells = protect_counts(counts)
        for count, cell in zip(counts, cells, strict=True):
            if not isinstance(cell, Hidden):
                assert cell == count and not 0 < count < 5, counts
        assert worked_out(cells, total=sum(counts)) == set(), (counts, cells)


def test_without_the_second_hidden_count_the_total_would_give_the_small_one_away():
    """The check above can fail: hiding only the small count lets it be worked out."""
    cells = [19, FEWER_THAN_FIVE, 0]
    assert worked_out(cells, total=20) == {1}


# --- Money paid ----------------------------------------------------------------------------------------------------


def build_spend(partnership):
    paid(partnership, at(2025, 4, 2))
    paid(partnership, at(2025, 4, 30, 23, 30))  # still April in the UK (22:30 UTC)
    paid(partnership, at(2025, 6, 15), pay=1000, expenses=0)
    paid(partnership, at(2025, 5, 1), status=Payout.Status.REVERSED)
    paid(partnership, None, status=Payout.Status.SENT)
    paid(partnership, at(2026, 4, 1, 0, 30))  # the next year


def test_spend_counts_money_actually_paid_by_month(partnership, other_partnership, lead):
    build_spend(partnership)
    build_spend(other_partnership)

    table = dashboard_for(lead, PERIOD).table("spend")

    assert row(table, "April 2025") == ("April 2025", 2, 4800, 900, 5700)
    assert display(table, "April 2025") == ["April 2025", "2", "£48.00", "£9.00", "£57.00"]
    assert row(table, "May 2025") == ("May 2025", 0, 0, 0, 0)
    assert row(table, "June 2025") == ("June 2025", 1, 1000, 0, 1000)
    assert table.total == ("Total", 3, 5800, 900, 6700)
    assert table.display_total() == ["Total", "3", "£58.00", "£9.00", "£67.00"]


# --- Recommendations -----------------------------------------------------------------------------------------------


def build_recommendations(partnership):
    day = at(2025, 5, 1)
    recommendation(partnership, day, status=Status.NOT_STARTED, answered_at=day + datetime.timedelta(days=2))
    recommendation(partnership, day, status=Status.NOT_STARTED, answered_at=day + datetime.timedelta(days=4))
    recommendation(partnership, day, status=Status.IN_PROGRESS, answered_at=day + datetime.timedelta(days=10))
    recommendation(partnership, day, status=Status.DONE, answered_at=day + datetime.timedelta(days=1))
    recommendation(partnership, day, status=Status.NOT_GOING_AHEAD, answered_at=day + datetime.timedelta(days=30))
    recommendation(partnership, day)
    recommendation(partnership, day)
    recommendation(partnership, at(2025, 3, 1), status=Status.DONE)  # before the period


def test_recommendations_by_status_with_no_response_yet(partnership, other_partnership, lead):
    build_recommendations(partnership)
    build_recommendations(other_partnership)

    table = dashboard_for(lead, PERIOD).table("recommendations")

    assert table.rows == (
        ("Not started", 2),
        ("In progress", 1),
        ("Done", 1),
        ("Not going ahead", 1),
        ("No response yet", 2),
    )
    assert table.total == ("Total", 7)


def test_median_days_from_recommendation_to_response(partnership, other_partnership, lead):
    build_recommendations(partnership)
    recommendation(other_partnership, at(2025, 5, 1), status=Status.DONE, answered_at=at(2025, 9, 1))

    table = dashboard_for(lead, PERIOD).table("response-time")

    assert table.rows == ((5, 4, 2),)  # days 1, 2, 4, 10, 30
    assert table.display_rows() == [["5", "4", "2"]]


def test_the_median_of_an_even_number_of_days_and_of_none(partnership, lead):
    assert dashboard_for(lead, PERIOD).table("response-time").display_rows() == [["0", "none yet", "0"]]
    day = at(2025, 5, 1)
    recommendation(partnership, day, status=Status.DONE, answered_at=day + datetime.timedelta(days=3))
    recommendation(partnership, day, status=Status.DONE, answered_at=day + datetime.timedelta(days=6))
    assert dashboard_for(lead, PERIOD).table("response-time").display_rows() == [["2", "4.5", "0"]]


# --- Permissions and queries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.YOUNG_PERSON, Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD])
def test_only_staff_who_see_reports_get_the_dashboard(member, role):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        dashboard_for(member(role), PERIOD)


def many_recommendations(partnership, count):
    """`count` recommendations with responses and timeline entries, bulk-created."""
    engagement = session(partnership, at(2025, 5, 1))
    made = Recommendation.objects.bulk_create(
        [
            Recommendation(
                partnership=partnership,
                engagement=engagement,
                text=f"Recommendation {n}",
                theme="Being listened to",
                agency="Police",
                is_public=n % 2 == 0,
                created_at=at(2025, 5, 2) + datetime.timedelta(hours=n % 500),
            )
            for n in range(count)
        ]
    )
    statuses = list(Status)
    responses = RecommendationResponse.objects.bulk_create(
        [
            RecommendationResponse(
                partnership=partnership,
                recommendation=rec,
                owner_agency="Police",
                owner_name="A. Owner",
                status=statuses[n % 4],
                created_at=rec.created_at + datetime.timedelta(days=n % 40),
                updated_at=rec.created_at + datetime.timedelta(days=n % 40),
            )
            for n, rec in enumerate(made)
            if n % 3
        ]
    )
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(partnership=partnership, response=response, kind=TimelineEntry.Kind.UPDATE, text="We met.")
            for response in responses
        ]
    )


def everything(partnership):
    build_hours(partnership)
    build_channels(partnership)
    build_ages(partnership)
    equality_answers(closed_round(partnership), {"gender": "girl_woman"}, times=7)
    build_spend(partnership)


def test_the_dashboard_takes_the_same_number_of_queries_for_10_and_1000_recommendations(partnership, lead):
    everything(partnership)
    many_recommendations(partnership, 10)
    with CaptureQueriesContext(connection) as small:
        dashboard_for(lead, PERIOD)
    many_recommendations(partnership, 990)
    with CaptureQueriesContext(connection) as large:
        dashboard = dashboard_for(lead, PERIOD)
    assert dashboard.table("recommendations").total == ("Total", 1000)
    assert len(small) == len(large)
    assert len(large) <= 12, [q["sql"][:120] for q in large.captured_queries]
