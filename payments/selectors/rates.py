"""Reads for pay rates, the National Minimum Wage and the expenses policy.

- `rate_for(partnership, opportunity_type, age_band, on_date)`: the rate in force on a day (the one with the latest
  `effective_from` on or before it), or None.
- `minimum_wage_on(band, on_date)`: the National Minimum Wage rate in force for a wage band on a day (national data
  with effective dates, seeded by a migration), or None before the first one recorded.
- `minimum_wage_problem(...)`: the plain-words refusal when an hourly amount is below the minimum that applies, which
  names the figures ("£7.55 an hour is below the National Minimum Wage for 18 to 20 year olds on 1 April 2026
  (£10.85)").
- `pay_rates_visible_to(actor)` and `rates_table(actor, today)`: the partnership's rates, grouped by type and band
  into the rate in force today and those that start later, for the rates page and the API.
- `rate_warnings(actor, today)`: hourly rates in force today or later that a later minimum wage uprating will
  overtake while they are still current (not refused when added, because they were lawful on their own date, but
  every claim for work after the uprating would be refused: the page asks for a new rate from that date).
- `expenses_policy_for(partnership)`: the saved policy, or the defaults (unsaved) when there is none.

Age bands: the partnership pays by its own bands (under 16, 16 to 17, 18 to 20, 21 and over, the age on the date of
the work); the minimum wage has its own (21 and over, 18 to 20, under 18). Below compulsory school age no minimum
applies: the under 16 band is never checked when a rate is added, and at claim time the exact test is made from the
date of birth (see payments/services/claims.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from core.dates import long_date
from core.permissions import require
from core.tenancy import scope
from engagements.models import OpportunityType, PayBasis
from engagements.services.work_logs import format_minutes
from participants.models import Partnership, User
from payments.models import AgeBand, Claim, ExpensesPolicy, MinimumWageRate, PayRate, WageBand

VIEW_PAYRATE = "payments.view_payrate"

# The minimum wage band that applies to each of the partnership's pay bands (None: no minimum applies).
WAGE_BAND_FOR: dict[str, WageBand | None] = {
    AgeBand.UNDER_16: None,
    AgeBand.AGE_16_17: WageBand.UNDER_18,
    AgeBand.AGE_18_20: WageBand.AGE_18_20,
    AgeBand.AGE_21_PLUS: WageBand.AGE_21_PLUS,
}
# How a message names the people a minimum wage band is for.
WAGE_BAND_PEOPLE: dict[str, str] = {
    WageBand.AGE_21_PLUS: "people aged 21 and over",
    WageBand.AGE_18_20: "18 to 20 year olds",
    WageBand.UNDER_18: "under 18s",
}


def pounds(pence: int) -> str:
    """'£12.71', '£1,250.00', '£0.00' from a whole number of pence (exact: no floating point)."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(int(pence)), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def age_band_for_age(age: int) -> AgeBand:
    if age < 16:
        return AgeBand.UNDER_16
    if age < 18:
        return AgeBand.AGE_16_17
    if age < 21:
        return AgeBand.AGE_18_20
    return AgeBand.AGE_21_PLUS


def wage_band_for_age(age: int) -> WageBand:
    """The minimum wage band for an age (for someone past compulsory school age)."""
    if age >= 21:
        return WageBand.AGE_21_PLUS
    if age >= 18:
        return WageBand.AGE_18_20
    return WageBand.UNDER_18


def rate_for(
    partnership: Partnership | int, opportunity_type: str, age_band: str, on_date: datetime.date
) -> PayRate | None:
    """The partnership's rate for a type and band in force on `on_date`: the latest that starts on or before it."""
    partnership_id = partnership if isinstance(partnership, int) else partnership.pk
    return (
        PayRate.objects.filter(
            partnership_id=partnership_id,
            opportunity_type=opportunity_type,
            age_band=age_band,
            effective_from__lte=on_date,
        )
        .order_by("-effective_from", "-pk")
        .first()
    )


def minimum_wage_on(band: str, on_date: datetime.date) -> MinimumWageRate | None:
    """The minimum wage for a band in force on `on_date` (None before the first rate recorded)."""
    return MinimumWageRate.objects.filter(band=band, effective_from__lte=on_date).order_by("-effective_from").first()


def minimum_wage_problem(
    *,
    band: str,
    on_date: datetime.date,
    pay_pence: int,
    minutes: int = 60,
    session_fee: bool = False,
) -> str | None:
    """Why `pay_pence` for `minutes` of work on `on_date` is below the minimum wage for `band`, or None when it is
    not (exactly the minimum is allowed). An hourly rate is `pay_pence` for 60 minutes; a session fee names the fee,
    the time it paid for and what that comes to an hour."""
    if minutes <= 0:
        return None
    minimum = minimum_wage_on(band, on_date)
    if minimum is None:
        return None
    # pay / (minutes / 60) >= minimum  <=>  pay * 60 >= minimum * minutes: whole numbers, no rounding.
    if pay_pence * 60 >= minimum.hourly_pence * minutes:
        return None
    hourly = (pay_pence * 60) // minutes  # rounded down, so never shown as more than it is
    what = (
        f"A session fee of {pounds(pay_pence)} for {format_minutes(minutes)} ({pounds(hourly)} an hour)"
        if session_fee
        else f"{pounds(hourly)} an hour"
    )
    return (
        f"{what} is below the National Minimum Wage for {WAGE_BAND_PEOPLE[band]} on {long_date(on_date)} "
        f"({pounds(minimum.hourly_pence)})"
    )


# --- The rates page and API -------------------------------------------------------------------------------------


def pay_rates_visible_to(
    actor: User, *, opportunity_type: str | None = None, age_band: str | None = None
) -> QuerySet[PayRate]:
    require(actor, VIEW_PAYRATE)
    rates = scope(PayRate.objects.select_related("created_by"), actor)
    if opportunity_type:
        rates = rates.filter(opportunity_type=opportunity_type)
    if age_band:
        rates = rates.filter(age_band=age_band)
    return rates.order_by("opportunity_type", "age_band", "-effective_from", "-pk")


def pay_rate_get_for_actor(actor: User, rate_id: int) -> PayRate:
    return get_object_or_404(pay_rates_visible_to(actor), pk=rate_id)


@dataclass
class RateRow:
    """One type and band: the rate in force today (if any) and those that start later, soonest first."""

    opportunity_type: str
    age_band: str
    current: PayRate | None = None
    future: list[PayRate] = field(default_factory=list)
    earlier: list[PayRate] = field(default_factory=list)

    @property
    def type_label(self) -> str:
        return str(OpportunityType(self.opportunity_type).label)

    @property
    def band_label(self) -> str:
        return str(AgeBand(self.age_band).label)


def rates_table(actor: User, today: datetime.date) -> list[RateRow]:
    """Every type and band that has a rate, in the order of the choices: one query."""
    rows: dict[tuple[str, str], RateRow] = {}
    for rate in pay_rates_visible_to(actor):
        row = rows.setdefault(
            (rate.opportunity_type, rate.age_band),
            RateRow(opportunity_type=rate.opportunity_type, age_band=rate.age_band),
        )
        if rate.effective_from > today:
            row.future.insert(0, rate)  # newest first in the query: inserting puts the soonest first
        elif row.current is None:
            row.current = rate
        else:
            row.earlier.append(rate)
    type_order = {value: n for n, value in enumerate(OpportunityType.values)}
    band_order = {value: n for n, value in enumerate(AgeBand.values)}
    return sorted(rows.values(), key=lambda r: (type_order.get(r.opportunity_type, 99), band_order.get(r.age_band, 99)))


def used_rate_ids(actor: User) -> set[int]:
    """The partnership's rates that claims have used (they stay, as the record of what was paid)."""
    require(actor, VIEW_PAYRATE)
    used = scope(Claim.objects.filter(rate__isnull=False), actor).values_list("rate_id", flat=True).distinct()
    return {int(pk) for pk in used if pk is not None}


def minimum_wages_from(today: datetime.date) -> list[MinimumWageRate]:
    """The National Minimum Wage rates in force today and those announced for later, by date then band."""
    wages = list(MinimumWageRate.objects.order_by("effective_from", "band"))
    current = {w.band: w for w in wages if w.effective_from <= today}
    later = [w for w in wages if w.effective_from > today]
    order = {value: n for n, value in enumerate(WageBand.values)}
    return sorted(current.values(), key=lambda w: order.get(w.band, 9)) + later


@dataclass(frozen=True)
class RateWarning:
    rate: PayRate
    message: str


def rate_warnings(actor: User, today: datetime.date) -> list[RateWarning]:
    """Hourly rates in force today or later that a minimum wage uprating overtakes while they are still current (for
    a partnership that employs its young people): one warning per rate, for the first such uprating. Two queries."""
    require(actor, VIEW_PAYRATE)
    if not actor.partnership.employs_young_people:
        return []
    wages = list(MinimumWageRate.objects.order_by("effective_from", "band"))
    warnings: list[RateWarning] = []
    for row in rates_table(actor, today):
        band = WAGE_BAND_FOR.get(row.age_band)
        if band is None:
            continue
        in_force = [r for r in (row.current, *row.future) if r is not None]
        for n, rate in enumerate(in_force):
            if rate.basis != PayBasis.HOURLY:
                continue
            until = in_force[n + 1].effective_from if n + 1 < len(in_force) else None
            overtaking = next(
                (
                    wage
                    for wage in wages
                    if wage.band == band
                    and wage.effective_from > rate.effective_from
                    and (until is None or wage.effective_from < until)
                    and rate.amount_pence < wage.hourly_pence
                ),
                None,
            )
            if overtaking is not None:
                warnings.append(
                    RateWarning(
                        rate=rate,
                        message=(
                            f"{row.type_label}, {row.band_label.lower()}: {pounds(rate.amount_pence)} an hour is below "
                            f"the National Minimum Wage for {WAGE_BAND_PEOPLE[band]} from "
                            f"{long_date(overtaking.effective_from)} ({pounds(overtaking.hourly_pence)}). Add a rate "
                            "from that date, or claims for work from then will be refused."
                        ),
                    )
                )
    return warnings


def expenses_policy_for(partnership: Partnership | int) -> ExpensesPolicy:
    """The partnership's expenses policy, or the defaults (not saved) when it has not set one."""
    partnership_id = partnership if isinstance(partnership, int) else partnership.pk
    policy = ExpensesPolicy.objects.filter(partnership_id=partnership_id).first()
    return policy if policy is not None else ExpensesPolicy(partnership_id=partnership_id)
