"""The law on children's working hours in England, for partnerships that employ their young scrutineers.

Applies to a young person below compulsory school age: until the last Friday of June of the school year (1
September to 31 August) in which they turn 16. Sources: Children and Young Persons Act 1933 as amended, and the
model local authority byelaws. The rules, as the product applies them:

- nobody under 13 is employed, and a child employment permit must be recorded;
- not before 07:00 or after 19:00;
- at most 2 hours on a school day and on a Sunday;
- at most 12 hours in a week that has any school day in it;
- on Saturdays and in school holidays at most 5 hours a day and 25 a week at 13 and 14, 8 and 35 at 15 and 16;
- a 1-hour break after 4 hours (an engagement of more than 4 hours in one go is refused).

Pure functions: the caller passes the facts (dates, times, term dates, the other engagements that week).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EARLIEST = datetime.time(7, 0)
LATEST = datetime.time(19, 0)
SCHOOL_DAY_OR_SUNDAY_HOURS = 2.0
TERM_WEEK_HOURS = 12.0
LONGEST_WITHOUT_BREAK_HOURS = 4.0


@dataclass(frozen=True)
class Shift:
    """One stretch of work, in local time."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def day(self) -> datetime.date:
        return self.starts_at.date()


def _age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def _last_friday_of_june(year: int) -> datetime.date:
    day = datetime.date(year, 6, 30)
    return day - datetime.timedelta(days=(day.weekday() - 4) % 7)


def school_leaving_date(date_of_birth: datetime.date) -> datetime.date:
    """The last Friday of June of the school year (1 September to 31 August) in which they turn 16."""
    sixteenth_year = date_of_birth.year + 16
    sixteenth_birthday_is_autumn = (date_of_birth.month, date_of_birth.day) >= (9, 1)
    return _last_friday_of_june(sixteenth_year + 1 if sixteenth_birthday_is_autumn else sixteenth_year)


def below_school_leaving_age(date_of_birth: datetime.date, day: datetime.date) -> bool:
    return day <= school_leaving_date(date_of_birth)


def _in_term(day: datetime.date, terms: Sequence[tuple[datetime.date, datetime.date]]) -> bool:
    return any(start <= day <= end for start, end in terms)


def _is_school_day(day: datetime.date, terms: Sequence[tuple[datetime.date, datetime.date]]) -> bool:
    return day.weekday() < 5 and _in_term(day, terms)


def _week(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def _hours(value: float) -> str:
    return f"{value:g} hour{'s' if value != 1 else ''}"


def working_hours_problems(
    *,
    date_of_birth: datetime.date,
    shift: Shift,
    other_shifts: Iterable[Shift],
    terms: Sequence[tuple[datetime.date, datetime.date]],
    has_permit: bool,
) -> list[str]:
    """Every way `shift` breaks the law on children's working hours, in plain words ([] when it does not).
    `other_shifts` are the young person's other confirmed engagements (any dates; only the same day and week
    count)."""
    day = shift.day
    if not below_school_leaving_age(date_of_birth, day):
        return []
    problems: list[str] = []
    age = _age_on(date_of_birth, day)
    if age < 13:
        return ["Nobody under 13 can be employed."]
    if not has_permit:
        problems.append("No child employment permit is recorded for them.")
    if shift.starts_at.time() < EARLIEST or shift.ends_at.time() > LATEST or shift.ends_at.date() != day:
        problems.append("Children cannot work before 7am or after 7pm.")
    if shift.hours > LONGEST_WITHOUT_BREAK_HOURS:
        problems.append("More than 4 hours in one go: children must have a 1-hour break after 4 hours.")

    others = [other for other in other_shifts if other != shift]
    same_day = shift.hours + sum(other.hours for other in others if other.day == day)
    school_day = _is_school_day(day, terms)
    young = age <= 14
    if school_day or day.weekday() == 6:
        limit = SCHOOL_DAY_OR_SUNDAY_HOURS
        kind = "a school day" if school_day else "a Sunday"
    else:
        limit = 5.0 if young else 8.0
        kind = "a Saturday" if day.weekday() == 5 else "a school holiday"
    if same_day > limit:
        problems.append(f"{_hours(same_day)} on {kind}: the most at {age} is {_hours(limit)}.")

    monday, sunday = _week(day)
    week_days = [monday + datetime.timedelta(days=n) for n in range(7)]
    in_week = shift.hours + sum(other.hours for other in others if monday <= other.day <= sunday)
    term_week = any(_is_school_day(d, terms) for d in week_days)
    weekly_limit = TERM_WEEK_HOURS if term_week else (25.0 if young else 35.0)
    if in_week > weekly_limit:
        which = "a term-time week" if term_week else "a school holiday week"
        problems.append(f"{_hours(in_week)} in {which}: the most at {age} is {_hours(weekly_limit)}.")
    return problems
