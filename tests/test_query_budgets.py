"""The query budgets in docs/performance.md are the spec: on the small data set, every key page and API list
(bench/budgets.py KEY_URLS) makes exactly its budget of queries, every one has a budget, and every list operation
of the API is a key URL.

The data set is generated once for the module, inside a transaction rolled back at the end (so no other test sees
it); counts leave out transaction control, so they are the same as a real request's (bench/budgets.py `counted`).
The clock is stopped at a fixed hour while the data is made and the pages are opened: the data set follows the
calendar (school terms, monthly batches, the reporting year), and a page whose count depends on what it shows (the
audit log's kinds of record, the selection page's candidates) must not change with the day the tests run."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import resolve

from bench.budgets import KEY_URLS, api_list_operations, clients_for, measure
from participants.models import Role
from tests.small_data_set import small_data_set

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
ROLES = {label.lower(): value for value, label in Role.choices}
# Answers that carry their rows inside an object, so the schema does not call them lists; they are key URLs too.
LIST_SHAPED = {"api-attendance", "api-engagement-candidates"}
# The data set lives in the module fixture's own transaction; the mark makes pytest-django create the test database.
pytestmark = pytest.mark.django_db


def read_budgets() -> dict[str, tuple[str, int]]:
    """name -> (role, budget) from the table under "## Query budgets"."""
    text = DOC.read_text()
    section = text.split("\n## Query budgets", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == ["name", "page or API list", "role", "queries"], header
    budgets = {}
    for line in lines[2:]:
        name, _url, role, queries = (cell.strip() for cell in line.strip("|").split("|"))
        name = name.strip("`")
        assert name not in budgets, f"{name} has two rows"
        assert role in ROLES, f"{name}: unknown role {role!r}"
        assert re.fullmatch(r"\d+", queries), f"{name}: the budget must be a number of queries, not {queries!r}"
        budgets[name] = (ROLES[role], int(queries))
    return budgets


BUDGETS = read_budgets()
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)  # a Thursday in term time


@pytest.fixture(scope="module")
def small(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The small data set, its key URLs and their query counts (measured once)."""
    with django_db_blocker.unblock(), small_data_set(NOW) as data:
        urls = {key.name: key.path(data) for key in KEY_URLS}
        counts = measure(clients_for(data), data)
    return urls, counts


def test_every_key_url_has_a_budget_for_its_role():
    ours = {key.name: key.role for key in KEY_URLS}
    assert len(ours) == len(KEY_URLS), "two key URLs share a name"
    assert set(ours) - set(BUDGETS) == set(), "key URLs without a budget in docs/performance.md"
    assert set(BUDGETS) - set(ours) == set(), "budgets in docs/performance.md for no key URL"
    assert {name: role for name, (role, _) in BUDGETS.items()} == ours


@pytest.mark.parametrize("name", [key.name for key in KEY_URLS])
def test_queries_equal_the_budget(name, small):
    _urls, counts = small
    assert counts[name] == BUDGETS[name][1], f"{name}: {counts[name]} queries, budget {BUDGETS[name][1]}"


def test_every_api_list_is_a_key_url(small):
    urls, _counts = small
    ours = {resolve(url.split("?")[0]).url_name for name, url in urls.items() if name.startswith("api_")}
    lists = {resolve(re.sub(r"\{\w+\}", "1", path)).url_name for path in api_list_operations()}
    assert lists, "the schema has no list operation: the test would not notice a missing one"
    assert lists - ours == set(), "API lists missing from bench/budgets.py KEY_URLS"
    assert ours - lists - LIST_SHAPED == set(), "key URLs under api_ that are not lists of the API"
