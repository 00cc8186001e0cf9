"""The feedback loop's reports: the partnership dashboard (staff) and the young person's annual report.

Every figure is one aggregate query (or one values_list worked through in Python), so the number of queries is the
same for ten recommendations or ten thousand. Each table is a ReportTable: a title, its columns, its rows, a note
saying exactly what it counts, and (when a chart helps) how to draw it. The pages, the CSV export, the charts
(engagements/charts.py), the PDF (engagements/annual_report.py) and the API all read the same tables.

What the dashboard counts, for a period of dates (both days included; UK time):
- hours: approved work-log minutes (preparation + session + travel, as approved; logs approved or already
  claimed for payment), by the month the engagement started and its type of opportunity;
- applications by outreach channel: sent applications of recruitment rounds that closed in the period, including
  those since deleted under the retention rules (kept as anonymous counts);
- young people by age band: young people marked as attending (present, late or left early) at least one
  engagement that started in the period, by their age on the first of those;
- equality answers: per recruitment round that closed in the period (and has closed by today), how many gave each
  answer. Counts of 1 to 4 show as "fewer than 5"; more counts are hidden ("not shown") until no hidden count
  can be worked out, even by someone who knows how many answered the question (see `protect_counts`);
- money paid: payouts marked paid, by the month they were paid (reversed or failed ones are not counted);
- recommendations by what is happening: recommendations made in the period, by their response's status ("No
  response yet" when there is none);
- time to respond: the median number of days from a recommendation being recorded to its response being recorded,
  for recommendations made in the period.

There is no total across recruitment rounds in the equality table, so one round's small counts cannot be worked
out by subtracting one period's figures from another's.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from core.dates import long_date
from core.permissions import require
from core.tenancy import scope
from engagements.models import (
    Attendance,
    Engagement,
    OpportunityType,
    Output,
    Recommendation,
    RecommendationResponse,
    TimelineEntry,
    WorkLog,
)
from participants import equality
from participants.models import (
    AnonymousOutcomeCount,
    Application,
    EqualityResponse,
    OutreachChannel,
    RecruitmentRound,
    User,
    YoungPersonProfile,
)
from participants.models.recruitment import age_on
from payments.models import AgeBand, Payout
from payments.selectors.rates import age_band_for_age, pounds

UK = ZoneInfo("Europe/London")
VIEW_REPORTS = "engagements.view_reports"
VIEW_ANNUAL_REPORT = "engagements.view_annual_report"
FIRST_YEAR = 2000
LONGEST_PERIOD_DAYS = 3 * 366
SMALLEST = equality.SMALLEST_COUNT_SHOWN
NO_RESPONSE = "No response yet"
NOT_KNOWN = "Not known"
DIRECT = "Direct"

ColumnKind = Literal["text", "count", "hours", "money", "days"]


# --- The shapes ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hidden:
    """A count that is not shown (small-number suppression)."""

    label: str

    def __str__(self) -> str:
        return self.label


FEWER_THAN_FIVE = Hidden(f"fewer than {SMALLEST}")
NOT_SHOWN = Hidden("not shown")

Cell = str | int | float | Hidden | None


@dataclass(frozen=True)
class Column:
    label: str
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class ChartSpec:
    """How to draw a table: bars for `value_columns` (one series each, stacked when there are several), one bar
    (or stack) per row, labelled by `labels` (or the first column)."""

    orientation: Literal["vertical", "horizontal"]
    value_columns: tuple[int, ...]
    axis_label: str
    labels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ReportTable:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str
    total: tuple[Cell, ...] | None = None
    chart: ChartSpec | None = None

    def display_rows(self) -> list[list[str]]:
        return [self.display(row) for row in self.rows]

    def display_total(self) -> list[str] | None:
        return self.display(self.total) if self.total is not None else None

    def display(self, row: Sequence[Cell]) -> list[str]:
        return [format_cell(cell, column.kind) for cell, column in zip(row, self.columns, strict=True)]

    def csv_rows(self) -> list[list[str]]:
        """The header, the rows and the total, as the page shows them."""
        rows = [[column.label for column in self.columns], *self.display_rows()]
        total = self.display_total()
        return [*rows, total] if total is not None else rows

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def chart_labels(self) -> list[str]:
        if self.chart is not None and self.chart.labels is not None:
            return list(self.chart.labels)
        return [str(row[0]) for row in self.rows]

    def series(self) -> list[tuple[str, list[float]]]:
        """(name, values) for each charted column; hidden or empty cells count 0 (tables with hidden cells have
        no chart)."""
        if self.chart is None:
            return []
        series = []
        for index in self.chart.value_columns:
            column = self.columns[index]
            values = [chart_number(row[index], column.kind) for row in self.rows]
            series.append((column.label, values))
        return series


def format_cell(cell: Cell, kind: ColumnKind) -> str:
    if cell is None:
        return "none yet"
    if isinstance(cell, Hidden | str):
        return str(cell)
    if kind == "money":
        return pounds(int(cell))
    if kind == "hours":
        return f"{float(cell):,.1f}"
    if kind == "days":
        return f"{cell:g}" if float(cell).is_integer() else f"{float(cell):.1f}"
    return f"{int(cell):,}" if kind == "count" else str(cell)


def chart_number(cell: Cell, kind: ColumnKind) -> float:
    if not isinstance(cell, int | float):
        return 0.0
    return cell / 100 if kind == "money" else float(cell)


def raw_value(cell: Cell) -> str | int | float | None:
    """The cell for the API: numbers as numbers (money in pence), a hidden count as null."""
    return None if isinstance(cell, Hidden) else cell


@dataclass(frozen=True)
class Period:
    """From `starts` to `ends`, both days included (UK dates)."""

    starts: datetime.date
    ends: datetime.date

    @property
    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.starts, datetime.time.min, tzinfo=UK)

    @property
    def end_before(self) -> datetime.datetime:
        return datetime.datetime.combine(self.ends + datetime.timedelta(days=1), datetime.time.min, tzinfo=UK)

    def months(self) -> list[datetime.date]:
        first, months = self.starts.replace(day=1), []
        while first <= self.ends:
            months.append(first)
            first = (first + datetime.timedelta(days=32)).replace(day=1)
        return months

    @property
    def label(self) -> str:
        return f"{long_date(self.starts)} to {long_date(self.ends)}"


def reporting_year_of(day: datetime.date) -> int:
    """The reporting year (1 April to 31 March) a day falls in, named by the year it starts."""
    return day.year if day.month >= 4 else day.year - 1


def reporting_year(year: int) -> Period:
    return Period(datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31))


def year_label(year: int) -> str:
    return f"{year} to {year + 1}"


def current_reporting_year(today: datetime.date | None = None) -> int:
    return reporting_year_of(today or timezone.localdate())


def period_problem(starts: datetime.date, ends: datetime.date) -> tuple[str, str] | None:
    """(field, message) when the period cannot be reported on, else None."""
    if ends < starts:
        return "to", "The to date must be the same as or after the from date"
    if (ends - starts).days > LONGEST_PERIOD_DAYS:
        return "to", "The to date must be no more than 3 years after the from date"
    if starts.year < FIRST_YEAR:
        return "from", f"The from date must be in {FIRST_YEAR} or later"
    return None


def make_period(starts: datetime.date | None = None, ends: datetime.date | None = None) -> Period:
    """The period asked for; either end left out falls back to the current reporting year's."""
    default = reporting_year(current_reporting_year())
    period = Period(starts or default.starts, ends or default.ends)
    problem = period_problem(period.starts, period.ends)
    if problem is not None:
        raise ValidationError({problem[0]: problem[1]})
    return period


def _month_label(month: datetime.date) -> str:
    return f"{month:%B %Y}"


def _short_month(month: datetime.date) -> str:
    return f"{month:%b %y}"


def _local_month(value: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value, UK).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


# --- Small-number suppression ------------------------------------------------------------------------------------


def _pinned(counts: Sequence[int], primary: Sequence[int], secondary: Sequence[int], ceiling: float) -> bool:
    """Whether someone who knows the hidden counts' total (for example because they know how many answered the
    question), that each "fewer than 5" is 1 to 4 and that each "not shown" is at least 5 (and at most `ceiling`,
    the smallest count still shown), could work out any one hidden count exactly."""
    bounds = [(1.0, float(SMALLEST - 1)) for _ in primary] + [(float(SMALLEST), ceiling) for _ in secondary]
    total = sum(counts[i] for i in (*primary, *secondary))
    for index, (low, high) in enumerate(bounds):
        others = bounds[:index] + bounds[index + 1 :]
        least = max(low, total - sum(other_high for _, other_high in others))
        most = min(high, total - sum(other_low for other_low, _ in others))
        if most - least < 1:
            return True
    return False


def protect_counts(counts: Sequence[int]) -> list[Cell]:
    """One question's answer counts (one recruitment round), made safe to show.

    Counts of 1 to 4 show as "fewer than 5". If one of them could then be worked out from the question's total
    (or the total less the counts shown), the smallest count still shown is hidden too ("not shown"), and so on,
    until none can. If even hiding every count would not do, the whole question is "not shown". Zeros are shown:
    a zero identifies nobody."""
    primary = [i for i, n in enumerate(counts) if 0 < n < SMALLEST]
    if not primary:
        return list(counts)
    shown = sorted((i for i, n in enumerate(counts) if n >= SMALLEST), key=lambda i: (counts[i], i))
    secondary: list[int] = []
    while True:
        ceiling = float(counts[shown[0]]) if shown else math.inf
        if not _pinned(counts, primary, secondary, ceiling):
            break
        if not shown:
            return [NOT_SHOWN for _ in counts]
        secondary.append(shown.pop(0))
    cells: list[Cell] = list(counts)
    for i in primary:
        cells[i] = FEWER_THAN_FIVE
    for i in secondary:
        cells[i] = NOT_SHOWN
    return cells


# --- The dashboard's tables --------------------------------------------------------------------------------------


def _approved_minutes() -> Coalesce:
    return Coalesce(
        Sum(
            Coalesce(F("approved_preparation_minutes"), Value(0))
            + Coalesce(F("approved_session_minutes"), Value(0))
            + Coalesce(F("approved_travel_minutes"), Value(0))
        ),
        Value(0),
    )


def _approved_logs(partnership_id: int, period: Period) -> QuerySet[WorkLog]:
    return WorkLog.objects.filter(
        partnership_id=partnership_id,
        # Naming the partnership on the engagement too lets PostgreSQL read only this partnership's engagements.
        engagement__partnership_id=partnership_id,
        status__in=[WorkLog.Status.APPROVED, WorkLog.Status.CLAIMED],
        engagement__starts_at__gte=period.start_at,
        engagement__starts_at__lt=period.end_before,
    )


def _minutes_by_month_and_type(partnership_id: int, period: Period) -> dict[tuple[datetime.date, str], int]:
    rows = (
        _approved_logs(partnership_id, period)
        .annotate(month=TruncMonth("engagement__starts_at", tzinfo=UK))
        .values("month", "engagement__opportunity_type")
        .annotate(minutes=_approved_minutes())
        .order_by()
    )
    found: dict[tuple[datetime.date, str], int] = defaultdict(int)
    for row in rows:
        found[(_local_month(row["month"]), row["engagement__opportunity_type"])] += int(row["minutes"] or 0)
    return found


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def hours_table(partnership_id: int, period: Period) -> ReportTable:
    minutes = _minutes_by_month_and_type(partnership_id, period)
    months = period.months()
    kinds = [kind for kind in OpportunityType.values if any(key[1] == kind for key in minutes)]
    columns = (
        Column("Month"),
        *(Column(str(OpportunityType(kind).label), "hours") for kind in kinds),
        Column("All kinds of work", "hours"),
    )
    rows: list[tuple[Cell, ...]] = []
    for month in months:
        by_kind = [minutes.get((month, kind), 0) for kind in kinds]
        rows.append((_month_label(month), *(_hours(m) for m in by_kind), _hours(sum(by_kind))))
    totals = [sum(minutes.get((month, kind), 0) for month in months) for kind in kinds]
    return ReportTable(
        key="hours",
        title="Hours of work, by month and kind of work",
        columns=columns,
        rows=tuple(rows),
        total=("Total", *(_hours(m) for m in totals), _hours(sum(totals))),
        note=(
            "Approved hours from young people's work logs (preparation, the session and travel, as approved; "
            "logs approved or already claimed for payment), by the month the engagement started and its type of "
            "opportunity. Logs waiting for approval or not approved are not counted."
        ),
        chart=ChartSpec(
            orientation="vertical",
            value_columns=tuple(range(1, len(kinds) + 1)) or (1,),
            axis_label="Hours",
            labels=tuple(_short_month(month) for month in months),
        ),
    )


def _closed_rounds(partnership_id: int, period: Period) -> list[RecruitmentRound]:
    return list(
        RecruitmentRound.objects.filter(
            partnership_id=partnership_id, closes_on__gte=period.starts, closes_on__lte=period.ends
        ).order_by("closes_on", "pk")
    )


def channel_table(partnership_id: int, period: Period, rounds: Sequence[RecruitmentRound]) -> ReportTable:
    round_ids = [round_.pk for round_ in rounds]
    labels = dict(OutreachChannel.choices)
    tally: Counter[str] = Counter()
    sent = (
        Application.objects.filter(partnership_id=partnership_id, round_id__in=round_ids)
        .exclude(status=Application.Status.DRAFT)
        .annotate(referred=ExpressionWrapper(Q(referral__isnull=False), output_field=BooleanField()))
        .values("referred", "outreach_link__channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in sent:
        if row["referred"]:
            tally[str(OutreachChannel.PEER_REFERRAL.label)] += row["n"]
        elif row["outreach_link__channel"]:
            tally[str(labels.get(row["outreach_link__channel"], row["outreach_link__channel"]))] += row["n"]
        else:
            tally[DIRECT] += row["n"]
    deleted = (
        AnonymousOutcomeCount.objects.filter(partnership_id=partnership_id, round_id__in=round_ids)
        .values("channel")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for row in deleted:
        tally[row["channel"]] += int(row["n"] or 0)
    names = [str(label) for label in labels.values()] + [DIRECT]
    names += sorted(name for name in tally if name not in names)
    rows = tuple((name, tally.get(name, 0)) for name in names)
    return ReportTable(
        key="channels",
        title="Applications, by outreach channel",
        columns=(Column("Outreach channel"), Column("Applications", "count")),
        rows=rows,
        total=("Total", sum(tally.values())),
        note=(
            "Sent applications (not drafts) to recruitment rounds that close between these dates"
            + (f" ({', '.join(round_.title for round_ in rounds)})" if rounds else " (there are none)")
            + ", by the outreach link or referral they came through; 'Direct' means neither. Applications deleted "
            "under the retention rules are still counted, from what is kept of them."
        ),
        chart=ChartSpec(orientation="horizontal", value_columns=(1,), axis_label="Applications"),
    )


def age_table(partnership_id: int, period: Period) -> ReportTable:
    people = (
        Attendance.objects.filter(
            partnership_id=partnership_id,
            engagement__partnership_id=partnership_id,
            status__in=Attendance.ATTENDED,
            engagement__starts_at__gte=period.start_at,
            engagement__starts_at__lt=period.end_before,
        )
        .values("membership_id")
        .annotate(
            first=Min("engagement__starts_at"),
            born=Subquery(
                YoungPersonProfile.objects.filter(membership_id=OuterRef("membership_id")).values("date_of_birth")[:1]
            ),
        )
        .order_by()
    )
    tally: Counter[str] = Counter()
    for person in people:
        born, first = person["born"], person["first"]
        if born is None or first is None:
            tally[NOT_KNOWN] += 1
            continue
        tally[str(age_band_for_age(age_on(born, timezone.localtime(first, UK).date())).label)] += 1
    names = [str(label) for label in AgeBand.labels] + [NOT_KNOWN]
    return ReportTable(
        key="ages",
        title="Young people who took part, by age band",
        columns=(Column("Age band"), Column("Young people", "count")),
        rows=tuple((name, tally.get(name, 0)) for name in names),
        total=("Total", sum(tally.values())),
        note=(
            "Each young person marked as attending (present, late or left early) at least one engagement that "
            "started between these dates, counted once, by their age on the first of those engagements (the age "
            "bands are the pay bands). 'Not known' means there is no date of birth on their profile."
        ),
        chart=ChartSpec(orientation="vertical", value_columns=(1,), axis_label="Young people"),
    )


def equality_table(partnership_id: int, period: Period, rounds: Sequence[RecruitmentRound]) -> ReportTable:
    today = timezone.localdate()
    closed = [round_ for round_ in rounds if round_.closes_on < today]
    answers_by_round: dict[int, list[dict[str, str]]] = defaultdict(list)
    for round_id, answers in EqualityResponse.objects.filter(
        partnership_id=partnership_id, round_id__in=[round_.pk for round_ in closed]
    ).values_list("round_id", "answers"):
        answers_by_round[round_id].append(cast("dict[str, str]", answers) or {})  # an EncryptedJSONField: a dict
    columns = (Column("Question"), Column("Answer"), *(Column(round_.title, "count") for round_ in closed))
    received: list[Cell] = []
    cells_by_round: list[list[Cell]] = []
    for round_ in closed:
        responses = answers_by_round[round_.pk]
        received.append(len(responses) if len(responses) >= SMALLEST or not responses else FEWER_THAN_FIVE)
        cells: list[Cell] = []
        for question in equality.QUESTIONS:
            tally = Counter(answers.get(question.key) for answers in responses)
            cells += protect_counts([tally.get(option, 0) for option, _ in question.options])
        cells_by_round.append(cells)
    rows: list[tuple[Cell, ...]] = [("Everyone", "Answered the equality questions", *received)]
    index = 0
    for question in equality.QUESTIONS:
        for _, label in question.options:
            rows.append((question.text, label, *(cells[index] for cells in cells_by_round)))
            index += 1
    if not closed:
        rows = []
    open_note = " Rounds still taking applications are left out until they close." if len(closed) < len(rounds) else ""
    return ReportTable(
        key="equality",
        title="Equality answers, by recruitment round",
        columns=columns,
        rows=tuple(rows),
        note=(
            "The optional equality answers applicants gave, for each recruitment round that closed between these "
            f"dates.{open_note} Counts of 1 to 4 show as 'fewer than {SMALLEST}'. Where someone who knows how many "
            "answered a question could then work out a hidden count, more counts are hidden ('not shown'), so none "
            "can be. There is no total across rounds, and this table has no chart (a chart cannot show a hidden "
            "count honestly)."
        ),
    )


def spend_table(partnership_id: int, period: Period) -> ReportTable:
    rows_found = (
        Payout.objects.filter(
            partnership_id=partnership_id,
            status=Payout.Status.PAID,
            paid_at__gte=period.start_at,
            paid_at__lt=period.end_before,
        )
        .annotate(month=TruncMonth("paid_at", tzinfo=UK))
        .values("month")
        .annotate(
            payments=Count("pk"),
            pay=Coalesce(Sum("claim__pay_pence"), Value(0)),
            expenses=Coalesce(Sum("claim__expenses_pence"), Value(0)),
            paid=Coalesce(Sum("amount_pence"), Value(0)),
        )
        .order_by()
    )
    found: dict[datetime.date, tuple[int, int, int, int]] = {}
    for row in rows_found:
        month = _local_month(row["month"])
        before = found.get(month, (0, 0, 0, 0))
        found[month] = (
            before[0] + row["payments"],
            before[1] + int(row["pay"]),
            before[2] + int(row["expenses"]),
            before[3] + int(row["paid"]),
        )
    months = period.months()
    rows = tuple((_month_label(month), *found.get(month, (0, 0, 0, 0))) for month in months)
    totals = [sum(values[i] for values in found.values()) for i in range(4)]
    return ReportTable(
        key="spend",
        title="Money paid to young people, by month",
        columns=(
            Column("Month"),
            Column("Payments", "count"),
            Column("Pay", "money"),
            Column("Expenses", "money"),
            Column("Total paid", "money"),
        ),
        rows=rows,
        total=("Total", *totals),
        note=(
            "Payments that reached young people (payouts marked paid), by the month they were paid in UK time, with "
            "the pay and expenses of the claims they paid. Payments waiting, sent but not confirmed, failed or "
            "reversed are not counted."
        ),
        chart=ChartSpec(
            orientation="vertical",
            value_columns=(4,),
            axis_label="Pounds paid",
            labels=tuple(_short_month(month) for month in months),
        ),
    )


STATUS_ORDER = [
    RecommendationResponse.Status.NOT_STARTED,
    RecommendationResponse.Status.IN_PROGRESS,
    RecommendationResponse.Status.DONE,
    RecommendationResponse.Status.NOT_GOING_AHEAD,
]


def _recommendations(partnership_id: int, period: Period) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(
        partnership_id=partnership_id, created_at__gte=period.start_at, created_at__lt=period.end_before
    )


def status_table(partnership_id: int, period: Period) -> ReportTable:
    tally = {
        row["response__status"]: row["n"]
        for row in _recommendations(partnership_id, period)
        .values("response__status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = [(str(status.label), tally.get(status.value, 0)) for status in STATUS_ORDER]
    rows.append((NO_RESPONSE, tally.get(None, 0)))
    return ReportTable(
        key="recommendations",
        title="Recommendations, by what is happening",
        columns=(Column("What is happening"), Column("Recommendations", "count")),
        rows=tuple(rows),
        total=("Total", sum(tally.values())),
        note=(
            "Recommendations recorded between these dates, by the status of their response today. "
            f"'{NO_RESPONSE}' means no response has been recorded."
        ),
        chart=ChartSpec(orientation="horizontal", value_columns=(1,), axis_label="Recommendations"),
    )


def response_time_table(partnership_id: int, period: Period) -> ReportTable:
    pairs = list(_recommendations(partnership_id, period).values_list("created_at", "response__created_at"))
    days = [
        (timezone.localtime(answered, UK).date() - timezone.localtime(made, UK).date()).days
        for made, answered in pairs
        if answered is not None
    ]
    median: Cell = statistics.median(days) if days else None
    return ReportTable(
        key="response-time",
        title="Time to respond",
        columns=(
            Column("Recommendations with a response", "count"),
            Column("Median days to a response", "days"),
            Column(NO_RESPONSE, "count"),
        ),
        rows=((len(days), median, len(pairs) - len(days)),),
        note=(
            "For recommendations recorded between these dates: the median number of days from the day a "
            "recommendation was recorded to the day its response was recorded (half took less time, half more). "
            "Recommendations with no response yet are not in the median."
        ),
    )


DASHBOARD_TABLES = ("hours", "channels", "ages", "equality", "spend", "recommendations", "response-time")


@dataclass(frozen=True)
class Dashboard:
    period: Period
    tables: tuple[ReportTable, ...]

    def table(self, key: str) -> ReportTable:
        return next(table for table in self.tables if table.key == key)


def _build(partnership_id: int, period: Period, keys: Iterable[str]) -> list[ReportTable]:
    keys = list(keys)
    rounds = _closed_rounds(partnership_id, period) if {"channels", "equality"} & set(keys) else []
    builders = {
        "hours": lambda: hours_table(partnership_id, period),
        "channels": lambda: channel_table(partnership_id, period, rounds),
        "ages": lambda: age_table(partnership_id, period),
        "equality": lambda: equality_table(partnership_id, period, rounds),
        "spend": lambda: spend_table(partnership_id, period),
        "recommendations": lambda: status_table(partnership_id, period),
        "response-time": lambda: response_time_table(partnership_id, period),
    }
    return [builders[key]() for key in keys]


def dashboard_for(actor: User, period: Period | None = None) -> Dashboard:
    """Every table of the partnership dashboard for the period (the current reporting year if not given)."""
    require(actor, VIEW_REPORTS)
    period = period or make_period()
    return Dashboard(period=period, tables=tuple(_build(actor.partnership.pk, period, DASHBOARD_TABLES)))


def dashboard_table_for(actor: User, key: str, period: Period | None = None) -> ReportTable:
    """One table of the dashboard (for its CSV and its chart). An unknown key is a KeyError."""
    require(actor, VIEW_REPORTS)
    if key not in DASHBOARD_TABLES:
        raise KeyError(key)
    return _build(actor.partnership.pk, period or make_period(), [key])[0]


# --- The young person's annual report ----------------------------------------------------------------------------

EXAMPLES_SHOWN = 5


@dataclass(frozen=True)
class Example:
    """'You said, we did': a recommendation marked public and what became of it, with no names."""

    you_said: str
    decision: str
    status: str
    we_did: str


@dataclass(frozen=True)
class ShownOutput:
    title: str
    kind: str
    kind_label: str
    link: str


@dataclass(frozen=True)
class AnnualReport:
    year: int
    period: Period
    partnership_name: str
    young_people: int
    minutes: int
    sessions: int
    recommendations: int
    tables: tuple[ReportTable, ...]
    examples: tuple[Example, ...] = field(default_factory=tuple)
    outputs: tuple[ShownOutput, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def hours(self) -> float:
        return _hours(self.minutes)

    @property
    def hours_text(self) -> str:
        return format_cell(self.hours, "hours")

    def table(self, key: str) -> ReportTable:
        return next(table for table in self.tables if table.key == key)


def annual_year_valid(year: int, today: datetime.date | None = None) -> bool:
    return FIRST_YEAR <= year <= current_reporting_year(today)


def annual_report_years(actor: User) -> list[int]:
    """Reporting years with an engagement that went ahead or a recommendation, newest first (two queries)."""
    require(actor, VIEW_ANNUAL_REPORT)
    now = timezone.now()
    engagements = (
        scope(Engagement.objects.all(), actor)
        .exclude(status__in=[Engagement.Status.DRAFT, Engagement.Status.CANCELLED])
        .filter(starts_at__lte=now)
        .datetimes("starts_at", "month", tzinfo=UK)
    )
    recommendations = scope(Recommendation.objects.all(), actor).datetimes("created_at", "month", tzinfo=UK)
    years = {reporting_year_of(timezone.localtime(month, UK).date()) for month in [*engagements, *recommendations]}
    return sorted((year for year in years if annual_year_valid(year)), reverse=True)


def _examples(partnership_id: int, period: Period) -> list[Example]:
    latest_update = (
        TimelineEntry.objects.filter(response_id=OuterRef("response__pk"), kind=TimelineEntry.Kind.UPDATE)
        .order_by("-happened_on", "-created_at", "-pk")
        .values("text")[:1]
    )
    rows = (
        _recommendations(partnership_id, period)
        .filter(is_public=True, response__isnull=False)
        .annotate(update=Subquery(latest_update))
        .values(
            "text",
            "update",
            "response__decision",
            "response__decision_reason",
            "response__status",
            "response__status_reason",
        )
        .order_by("-response__updated_at", "-pk")[:EXAMPLES_SHOWN]
    )
    decisions = dict(RecommendationResponse.Decision.choices)
    statuses = dict(RecommendationResponse.Status.choices)
    examples = []
    for row in rows:
        if row["response__status"] == RecommendationResponse.Status.NOT_GOING_AHEAD and row["response__status_reason"]:
            we_did = row["response__status_reason"]
        else:
            we_did = row["update"] or row["response__decision_reason"] or ""
        examples.append(
            Example(
                you_said=row["text"],
                decision=str(decisions.get(row["response__decision"], "")),
                status=str(statuses.get(row["response__status"], "")),
                we_did=we_did,
            )
        )
    return examples


def _outputs(partnership_id: int, period: Period) -> list[ShownOutput]:
    """Outputs of the year's engagements whose media consents all still stand: not hidden and never flagged."""
    rows = (
        Output.objects.filter(
            partnership_id=partnership_id,
            is_hidden=False,
            flagged_at__isnull=True,
            engagement__starts_at__gte=period.start_at,
            engagement__starts_at__lt=period.end_before,
        )
        .exclude(engagement__status=Engagement.Status.CANCELLED)
        .values("title", "kind", "link")
        .order_by("engagement__starts_at", "pk")
    )
    kinds = dict(Output.Kind.choices)
    return [
        ShownOutput(
            title=row["title"],
            kind=row["kind"],
            kind_label=str(kinds.get(row["kind"], row["kind"])),
            link=row["link"] if row["link"].startswith("https://") else "",
        )
        for row in rows
    ]


def _sessions_table(partnership_id: int, period: Period) -> ReportTable:
    counts = {
        row["opportunity_type"]: row["n"]
        for row in Engagement.objects.filter(
            partnership_id=partnership_id,
            starts_at__gte=period.start_at,
            starts_at__lt=period.end_before,
            attendance__status__in=Attendance.ATTENDED,
        )
        .exclude(status=Engagement.Status.CANCELLED)
        .values("opportunity_type")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    }
    rows = tuple(
        (str(OpportunityType(kind).label), counts[kind]) for kind in OpportunityType.values if counts.get(kind)
    )
    return ReportTable(
        key="sessions",
        title="Sessions, by kind",
        columns=(Column("Kind of session"), Column("Sessions", "count")),
        rows=rows,
        total=("Total", sum(counts.values())),
        note="Sessions in the year that at least one young person came to, by kind.",
        chart=ChartSpec(orientation="horizontal", value_columns=(1,), axis_label="Sessions"),
    )


def _monthly_hours_table(minutes: dict[tuple[datetime.date, str], int], period: Period) -> ReportTable:
    months = period.months()
    by_month = [sum(m for (month, _), m in minutes.items() if month == wanted) for wanted in months]
    return ReportTable(
        key="hours",
        title="Hours of work, month by month",
        columns=(Column("Month"), Column("Hours", "hours")),
        rows=tuple((_month_label(month), _hours(m)) for month, m in zip(months, by_month, strict=True)),
        total=("Total", _hours(sum(by_month))),
        note="Hours young people worked (getting ready, the session and travel), once a worker approved them.",
        chart=ChartSpec(
            orientation="vertical",
            value_columns=(1,),
            axis_label="Hours",
            labels=tuple(_short_month(month) for month in months),
        ),
    )


def annual_report_for(actor: User, year: int) -> AnnualReport:
    """The young person's version of the annual report for the reporting year starting 1 April `year`."""
    require(actor, VIEW_ANNUAL_REPORT)
    if not annual_year_valid(year):
        raise ValueError(f"No annual report for {year}.")
    partnership = actor.partnership
    period = reporting_year(year)
    young_people = Attendance.objects.filter(
        partnership_id=partnership.pk,
        engagement__partnership_id=partnership.pk,
        status__in=Attendance.ATTENDED,
        engagement__starts_at__gte=period.start_at,
        engagement__starts_at__lt=period.end_before,
    ).aggregate(n=Count("membership", distinct=True))["n"]
    minutes = _minutes_by_month_and_type(partnership.pk, period)
    sessions = _sessions_table(partnership.pk, period)
    statuses = status_table(partnership.pk, period)
    statuses = ReportTable(
        key=statuses.key,
        title="What happened to your recommendations",
        columns=statuses.columns,
        rows=statuses.rows,
        total=statuses.total,
        note="Every recommendation made this year, and where it has got to today.",
        chart=statuses.chart,
    )
    total_recommendations = statuses.total[1] if statuses.total is not None else 0
    session_total = sessions.total[1] if sessions.total is not None else 0
    return AnnualReport(
        year=year,
        period=period,
        partnership_name=partnership.name,
        young_people=int(young_people or 0),
        minutes=sum(minutes.values()),
        sessions=int(session_total) if isinstance(session_total, int) else 0,
        recommendations=int(total_recommendations) if isinstance(total_recommendations, int) else 0,
        tables=(sessions, _monthly_hours_table(minutes, period), statuses),
        examples=tuple(_examples(partnership.pk, period)),
        outputs=tuple(_outputs(partnership.pk, period)),
    )
