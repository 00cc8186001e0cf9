"""Demo data for payments (North Shire): pay rates for every type and age band at or above the National Minimum
Wage, the expenses policy, and Amara's bank details for the payroll export. Amara's deep dive work log waits for
Sam's approval: approving it makes her claim (the Celery worker in `make run` does it), which Priya Shah can put
in a batch for Dan Cole, the second finance officer, to approve. Everything goes through the services."""

from __future__ import annotations

import datetime

from core.tenancy import act_in
from engagements.models import OpportunityType, PayBasis
from participants.models import Membership, Partnership
from payments.models import AgeBand

# Hourly pence by age band: at or above the minimum wage from April 2026 for each band (no minimum under 16).
HOURLY = {AgeBand.UNDER_16: 900, AgeBand.AGE_16_17: 900, AgeBand.AGE_18_20: 1100, AgeBand.AGE_21_PLUS: 1300}
SESSION_FEE = 3000  # focus groups: a fee for the session


def seed_payments(partnership: Partnership) -> None:
    from payments.services.accounts import bank_details_save
    from payments.services.rates import expenses_policy_save, pay_rate_add

    finance = Membership.objects.select_related("user").get(
        partnership=partnership, user__email="priya.shah@north-shire.example"
    )
    amara = Membership.objects.select_related("user").get(
        partnership=partnership, user__email="amara@north-shire.example"
    )
    for membership in (finance, amara):
        act_in(membership.user, partnership)
    start = datetime.date(2026, 4, 1)
    for kind in OpportunityType.values:
        for band in AgeBand.values:
            session = kind == OpportunityType.FOCUS_GROUP
            pay_rate_add(
                actor=finance.user,
                opportunity_type=kind,
                age_band=band,
                basis=PayBasis.SESSION if session else PayBasis.HOURLY,
                amount_pence=SESSION_FEE if session else HOURLY[AgeBand(band)],
                effective_from=start,
            )
    expenses_policy_save(
        actor=finance.user,
        travel_allowed=True,
        food_allowed=True,
        food_limit_pence=1000,
        receipt_required_from_pence=500,
    )
    bank_details_save(actor=amara.user, account_name="A OKAFOR", sort_code="404784", account_number="70872490")
