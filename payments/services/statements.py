"""What the young person is told about being paid: a payout marked paid (on any rail) and the remittance advice
that follows it, their payments page, and the yearly statement of earnings (a PDF).

The rules:
- `payout_mark_paid` and `payout_mark_failed` are the one way a payout ends, whatever the rail (Stripe webhooks,
  the bank's confirmation file, a voucher issued). The caller has checked the actor may act, and holds the payout
  locked (select_for_update) inside its transaction. The payout moves first, then its claim (lock order: payout,
  then claim), each through `transition`, so both are audited. A claim that cannot follow (it is not in a batch)
  is left as it is and logged: the payout's own state is still the truth.
- Remittance advice goes to the young person (always them, even when the money went to a nominated adult: the
  advice names the nominee), by email, after the payout is PAID and the transaction has committed. It says what
  the money is for (the engagement and its date), when it was paid, how much (each pay and expense line) and how
  (through Stripe to a bank account, by bank transfer, or as a gift voucher). `remittance_send_for` sets
  `remittance_sent_at` with a conditional update first, so however often it runs (a task run twice, two rails
  confirming at once) one email is sent. A voucher's code is never put in the email.
- The yearly statement covers one UK tax year, 6 April to 5 April, and lists paid payouts only (by the date they
  were paid, in UK time). Pay (earnings) and expenses (money paid back, which is not earnings) are totalled
  separately.
- The young person reads only their own payments (their membership in the partnership they act in).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from io import BytesIO
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.audit import audit_record
from core.dates import long_date
from core.tasks import send_email_message
from core.workflows import transition
from participants.models import Role
from payments.models import Claim, ClaimLine, PayeeAccount, PaymentSetup, Payout, Rail
from payments.selectors.accounts import route_for

if TYPE_CHECKING:
    from participants.models import Membership, User

logger = logging.getLogger(__name__)

UK = ZoneInfo("Europe/London")
FIRST_STATEMENT_YEAR = 2000


def pounds(pence: int) -> str:
    """1234 -> '£12.34'."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def _paid_on(payout: Payout) -> datetime.date | None:
    return timezone.localtime(payout.paid_at, UK).date() if payout.paid_at else None


def how_paid(payout: Payout) -> str:
    """How the money was paid, in plain words for the young person ('by bank transfer')."""
    account = payout.payee_account
    nominee = account.holder_name if account is not None and account.for_nominee else ""
    if payout.rail == Rail.STRIPE:
        return f"through Stripe to {nominee}'s bank account" if nominee else "through Stripe to your bank account"
    if payout.rail == Rail.BANK:
        return f"by bank transfer to {nominee}" if nominee else "by bank transfer"
    voucher = getattr(payout, "voucher", None)
    if voucher is not None:
        return f"as a {voucher.supplier} gift voucher"
    return "as a gift voucher"


# --- A payout ends: paid or failed -------------------------------------------------------------------------------


def can_move(model: type[Claim] | type[Payout], current: str, to: str) -> bool:
    """Whether the model's transitions map allows current -> to."""
    allowed: dict[str, set[str]] = getattr(model, "TRANSITIONS", {})
    return to in allowed.get(current, set())


def payout_mark_paid(
    *,
    payout: Payout,
    actor: User | None,
    paid_at: datetime.datetime | None = None,
    payload: dict[str, Any] | None = None,
    extra_update_fields: list[str] | None = None,
) -> Payout:
    """Move a payout to PAID (and its claim to PAID), then send the remittance advice after commit.

    Call inside the caller's transaction with `payout` locked (select_for_update); the caller has checked the
    actor may act (None: the system, e.g. a Stripe webhook). Fields the caller changed on the payout before the
    move (e.g. `stripe_payout_id`) are saved with it when named in `extra_update_fields`.
    """
    payout.paid_at = paid_at or timezone.now()
    transition(
        payout,
        to=Payout.Status.PAID,
        actor=actor,
        payload=payload,
        extra_update_fields=["paid_at", *(extra_update_fields or [])],
    )
    claim = Claim.objects.select_for_update().get(pk=payout.claim_id)
    if can_move(Claim, claim.status, Claim.Status.PAID):
        transition(claim, to=Claim.Status.PAID, actor=actor, payload={"payout": payout.pk})
    else:
        logger.warning(
            "Payout %s was paid but its claim %s is %s, so the claim was left as it is.",
            payout.pk,
            claim.pk,
            claim.status,
        )
    from payments.webhook_tasks import send_remittance

    transaction.on_commit(partial(send_remittance.delay, payout_id=payout.pk))
    return payout


def payout_mark_failed(
    *,
    payout: Payout,
    actor: User | None,
    reason: str,
    payload: dict[str, Any] | None = None,
    extra_update_fields: list[str] | None = None,
) -> Payout:
    """Move a payout to FAILED with the reason (Stripe's own words where there are some), and its claim from
    BATCHED to FAILED, so it comes back to finance on the payouts page. Nothing is sent to the young person.

    Same contract as `payout_mark_paid`: inside the caller's transaction, payout locked, permission checked."""
    payout.failure_reason = reason.strip()[:2000] or "The payment failed."
    payout.failed_at = timezone.now()
    transition(
        payout,
        to=Payout.Status.FAILED,
        actor=actor,
        payload={**(payload or {}), "reason": payout.failure_reason},
        extra_update_fields=["failure_reason", "failed_at", *(extra_update_fields or [])],
    )
    claim = Claim.objects.select_for_update().get(pk=payout.claim_id)
    if can_move(Claim, claim.status, Claim.Status.FAILED):
        transition(
            claim, to=Claim.Status.FAILED, actor=actor, payload={"payout": payout.pk, "reason": payout.failure_reason}
        )
    else:
        logger.warning(
            "Payout %s failed but its claim %s is %s, so the claim was left as it is.",
            payout.pk,
            claim.pk,
            claim.status,
        )
    return payout


# --- Remittance advice ---------------------------------------------------------------------------------------------


def _link(name: str, *args: Any) -> str:
    try:
        return str(settings.SITE_URL).rstrip("/") + reverse(name, args=args)
    except NoReverseMatch:  # pragma: no cover - the pages are always installed
        return str(settings.SITE_URL)


def remittance_text(payout: Payout) -> tuple[str, str]:
    """The remittance advice email (subject, body): what for, when, how much, how. No bank details, no codes."""
    claim = payout.claim
    user = claim.membership.user
    engagement = claim.engagement
    paid_on = _paid_on(payout)
    lines = list(claim.lines.all())
    pay = [line for line in lines if line.kind == ClaimLine.Kind.PAY]
    expenses = [line for line in lines if line.kind == ClaimLine.Kind.EXPENSE]
    parts = [
        f"Hi {user.get_short_name()},",
        f"You have been paid {pounds(payout.amount_pence)} for {engagement.title} on {long_date(claim.work_date)}.",
        "\n".join(
            [
                f"Paid on: {long_date(paid_on) if paid_on else 'today'}",
                f"How: {how_paid(payout)}",
                f"Amount: {pounds(payout.amount_pence)}",
            ]
        ),
    ]
    if pay:
        parts.append(
            "Pay:\n"
            + "\n".join(f"- {line.description}: {pounds(line.amount_pence)} ({line.explanation})" for line in pay)
        )
    if expenses:
        parts.append(
            "Expenses paid back:\n"
            + "\n".join(f"- {line.description}: {pounds(line.amount_pence)}" for line in expenses)
            + "\nExpenses pay you back for what you spent. They are not earnings."
        )
    if payout.rail == Rail.STRIPE:
        parts.append("Stripe sends the money to the bank account you gave them. It can take a few days to show.")
    parts.append(f"See all your payments and your yearly statement:\n{_link('my_payments')}")
    parts.append(f"From {payout.partnership.name}")
    return f"You have been paid for {engagement.title}", "\n\n".join(parts)


@transaction.atomic
def remittance_send_for(payout_id: int) -> bool:
    """Send the remittance advice for a PAID payout, once. Returns whether this call sent it.

    Safe to call any number of times, from any rail: the first call that finds the payout PAID with no
    `remittance_sent_at` sets it (a conditional UPDATE, so two at once cannot both win) and enqueues the email
    after commit; every other call does nothing."""
    now = timezone.now()
    won = Payout.objects.filter(pk=payout_id, status=Payout.Status.PAID, remittance_sent_at__isnull=True).update(
        remittance_sent_at=now
    )
    if not won:
        return False
    payout = (
        Payout.objects.select_related(
            "claim__engagement", "claim__membership__user", "payee_account", "partnership", "voucher"
        )
        .prefetch_related("claim__lines")
        .get(pk=payout_id)
    )
    subject, body = remittance_text(payout)
    to = payout.claim.membership.user.email
    audit_record(
        actor=None,
        partnership=payout.partnership,
        subject=payout,
        event_type="payout.remittance_sent",
        payload={"rail": payout.rail, "amount_pence": payout.amount_pence},
    )
    transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[to]))
    return True


# --- The young person's payments page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnLine:
    kind: str
    description: str
    explanation: str
    amount: str


@dataclass
class OwnClaim:
    """One claim as the young person sees it (amounts already in pounds, for the page)."""

    claim: Claim
    payout: Payout | None
    status_text: str
    tag: str
    how: str = ""
    paid_on: datetime.date | None = None
    lines: list[OwnLine] = field(default_factory=list)
    waiting_for_details: bool = False

    @property
    def pay(self) -> str:
        return pounds(self.claim.pay_pence)

    @property
    def expenses(self) -> str:
        return pounds(self.claim.expenses_pence)

    @property
    def total(self) -> str:
        return pounds(self.claim.total_pence)


@dataclass
class OwnPayments:
    claims: list[OwnClaim]  # the page's
    waiting_for_details: bool
    statement_years: list[int]
    page: Page[Claim] | None = None


def _young_person(actor: User) -> Membership:
    membership = actor.membership
    if membership is None or Role.YOUNG_PERSON not in actor.roles:
        raise PermissionDenied("Only young people have a payments page.")
    return membership


def _current_payout(claim: Claim) -> Payout | None:
    return _current_of(claim.payouts.all())


def _current_of(payouts: Iterable[Payout]) -> Payout | None:
    """The live payout, newest first, else the newest of any."""
    newest_first = sorted(payouts, key=lambda p: p.pk, reverse=True)
    live = [p for p in newest_first if p.status in Payout.LIVE]
    return live[0] if live else (newest_first[0] if newest_first else None)


@dataclass
class OwnStatus:
    text: str
    tag: str
    how: str = ""
    paid_on: datetime.date | None = None
    waiting_for_details: bool = False


def own_claim_status(claim: Claim, payout: Payout | None, ready: bool) -> OwnStatus:
    """Where a claim stands, in plain words for the young person, with the tag colour of the page."""
    paid = payout is not None and payout.status == Payout.Status.PAID
    if claim.status == Claim.Status.DECLINED:
        return OwnStatus("Not paid: you chose not to be paid for this", "govuk-tag--grey")
    if paid and payout is not None:
        paid_on = _paid_on(payout)
        how = how_paid(payout)
        when = f" on {long_date(paid_on)}" if paid_on else ""
        return OwnStatus(f"Paid{when} {how}", "govuk-tag--green", how=how, paid_on=paid_on)
    if claim.status == Claim.Status.FAILED or (payout is not None and payout.status == Payout.Status.FAILED):
        return OwnStatus("Payment failed: we are sorting it out", "govuk-tag--yellow")
    if payout is not None and payout.status == Payout.Status.SENT:
        text = "Sent to Stripe: on its way to your bank account" if payout.rail == Rail.STRIPE else "Sent: on its way"
        return OwnStatus(text, "govuk-tag--blue", how=how_paid(payout))
    if payout is not None and payout.status == Payout.Status.REVERSED:
        return OwnStatus("Payment taken back: we are sorting it out", "govuk-tag--yellow")
    if claim.status == Claim.Status.OPEN and not ready:
        return OwnStatus("Waiting for your payment details", "govuk-tag--yellow", waiting_for_details=True)
    return OwnStatus("In the next payment run", "govuk-tag--blue")


def describe_own_claim(claim: Claim, ready: bool) -> OwnClaim:
    payout = _current_payout(claim)
    status = own_claim_status(claim, payout, ready)
    return OwnClaim(
        claim=claim,
        payout=payout,
        status_text=status.text,
        tag=status.tag,
        how=status.how,
        paid_on=status.paid_on,
        waiting_for_details=status.waiting_for_details,
        lines=[
            OwnLine(
                kind=line.get_kind_display(),
                description=line.description,
                explanation=line.explanation,
                amount=pounds(line.amount_pence),
            )
            for line in claim.lines.all()
        ],
    )


def tax_year_of(day: datetime.date) -> int:
    """The UK tax year a day falls in, named by the year it starts (6 April 2025 to 5 April 2026 is 2025)."""
    return day.year if (day.month, day.day) >= (4, 6) else day.year - 1


OWN_PAGE_SIZE = 20  # claims a page, newest first: as the impact feed, a page a phone loads quickly


def _own_claims(membership: Membership) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(partnership_id=membership.partnership_id, membership=membership)
        .select_related("engagement", "membership__user")
        .prefetch_related(
            "lines",
            Prefetch("payouts", queryset=Payout.objects.select_related("payee_account", "voucher")),
        )
        .order_by("-work_date", "-pk")
    )


def own_payments(actor: User, page_number: Any = 1) -> OwnPayments:
    """One page of the young person's own claims (newest first), each with its lines, current payout and plain status;
    whether any claim of theirs waits for their payment details; and the tax years they were paid in."""
    membership = _young_person(actor)
    page = Paginator(_own_claims(membership), OWN_PAGE_SIZE).get_page(page_number)
    setup = PaymentSetup.objects.filter(membership=membership, partnership_id=membership.partnership_id).first()
    accounts = {
        account.rail: account
        for account in PayeeAccount.objects.filter(membership=membership, partnership_id=membership.partnership_id)
    }
    views = [describe_own_claim(claim, route_for(claim, setup, accounts).ready) for claim in page.object_list]
    # Waiting for details is a state of an open claim, wherever it is in the list: asked of every open one (unpaid
    # claims, a handful) with the same rule as each card's status, in two queries whatever there is.
    open_claims = list(
        Claim.objects.filter(
            partnership_id=membership.partnership_id, membership=membership, status=Claim.Status.OPEN
        ).select_related("membership__user")  # route_for names the payee
    )
    open_payouts: dict[int, list[Payout]] = {claim.pk: [] for claim in open_claims}
    for payout in Payout.objects.filter(
        partnership_id=membership.partnership_id, claim__membership=membership, claim__status=Claim.Status.OPEN
    ).select_related("payee_account", "voucher"):
        open_payouts.setdefault(payout.claim_id, []).append(payout)
    waiting = any(
        own_claim_status(
            claim, _current_of(open_payouts[claim.pk]), route_for(claim, setup, accounts).ready
        ).waiting_for_details
        for claim in open_claims
    )
    paid_days = (
        Payout.objects.filter(
            partnership_id=membership.partnership_id,
            claim__membership=membership,
            status=Payout.Status.PAID,
            paid_at__isnull=False,
        )
        .annotate(day=TruncDate("paid_at", tzinfo=UK))
        .values_list("day", flat=True)
        .distinct()
    )
    years = {tax_year_of(day) for day in paid_days}
    years.add(tax_year_of(timezone.localdate()))
    return OwnPayments(
        claims=views, waiting_for_details=waiting, statement_years=sorted(years, reverse=True), page=page
    )


# --- The yearly statement of earnings ------------------------------------------------------------------------------


@dataclass
class StatementRow:
    paid_on: datetime.date
    engagement: str
    work_date: datetime.date
    pay_pence: int
    expenses_pence: int
    how: str


@dataclass
class EarningsStatement:
    name: str
    partnership: str
    year: int
    starts: datetime.date
    ends: datetime.date
    rows: list[StatementRow]

    @property
    def total_pay_pence(self) -> int:
        return sum(row.pay_pence for row in self.rows)

    @property
    def total_expenses_pence(self) -> int:
        return sum(row.expenses_pence for row in self.rows)

    @property
    def total_pence(self) -> int:
        return self.total_pay_pence + self.total_expenses_pence

    @property
    def period(self) -> str:
        return f"{long_date(self.starts)} to {long_date(self.ends)}"


def tax_year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """[6 April `year` 00:00, 6 April `year + 1` 00:00) in UK time."""
    return (
        datetime.datetime(year, 4, 6, tzinfo=UK),
        datetime.datetime(year + 1, 4, 6, tzinfo=UK),
    )


def statement_year_valid(year: int) -> bool:
    return FIRST_STATEMENT_YEAR <= year <= tax_year_of(timezone.localdate())


def earnings_statement_for(actor: User, year: int) -> EarningsStatement:
    """The young person's own paid payouts in the tax year starting 6 April `year` (paid payouts only)."""
    membership = _young_person(actor)
    starts, ends = tax_year_bounds(year)
    payouts = list(
        Payout.objects.filter(
            partnership_id=membership.partnership_id,
            claim__membership=membership,
            status=Payout.Status.PAID,
            paid_at__gte=starts,
            paid_at__lt=ends,
        )
        .select_related("claim__engagement", "payee_account", "voucher")
        .order_by("paid_at", "pk")
    )
    rows = []
    for payout in payouts:
        claim = payout.claim
        paid_on = _paid_on(payout)
        if paid_on is None:  # pragma: no cover - filtered on paid_at above
            continue
        rows.append(
            StatementRow(
                paid_on=paid_on,
                engagement=claim.engagement.title,
                work_date=claim.work_date,
                pay_pence=claim.pay_pence,
                expenses_pence=claim.expenses_pence,
                how=how_paid(payout),
            )
        )
    return EarningsStatement(
        name=membership.user.full_name,
        partnership=membership.partnership.name,
        year=year,
        starts=starts.date(),
        ends=(ends - datetime.timedelta(days=1)).date(),
        rows=rows,
    )


def earnings_statement_pdf(statement: EarningsStatement) -> bytes:
    """The statement as a PDF (reportlab), in the house style of the reference letter: page compression off and
    `invariant=1`, so the same statement gives the same bytes and its words can be found in them."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    body.fontSize = 10
    body.leading = 14
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Statement of earnings {statement.year} to {statement.year + 1}",
        author=statement.partnership,
        pageCompression=0,
        invariant=1,
    )
    story: list[Any] = [
        Paragraph(escape(statement.partnership), styles["Heading2"]),
        Paragraph(f"Statement of earnings: {escape(statement.period)}", styles["Heading3"]),
        Paragraph(f"Name: {escape(statement.name)}", body),
        Paragraph(f"Tax year: {escape(statement.period)}", body),
        Spacer(1, 4 * mm),
        Paragraph(
            "This statement lists every payment made to you in this tax year for your work as a young scrutineer. "
            "You can show it when you claim benefits, or use it for tax. Pay counts as earnings. Expenses pay you "
            "back for what you spent and are not earnings.",
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    if statement.rows:
        cell = styles["BodyText"].clone("cell", fontSize=9, leading=11)
        data: list[list[Any]] = [["Date paid", "For", "Pay", "Expenses", "How paid"]]
        for row in statement.rows:
            data.append(
                [
                    long_date(row.paid_on),
                    Paragraph(f"{escape(row.engagement)} ({long_date(row.work_date)})", cell),
                    pounds(row.pay_pence),
                    pounds(row.expenses_pence),
                    Paragraph(escape(row.how), cell),
                ]
            )
        data.append(["Total", "", pounds(statement.total_pay_pence), pounds(statement.total_expenses_pence), ""])
        table = Table(data, colWidths=[28 * mm, 62 * mm, 22 * mm, 22 * mm, 40 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (2, 0), (3, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                ]
            )
        )
        story += [table, Spacer(1, 6 * mm)]
    else:
        story += [Paragraph("No payments were made to you in this tax year.", body), Spacer(1, 4 * mm)]
    story += [
        Paragraph(f"Earnings (pay): {pounds(statement.total_pay_pence)}", body),
        Paragraph(f"Expenses paid back (not earnings): {pounds(statement.total_expenses_pence)}", body),
        Paragraph(f"Total received: {pounds(statement.total_pence)}", body),
        Spacer(1, 6 * mm),
        Paragraph(
            f"If something here looks wrong, contact {escape(statement.partnership)}. Produced on "
            f"{long_date(timezone.localdate())}.",
            body,
        ),
    ]
    document.build(story)
    return buffer.getvalue()
