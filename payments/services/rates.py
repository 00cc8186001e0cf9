"""Writes for pay rates and the expenses policy (finance officers).

Rules:
- `pay_rate_add`: a rate is for one opportunity type and one age band (the age on the date of the work), by the hour
  or a fee for the session, in whole pence (more than 0, at most £1,000), from a date. One rate per type, band and
  date: a later rate replaces an earlier one from its own date, so history is kept and claims for earlier work use
  the rate that was in force then.
- When the partnership employs its young people, an hourly rate below the National Minimum Wage that applies on its
  start date is refused, naming the field and the figures ("£7.55 an hour is below the National Minimum Wage for
  18 to 20 year olds on 1 April 2026 (£10.85)"); exactly the minimum is allowed. The under 16 band is not checked (no
  minimum applies below compulsory school age). A session fee cannot be checked here (the hours it pays for are
  known only from the work), so it is checked when a claim is made, as is every hourly rate again on the date of
  the work: a later uprating is never missed (payments/services/claims.py).
- `pay_rate_remove`: a rate no claim has used yet can be taken away (a mistyped future rate); a used rate stays, as
  the record of what was paid.
- `expenses_policy_save`: travel and food allowed or not, the most paid for food per engagement, and the amount
  from which an expense needs a receipt. Claims apply it (payments/services/claims.py).
Each write is audited in its own transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.dates import long_date
from core.exceptions import ApplicationError
from core.permissions import require
from core.tenancy import scope
from engagements.models import OpportunityType, PayBasis
from participants.models import User
from payments.models import AgeBand, ExpensesPolicy, PayRate
from payments.selectors.rates import WAGE_BAND_FOR, minimum_wage_problem, pounds

CHANGE_PAYRATE = "payments.change_payrate"
CHANGE_EXPENSESPOLICY = "payments.change_expensespolicy"

MAX_RATE_PENCE = 100_000  # £1,000: an hourly rate or a session fee above this is a typing mistake
MAX_POLICY_PENCE = 100_000
EARLIEST_RATE_DATE = datetime.date(2000, 1, 1)


def _whole_pence(value: Any, field: str, label: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApplicationError(f"{label} must be a whole number of pence.", extra={"field": field})
    if value < minimum:
        raise ApplicationError(
            f"{label} must be more than £0." if minimum > 0 else f"{label} cannot be less than £0.",
            extra={"field": field},
        )
    if value > maximum:
        raise ApplicationError(f"{label} can be at most {pounds(maximum)}.", extra={"field": field})
    return int(value)


def hourly_rate_problem(
    *, employs: bool, age_band: str, basis: str, amount_pence: int, on_date: datetime.date
) -> str | None:
    """Why an hourly rate would be refused on its start date (None if it is fine or cannot be checked here)."""
    if not employs or basis != PayBasis.HOURLY:
        return None
    band = WAGE_BAND_FOR.get(age_band)
    if band is None:
        return None
    return minimum_wage_problem(band=band, on_date=on_date, pay_pence=amount_pence)


@transaction.atomic
def pay_rate_add(
    *,
    actor: User,
    opportunity_type: str,
    age_band: str,
    basis: str,
    amount_pence: int,
    effective_from: datetime.date,
) -> PayRate:
    require(actor, CHANGE_PAYRATE)
    partnership = actor.partnership
    if opportunity_type not in OpportunityType.values:
        raise ApplicationError("Choose the type of opportunity.", extra={"field": "opportunity_type"})
    if age_band not in AgeBand.values:
        raise ApplicationError("Choose the age band.", extra={"field": "age_band"})
    if basis not in PayBasis.values:
        raise ApplicationError("Choose by the hour or a fee for the session.", extra={"field": "basis"})
    label = "The hourly rate" if basis == PayBasis.HOURLY else "The session fee"
    amount = _whole_pence(amount_pence, "amount_pence", label, minimum=1, maximum=MAX_RATE_PENCE)
    if not isinstance(effective_from, datetime.date) or isinstance(effective_from, datetime.datetime):
        raise ApplicationError("Enter the date the rate starts.", extra={"field": "effective_from"})
    if effective_from < EARLIEST_RATE_DATE:
        raise ApplicationError(
            f"The start date must be on or after {long_date(EARLIEST_RATE_DATE)}.", extra={"field": "effective_from"}
        )
    problem = hourly_rate_problem(
        employs=partnership.employs_young_people,
        age_band=age_band,
        basis=basis,
        amount_pence=amount,
        on_date=effective_from,
    )
    if problem:
        raise ApplicationError(
            f"{problem}. Your partnership employs its young people, so it must pay at least the minimum.",
            extra={"field": "amount_pence", "reason": "below_minimum_wage"},
        )
    duplicate = ApplicationError(
        f"There is already a rate for {OpportunityType(opportunity_type).label}, "
        f"{AgeBand(age_band).label.lower()} from {long_date(effective_from)}. Choose another start date.",
        extra={"field": "effective_from", "reason": "duplicate"},
    )
    # Lock the partnership's rates for this type and band so two people adding the same date make one rate and one
    # refusal (the unique constraint backs this up).
    existing = list(
        PayRate.objects.select_for_update()
        .filter(partnership=partnership, opportunity_type=opportunity_type, age_band=age_band)
        .values_list("effective_from", flat=True)
    )
    if effective_from in existing:
        raise duplicate
    rate = PayRate(
        partnership=partnership,
        opportunity_type=opportunity_type,
        age_band=age_band,
        basis=basis,
        amount_pence=amount,
        effective_from=effective_from,
        created_by=actor,
        created_at=timezone.now(),
    )
    rate.full_clean(exclude=["partnership", "created_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            rate.save()
    except IntegrityError:
        raise duplicate from None
    audit_record(
        actor=actor,
        partnership=partnership,
        subject=rate,
        event_type="payrate.added",
        payload={
            "opportunity_type": opportunity_type,
            "age_band": age_band,
            "basis": basis,
            "amount_pence": amount,
            "effective_from": effective_from.isoformat(),
        },
    )
    return rate


@transaction.atomic
def pay_rate_remove(*, actor: User, rate_id: int) -> None:
    """Take away a rate no claim has used (for example a mistyped future rate)."""
    require(actor, CHANGE_PAYRATE)
    rate = get_object_or_404(scope(PayRate.objects.select_for_update(), actor), pk=rate_id)
    require(actor, CHANGE_PAYRATE, rate)
    if rate.claims.exists():
        raise ApplicationError(
            "Claims have been made at this rate, so it stays as the record of what was paid. Add a new rate from a "
            "later date instead.",
            extra={"field": "rate", "reason": "used"},
        )
    audit_record(
        actor=actor,
        partnership=rate.partnership,
        subject=rate,
        event_type="payrate.removed",
        payload={
            "opportunity_type": rate.opportunity_type,
            "age_band": rate.age_band,
            "basis": rate.basis,
            "amount_pence": rate.amount_pence,
            "effective_from": rate.effective_from.isoformat(),
        },
    )
    rate.delete()


@transaction.atomic
def expenses_policy_save(
    *,
    actor: User,
    travel_allowed: bool,
    food_allowed: bool,
    food_limit_pence: int,
    receipt_required_from_pence: int,
) -> ExpensesPolicy:
    require(actor, CHANGE_EXPENSESPOLICY)
    partnership = actor.partnership
    food_limit = _whole_pence(
        food_limit_pence, "food_limit_pence", "The food limit", minimum=0, maximum=MAX_POLICY_PENCE
    )
    receipt_from = _whole_pence(
        receipt_required_from_pence,
        "receipt_required_from_pence",
        "The amount that needs a receipt",
        minimum=0,
        maximum=MAX_POLICY_PENCE,
    )
    policy = ExpensesPolicy.objects.select_for_update().filter(partnership=partnership).first()
    created = policy is None
    if policy is None:
        policy = ExpensesPolicy(partnership=partnership)
    before = {
        "travel_allowed": policy.travel_allowed,
        "food_allowed": policy.food_allowed,
        "food_limit_pence": policy.food_limit_pence,
        "receipt_required_from_pence": policy.receipt_required_from_pence,
    }
    after = {
        "travel_allowed": bool(travel_allowed),
        "food_allowed": bool(food_allowed),
        "food_limit_pence": food_limit,
        "receipt_required_from_pence": receipt_from,
    }
    for name, value in after.items():
        setattr(policy, name, value)
    policy.updated_by = actor
    policy.updated_at = timezone.now()
    policy.full_clean(exclude=["partnership", "updated_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:  # pragma: no cover - two first saves at once: the lock cannot hold a row not yet made
        raise ApplicationError(
            "Someone else saved the expenses policy at the same moment. Check it and save again.",
            extra={"field": "travel_allowed"},
        ) from None
    audit_record(
        actor=actor,
        partnership=partnership,
        subject=policy,
        event_type="expensespolicy.saved",
        payload={"created": created, "changed": sorted(k for k in after if created or after[k] != before[k]), **after},
    )
    return policy
