"""Shared set-up for the batch, payout, rail and account tests (no tests here).

Stripe payees get a real connected account on the local Stripe test server (`stripe_server` fixture), onboarded
with the server's control, so transfers go over real HTTP.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from core.tenancy import act_in
from participants.models import Membership, Partnership, Role, User, YoungPersonProfile
from payments.models import Claim, PayeeAccount, PaymentBatch, PaymentChoice, PaymentSetup, Rail
from payments.services.batches import batch_add_claims, batch_approve, batch_create, batch_submit
from payments.stripe_client import stripe_client
from tests.factories import MembershipFactory
from tests.factories.payments import ClaimFactory


def young_person(partnership: Partnership, *, age: int = 19) -> Membership:
    membership = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
    YoungPersonProfile.objects.create(
        membership=membership,
        partnership=partnership,
        date_of_birth=timezone.localdate() - datetime.timedelta(days=age * 365 + 60),
    )
    return membership


def as_user(membership: Membership) -> User:
    user: User = membership.user
    act_in(user, membership.partnership)
    return user


def stripe_payee(partnership: Partnership, server: Any, membership: Membership | None = None) -> PayeeAccount:
    """A young person with an ACTIVE Stripe Express account on the test server (their rail is Stripe)."""
    membership = membership or young_person(partnership)
    created = stripe_client().v1.accounts.create(
        {"type": "express", "country": "GB", "capabilities": {"transfers": {"requested": True}}}
    )
    server.complete_onboarding(created.id)
    PaymentSetup.objects.update_or_create(
        membership=membership, defaults={"partnership": partnership, "rail": Rail.STRIPE}
    )
    return PayeeAccount.objects.create(
        partnership=partnership,
        membership=membership,
        rail=Rail.STRIPE,
        holder_name=membership.user.full_name,
        status=PayeeAccount.Status.ACTIVE,
        stripe_account_id=created.id,
        details_submitted=True,
        payouts_enabled=True,
    )


def bank_payee(partnership: Partnership, membership: Membership | None = None, **kwargs: Any) -> PayeeAccount:
    membership = membership or young_person(partnership)
    PaymentSetup.objects.update_or_create(
        membership=membership, defaults={"partnership": partnership, "rail": Rail.BANK}
    )
    return PayeeAccount.objects.create(
        partnership=partnership,
        membership=membership,
        rail=Rail.BANK,
        holder_name=kwargs.get("name", membership.user.full_name),
        bank_account_name=kwargs.get("name", membership.user.full_name),
        bank_sort_code=kwargs.get("sort_code", "309457"),
        bank_account_number=kwargs.get("account_number", "00733445"),
        status=PayeeAccount.Status.ACTIVE,
    )


def voucher_payee(partnership: Partnership) -> Membership:
    membership = young_person(partnership)
    PaymentSetup.objects.create(membership=membership, partnership=partnership, choice=PaymentChoice.VOUCHERS)
    return membership


def open_claim(membership: Membership, *, pay: int = 2400, expenses: int = 450, **kwargs: Any) -> Claim:
    setup = PaymentSetup.objects.filter(membership=membership).first()
    choice = setup.choice if setup is not None else PaymentChoice.MONEY
    if "created_by" not in kwargs:
        kwargs["created_by"] = MembershipFactory(
            partnership=membership.partnership, roles=[Role.FINANCE_OFFICER], with_totp=False
        ).user
    return ClaimFactory(
        membership=membership,
        status=kwargs.pop("status", Claim.Status.OPEN),
        pay_pence=pay,
        expenses_pence=expenses,
        choice=kwargs.pop("choice", choice),
        **kwargs,
    )


def officers(member: Any) -> tuple[User, User]:
    return member(Role.FINANCE_OFFICER), member(Role.FINANCE_OFFICER)


def approved_batch(maker: User, approver: User, claims: list[Claim]) -> PaymentBatch:
    batch = batch_create(actor=maker)
    batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[c.pk for c in claims])
    return batch_approve(actor=approver, batch_id=batch.pk)


def submitted_batch(maker: User, approver: User, claims: list[Claim], capture: Any) -> PaymentBatch:
    """Made, approved and submitted; the submission task runs (eagerly) when `capture` executes on_commit."""
    batch = approved_batch(maker, approver, claims)
    with capture(execute=True):
        batch_submit(actor=maker, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def transfers(server: Any) -> list[dict[str, Any]]:
    return list(server.state.transfers.values())


def transfer_requests(server: Any) -> list[dict[str, Any]]:
    return [r for r in server.state.requests if r["method"] == "POST" and r["path"] == "/v1/transfers"]


def count_queries(call: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def bank_batch_with(maker: User, approver: User, partnership: Partnership, payees: int, capture: Any) -> PaymentBatch:
    """A submitted batch of bank transfers to `payees` people, its bank file made (payouts SENT)."""
    from payments.services.payouts import bank_export_create

    claims = [open_claim(bank_payee(partnership).membership) for _ in range(payees)]
    batch = submitted_batch(maker, approver, claims, capture)
    bank_export_create(actor=maker, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch
