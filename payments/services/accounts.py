"""Writes for payee accounts: where a young person's money goes.

Stripe Connect (Accounts v1, Express):
- Only a young person aged 18 or over (on the day they start) may hold a Stripe Express account, and only in their
  own name. Stripe's terms for connected accounts need the holder to be an adult (18 in the UK) able to agree to
  them; an account held by a nominated adult would have to be onboarded by that adult on an Account Link, which is
  single-use, expires within minutes and can only be refreshed by a signed-in person (nominees do not sign in).
  So a young person under 18, or one whose date of birth we do not have, is not sent to Stripe at all: their Stripe
  PayeeAccount is recorded UNAVAILABLE with the reason shown to them, and their PaymentSetup's rail moves to bank
  transfer (to an account in their name or their nominee's) unless they chose vouchers.
- Starting: the PayeeAccount row is made first (PENDING), then the connected account is created with the
  idempotency key `young-scrutineers-payee-account-<PayeeAccount id>` (a double click, or a retry after a dropped
  connection, gives the same Stripe account), then an Account Link (account_onboarding) is made with refresh and
  return URLs back to `payment_account_setup`. No database lock is held while Stripe is called.
- Status comes from Stripe's account object (on return from onboarding, and on `account.updated` through the
  webhooks): ACTIVE when details_submitted and payouts_enabled; RESTRICTED when details were submitted but payouts
  are not enabled (Stripe needs more information); PENDING while onboarding is unfinished. When it becomes ACTIVE the
  young person's rail becomes Stripe (unless they chose vouchers).

Bank details (for the bank transfer export): the young person enters them themselves (finance officers cannot, so no
one else can redirect a young person's pay). The sort code must be 6 digits and the account number 8 (spaces and
dashes are ignored); they are stored encrypted and never shown in full again (only the last 2 digits). Saving them
makes bank transfer the young person's rail (unless they chose vouchers). The name on the account may be their
nominee's when a nominee is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from participants.models import Membership, User, YoungPersonProfile
from payments.models import PayeeAccount, PaymentChoice, PaymentSetup, Rail
from payments.stripe_client import stripe_client

CHANGE_OWN = "payments.change_own_paymentsetup"
STRIPE_MIN_AGE = 18
UNDER_AGE_REASON = (
    "Stripe accounts are for people aged 18 and over. We will pay you by bank transfer or vouchers instead: "
    "talk to your participation worker."
)
NO_DATE_OF_BIRTH_REASON = (
    "We do not have your date of birth, so we cannot set up a Stripe account for you. We will pay you by bank "
    "transfer or vouchers instead: talk to your participation worker."
)
STRIPE_UNREACHABLE = "We could not reach Stripe just now. Nothing has been lost: try again in a few minutes."
ACCOUNT_NAME_MAX = 150
SORT_CODE = re.compile(r"\d{6}")
ACCOUNT_NUMBER = re.compile(r"\d{8}")
SEPARATORS = re.compile(r"[\s\-]")

Status = PayeeAccount.Status


@dataclass(frozen=True)
class StripeStart:
    """What starting Stripe onboarding gave: the Stripe-hosted URL to send the person to, or why not (`reason`),
    or neither when their account is already ready."""

    account: PayeeAccount
    url: str | None = None
    reason: str = ""


def _own_membership(actor: User) -> Membership:
    require(actor, CHANGE_OWN)
    membership = actor.membership
    if membership is None:  # pragma: no cover - require() refuses anyone acting in no partnership
        raise ApplicationError("You are not part of a partnership.")
    return membership


def _setup_locked(membership: Membership) -> PaymentSetup:
    setup, _ = PaymentSetup.objects.select_for_update().get_or_create(
        membership=membership, defaults={"partnership_id": membership.partnership_id}
    )
    return setup


def _payment_setup_done(membership: Membership, actor: User | None) -> None:
    """Tick "Choose how you get paid" on the young person's onboarding checklist: they can now be paid."""
    from participants.services.onboarding import onboarding_item_record

    onboarding_item_record(membership=membership, key="payment.setup", by=actor)


def _route_to(setup: PaymentSetup, rail: str, actor: User | None) -> None:
    """Make `rail` the young person's rail, unless they chose vouchers or no payment."""
    if setup.choice != PaymentChoice.MONEY or setup.rail == rail:
        return
    previous = setup.rail
    setup.rail = rail
    setup.updated_at = timezone.now()
    setup.full_clean()
    setup.save(update_fields=["rail", "updated_at"])
    audit_record(
        actor=actor,
        partnership=setup.partnership,
        subject=setup,
        event_type="paymentsetup.rail_changed",
        payload={"from": previous, "to": rail},
    )


def stripe_unavailable_reason(membership: Membership) -> str:
    """Why this young person cannot hold a Stripe account themselves ("" when they can)."""
    profile = YoungPersonProfile.objects.filter(membership=membership).only("date_of_birth").first()
    if profile is None:
        return NO_DATE_OF_BIRTH_REASON
    if profile.age_on(timezone.localdate()) < STRIPE_MIN_AGE:
        return UNDER_AGE_REASON
    return ""


@transaction.atomic
def _prepare_stripe_account(actor: User, membership: Membership, reason: str) -> PayeeAccount:
    setup = _setup_locked(membership)
    account = PayeeAccount.objects.select_for_update().filter(membership=membership, rail=Rail.STRIPE).first()
    now = timezone.now()
    if reason:
        changed = True
        if account is None:
            account = PayeeAccount(
                partnership_id=membership.partnership_id,
                membership=membership,
                rail=Rail.STRIPE,
                holder_name=actor.full_name,
                status=Status.UNAVAILABLE,
                unavailable_reason=reason,
            )
            account.full_clean()
            account.save()
        elif not account.stripe_account_id and (account.status, account.unavailable_reason) != (
            Status.UNAVAILABLE,
            reason,
        ):
            account.status = Status.UNAVAILABLE
            account.unavailable_reason = reason
            account.updated_at = now
            account.full_clean()
            account.save(update_fields=["status", "unavailable_reason", "updated_at"])
        else:
            changed = False
        if changed:
            audit_record(
                actor=actor,
                partnership=membership.partnership,
                subject=account,
                event_type="payeeaccount.stripe_unavailable",
                payload={"reason": "under_18" if reason == UNDER_AGE_REASON else "no_date_of_birth"},
            )
        if setup.rail in ("", Rail.STRIPE):
            _route_to(setup, Rail.BANK, actor)
        return account
    if account is None:
        account = PayeeAccount(
            partnership_id=membership.partnership_id,
            membership=membership,
            rail=Rail.STRIPE,
            holder_name=actor.full_name,
        )
        account.full_clean()
        account.save()
        audit_record(
            actor=actor, partnership=membership.partnership, subject=account, event_type="payeeaccount.created"
        )
    elif account.status == Status.UNAVAILABLE:  # they have turned 18 (or their date of birth was corrected)
        account.status = Status.PENDING
        account.unavailable_reason = ""
        account.updated_at = now
        account.full_clean()
        account.save(update_fields=["status", "unavailable_reason", "updated_at"])
    return account


@transaction.atomic
def _record_stripe_account(actor: User, account_id: int, stripe_account_id: str) -> PayeeAccount:
    account = PayeeAccount.objects.select_for_update().get(pk=account_id)
    if not account.stripe_account_id:
        account.stripe_account_id = stripe_account_id
        account.updated_at = timezone.now()
        account.full_clean()
        account.save(update_fields=["stripe_account_id", "updated_at"])
        audit_record(
            actor=actor,
            partnership=account.partnership,
            subject=account,
            event_type="payeeaccount.stripe_account_created",
            payload={"stripe_account": stripe_account_id},
        )
    return account


def _account_setup_url(**query: str) -> str:
    base = str(settings.SITE_URL).rstrip("/") + reverse("payment_account_setup")
    return base + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def stripe_account_start(*, actor: User) -> StripeStart:
    """Start (or continue) Stripe onboarding for the young person: the URL of a Stripe-hosted Account Link, or the
    reason they cannot hold an account (then nothing is sent to Stripe and they are routed to bank transfer)."""
    membership = _own_membership(actor)
    reason = stripe_unavailable_reason(membership)
    account = _prepare_stripe_account(actor, membership, reason)
    if reason:
        return StripeStart(account=account, reason=reason)
    if account.status == Status.ACTIVE:
        return StripeStart(account=account)
    client = stripe_client()
    try:
        if not account.stripe_account_id:
            created = client.v1.accounts.create(
                {
                    "type": "express",
                    "country": settings.STRIPE_CONNECT_COUNTRY,
                    "email": actor.email,
                    "business_type": "individual",
                    "capabilities": {"transfers": {"requested": True}},
                    "metadata": {
                        "membership": str(membership.pk),
                        "partnership": str(membership.partnership_id),
                        "payee_account": str(account.pk),
                    },
                },
                {"idempotency_key": f"young-scrutineers-payee-account-{account.pk}"},
            )
            account = _record_stripe_account(actor, account.pk, created.id)
        link = client.v1.account_links.create(
            {
                "account": str(account.stripe_account_id),
                "type": "account_onboarding",
                "refresh_url": _account_setup_url(stripe="refresh"),
                "return_url": _account_setup_url(stripe="return"),
            }
        )
    except stripe.StripeError as error:
        raise ApplicationError(STRIPE_UNREACHABLE, extra={"field": "stripe", "stripe": type(error).__name__}) from error
    return StripeStart(account=account, url=str(link.url))


def _status_from(account: Mapping[str, Any]) -> tuple[str, bool, bool]:
    details = bool(account.get("details_submitted"))
    payouts = bool(account.get("payouts_enabled"))
    if details and payouts:
        return Status.ACTIVE, details, payouts
    if details:
        return Status.RESTRICTED, details, payouts
    return Status.PENDING, details, payouts


@transaction.atomic
def _apply_stripe_state(stripe_account_id: str, state: Mapping[str, Any], actor: User | None) -> PayeeAccount | None:
    account = (
        PayeeAccount.objects.select_for_update()
        .select_related("partnership")
        .filter(stripe_account_id=stripe_account_id)
    ).first()
    if account is None:
        return None
    status, details, payouts = _status_from(state)
    previous = account.status
    if (previous, account.details_submitted, account.payouts_enabled) == (status, details, payouts):
        return account
    account.status = status
    account.details_submitted = details
    account.payouts_enabled = payouts
    account.updated_at = timezone.now()
    account.full_clean()
    account.save(update_fields=["status", "details_submitted", "payouts_enabled", "updated_at"])
    if previous != status:
        requirements = state.get("requirements") or {}
        audit_record(
            actor=actor,
            partnership=account.partnership,
            subject=account,
            event_type="payeeaccount.status_changed",
            payload={
                "from": previous,
                "to": status,
                "currently_due": len(requirements.get("currently_due") or []),
                "past_due": len(requirements.get("past_due") or []),
            },
        )
    if status == Status.ACTIVE:
        setup = PaymentSetup.objects.select_for_update().filter(membership_id=account.membership_id).first()
        if setup is not None:
            _route_to(setup, Rail.STRIPE, actor)
        else:
            _route_to(_setup_locked(account.membership), Rail.STRIPE, actor)
        _payment_setup_done(account.membership, actor)
    return account


def payee_account_refresh_from_stripe(
    *, stripe_account_id: str, account: Mapping[str, Any] | None = None, actor: User | None = None
) -> PayeeAccount | None:
    """Bring a payee account's status up to date with Stripe's account object (`account`, e.g. from an
    `account.updated` event, or fetched from Stripe when not given: fetching gives the latest state, which also
    makes an out-of-order event harmless). None for an account that is not ours."""
    state: Any = account
    if state is None:
        state = stripe_client().v1.accounts.retrieve(stripe_account_id).to_dict()
    elif hasattr(state, "to_dict"):  # a StripeObject (not a dict in this SDK): read it as one
        state = state.to_dict()
    return _apply_stripe_state(stripe_account_id, cast(Mapping[str, Any], state), actor)


def payee_account_refresh_own(*, actor: User) -> PayeeAccount | None:
    """On return from Stripe onboarding: fetch the young person's account from Stripe and record its status."""
    membership = _own_membership(actor)
    account = PayeeAccount.objects.filter(membership=membership, rail=Rail.STRIPE).first()
    if account is None or not account.stripe_account_id:
        return account
    try:
        return payee_account_refresh_from_stripe(stripe_account_id=account.stripe_account_id, actor=actor)
    except stripe.StripeError as error:
        raise ApplicationError(STRIPE_UNREACHABLE, extra={"field": "stripe"}) from error


def _digits(value: str) -> str:
    return SEPARATORS.sub("", value or "")


@transaction.atomic
def bank_details_save(
    *, actor: User, account_name: str, sort_code: str, account_number: str, for_nominee: bool = False
) -> PayeeAccount:
    """Save the young person's bank details for the bank transfer export (encrypted; never shown in full again).
    Every wrong field is named at once; nothing is saved unless all are right."""
    membership = _own_membership(actor)
    name = " ".join((account_name or "").split())
    sort_digits = _digits(sort_code)
    number_digits = _digits(account_number)
    problems: dict[str, str] = {}
    if not name:
        problems["account_name"] = "Enter the name on the account."
    elif len(name) > ACCOUNT_NAME_MAX:
        problems["account_name"] = f"The name on the account must be {ACCOUNT_NAME_MAX} characters or fewer."
    if not sort_digits:
        problems["sort_code"] = "Enter a sort code."
    elif not SORT_CODE.fullmatch(sort_digits):
        problems["sort_code"] = "Enter a valid sort code, like 30-94-57: it must be 6 digits."
    if not number_digits:
        problems["account_number"] = "Enter an account number."
    elif not ACCOUNT_NUMBER.fullmatch(number_digits):
        problems["account_number"] = "Enter a valid account number, like 00733445: it must be 8 digits."
    setup = _setup_locked(membership)
    if for_nominee and not setup.has_nominee:
        problems["for_nominee"] = (
            "No adult has been nominated to be paid for you. Your participation worker can record one."
        )
    if problems:
        raise ValidationError(problems)
    account = PayeeAccount.objects.select_for_update().filter(membership=membership, rail=Rail.BANK).first()
    if account is None:
        account = PayeeAccount(partnership_id=membership.partnership_id, membership=membership, rail=Rail.BANK)
    account.holder_name = name
    account.bank_account_name = name
    account.bank_sort_code = sort_digits
    account.bank_account_number = number_digits
    account.for_nominee = for_nominee
    account.status = Status.ACTIVE
    account.unavailable_reason = ""
    account.updated_at = timezone.now()
    account.full_clean()
    account.save()
    audit_record(
        actor=actor,
        partnership=membership.partnership,
        subject=account,
        event_type="payeeaccount.bank_details_saved",
        payload={"account_ending": number_digits[-2:], "for_nominee": for_nominee},
    )
    _route_to(setup, Rail.BANK, actor)
    _payment_setup_done(membership, actor)
    return account
