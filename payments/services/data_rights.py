"""Erasure of a young person's payment data (called by participants.services.data_rights.person_erase).

Kept for six years (HMRC: records of pay and expenses): claims, their lines and payouts, with amounts, dates and
the name paid. Erased: bank details on payee accounts (name, sort code, account number), the payment choice and
any nominated adult's details, and voucher codes. Payment files already sent to the council's finance system
are accounting records: they are kept as sent, and the report says so.
"""

from __future__ import annotations

from django.db import transaction

from participants.erasure import ErasureReport, delete_counted, membership_for_erasure
from participants.models import User
from payments.models import BankExport, Claim, PayeeAccount, PaymentSetup, Payout, Voucher

PAYMENT_RECORDS_WHY = "Payment records are kept for six years for tax and accounting (amounts and dates only)."


@transaction.atomic
def payments_erase_for_membership(*, actor: User | None, membership_id: int) -> ErasureReport:
    membership = membership_for_erasure(actor, membership_id)
    report = ErasureReport()
    mine = {"partnership_id": membership.partnership_id, "membership": membership}

    report.erase("your payment choice and any adult paid for you", delete_counted(PaymentSetup.objects.filter(**mine)))
    accounts = PayeeAccount.objects.filter(**mine)
    with_bank_details = accounts.exclude(bank_sort_code="", bank_account_number="", bank_account_name="").count()
    accounts.update(bank_account_name="", bank_sort_code="", bank_account_number="", unavailable_reason="")
    report.erase("bank details", with_bank_details)
    report.keep(
        "payment accounts (without bank details)",
        accounts.count(),
        "The payments made to them are kept for six years; the bank details are gone.",
    )
    vouchers = Voucher.objects.filter(partnership_id=membership.partnership_id, payout__claim__membership=membership)
    report.erase("voucher codes", vouchers.exclude(code="").count())
    vouchers.update(code="")
    claims = Claim.objects.filter(**mine)
    report.keep("payment claims", claims.count(), PAYMENT_RECORDS_WHY)
    report.keep(
        "payments",
        Payout.objects.filter(partnership_id=membership.partnership_id, claim__membership=membership).count(),
        PAYMENT_RECORDS_WHY,
    )
    files = BankExport.objects.filter(partnership_id=membership.partnership_id, batch__claims__membership=membership)
    report.keep(
        "payment files sent to the council's finance system",
        files.distinct().count(),
        "Accounting records kept for six years as they were sent, including the bank details on them.",
    )
    return report
