"""The bank transfer rail: a CSV file for the council's finance system, one line per payee, with a control total;
and reading the bank's confirmation file back. Payouts on this rail are SENT when the batch's file is generated,
and PAID or FAILED from the confirmation file (see payments/services/payouts.py).

The bank file (UTF-8, comma-separated, quoted only where needed; one record per line, the first field says what
the record is, in the spirit of BACS Standard 18's header, detail and trailer records):

    H,<batch reference>,<file date YYYY-MM-DD>,<partnership name>
    D,<payee name>,<sort code>,<account number>,<amount>,<payment reference>,<line reference>
    ...
    T,<number of D lines>,<control total>

- payee name: the name on the bank account, in capitals, in the BACS character set (A-Z, 0-9, space and . & / -;
  anything else becomes a space), at most 18 characters;
- sort code: 6 digits, no dashes; account number: 8 digits;
- amount and control total: pounds with 2 decimal places and no currency sign or thousands separator ("24.50");
- payment reference: "YS <batch reference>" (what the payee sees on their statement, at most 18 characters);
- line reference: "<batch reference>/<file number>/P<payee account id>" (file number: 1 for the batch's first bank
  file, 2 for a second one made for payments tried again, ...), unique in the file; the confirmation names it.
One D line per payee: every bank-rail payout of the batch to the same payee account is added into one line.

The bank's confirmation file (a header row, then one row per line of the bank file; columns in any order):

    line_reference,amount,status,reason
    PB-2026-0001/1/P17,24.50,paid,
    PB-2026-0001/1/P18,12.00,rejected,Account closed

- status is "paid" or "rejected"; reason is required for a rejected line (it is shown to finance);
- the amount must equal the line's amount in the bank file.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from payments.models import PaymentBatch, Payout, Rail
from payments.rails.base import RailResult

BACS_NAME_MAX = 18
BACS_DISALLOWED = re.compile(r"[^A-Z0-9 .&/\-]")
CONFIRMATION_COLUMNS = ("line_reference", "amount", "status", "reason")
PAID = "paid"
REJECTED = "rejected"
MAX_CONFIRMATION_ROWS = 100_000


class BankRail:
    rail: ClassVar[str] = Rail.BANK
    sends_in_task: ClassVar[bool] = False

    def send(self, payout: Payout) -> RailResult:
        return RailResult.waiting()  # sent when finance generates the batch's bank file

    def already_sent(self, payout: Payout) -> RailResult | None:
        return None


@dataclass(frozen=True)
class BankLine:
    payee_account_id: int
    payee_name: str
    sort_code: str
    account_number: str
    amount_pence: int


def pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def pence_from(text: str) -> int | None:
    """Pounds with at most 2 decimal places ("24.5", "24.50") as pence; None when it is not an amount."""
    cleaned = (text or "").strip().lstrip("£")
    if not re.fullmatch(r"\d{1,9}(\.\d{1,2})?", cleaned):
        return None
    try:
        return int(Decimal(cleaned) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern above already refuses it
        return None


def bacs_name(name: str) -> str:
    cleaned = BACS_DISALLOWED.sub(" ", (name or "").upper())
    return " ".join(cleaned.split())[:BACS_NAME_MAX].strip()


def payment_reference(batch: PaymentBatch) -> str:
    return f"YS {batch.reference}"[:BACS_NAME_MAX]


def line_reference(batch: PaymentBatch, export_number: int, payee_account_id: int) -> str:
    return f"{batch.reference}/{export_number}/P{payee_account_id}"


def parse_line_reference(batch: PaymentBatch, reference: str) -> tuple[int, int] | None:
    """(file number, payee account id) from a line reference of this batch; None if it is not one."""
    found = re.fullmatch(re.escape(batch.reference) + r"/(\d{1,6})/P(\d{1,12})", reference.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def build_bank_file(
    *,
    batch: PaymentBatch,
    lines: Iterable[BankLine],
    file_date: datetime.date,
    partnership_name: str,
    export_number: int = 1,
) -> tuple[str, int, int]:
    """The file's text, its number of D lines and its control total in pence."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["H", batch.reference, file_date.isoformat(), partnership_name])
    count = total = 0
    for line in lines:
        writer.writerow(
            [
                "D",
                bacs_name(line.payee_name),
                line.sort_code,
                line.account_number,
                pounds(line.amount_pence),
                payment_reference(batch),
                line_reference(batch, export_number, line.payee_account_id),
            ]
        )
        count += 1
        total += line.amount_pence
    writer.writerow(["T", count, pounds(total)])
    return out.getvalue(), count, total


@dataclass(frozen=True)
class ConfirmationLine:
    row: int
    line_reference: str
    amount_pence: int
    status: str
    reason: str


def parse_confirmation(text: str) -> tuple[list[ConfirmationLine], list[str]]:
    """The lines of the bank's confirmation file, and every problem found (each naming its row)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        return [], ["The file is empty."]
    header = ["line_reference" if cell == "reference" else cell for cell in header]
    missing = [column for column in CONFIRMATION_COLUMNS if column not in header]
    if missing:
        return [], [f"The first row must name the columns; missing: {', '.join(missing)}."]
    where = {column: header.index(column) for column in CONFIRMATION_COLUMNS}
    lines: list[ConfirmationLine] = []
    problems: list[str] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if number > MAX_CONFIRMATION_ROWS:
            problems.append(f"The file has more than {MAX_CONFIRMATION_ROWS:,} rows.")
            break
        cells = [cell.strip() for cell in row] + [""] * len(header)
        reference = cells[where["line_reference"]]
        amount = pence_from(cells[where["amount"]])
        status = cells[where["status"]].lower()
        reason = cells[where["reason"]]
        if not reference:
            problems.append(f"Row {number}: the line reference is missing.")
        if amount is None:
            problems.append(f"Row {number}: the amount must be pounds and pence, like 24.50.")
        if status not in (PAID, REJECTED):
            problems.append(f"Row {number}: the status must be paid or rejected.")
        elif status == REJECTED and not reason:
            problems.append(f"Row {number}: give the bank's reason for a rejected payment.")
        if reference and amount is not None and status in (PAID, REJECTED):
            lines.append(ConfirmationLine(number, reference, amount, status, reason[:500]))
    if not lines and not problems:
        problems.append("The file has no lines.")
    return lines, problems
