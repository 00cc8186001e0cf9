"""Reads for claims, scoped to the actor's partnership: another partnership's claim is a 404.

Finance officers read every claim of the partnership: names, amounts, lines and payment status (nothing from
safeguarding or support). A young person reads only their own. `claim_payment_readiness(claims)` says, for each
claim, whether its payee can be paid now and how, or "Waiting for payment details" (two queries for any number of
claims). `claim_history(actor, claim)` is the claim's audit trail in plain words, for finance officers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from core.audit import actor_name, audit_describe, with_subjects
from core.models import AuditEvent
from core.permissions import require
from core.tenancy import scope
from participants.models import Role, User
from payments.models import Claim, ClaimLine, PayeeAccount, PaymentChoice, PaymentSetup, Rail
from payments.selectors.rates import pounds

VIEW_CLAIM = "payments.view_claim"
WAITING = "Waiting for payment details"


def is_finance(actor: User) -> bool:
    """May read the partnership's claims (finance officers): view_claim with no record is theirs alone."""
    return bool(actor.has_perm(VIEW_CLAIM))


def _with_details(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    return claims.select_related("membership__user", "engagement", "rate", "work_log")


def claims_visible_to(actor: User, *, status: str | None = None, membership_id: int | None = None) -> QuerySet[Claim]:
    """The partnership's claims for finance officers; their own for a young person; PermissionDenied for anyone
    else. Newest first."""
    claims = scope(Claim.objects.all(), actor)
    if is_finance(actor):
        if membership_id is not None:
            claims = claims.filter(membership_id=membership_id)
    elif Role.YOUNG_PERSON in actor.roles and actor.membership is not None:
        claims = claims.filter(membership=actor.membership)
    else:
        raise PermissionDenied("You do not have permission to see claims.")
    if status:
        claims = claims.filter(status=status)
    return _with_details(claims).order_by("-created_at", "-pk")


def claim_get_for_actor(actor: User, claim_id: int) -> Claim:
    """One claim with its lines (404 for anyone else's and for another partnership's)."""
    claims = claims_visible_to(actor).prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.order_by("pk")))
    claim = get_object_or_404(claims, pk=claim_id)
    require(actor, VIEW_CLAIM, claim)
    return claim


def own_claims(actor: User) -> QuerySet[Claim]:
    """The young person's own claims, newest work first, with their lines."""
    if Role.YOUNG_PERSON not in actor.roles or actor.membership is None:
        raise PermissionDenied("You do not have permission to see claims.")
    claims = scope(Claim.objects.filter(membership=actor.membership), actor)
    return (
        _with_details(claims)
        .prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.order_by("pk")))
        .order_by("-work_date", "-pk")
    )


def waiting_for_payment_details(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Of these claims, those still to be paid whose payee has no way to be paid yet: the same test as
    `claim_payment_readiness`, in the database, so the list page can filter and count them."""
    setup_rail = Coalesce(
        Subquery(PaymentSetup.objects.filter(membership_id=OuterRef("membership_id")).values("rail")[:1]),
        Value(""),
        output_field=CharField(),
    )
    active = Exists(
        PayeeAccount.objects.filter(
            membership_id=OuterRef("membership_id"), rail=OuterRef("setup_rail"), status=PayeeAccount.Status.ACTIVE
        )
    )
    return (
        claims.filter(status__in=[Claim.Status.OPEN, Claim.Status.FAILED], total_pence__gt=0)
        .exclude(choice=PaymentChoice.VOUCHERS)
        .annotate(setup_rail=setup_rail)
        .exclude(setup_rail=Rail.VOUCHER)
        .filter(Q(setup_rail="") | ~active)
    )


@dataclass(frozen=True)
class Readiness:
    """Whether a claim's payee can be paid now, and how."""

    ready: bool
    waiting: bool  # "Waiting for payment details": a rail is needed and is not set up
    rail: str | None
    label: str
    detail: str = ""


NOTHING_TO_PAY = Readiness(ready=False, waiting=False, rail=None, label="Nothing to pay")


def claim_payment_readiness(claims: Iterable[Claim]) -> dict[int, Readiness]:
    """For each claim (by id): vouchers are ready on the voucher rail; money (and the expenses of a claim whose pay
    was declined) needs the set-up's rail, with an ACTIVE payee account for Stripe or a bank transfer. Two queries."""
    claims = list(claims)
    member_ids = {claim.membership_id for claim in claims}
    setups = {s.membership_id: s for s in PaymentSetup.objects.filter(membership_id__in=member_ids)}
    accounts = {
        (a.membership_id, a.rail): a
        for a in PayeeAccount.objects.filter(membership_id__in=member_ids).only(
            "pk", "membership_id", "rail", "status", "unavailable_reason"
        )
    }
    answer: dict[int, Readiness] = {}
    for claim in claims:
        answer[claim.pk] = _readiness(claim, setups.get(claim.membership_id), accounts)
    return answer


def _readiness(claim: Claim, setup: PaymentSetup | None, accounts: dict[tuple[int, str], PayeeAccount]) -> Readiness:
    if claim.status == Claim.Status.DECLINED or claim.total_pence == 0:
        return NOTHING_TO_PAY
    if claim.choice == PaymentChoice.VOUCHERS:
        return Readiness(ready=True, waiting=False, rail=Rail.VOUCHER, label="Ready to pay: gift voucher")
    rail = setup.rail if setup is not None else ""
    if not rail:
        return Readiness(
            ready=False, waiting=True, rail=None, label=WAITING, detail="They have not set up how to be paid yet."
        )
    rail_label = str(Rail(rail).label)
    if rail == Rail.VOUCHER:
        return Readiness(ready=True, waiting=False, rail=rail, label=f"Ready to pay: {rail_label.lower()}")
    account = accounts.get((claim.membership_id, rail))
    if account is None:
        return Readiness(
            ready=False, waiting=True, rail=rail, label=WAITING, detail=f"No account set up for {rail_label}."
        )
    if account.status != PayeeAccount.Status.ACTIVE:
        detail = f"{rail_label}: {account.get_status_display()}"
        if account.unavailable_reason:
            detail += f" ({account.unavailable_reason})"
        return Readiness(ready=False, waiting=True, rail=rail, label=WAITING, detail=detail + ".")
    return Readiness(ready=True, waiting=False, rail=rail, label=f"Ready to pay: {rail_label}")


# --- History ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    text: str


def _describe(event: AuditEvent) -> str:
    who = actor_name(event)
    payload = event.payload or {}
    labels = dict(Claim.Status.choices)
    choices = dict(PaymentChoice.choices)
    if event.event_type == "claim.created":
        total = payload.get("total_pence")
        amount = f" for {pounds(int(total))}" if isinstance(total, int) else ""
        return f"{who} made the claim{amount} from the approved work log."
    if event.event_type == "claim.status_changed":
        to = str(payload.get("to", ""))
        text = f"{who} moved the claim to “{labels.get(to, to)}”."
        if payload.get("reason") == "nothing_to_pay":
            text += " There was nothing to pay."
        elif payload.get("reason") == "declined":
            text += " The young person chose not to be paid."
        return text
    if event.event_type == "claim.choice_changed":
        to = str(payload.get("to", ""))
        return f"{who} changed how the claim is paid to “{choices.get(to, to)}”."
    return audit_describe(event)


def claim_history(actor: User, claim: Claim) -> list[HistoryEntry]:
    """The claim's audit trail, oldest first, for finance officers (who may read the claim but not the whole log)."""
    if not is_finance(actor):
        raise PermissionDenied("You do not have permission to see this claim's history.")
    require(actor, VIEW_CLAIM, claim)
    events = (
        with_subjects(scope(AuditEvent.objects.select_related("actor"), actor))
        .filter(subject_type=ContentType.objects.get_for_model(Claim), subject_id=str(claim.pk))
        .order_by("created_at", "pk")
    )
    return [HistoryEntry(event=event, text=_describe(event)) for event in events]
