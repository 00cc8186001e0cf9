"""core.dates.long_date and the `long_date` template filter give exactly what Django's `date:"j F Y"` gives: for
dates, for aware datetimes in the current time zone (either side of midnight and of the clock change), and "" for
no value."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.template import engines
from django.utils import timezone

from core.dates import long_date

UTC = datetime.UTC
VALUES = [
    datetime.date(2026, 3, 3),
    datetime.date(2026, 12, 31),
    datetime.datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # 28 March in London, before the clocks go forward
    datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC),  # 1 July in London (British summer time)
    datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the night the clocks go back
    datetime.datetime(2027, 1, 1, 0, 5, tzinfo=UTC),
    None,
    "",
]


def render(source: str, value: object) -> str:
    return engines["django"].from_string(source).render({"value": value})


@pytest.mark.parametrize("value", VALUES)
def test_the_filter_gives_what_djangos_date_filter_gives(value):
    assert render("{{ value|long_date }}", value) == render('{{ value|date:"j F Y" }}', value)


def test_in_another_time_zone_too():
    with timezone.override(zoneinfo.ZoneInfo("Pacific/Auckland")):
        value = datetime.datetime(2026, 6, 30, 13, 0, tzinfo=UTC)  # already 1 July in Auckland
        assert render("{{ value|long_date }}", value) == render('{{ value|date:"j F Y" }}', value) == "1 July 2026"


def test_the_words():
    assert long_date(datetime.date(2026, 4, 6)) == "6 April 2026"
    assert render("{{ value|long_date }}", datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2026"
