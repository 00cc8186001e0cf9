"""The ICO's one month: the corresponding date of the next month, or its last day when there is none."""

import datetime

import pytest

from participants.models import one_calendar_month_after

D = datetime.date


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2026, 1, 31), D(2026, 2, 28)),  # no 31 February: the last day of February
        (D(2028, 1, 31), D(2028, 2, 29)),  # a leap year
        (D(2028, 1, 29), D(2028, 2, 29)),
        (D(2026, 1, 29), D(2026, 2, 28)),
        (D(2026, 1, 28), D(2026, 2, 28)),
        (D(2026, 3, 31), D(2026, 4, 30)),
        (D(2026, 8, 31), D(2026, 9, 30)),
        (D(2026, 2, 28), D(2026, 3, 28)),  # the corresponding date, not the end of the month
        (D(2026, 1, 1), D(2026, 2, 1)),
        (D(2026, 12, 31), D(2027, 1, 31)),  # across the year
        (D(2026, 12, 15), D(2027, 1, 15)),
    ],
)
def test_due_one_calendar_month_after(received, due):
    assert one_calendar_month_after(received) == due


def test_always_in_the_next_month_and_never_past_the_corresponding_day():
    day = D(2024, 1, 1)
    while day < D(2029, 1, 1):
        due = one_calendar_month_after(day)
        assert (due.year * 12 + due.month) - (day.year * 12 + day.month) == 1
        assert due.day <= day.day
        day += datetime.timedelta(days=1)
