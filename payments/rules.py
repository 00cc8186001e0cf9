"""Permission predicates for payments (django-rules). The matrix is in docs/permissions.md.

Finance officers see names, amounts and payment status, and nothing from safeguarding or support notes.
"""

from __future__ import annotations

from typing import Any

import rules

from participants.models import User
from participants.rules import (
    in_own_partnership,
    is_finance_officer,
    is_own_membership,
    is_participation_worker,
    is_partnership_admin,
    is_young_person,
)


@rules.predicate
def is_own_record(user: User, record: Any) -> bool:
    """A record about the person themself (their own claim, payout or payment set-up)."""
    return record is not None and is_own_membership(user, getattr(record, "membership", None))


# Rates and the expenses policy
rules.add_perm(
    "payments.view_payrate", (is_finance_officer | is_participation_worker | is_partnership_admin) & in_own_partnership
)
rules.add_perm("payments.change_payrate", is_finance_officer & in_own_partnership)
rules.add_perm("payments.change_expensespolicy", (is_finance_officer | is_partnership_admin) & in_own_partnership)
# Claims: finance officers make and read them; a young person reads their own
rules.add_perm("payments.view_claim", (is_finance_officer & in_own_partnership) | (is_young_person & is_own_record))
rules.add_perm("payments.change_claim", is_finance_officer & in_own_partnership)
# A young person's own choice (money, vouchers, no payment) and their Stripe onboarding; workers record a nominee
rules.add_perm("payments.change_own_paymentsetup", is_young_person)
rules.add_perm("payments.record_nominee", is_participation_worker & in_own_partnership)
# Batches: built by one finance officer, approved by another (the service refuses the same person)
rules.add_perm("payments.view_paymentbatch", is_finance_officer & in_own_partnership)
rules.add_perm("payments.change_paymentbatch", is_finance_officer & in_own_partnership)
rules.add_perm("payments.approve_paymentbatch", is_finance_officer & in_own_partnership)
rules.add_perm("payments.submit_paymentbatch", is_finance_officer & in_own_partnership)
# Payouts, payee accounts, vouchers, reconciliation
rules.add_perm("payments.view_payout", (is_finance_officer & in_own_partnership) | (is_young_person & is_own_record))
rules.add_perm("payments.change_payout", is_finance_officer & in_own_partnership)
rules.add_perm("payments.view_payeeaccount", is_finance_officer & in_own_partnership)
rules.add_perm("payments.view_reconciliation", is_finance_officer & in_own_partnership)
