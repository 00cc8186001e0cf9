"""Writes for claims: what a young person is owed for one approved work log, each line explained in plain words.

`claim_create_from_work_log(actor=..., work_log_id=...)` (finance officers, or the system with actor=None):
- The log must be approved and not yet claimed: one claim per log. The log's row is locked first, so two requests
  (or a request and a task) at the same moment make one claim and one refusal; the one-to-one key backs it up.
- The work date is the engagement's start, in local time. The age is taken on that date from the date of birth on
  the young person's profile, giving the pay band (under 16, 16 to 17, 18 to 20, 21 and over).
- The rate is the partnership's rate for the engagement's type and that band in force on the work date
  (payments.selectors.rates.rate_for). None: "No pay rate for <type>, <band> on <date>: add one on the rates page".
- Pay, by the rate's basis:
  * by the hour: the approved preparation and session time x the rate, rounded to the nearest penny (half a penny
    up), "2 hours 30 minutes at £12.71 an hour". Travel time is not paid: no partnership setting says it is, and
    time spent getting to a one-off place of work is not working time for the minimum wage. The explanation says so.
  * a session fee: the fee, "A fee of £30.00 for the session".
- The minimum wage, when the partnership employs its young people and the young person is past compulsory school
  age on the work date (the last Friday of June of the school year in which they turn 16: a summer-born 15-year-old
  can be past it, a 16-year-old can still be below it): an hourly rate below the minimum for their age on that
  date, or a session fee that comes to less an hour for the approved preparation and session time, is refused
  naming the figures. Nobody is silently underpaid; the rate is fixed on the rates page and the claim made again.
- Expenses: each approved expense, pounds and pence to pence exactly, "Bus fare (receipt)". The partnership's
  expenses policy is applied and explained on the line: travel or food not repaid if the policy says so, food up to
  its limit per engagement, and an expense of the receipt amount or more with no receipt not repaid.
- The payment choice is the young person's standing choice (PaymentSetup; money when they have made none):
  money, vouchers (the same amounts, paid as a gift voucher), or declined: the pay line is £0, "You chose not to be
  paid for your time", while expenses are still repaid, because they are not pay. No rate is needed to decline.
- A claim with nothing to pay (declined with no expenses, or travel time only) is moved to DECLINED at once.
- Then the log is marked claimed (engagements.services.claiming.work_log_mark_claimed), in the same transaction.

`claims_create_from_ready_logs(actor=...)`: the finance page's button. Each approved, unclaimed log in turn, each in
its own transaction (one refusal does not undo the others); returns the claims made and each refusal in plain words.

`claim_choice_set(actor=..., claim_id=..., choice=...)`: a young person changes the choice for one of their own claims
that is not in a payment batch yet; the pay line is worked out again (and checked against the minimum wage again).

`claim_create_when_approved(work_log_id=...)`: the hook for engagements' approval (or a Celery task) to call once a
log is approved: makes the claim as the system, or leaves the log approved, for the finance page to show the
problem, when it cannot. Safe to call twice.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.workflows import transition
from engagements.employment_law import below_school_leaving_age
from engagements.models import Engagement, Expense, OpportunityType, PayBasis, WorkLog
from engagements.selectors.work_logs import work_logs_ready_to_claim
from engagements.services.claiming import work_log_mark_claimed
from engagements.services.work_logs import format_minutes
from participants.models import User, YoungPersonProfile
from payments.models import AgeBand, Claim, ClaimLine, ExpensesPolicy, PaymentChoice, PaymentSetup, PayRate
from payments.selectors.rates import (
    age_band_for_age,
    expenses_policy_for,
    long_date,
    minimum_wage_problem,
    pounds,
    rate_for,
    wage_band_for_age,
)

logger = logging.getLogger(__name__)

CHANGE_CLAIM = "payments.change_claim"
CHANGE_OWN_SETUP = "payments.change_own_paymentsetup"
# The most logs one press of "Create claims from approved work logs" turns into claims; press again for more.
MAX_CLAIMS_PER_RUN = 500
DECLINED_TEXT = "You chose not to be paid for your time"


# --- Working out the lines ----------------------------------------------------------------------------------------


def pence_from_pounds(amount: Decimal) -> int:
    """Pounds and pence as a Decimal to whole pence, exactly (an amount with part of a penny is refused)."""
    pence = amount * 100
    if pence != pence.to_integral_value():
        raise ApplicationError(f"{amount} is not an amount in pounds and pence.", extra={"field": "expenses"})
    return int(pence)


def hourly_pay_pence(minutes: int, rate_pence: int) -> int:
    """minutes x rate / 60, to the nearest penny, half a penny up (whole numbers only, so exact)."""
    return (minutes * rate_pence + 30) // 60


@dataclass(frozen=True)
class Line:
    kind: str
    description: str
    explanation: str
    amount_pence: int


@dataclass(frozen=True)
class Pay:
    rate: PayRate | None
    line: Line


def _no_rate(engagement: Engagement, band: str, work_date: datetime.date) -> ApplicationError:
    return ApplicationError(
        f"No pay rate for {OpportunityType(engagement.opportunity_type).label}, {AgeBand(band).label.lower()} on "
        f"{long_date(work_date)}: add one on the rates page",
        extra={
            "field": "rate",
            "reason": "no_rate",
            "opportunity_type": engagement.opportunity_type,
            "age_band": band,
            "work_date": work_date.isoformat(),
        },
    )


def _paid_minutes(log: WorkLog) -> tuple[int, int, int]:
    figures = (log.approved_preparation_minutes, log.approved_session_minutes, log.approved_travel_minutes)
    if any(value is None for value in figures):
        raise ApplicationError(
            "This work log has no approved time, so it cannot be claimed.", extra={"field": "work_log"}
        )
    preparation, session, travel = (int(value or 0) for value in figures)
    return preparation, session, travel


def work_pay(
    *,
    log: WorkLog,
    engagement: Engagement,
    choice: str,
    band: str,
    date_of_birth: datetime.date,
    work_date: datetime.date,
    employs: bool,
) -> Pay:
    """The pay line for an approved log, or an ApplicationError naming the field (no rate, or below the minimum)."""
    rate = rate_for(engagement.partnership_id, engagement.opportunity_type, band, work_date)
    if choice == PaymentChoice.DECLINED:
        return Pay(rate=rate, line=Line(ClaimLine.Kind.PAY, "Pay for your time", DECLINED_TEXT, 0))
    if rate is None:
        raise _no_rate(engagement, band, work_date)
    preparation, session, travel = _paid_minutes(log)
    worked = preparation + session
    minimum_applies = employs and not below_school_leaving_age(date_of_birth, work_date)
    age = _age_on(date_of_birth, work_date)
    if rate.basis == PayBasis.SESSION:
        problem = (
            minimum_wage_problem(
                band=wage_band_for_age(age),
                on_date=work_date,
                pay_pence=rate.amount_pence,
                minutes=worked,
                session_fee=True,
            )
            if minimum_applies
            else None
        )
        line = Line(
            ClaimLine.Kind.PAY,
            "Session fee",
            f"A fee of {pounds(rate.amount_pence)} for the session",
            rate.amount_pence,
        )
    else:
        problem = (
            minimum_wage_problem(band=wage_band_for_age(age), on_date=work_date, pay_pence=rate.amount_pence)
            if minimum_applies
            else None
        )
        parts = [f"preparation {format_minutes(preparation)}"] if preparation else []
        parts.append(f"session {format_minutes(session)}")
        explanation = f"{format_minutes(worked)} at {pounds(rate.amount_pence)} an hour ({', '.join(parts)})"
        if travel:
            explanation += f"; travel time ({format_minutes(travel)}) is not paid"
        line = Line(
            ClaimLine.Kind.PAY,
            "Pay for your time",
            explanation[:300],
            hourly_pay_pence(worked, rate.amount_pence),
        )
    if problem:
        raise ApplicationError(
            f"{problem}. The partnership employs its young people, so this cannot be paid: change the rate for "
            f"{OpportunityType(engagement.opportunity_type).label}, {AgeBand(band).label.lower()} on the rates page.",
            extra={"field": "rate", "reason": "below_minimum_wage", "rate": rate.pk},
        )
    return Pay(rate=rate, line=line)


def _age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    return YoungPersonProfile(date_of_birth=date_of_birth).age_on(day)


def expense_lines(expenses: list[Expense], policy: ExpensesPolicy) -> list[Line]:
    """One line per approved expense, in the order they were added, with the expenses policy applied."""
    lines: list[Line] = []
    food_paid = 0
    for expense in expenses:
        claimed = pence_from_pounds(expense.amount)
        approved = pence_from_pounds(expense.approved_amount if expense.approved_amount is not None else expense.amount)
        has_receipt = bool(expense.receipt)
        what = expense.description.strip()[:150]
        notes: list[str] = []
        if approved != claimed:
            notes.append(f"{pounds(claimed)} claimed, {pounds(approved)} approved")
        paid = approved
        if expense.kind == Expense.Kind.TRAVEL and not policy.travel_allowed:
            paid = 0
            notes.append("travel is not repaid under the partnership's expenses policy")
        elif expense.kind == Expense.Kind.FOOD and not policy.food_allowed:
            paid = 0
            notes.append("food is not repaid under the partnership's expenses policy")
        elif not has_receipt and approved and approved >= policy.receipt_required_from_pence:
            paid = 0
            notes.append(
                f"not repaid without a receipt: expenses of {pounds(policy.receipt_required_from_pence)} "
                "or more need one"
            )
        elif expense.kind == Expense.Kind.FOOD:
            left = max(policy.food_limit_pence - food_paid, 0)
            if paid > left:
                paid = left
                notes.append(f"food is repaid up to {pounds(policy.food_limit_pence)} an engagement")
            food_paid += paid
        receipt = "receipt" if has_receipt else "no receipt"
        explanation = f"{what} ({receipt})" + (f": {'; '.join(notes)}" if notes else "")
        lines.append(
            Line(
                ClaimLine.Kind.EXPENSE,
                f"{Expense.Kind(expense.kind).label}: {expense.description}"[:200],
                explanation[:300],
                paid,
            )
        )
    return lines


# --- Making a claim -----------------------------------------------------------------------------------------------


def _date_of_birth(log: WorkLog) -> datetime.date:
    # Only the date of birth: the profile's other fields (health, access needs) are not read here.
    born = (
        YoungPersonProfile.objects.filter(membership_id=log.membership_id)
        .values_list("date_of_birth", flat=True)
        .first()
    )
    if born is None:
        raise ApplicationError(
            f"There is no date of birth for {log.membership.user.full_name}, so their pay band is not known: ask their "
            "participation worker to add it to their profile.",
            extra={"field": "date_of_birth", "reason": "no_date_of_birth"},
        )
    return born


def _standing_choice(membership_id: int) -> str:
    choice = PaymentSetup.objects.filter(membership_id=membership_id).values_list("choice", flat=True).first()
    return choice or PaymentChoice.MONEY


def _lock_log(actor: User | None, work_log_id: int) -> WorkLog:
    logs = WorkLog.objects.select_for_update(of=("self",)).select_related(
        "engagement", "engagement__partnership", "membership__user"
    )
    if actor is not None:
        logs = logs.filter(partnership_id=actor.partnership.pk)
    return get_object_or_404(logs, pk=work_log_id)


@transaction.atomic
def claim_create_from_work_log(*, actor: User | None, work_log_id: int) -> Claim:
    """Make the claim for an approved work log (see the module's notes for every rule)."""
    if actor is not None:
        require(actor, CHANGE_CLAIM)
    log = _lock_log(actor, work_log_id)
    if actor is not None:
        require(actor, CHANGE_CLAIM, log)
    if Claim.objects.filter(work_log_id=log.pk).exists() or log.status == WorkLog.Status.CLAIMED:
        raise ApplicationError(
            "This work log has already been claimed.", extra={"field": "work_log", "reason": "already_claimed"}
        )
    if log.status != WorkLog.Status.APPROVED:
        raise ApplicationError(
            f"Only an approved work log can be claimed: this one is {log.get_status_display().lower()}.",
            extra={"field": "work_log", "reason": "not_approved"},
        )
    engagement = log.engagement
    partnership = engagement.partnership
    work_date = timezone.localdate(engagement.starts_at)
    date_of_birth = _date_of_birth(log)
    band = age_band_for_age(_age_on(date_of_birth, work_date))
    choice = _standing_choice(log.membership_id)
    pay = work_pay(
        log=log,
        engagement=engagement,
        choice=choice,
        band=band,
        date_of_birth=date_of_birth,
        work_date=work_date,
        employs=partnership.employs_young_people,
    )
    expenses = list(log.expenses.order_by("pk"))
    lines = [pay.line, *expense_lines(expenses, expenses_policy_for(partnership))]
    pay_pence = sum(line.amount_pence for line in lines if line.kind == ClaimLine.Kind.PAY)
    expenses_pence = sum(line.amount_pence for line in lines if line.kind == ClaimLine.Kind.EXPENSE)
    claim = Claim(
        partnership=partnership,
        membership_id=log.membership_id,
        work_log=log,
        engagement=engagement,
        work_date=work_date,
        age_band=band,
        choice=choice,
        rate=pay.rate,
        pay_pence=pay_pence,
        expenses_pence=expenses_pence,
        total_pence=pay_pence + expenses_pence,
        created_by=actor,
        created_at=timezone.now(),
    )
    claim.full_clean(exclude=["partnership", "membership", "work_log", "engagement", "rate", "batch", "created_by"])
    claim.save()
    ClaimLine.objects.bulk_create(
        [
            ClaimLine(
                partnership=partnership,
                claim=claim,
                kind=line.kind,
                description=line.description,
                explanation=line.explanation,
                amount_pence=line.amount_pence,
            )
            for line in lines
        ]
    )
    audit_record(
        actor=actor,
        partnership=partnership,
        subject=claim,
        event_type="claim.created",
        payload={
            "work_log": log.pk,
            "age_band": band,
            "choice": choice,
            "rate": pay.rate.pk if pay.rate else None,
            "pay_pence": pay_pence,
            "expenses_pence": expenses_pence,
            "total_pence": claim.total_pence,
        },
    )
    if claim.total_pence == 0:
        transition(
            claim,
            to=Claim.Status.DECLINED,
            actor=actor,
            payload={"reason": "declined" if choice == PaymentChoice.DECLINED else "nothing_to_pay"},
        )
    work_log_mark_claimed(work_log_id=log.pk, actor=actor)
    return claim


@dataclass(frozen=True)
class ClaimProblem:
    """Why one approved work log could not be claimed, for the finance page."""

    work_log_id: int
    full_name: str
    engagement_title: str
    work_date: datetime.date
    message: str
    field: str


def claims_create_from_ready_logs(*, actor: User) -> tuple[list[Claim], list[ClaimProblem]]:
    """A claim for each approved, unclaimed log (oldest decision first, at most MAX_CLAIMS_PER_RUN), each in its own
    transaction. A log claimed by someone else meanwhile is skipped, not a problem."""
    require(actor, CHANGE_CLAIM)
    ready = (
        work_logs_ready_to_claim(actor)
        .filter(claim__isnull=True)
        .values_list("pk", "membership__user__full_name", "engagement__title", "engagement__starts_at")
    )
    made: list[Claim] = []
    problems: list[ClaimProblem] = []
    for work_log_id, full_name, title, starts_at in list(ready[:MAX_CLAIMS_PER_RUN]):
        try:
            made.append(claim_create_from_work_log(actor=actor, work_log_id=work_log_id))
        except ApplicationError as error:
            if error.extra.get("reason") == "already_claimed":
                continue
            problems.append(
                ClaimProblem(
                    work_log_id=work_log_id,
                    full_name=full_name,
                    engagement_title=title,
                    work_date=timezone.localdate(starts_at),
                    message=error.message,
                    field=str(error.extra.get("field", "")),
                )
            )
    return made, problems


def claim_create_when_approved(*, work_log_id: int) -> Claim | None:
    """The hook for when a log is approved (call it on commit, or from a Celery task that takes the id): the claim is
    made by the system. When it cannot be (no rate yet, below the minimum wage, no date of birth) the log stays
    approved and the finance page's "Create claims from approved work logs" shows why. Safe to run twice."""
    try:
        return claim_create_from_work_log(actor=None, work_log_id=work_log_id)
    except ApplicationError as error:
        logger.info("Work log %s was not claimed: %s", work_log_id, error.extra.get("reason", "refused"))
        return None


# --- A young person's choice for one claim -----------------------------------------------------------------------


@transaction.atomic
def claim_choice_set(*, actor: User, claim_id: int, choice: str) -> Claim:
    """Change how one of the young person's own claims is paid (money, vouchers, or no pay), while it is not in a
    payment batch. The pay line is worked out again; a claim left with nothing to pay is declined."""
    require(actor, CHANGE_OWN_SETUP)
    if choice not in PaymentChoice.values:
        raise ApplicationError("Choose money, vouchers or no payment.", extra={"field": "choice"})
    membership = actor.membership
    if membership is None:  # pragma: no cover - require() refuses anyone acting in no partnership
        raise ApplicationError("You are not part of a partnership.")
    claims = Claim.objects.select_for_update(of=("self",)).select_related(
        "work_log", "engagement", "engagement__partnership", "membership__user"
    )
    claim = get_object_or_404(
        claims.filter(partnership_id=membership.partnership_id, membership=membership), pk=claim_id
    )
    if claim.status != Claim.Status.OPEN:
        raise ApplicationError(
            f"This claim is {claim.get_status_display().lower()}, so how it is paid cannot be changed now.",
            extra={"field": "choice", "reason": "not_open"},
        )
    if claim.choice == choice:
        return claim
    born = _date_of_birth(claim.work_log)
    pay = work_pay(
        log=claim.work_log,
        engagement=claim.engagement,
        choice=choice,
        band=claim.age_band,
        date_of_birth=born,
        work_date=claim.work_date,
        employs=claim.engagement.partnership.employs_young_people,
    )
    before = claim.choice
    line = claim.lines.select_for_update().filter(kind=ClaimLine.Kind.PAY).first()
    if line is None:  # pragma: no cover - every claim is made with its pay line
        line = ClaimLine(partnership_id=claim.partnership_id, claim=claim, kind=ClaimLine.Kind.PAY)
    line.description = pay.line.description
    line.explanation = pay.line.explanation
    line.amount_pence = pay.line.amount_pence
    line.save()
    claim.choice = choice
    claim.rate = pay.rate if pay.rate is not None else claim.rate
    claim.pay_pence = pay.line.amount_pence
    claim.total_pence = claim.pay_pence + claim.expenses_pence
    claim.full_clean(exclude=["partnership", "membership", "work_log", "engagement", "rate", "batch", "created_by"])
    claim.save(update_fields=["choice", "rate", "pay_pence", "total_pence"])
    audit_record(
        actor=actor,
        partnership=claim.engagement.partnership,
        subject=claim,
        event_type="claim.choice_changed",
        payload={"from": before, "to": choice, "pay_pence": claim.pay_pence, "total_pence": claim.total_pence},
    )
    if claim.total_pence == 0:
        transition(claim, to=Claim.Status.DECLINED, actor=actor, payload={"reason": "declined"})
    return claim
