"""Paying a young person, in a real browser against the local Stripe test server: one finance officer builds a
batch, a second approves it and sends it, the progress reaches 100%, Stripe's webhooks mark the payment paid, and
the young person sees it on their phone. axe-core checks every page on the way."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from participants.models import Role
from payments.models import Claim, PayeeAccount, PaymentSetup, Payout, Rail
from payments.stripe_client import stripe_client
from tests.e2e.conftest import assert_accessible, signed_in
from tests.engagements.helpers import give_profile
from tests.factories import MembershipFactory, PartnershipFactory
from tests.factories.payments import ClaimFactory, PayeeAccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_batch_is_built_approved_by_someone_else_sent_and_seen_paid(
    live_server, desktop, phone, browser, stripe_server, settings
):
    partnership = PartnershipFactory()
    builder = MembershipFactory(partnership=partnership, roles=[Role.FINANCE_OFFICER], user__full_name="Priya Shah")
    approver = MembershipFactory(partnership=partnership, roles=[Role.FINANCE_OFFICER], user__full_name="Mark Lee")
    young = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], user__full_name="Riley Carter")
    give_profile(young, years=19)
    # Riley has finished Stripe's hosted onboarding (its own journey is tested elsewhere).
    account = stripe_client().v1.accounts.create(
        params={"type": "express", "country": "GB", "capabilities": {"transfers": {"requested": True}}}
    )
    stripe_server.complete_onboarding(account.id)
    PayeeAccountFactory(
        membership=young,
        rail=Rail.STRIPE,
        stripe_account_id=account.id,
        status=PayeeAccount.Status.ACTIVE,
        details_submitted=True,
        payouts_enabled=True,
    )
    PaymentSetup.objects.create(partnership=partnership, membership=young, rail=Rail.STRIPE)
    claim = ClaimFactory(membership=young, pay_pence=3178, expenses_pence=450)
    stripe_server.webhook_target(f"{live_server.url}/payments/stripe/webhook/{settings.STRIPE_WEBHOOK_PATH_TOKEN}/")
    # Webhooks for the transfer wait until the batch has been sent: the test database may be SQLite, which takes
    # one writer at a time (on PostgreSQL, as in CI and production, they may arrive during the submission).
    stripe_server.hold("transfer.created")

    # Priya builds the batch.
    signed_in(desktop, live_server, builder.user, second_factor=True)
    desktop.goto(f"{live_server.url}/finance/batches/")
    assert_accessible(desktop, "payment-journey-batches")
    desktop.get_by_role("button", name="New batch").click()
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("PB-")
    assert_accessible(desktop, "payment-journey-new-batch")
    desktop.get_by_label(re.compile("Riley Carter")).check()
    desktop.get_by_role("button", name="Add the chosen claims").click()
    expect(desktop.locator("main")).to_contain_text("a different finance officer must approve it")
    assert_accessible(desktop, "payment-journey-batch-built")
    batch_url = desktop.url

    # Mark approves it and sends it.
    second = browser.new_context(viewport={"width": 1280, "height": 900})
    page = second.new_page()
    page.set_default_timeout(15_000)
    signed_in(page, live_server, approver.user, second_factor=True)
    page.goto(batch_url)
    assert_accessible(page, "payment-journey-approve")
    page.get_by_role("button", name=re.compile("Approve 1 payment")).click()
    expect(page.get_by_role("button", name="Send the payments")).to_be_visible()
    page.get_by_role("button", name="Send the payments").click()
    expect(page.locator("#batch-progress-text")).to_contain_text("1 of 1 sent", timeout=20_000)
    expect(page.locator("#batch-progress-text")).to_contain_text("100%")
    assert_accessible(page, "payment-journey-sent")
    second.close()

    # Exactly one transfer, for the claim's total, to Riley's account.
    [transfer] = stripe_server.state.transfers.values()
    assert (transfer["amount"], transfer["destination"]) == (3628, account.id)

    # Stripe pays Riley's bank; its signed webhooks reach the app.
    stripe_server.release()
    assert stripe_server.wait_for_webhooks(timeout=20)
    stripe_server.pay_out(account.id)
    assert stripe_server.wait_for_webhooks(timeout=20)
    deadline = time.monotonic() + 20
    while Payout.objects.get(claim=claim).status != Payout.Status.PAID and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Payout.objects.get(claim=claim).status == Payout.Status.PAID
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PAID

    # Riley sees it on their phone.
    signed_in(phone, live_server, young.user)
    phone.goto(f"{live_server.url}/payments/")
    expect(phone.locator("main")).to_contain_text(re.compile("paid", re.I))
    expect(phone.locator("main")).to_contain_text("£36.28")
    assert_accessible(phone, "payment-journey-young-person")
