"""GET /api/v1/reports/ (the dashboard's tables for a period) and GET /api/v1/reports/annual/<year>/."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements.selectors.reports import DASHBOARD_TABLES, current_reporting_year
from participants.models import Role
from tests.engagements.feedback.test_reports_annual import build_year
from tests.engagements.feedback.test_reports_tables import (
    YEAR,
    build_recommendations,
    build_spend,
    closed_round,
    equality_answers,
    everything,
    many_recommendations,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"
YEAR_2025 = {"from": "2025-04-01", "to": "2026-03-31"}


def table(body, key):
    return next(t for t in body["tables"] if t["key"] == key)


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


def test_the_dashboard_tables_as_figures_and_as_shown(partnership, other_partnership, lead, api_as):
    build_spend(partnership)
    build_spend(other_partnership)
    build_recommendations(partnership)
    round_ = closed_round(partnership)
    equality_answers(round_, {"gender": "girl_woman"}, times=19)
    equality_answers(round_, {"gender": "non_binary"}, times=1)

    response = api_as(lead).get(URL, YEAR_2025)

    assert response.status_code == 200
    body = response.json()
    assert (body["starts"], body["ends"]) == ("2025-04-01", "2026-03-31")
    assert [t["key"] for t in body["tables"]] == list(DASHBOARD_TABLES)
    spend = table(body, "spend")
    assert spend["columns"][4] == {"label": "Total paid", "kind": "money"}
    assert spend["values"][0] == ["April 2025", 2, 4800, 900, 5700]
    assert spend["rows"][0] == ["April 2025", "2", "£48.00", "£9.00", "£57.00"]
    assert spend["total"] == ["Total", "3", "£58.00", "£9.00", "£67.00"]
    assert "payouts marked paid" in spend["note"]
    statuses = table(body, "recommendations")
    assert statuses["values"][-1] == ["No response yet", 2]
    assert table(body, "response-time")["values"] == [[5, 4, 2]]
    equality = table(body, "equality")
    gender = {row[1]: (row[2], shown[2]) for row, shown in zip(equality["values"], equality["rows"], strict=True)
              if row[0] == "How would you describe your gender?"}  # fmt: skip
    assert gender["Non-binary"] == (None, "fewer than 5")
    assert gender["Girl or woman"] == (None, "not shown")


def test_dates_left_out_are_this_reporting_year(lead, api_as):
    body = api_as(lead).get(URL).json()
    year = current_reporting_year()
    assert (body["starts"], body["ends"]) == (f"{year}-04-01", f"{year + 1}-03-31")


def test_dates_that_do_not_make_sense_name_the_field(lead, api_as):
    client = api_as(lead)
    backwards = client.get(URL, {"from": "2025-04-01", "to": "2025-03-01"})
    assert backwards.status_code == 400
    assert backwards.json()["extra"]["fields"] == {"to": ["The to date must be the same as or after the from date"]}
    not_a_date = client.get(URL, {"from": "1 April"})
    assert not_a_date.status_code == 400 and list(not_a_date.json()["extra"]["fields"]) == ["from"]


@pytest.mark.parametrize("role", [Role.YOUNG_PERSON, Role.FINANCE_OFFICER])
def test_only_staff_who_see_reports_get_the_dashboard(member, api_as, role):
    assert api_as(member(role)).get(URL, YEAR_2025).status_code == 403


def test_the_dashboard_api_takes_the_same_number_of_queries_for_10_and_1000_recommendations(partnership, lead, api_as):
    everything(partnership)
    client = api_as(lead)
    many_recommendations(partnership, 10)
    client.get(URL, YEAR_2025)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, YEAR_2025)
    many_recommendations(partnership, 990)
    with CaptureQueriesContext(connection) as large:
        body = client.get(URL, YEAR_2025).json()
    assert table(body, "recommendations")["total"][1] == "1,000"
    assert len(small) == len(large)


def test_the_annual_report_for_every_member(partnership, other_partnership, member, api_as):
    ada = build_year(partnership)
    build_year(other_partnership)

    response = api_as(member(Role.YOUNG_PERSON)).get(f"/api/v1/reports/annual/{YEAR}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["label"], body["starts"]) == (2025, "2025 to 2026", "2025-04-01")
    assert (body["young_people"], body["hours"], body["sessions"], body["recommendations"]) == (3, 10.0, 4, 4)
    assert body["headline"][0] == "3 young people took part."
    assert [o["title"] for o in body["outputs"]] == ["Our film about feeling safe"]
    assert [e["you_said"] for e in body["examples"]] == ["Let young people choose where their review meeting happens."]
    assert ada.user.full_name not in response.content.decode()
    assert [t["key"] for t in body["tables"]] == ["sessions", "hours", "recommendations"]


def test_a_year_that_has_not_started_is_a_404(member, api_as):
    client = api_as(member(Role.YOUNG_PERSON))
    assert client.get(f"/api/v1/reports/annual/{current_reporting_year() + 1}/").status_code == 404


def test_the_annual_api_takes_the_same_number_of_queries_for_10_and_1000_recommendations(partnership, member, api_as):
    build_year(partnership)
    client = api_as(member(Role.YOUNG_PERSON))
    many_recommendations(partnership, 10)
    client.get(f"/api/v1/reports/annual/{YEAR}/")
    with CaptureQueriesContext(connection) as small:
        client.get(f"/api/v1/reports/annual/{YEAR}/")
    many_recommendations(partnership, 990)
    with CaptureQueriesContext(connection) as large:
        body = client.get(f"/api/v1/reports/annual/{YEAR}/").json()
    assert body["recommendations"] == 1004
    assert len(small) == len(large)
