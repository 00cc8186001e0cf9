"""/api/v1/pay-rates/ and /api/v1/expenses-policy/: who may read and add, the minimum wage refusal naming the field,
another partnership's rate is a 404, and the list's query count does not grow."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Role
from payments.models import AgeBand, PayRate
from tests.factories.payments import PayRateFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/pay-rates/"
RATE = {
    "opportunity_type": "section_11_panel",
    "age_band": "18_20",
    "basis": "hourly",
    "amount_pence": 1085,
    "effective_from": "2026-04-01",
}


def test_a_finance_officer_adds_a_rate(member, api_as):
    finance = member(Role.FINANCE_OFFICER)
    response = api_as(finance).post(URL, RATE, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount_pence"], body["effective_from"], body["created_by"]) == (1085, "2026-04-01", finance.full_name)
    assert body["age_band_label"] == "18 to 20"


def test_below_the_minimum_is_a_400_naming_the_field_and_figures(partnership, member, api_as):
    partnership.employs_young_people = True
    partnership.save()
    response = api_as(member(Role.FINANCE_OFFICER)).post(URL, {**RATE, "amount_pence": 1084}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith(
        "£10.84 an hour is below the National Minimum Wage for 18 to 20 year olds on 1 April 2026 (£10.85)."
    )
    assert body["extra"]["field"] == "amount_pence"
    assert not PayRate.objects.exists()


def test_bad_input_names_the_field(member, api_as):
    response = api_as(member(Role.FINANCE_OFFICER)).post(URL, {**RATE, "age_band": "adult"}, format="json")
    assert response.status_code == 400
    assert "age_band" in response.json()["extra"]["fields"]


def test_who_may_read_and_add(member, api_as, partnership):
    PayRateFactory(partnership=partnership)
    for role in (Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN):
        client = api_as(member(role))
        assert client.get(URL).json()["count"] == 1
        assert client.post(URL, RATE, format="json").status_code == 403
    assert api_as(member(Role.YOUNG_PERSON)).get(URL).status_code == 403


def test_filters_and_another_partnerships_rate_is_a_404(member, api_as, partnership, other_partnership):
    mine = PayRateFactory(partnership=partnership, age_band=AgeBand.AGE_21_PLUS)
    PayRateFactory(partnership=partnership)
    theirs = PayRateFactory(partnership=other_partnership)
    client = api_as(member(Role.FINANCE_OFFICER))
    assert [r["id"] for r in client.get(URL, {"age_band": "21_plus"}).json()["results"]] == [mine.pk]
    assert theirs.pk not in {r["id"] for r in client.get(URL).json()["results"]}
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.delete(f"{URL}{theirs.pk}/").status_code == 404
    assert client.get(f"{URL}{mine.pk}/").status_code == 200
    assert client.delete(f"{URL}{mine.pk}/").status_code == 204
    assert PayRate.objects.filter(pk=theirs.pk).exists()


def test_the_list_query_count_does_not_grow(member, api_as, partnership):
    client = api_as(member(Role.FINANCE_OFFICER))
    creator = member(Role.FINANCE_OFFICER)

    def add(count, start):
        for n in range(count):
            PayRateFactory(
                partnership=partnership,
                created_by=creator,
                effective_from=datetime.date(2020, 1, 1) + datetime.timedelta(days=start + n),
            )

    add(1, 0)
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    add(15, 10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).json()["count"] == 16
    assert len(large) == len(small)


def test_the_expenses_policy_is_read_and_saved(member, api_as):
    finance = api_as(member(Role.FINANCE_OFFICER))
    first = finance.get("/api/v1/expenses-policy/").json()
    assert first == {
        "travel_allowed": True,
        "food_allowed": True,
        "food_limit_pence": 1000,
        "receipt_required_from_pence": 500,
        "updated_at": None,
    }
    saved = finance.put(
        "/api/v1/expenses-policy/",
        {"travel_allowed": False, "food_allowed": True, "food_limit_pence": 750, "receipt_required_from_pence": 0},
        format="json",
    )
    assert saved.status_code == 200
    assert saved.json()["food_limit_pence"] == 750
    assert saved.json()["updated_at"] is not None


def test_workers_read_the_policy_but_cannot_save_it(member, api_as):
    worker = api_as(member(Role.PARTICIPATION_WORKER))
    assert worker.get("/api/v1/expenses-policy/").status_code == 200
    policy = {"travel_allowed": False, "food_allowed": True, "food_limit_pence": 0, "receipt_required_from_pence": 0}
    assert worker.put("/api/v1/expenses-policy/", policy, format="json").status_code == 403
