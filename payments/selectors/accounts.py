"""Reads for payee accounts and for "how would this claim be paid?", scoped to the actor's partnership.

A claim is paid on one rail (the same rules as payments.selectors.claims.claim_payment_readiness, which the claims
pages show; this one also says which account and name to pay):
- the claim's choice is vouchers: the voucher rail (no account needed: finance records the voucher);
- otherwise (money, or the expenses of a claim whose pay was declined) the rail named by the young person's
  PaymentSetup, if its account is ready: a Stripe account that is ACTIVE, or bank details saved; the voucher rail
  needs nothing. No rail named, or its account not ready: "waiting for payment details", with the reason.

Finance officers see a payee's name, rail and status, never the bank numbers (masked to the last 2 digits).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from core.permissions import require
from core.tenancy import scope
from participants.models import User
from payments.models import Claim, PayeeAccount, PaymentChoice, PaymentSetup, Rail

VIEW_PAYEEACCOUNT = "payments.view_payeeaccount"
WAITING = PayeeAccount.Status.PENDING.label  # "Waiting for payment details"


@dataclass(frozen=True)
class PayeeRoute:
    """How one claim would be paid now: on which rail, to which account and name, or why it cannot be yet."""

    ready: bool
    rail: str
    account: PayeeAccount | None
    payee_name: str
    reason: str = ""

    @property
    def rail_label(self) -> str:
        return Rail(self.rail).label if self.rail else "None yet"


def mask(digits: str) -> str:
    """Bank numbers are never shown in full again: only the last 2 digits ("******78")."""
    digits = digits or ""
    return ("*" * (len(digits) - 2) + digits[-2:]) if len(digits) > 2 else ""


def _waiting(detail: str, name: str, rail: str = "", account: PayeeAccount | None = None) -> PayeeRoute:
    return PayeeRoute(ready=False, rail=rail, account=account, payee_name=name, reason=f"{WAITING}: {detail}")


def _stripe_route(account: PayeeAccount | None, name: str) -> PayeeRoute:
    if account is None:
        return _waiting("they have not set up a Stripe account yet.", name, Rail.STRIPE)
    if account.status == PayeeAccount.Status.ACTIVE and account.stripe_account_id:
        return PayeeRoute(ready=True, rail=Rail.STRIPE, account=account, payee_name=account.holder_name or name)
    details: dict[str, str] = {
        PayeeAccount.Status.PENDING: "they have not finished setting up their Stripe account.",
        PayeeAccount.Status.RESTRICTED: "Stripe needs more information from them before it can pay them.",
        PayeeAccount.Status.UNAVAILABLE: account.unavailable_reason or "they cannot hold a Stripe account.",
    }
    detail = details.get(account.status, "their Stripe account is not ready.")
    return _waiting(detail, name, Rail.STRIPE, account)


def _bank_route(account: PayeeAccount | None, name: str) -> PayeeRoute:
    if account is not None and account.status == PayeeAccount.Status.ACTIVE and account.bank_account_number:
        return PayeeRoute(ready=True, rail=Rail.BANK, account=account, payee_name=account.holder_name or name)
    return _waiting("they have not given bank details yet.", name, Rail.BANK, account)


def route_for(claim: Claim, setup: PaymentSetup | None, accounts: dict[str, PayeeAccount]) -> PayeeRoute:
    """The rail, account and payee name for one claim (see the module docstring for the order)."""
    name = claim.membership.user.full_name
    if claim.choice == PaymentChoice.VOUCHERS:
        return PayeeRoute(ready=True, rail=Rail.VOUCHER, account=None, payee_name=name)
    chosen = setup.rail if setup is not None else ""
    if chosen == Rail.STRIPE:
        return _stripe_route(accounts.get(Rail.STRIPE), name)
    if chosen == Rail.BANK:
        return _bank_route(accounts.get(Rail.BANK), name)
    if chosen == Rail.VOUCHER:
        return PayeeRoute(ready=True, rail=Rail.VOUCHER, account=None, payee_name=name)
    return _waiting("they have not set up how to be paid yet.", name)


def route_on_rail(claim: Claim, rail: str) -> PayeeRoute:
    """How the claim would be paid on one given rail (for trying a failed payment again on another rail)."""
    name = claim.membership.user.full_name
    accounts = {account.rail: account for account in PayeeAccount.objects.filter(membership_id=claim.membership_id)}
    if rail == Rail.STRIPE:
        return _stripe_route(accounts.get(Rail.STRIPE), name)
    if rail == Rail.BANK:
        return _bank_route(accounts.get(Rail.BANK), name)
    return PayeeRoute(ready=True, rail=Rail.VOUCHER, account=None, payee_name=name)


def payee_routes(claims: Iterable[Claim]) -> dict[int, PayeeRoute]:
    """The route of each claim (claim id to route), in two queries whatever the number of claims. The claims
    should have membership__user loaded (select_related)."""
    claims = list(claims)
    membership_ids = {claim.membership_id for claim in claims}
    setups = {s.membership_id: s for s in PaymentSetup.objects.filter(membership_id__in=membership_ids)}
    accounts: dict[int, dict[str, PayeeAccount]] = {}
    for account in PayeeAccount.objects.filter(membership_id__in=membership_ids):
        accounts.setdefault(account.membership_id, {})[account.rail] = account
    return {
        claim.pk: route_for(claim, setups.get(claim.membership_id), accounts.get(claim.membership_id, {}))
        for claim in claims
    }


def payee_accounts_visible_to(
    actor: User, *, status: str | None = None, rail: str | None = None
) -> QuerySet[PayeeAccount]:
    """The partnership's payee accounts, for finance officers: name, rail and status (bank numbers are masked by
    whoever shows them). Ordered by the payee's name."""
    require(actor, VIEW_PAYEEACCOUNT)
    accounts = scope(PayeeAccount.objects.all(), actor).select_related("membership__user")
    if status:
        accounts = accounts.filter(status=status)
    if rail:
        accounts = accounts.filter(rail=rail)
    return accounts.order_by("membership__user__full_name", "rail", "pk")


def own_payee_accounts(actor: User) -> dict[str, PayeeAccount]:
    """The young person's own accounts, by rail."""
    require(actor, "payments.change_own_paymentsetup")
    membership = actor.membership
    if membership is None:  # pragma: no cover - require() refuses anyone acting in no partnership
        return {}
    accounts = scope(PayeeAccount.objects.filter(membership=membership), actor)
    return {account.rail: account for account in accounts}


def own_payment_setup(actor: User) -> PaymentSetup | None:
    require(actor, "payments.change_own_paymentsetup")
    membership = actor.membership
    if membership is None:  # pragma: no cover
        return None
    return scope(PaymentSetup.objects.filter(membership=membership), actor).first()
