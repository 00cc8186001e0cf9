"""What payments hold about a young person, for their own download (participants.selectors.data_rights):
how they chose to be paid, their payee accounts (bank numbers masked), claims with each line, and payouts.

Called only after the caller has decided the reader may have this person's data. A fixed number of queries.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch

from participants.models import Membership
from payments.models import Claim, ClaimLine, PayeeAccount, PaymentSetup, Payout
from payments.selectors.accounts import mask


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _pounds(pence: int) -> str:
    return f"{pence / 100:.2f}"


def payments_data_for_membership(membership: Membership) -> dict[str, Any]:
    mine = {"partnership_id": membership.partnership_id, "membership": membership}
    setup = PaymentSetup.objects.filter(**mine).first()
    accounts = PayeeAccount.objects.filter(**mine).order_by("rail", "pk")
    claims = (
        Claim.objects.filter(**mine)
        .select_related("engagement")
        .prefetch_related(
            Prefetch("lines", queryset=ClaimLine.objects.order_by("pk")),
            Prefetch("payouts", queryset=Payout.objects.select_related("voucher").order_by("created_at", "pk")),
        )
        .order_by("work_date", "pk")
    )
    return {
        "payment_choice": (
            {
                "choice": setup.get_choice_display(),
                "how": setup.get_rail_display() if setup.rail else None,
                "paid_to_someone_else": setup.nominee_name or None,
                "their_relationship_to_you": setup.nominee_relationship or None,
            }
            if setup
            else None
        ),
        "payee_accounts": [
            {
                "how": a.get_rail_display(),
                "name_on_account": a.holder_name,
                "status": a.get_status_display(),
                "account_name": a.bank_account_name or None,
                "sort_code": mask(a.bank_sort_code) or None,
                "account_number": mask(a.bank_account_number) or None,
            }
            for a in accounts
        ],
        "claims": [
            {
                "engagement": c.engagement.title,
                "work_date": _iso(c.work_date),
                "status": c.get_status_display(),
                "pay": _pounds(c.pay_pence),
                "expenses": _pounds(c.expenses_pence),
                "total": _pounds(c.total_pence),
                "lines": [
                    {
                        "kind": line.get_kind_display(),
                        "description": line.description,
                        "how_worked_out": line.explanation,
                        "amount": _pounds(line.amount_pence),
                    }
                    for line in c.lines.all()
                ],
                "payouts": [
                    {
                        "how": p.get_rail_display(),
                        "paid_to": p.payee_name,
                        "amount": _pounds(p.amount_pence),
                        "status": p.get_status_display(),
                        "sent_at": _iso(p.sent_at),
                        "paid_at": _iso(p.paid_at),
                        "voucher": _voucher(p),
                    }
                    for p in c.payouts.all()
                ],
            }
            for c in claims
        ],
    }


def _voucher(payout: Payout) -> dict[str, Any] | None:
    voucher = getattr(payout, "voucher", None)
    if voucher is None:
        return None
    return {"supplier": voucher.supplier, "value": _pounds(voucher.value_pence), "issued_on": _iso(voucher.issued_on)}
