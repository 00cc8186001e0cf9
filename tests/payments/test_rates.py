"""Pay rates: the National Minimum Wage check when a partnership employs its young people (exactly the minimum
allowed, a penny below refused, the band and the date that apply), effective dates, and the expenses policy."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import OpportunityType, PayBasis
from participants.models import Role
from payments.models import AgeBand, ExpensesPolicy, PayRate
from payments.selectors.rates import expenses_policy_for, rate_for, rate_warnings, rates_table
from payments.services.rates import expenses_policy_save, pay_rate_add, pay_rate_remove
from tests.factories import PartnershipFactory
from tests.factories.payments import ClaimFactory, PayRateFactory

pytestmark = pytest.mark.django_db

APRIL_2025 = datetime.date(2025, 4, 1)
APRIL_2026 = datetime.date(2026, 4, 1)
PANEL = OpportunityType.SECTION_11_PANEL


@pytest.fixture
def employs(partnership):
    partnership.employs_young_people = True
    partnership.save(update_fields=["employs_young_people"])
    return partnership


@pytest.fixture
def finance(member):
    return member(Role.FINANCE_OFFICER)


def add(actor, *, band=AgeBand.AGE_18_20, amount=1085, on=APRIL_2026, basis=PayBasis.HOURLY, kind=PANEL):
    return pay_rate_add(
        actor=actor, opportunity_type=kind, age_band=band, basis=basis, amount_pence=amount, effective_from=on
    )


# --- The National Minimum Wage ------------------------------------------------------------------------------------


def test_exactly_the_minimum_is_allowed_and_a_penny_below_is_refused_naming_the_figures(employs, finance):
    rate = add(finance, amount=1085)
    assert (rate.amount_pence, rate.effective_from, rate.created_by) == (1085, APRIL_2026, finance)
    with pytest.raises(ApplicationError) as refused:
        add(finance, amount=1084, on=APRIL_2026 + datetime.timedelta(days=1))
    assert refused.value.message.startswith(
        "£10.84 an hour is below the National Minimum Wage for 18 to 20 year olds on 2 April 2026 (£10.85)."
    )
    assert refused.value.extra["field"] == "amount_pence"
    assert PayRate.objects.count() == 1


@pytest.mark.parametrize(
    ("band", "minimum_2025", "minimum_2026"),
    [(AgeBand.AGE_21_PLUS, 1221, 1271), (AgeBand.AGE_18_20, 1000, 1085), (AgeBand.AGE_16_17, 755, 800)],
)
def test_each_band_is_checked_against_its_own_minimum_on_the_start_date(
    employs, finance, band, minimum_2025, minimum_2026
):
    day_before = APRIL_2026 - datetime.timedelta(days=1)
    add(finance, band=band, amount=minimum_2025, on=day_before)  # the 2025 rate still applies on 31 March 2026
    with pytest.raises(ApplicationError):
        add(finance, band=band, amount=minimum_2025 - 1, on=APRIL_2025)
    with pytest.raises(ApplicationError) as refused:
        add(finance, band=band, amount=minimum_2026 - 1, on=APRIL_2026)
    assert f"(£{minimum_2026 / 100:.2f})" in refused.value.message
    add(finance, band=band, amount=minimum_2026, on=APRIL_2026)


def test_under_16s_have_no_minimum(employs, finance):
    assert add(finance, band=AgeBand.UNDER_16, amount=100).amount_pence == 100


def test_a_partnership_that_does_not_employ_is_not_checked(finance):
    assert add(finance, band=AgeBand.AGE_21_PLUS, amount=500).amount_pence == 500


def test_a_session_fee_is_checked_when_a_claim_is_made_not_when_it_is_added(employs, finance):
    fee = add(finance, basis=PayBasis.SESSION, amount=1000)
    assert fee.basis == PayBasis.SESSION


def test_a_rate_before_the_first_recorded_minimum_is_not_checked(employs, finance):
    assert add(finance, amount=500, on=datetime.date(2024, 4, 1)).amount_pence == 500


# --- Other checks -----------------------------------------------------------------------------------------------


def test_one_rate_per_type_band_and_date(finance):
    add(finance)
    with pytest.raises(ApplicationError) as refused:
        add(finance, amount=1500)
    assert refused.value.extra["field"] == "effective_from"
    assert "already a rate" in refused.value.message
    add(finance, band=AgeBand.AGE_21_PLUS)
    add(finance, kind=OpportunityType.FOCUS_GROUP)
    assert PayRate.objects.count() == 3


@pytest.mark.parametrize(("amount", "words"), [(0, "more than £0"), (100_001, "at most £1,000.00"), ("12", "whole")])
def test_the_amount_must_be_whole_pence_above_zero_and_not_absurd(finance, amount, words):
    with pytest.raises(ApplicationError) as refused:
        add(finance, amount=amount)
    assert words in refused.value.message
    assert refused.value.extra["field"] == "amount_pence"


def test_only_finance_officers_add_rates(member):
    for role in (Role.YOUNG_PERSON, Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN):
        with pytest.raises(PermissionDenied):
            add(member(role))
    assert not PayRate.objects.exists()


def test_adding_a_rate_is_audited(finance):
    rate = add(finance)
    event = AuditEvent.objects.get(event_type="payrate.added")
    assert event.actor == finance and event.subject_id == str(rate.pk)
    assert event.payload["amount_pence"] == 1085


def test_an_unused_rate_can_be_removed_and_a_used_one_cannot(finance, partnership):
    unused = add(finance)
    used = add(finance, band=AgeBand.AGE_21_PLUS)
    ClaimFactory(membership__partnership=partnership, rate=used)
    pay_rate_remove(actor=finance, rate_id=unused.pk)
    with pytest.raises(ApplicationError) as refused:
        pay_rate_remove(actor=finance, rate_id=used.pk)
    assert refused.value.extra["reason"] == "used"
    assert list(PayRate.objects.all()) == [used]
    assert AuditEvent.objects.filter(event_type="payrate.removed").count() == 1


def test_another_partnerships_rate_cannot_be_removed(finance, other_partnership):
    theirs = PayRateFactory(partnership=other_partnership)
    with pytest.raises(Http404):
        pay_rate_remove(actor=finance, rate_id=theirs.pk)
    assert PayRate.objects.filter(pk=theirs.pk).exists()


# --- Effective dates ----------------------------------------------------------------------------------------------


def test_rate_for_is_the_latest_starting_on_or_before_the_day(partnership, other_partnership):
    older = PayRateFactory(partnership=partnership, amount_pence=1200, effective_from=APRIL_2025)
    newer = PayRateFactory(partnership=partnership, amount_pence=1300, effective_from=APRIL_2026)
    PayRateFactory(partnership=other_partnership, amount_pence=9999, effective_from=datetime.date(2026, 1, 1))
    PayRateFactory(partnership=partnership, age_band=AgeBand.AGE_21_PLUS, effective_from=datetime.date(2026, 1, 1))
    band = AgeBand.AGE_18_20
    assert rate_for(partnership, PANEL, band, APRIL_2025 - datetime.timedelta(days=1)) is None
    assert rate_for(partnership, PANEL, band, APRIL_2025) == older
    assert rate_for(partnership, PANEL, band, APRIL_2026 - datetime.timedelta(days=1)) == older
    assert rate_for(partnership, PANEL, band, APRIL_2026) == newer
    assert rate_for(partnership, OpportunityType.FOCUS_GROUP, band, APRIL_2026) is None


def test_the_table_shows_the_rate_in_force_today_and_later_ones(finance, partnership):
    today = datetime.date(2026, 1, 10)
    PayRateFactory(partnership=partnership, amount_pence=1100, effective_from=APRIL_2025)
    current = PayRateFactory(partnership=partnership, amount_pence=1150, effective_from=datetime.date(2025, 9, 1))
    later = PayRateFactory(partnership=partnership, amount_pence=1300, effective_from=APRIL_2026)
    latest = PayRateFactory(partnership=partnership, amount_pence=1400, effective_from=datetime.date(2027, 4, 1))
    (row,) = rates_table(finance, today)
    assert row.current == current
    assert row.future == [later, latest]


def test_a_rate_a_later_uprating_overtakes_is_warned_about(employs, finance, partnership):
    today = datetime.date(2025, 6, 1)
    PayRateFactory(partnership=partnership, amount_pence=1000, effective_from=APRIL_2025)
    (warning,) = rate_warnings(finance, today)
    assert "£10.00 an hour is below the National Minimum Wage for 18 to 20 year olds from 1 April 2026 (£10.85)" in (
        warning.message
    )
    PayRateFactory(partnership=partnership, amount_pence=1085, effective_from=APRIL_2026)
    assert rate_warnings(finance, today) == []


def test_no_warnings_when_the_partnership_does_not_employ(finance, partnership):
    PayRateFactory(partnership=partnership, amount_pence=500, effective_from=APRIL_2025)
    assert rate_warnings(finance, datetime.date(2025, 6, 1)) == []


# --- The expenses policy ------------------------------------------------------------------------------------------


def test_the_expenses_policy_defaults_until_saved_then_is_saved_once(finance, partnership):
    default = expenses_policy_for(partnership)
    assert default.pk is None
    assert (default.travel_allowed, default.food_allowed, default.food_limit_pence) == (True, True, 1000)
    first = expenses_policy_save(
        actor=finance, travel_allowed=True, food_allowed=False, food_limit_pence=0, receipt_required_from_pence=300
    )
    again = expenses_policy_save(
        actor=finance, travel_allowed=False, food_allowed=True, food_limit_pence=750, receipt_required_from_pence=300
    )
    assert first.pk == again.pk
    saved = expenses_policy_for(partnership)
    assert (saved.travel_allowed, saved.food_allowed, saved.food_limit_pence) == (False, True, 750)
    assert ExpensesPolicy.objects.count() == 1
    events = AuditEvent.objects.filter(event_type="expensespolicy.saved").order_by("pk")
    assert [e.payload["changed"] for e in events][1] == ["food_allowed", "food_limit_pence", "travel_allowed"]


def test_partnership_admins_may_save_the_policy_and_workers_may_not(member):
    policy = expenses_policy_save(
        actor=member(Role.PARTNERSHIP_ADMIN),
        travel_allowed=True,
        food_allowed=True,
        food_limit_pence=500,
        receipt_required_from_pence=500,
    )
    assert policy.food_limit_pence == 500
    with pytest.raises(PermissionDenied):
        expenses_policy_save(
            actor=member(Role.PARTICIPATION_WORKER),
            travel_allowed=True,
            food_allowed=True,
            food_limit_pence=500,
            receipt_required_from_pence=500,
        )


def test_a_policy_is_the_partnerships_own(finance, partnership):
    expenses_policy_save(
        actor=finance, travel_allowed=False, food_allowed=False, food_limit_pence=0, receipt_required_from_pence=0
    )
    assert expenses_policy_for(PartnershipFactory()).pk is None


def test_policy_amounts_cannot_be_negative(finance):
    with pytest.raises(ApplicationError) as refused:
        expenses_policy_save(
            actor=finance, travel_allowed=True, food_allowed=True, food_limit_pence=-1, receipt_required_from_pence=0
        )
    assert refused.value.extra["field"] == "food_limit_pence"
