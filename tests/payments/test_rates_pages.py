"""The pay rates and expenses policy pages: the table of rates now and later, adding a rate (the minimum wage refusal
shown on the amount box, with everything typed kept), removing an unused rate, the policy form, who may see them,
and query counts that do not grow with the rates."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements.models import OpportunityType
from participants.models import Role
from payments.models import AgeBand, ExpensesPolicy, PayRate
from tests.factories.payments import PayRateFactory

pytestmark = pytest.mark.django_db

URL = "/finance/rates/"
FORM = {
    "opportunity_type": "section_11_panel",
    "age_band": "18_20",
    "basis": "hourly",
    "amount": "10.84",
    "effective_from_0": "1",
    "effective_from_1": "4",
    "effective_from_2": "2026",
}


@pytest.fixture
def finance(member):
    return member(Role.FINANCE_OFFICER)


def test_the_page_shows_rates_now_and_later_and_the_minimum_wage(finance, login, partnership):
    PayRateFactory(partnership=partnership, amount_pence=1150, effective_from=datetime.date(2025, 4, 1))
    PayRateFactory(partnership=partnership, amount_pence=9999, effective_from=datetime.date(2099, 4, 1))
    body = login(finance).get(URL).content.decode()
    assert "£11.50 an hour" in body and "since 1 April 2025" in body
    assert "£99.99 an hour from 1 April 2099" in body
    assert "National Minimum Wage, an hour" in body and "£12.71" in body
    assert "Add a rate" in body


def test_adding_a_rate_below_the_minimum_shows_the_message_on_the_amount_and_keeps_what_was_typed(
    partnership, finance, login
):
    partnership.employs_young_people = True
    partnership.save()
    response = login(finance).post(URL, FORM)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert (
        '<a href="#id_amount">£10.84 an hour is below the National Minimum Wage for 18 to 20 year olds on 1 April 2026 '
        "(£10.85)." in body
    )
    assert 'value="10.84"' in body and 'value="2026"' in body
    assert not PayRate.objects.exists()


def test_adding_a_rate(finance, login):
    response = login(finance).post(URL, {**FORM, "amount": "12.71"})
    assert response.status_code == 302
    rate = PayRate.objects.get()
    assert (rate.amount_pence, rate.effective_from, rate.age_band) == (1271, datetime.date(2026, 4, 1), "18_20")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"amount": "12.715"}, "amount", "pounds and pence"),
        ({"amount": "0"}, "amount", "more than £0"),
        ({"effective_from_0": ""}, "effective_from", "must include a day"),
        ({"opportunity_type": ""}, "opportunity_type", "Choose the type"),
    ],
)
def test_bad_input_is_shown_on_its_field(finance, login, change, field, words):
    body = login(finance).post(URL, {**FORM, **change}).content.decode()
    assert f'<a href="#id_{field}">' in body and words in body
    assert not PayRate.objects.exists()


def test_an_unused_rate_can_be_removed_from_the_page(finance, login, partnership):
    rate = PayRateFactory(partnership=partnership)
    client = login(finance)
    assert f"/finance/rates/{rate.pk}/remove/" in client.get(URL).content.decode()
    assert client.post(f"/finance/rates/{rate.pk}/remove/").status_code == 302
    assert not PayRate.objects.exists()


def test_workers_see_the_rates_but_not_the_form_and_young_people_see_nothing(member, login, partnership):
    PayRateFactory(partnership=partnership)
    client = login(member(Role.PARTICIPATION_WORKER))
    body = client.get(URL).content.decode()
    assert "£12.00 an hour" in body and "Add a rate" not in body
    assert client.post(URL, {**FORM, "amount": "12.71"}).status_code == 403
    assert login(member(Role.YOUNG_PERSON)).get(URL).status_code == 403


def test_another_partnerships_rate_is_not_shown_and_cannot_be_removed(finance, login, other_partnership):
    theirs = PayRateFactory(partnership=other_partnership, amount_pence=4242)
    client = login(finance)
    assert "£42.42" not in client.get(URL).content.decode()
    assert client.post(f"/finance/rates/{theirs.pk}/remove/").status_code == 404
    assert PayRate.objects.filter(pk=theirs.pk).exists()


def test_the_rates_page_query_count_does_not_grow(finance, login, partnership):
    client = login(finance)

    def add(types):
        for kind in types:
            for band in AgeBand.values:
                for year in (2025, 2026, 2099):
                    PayRateFactory(
                        partnership=partnership,
                        opportunity_type=kind,
                        age_band=band,
                        effective_from=datetime.date(year, 4, 1),
                        created_by=finance,
                    )

    add([OpportunityType.SECTION_11_PANEL])
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    add([OpportunityType.FOCUS_GROUP, OpportunityType.DEEP_DIVE, OpportunityType.INTERVIEW_PANEL])
    with CaptureQueriesContext(connection) as large:
        client.get(URL)
    assert len(large) == len(small)


# --- The expenses policy ------------------------------------------------------------------------------------------

POLICY = "/finance/expenses-policy/"


def test_the_policy_form_shows_the_defaults_and_saves(finance, login):
    client = login(finance)
    body = client.get(POLICY).content.decode()
    assert "No policy has been saved yet" in body and 'value="10.00"' in body
    response = client.post(
        POLICY, {"travel_allowed": "no", "food_allowed": "yes", "food_limit": "7.50", "receipt_required_from": "3"}
    )
    assert response.status_code == 302
    policy = ExpensesPolicy.objects.get()
    assert (
        policy.travel_allowed,
        policy.food_allowed,
        policy.food_limit_pence,
        policy.receipt_required_from_pence,
    ) == (
        False,
        True,
        750,
        300,
    )


def test_a_bad_policy_amount_is_shown_on_its_field(finance, login):
    body = (
        login(finance)
        .post(
            POLICY, {"travel_allowed": "no", "food_allowed": "yes", "food_limit": "lots", "receipt_required_from": "3"}
        )
        .content.decode()
    )
    assert '<a href="#id_food_limit">' in body
    assert 'value="lots"' in body
    assert not ExpensesPolicy.objects.exists()


def test_workers_read_the_policy_and_young_people_cannot(member, login):
    client = login(member(Role.PARTICIPATION_WORKER))
    body = client.get(POLICY).content.decode()
    assert "Travel costs repaid" in body and "Save the policy" not in body
    assert client.post(POLICY, {}).status_code == 403
    assert login(member(Role.YOUNG_PERSON)).get(POLICY).status_code == 403
