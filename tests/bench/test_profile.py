"""bench/profile.py: each key page timed in-process, split into the database and the rest, on the small data set.

Times are not asserted (they depend on the machine); what is checked is that the split adds up, that the database
share is really the SQL the page ran (the same number of statements as its query budget counts, plus transaction
control), and that a page that fails is reported rather than timed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bench.budgets import KEY_URLS, clients_for, counted, measure
from bench.profile import time_pages, time_url
from tests.small_data_set import small_data_set

NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)
PAGES = {"young_person_home", "api_work_logs", "recommendation_list"}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def timed(django_db_setup: Any, django_db_blocker: Any) -> Any:
    keys = [key for key in KEY_URLS if key.name in PAGES]
    with django_db_blocker.unblock(), small_data_set(NOW) as data:
        client_for_role = clients_for(data)
        budgets = measure(client_for_role, data, keys)
        timings = time_pages(client_for_role, data, keys, requests=3)
        missing = time_url_fails(client_for_role(keys[0].role))
    return budgets, timings, missing


def time_url_fails(client: Any) -> str:
    try:
        time_url(client, "nowhere", "/no-such-page/", api=False, requests=1)
    except AssertionError as error:
        return str(error)
    return ""


def test_every_page_is_timed_and_the_split_adds_up(timed):
    _budgets, timings, _missing = timed
    assert {timing.name for timing in timings} == PAGES
    for timing in timings:
        assert timing.total_ms > 0 and timing.database_ms > 0, timing
        assert timing.database_ms <= timing.total_ms
        assert timing.python_ms == pytest.approx(timing.total_ms - timing.database_ms)


def test_the_database_share_is_the_sql_the_page_ran(timed):
    budgets, timings, _missing = timed
    for timing in timings:
        statements = [{"sql": sql} for _ms, sql in timing.statements]
        assert len(counted(statements)) == budgets[timing.name], timing.name
        assert timing.queries == len(timing.statements)
        assert sum(ms for ms, _ in timing.statements) > 0


def test_a_page_that_does_not_answer_200_is_reported_not_timed(timed):
    *_, missing = timed
    assert "nowhere (/no-such-page/): 404" in missing


def test_only_chooses_key_urls_by_name_and_names_an_unknown_one():
    """The --only of bench.profile and bench.throughput (bench.budgets.keys_named)."""
    from bench.budgets import keys_named

    assert keys_named("") == KEY_URLS
    assert [key.name for key in keys_named(" api_claims, selection ")] == ["selection", "api_claims"]  # table order
    with pytest.raises(ValueError, match="unknown names: nope"):
        keys_named("api_claims,nope")
