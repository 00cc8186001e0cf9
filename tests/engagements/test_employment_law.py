"""The law on children's working hours, rule by rule."""

import datetime

import pytest

from engagements.employment_law import Shift, below_school_leaving_age, school_leaving_date, working_hours_problems

# Autumn term 2026 and spring term 2027 (the Christmas holiday is between them).
TERMS = [
    (datetime.date(2026, 9, 2), datetime.date(2026, 12, 18)),
    (datetime.date(2027, 1, 5), datetime.date(2027, 3, 26)),
]
WEDNESDAY = datetime.date(2026, 11, 25)  # a school day
SATURDAY = datetime.date(2026, 11, 28)
SUNDAY = datetime.date(2026, 11, 29)
HOLIDAY_MONDAY = datetime.date(2026, 12, 28)


def shift(day: datetime.date, start: str, end: str) -> Shift:
    def at(text: str) -> datetime.datetime:
        hour, minute = (int(part) for part in text.split(":"))
        return datetime.datetime.combine(day, datetime.time(hour, minute))

    return Shift(at(start), at(end))


def problems(age: int, work: Shift, others=(), permit=True, on=WEDNESDAY):
    dob = on.replace(year=on.year - age) - datetime.timedelta(days=30)
    return working_hours_problems(date_of_birth=dob, shift=work, other_shifts=others, terms=TERMS, has_permit=permit)


@pytest.mark.parametrize(
    ("born", "leaves"),
    [
        (datetime.date(2010, 9, 1), datetime.date(2027, 6, 25)),  # turns 16 in September 2026: leaves June 2027
        (datetime.date(2010, 8, 31), datetime.date(2026, 6, 26)),  # turns 16 at the end of August 2026
        (datetime.date(2011, 1, 15), datetime.date(2027, 6, 25)),
    ],
)
def test_school_leaving_date_is_the_last_friday_of_june_of_the_year_they_turn_16(born, leaves):
    assert school_leaving_date(born) == leaves
    assert leaves.weekday() == 4
    assert below_school_leaving_age(born, leaves)
    assert not below_school_leaving_age(born, leaves + datetime.timedelta(days=1))


def test_a_two_hour_after_school_panel_is_fine():
    assert problems(14, shift(WEDNESDAY, "16:30", "18:30")) == []


def test_over_school_leaving_age_no_limits_apply():
    assert problems(17, shift(WEDNESDAY, "09:00", "17:00")) == []


def test_under_13_is_never_employed():
    assert problems(12, shift(SATURDAY, "10:00", "11:00"), on=SATURDAY) == ["Nobody under 13 can be employed."]


def test_a_permit_is_needed():
    assert problems(14, shift(WEDNESDAY, "16:30", "18:00"), permit=False) == [
        "No child employment permit is recorded for them."
    ]


def test_not_before_7am_or_after_7pm():
    assert "Children cannot work before 7am or after 7pm." in problems(14, shift(WEDNESDAY, "17:30", "19:30"))
    assert "Children cannot work before 7am or after 7pm." in problems(
        14, shift(SATURDAY, "06:30", "08:00"), on=SATURDAY
    )


def test_at_most_two_hours_on_a_school_day_and_on_a_sunday():
    assert problems(15, shift(WEDNESDAY, "16:00", "18:30")) == ["2.5 hours on a school day: the most at 15 is 2 hours."]
    assert problems(15, shift(SUNDAY, "10:00", "12:30"), on=SUNDAY) == [
        "2.5 hours on a Sunday: the most at 15 is 2 hours."
    ]


def test_saturday_and_holiday_limits_depend_on_age():
    assert problems(14, shift(SATURDAY, "09:00", "13:00"), [shift(SATURDAY, "14:00", "15:30")], on=SATURDAY) == [
        "5.5 hours on a Saturday: the most at 14 is 5 hours."
    ]
    assert problems(15, shift(SATURDAY, "09:00", "13:00"), [shift(SATURDAY, "14:00", "15:30")], on=SATURDAY) == []
    assert problems(15, shift(HOLIDAY_MONDAY, "09:00", "13:00"), on=HOLIDAY_MONDAY) == []


def test_a_break_after_four_hours():
    assert problems(15, shift(SATURDAY, "09:00", "13:30"), on=SATURDAY) == [
        "More than 4 hours in one go: children must have a 1-hour break after 4 hours."
    ]


def test_at_most_12_hours_in_a_term_time_week():
    monday, tuesday = WEDNESDAY - datetime.timedelta(days=2), WEDNESDAY - datetime.timedelta(days=1)
    week = [shift(monday, "16:00", "18:00"), shift(SATURDAY, "09:00", "13:00"), shift(SATURDAY, "14:00", "18:00")]
    assert problems(15, shift(WEDNESDAY, "16:00", "18:00"), week) == []  # exactly 12 hours
    week.append(shift(tuesday, "16:00", "17:00"))
    assert problems(15, shift(WEDNESDAY, "16:00", "18:00"), week) == [
        "13 hours in a term-time week: the most at 15 is 12 hours."
    ]


def test_a_holiday_week_allows_25_hours_at_14_and_35_at_15():
    days = [HOLIDAY_MONDAY + datetime.timedelta(days=n) for n in range(1, 5)]  # Tuesday to Friday
    week = [shift(d, "09:00", "13:00") for d in days] + [shift(d, "14:00", "16:00") for d in days]  # 24 hours
    assert problems(14, shift(HOLIDAY_MONDAY, "09:00", "11:00"), week, on=HOLIDAY_MONDAY) == [
        "26 hours in a school holiday week: the most at 14 is 25 hours."
    ]
    assert problems(15, shift(HOLIDAY_MONDAY, "09:00", "11:00"), week, on=HOLIDAY_MONDAY) == []
