"""Payee accounts: a Stripe Express account only for a young person aged 18 or over (otherwise nothing is sent to
Stripe, the reason is recorded and shown, and they are routed to bank transfer); status from Stripe's account; bank
details validated, encrypted and never shown in full. Stripe over real HTTP to the local Stripe test server."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from participants.models import Role
from payments.models import PayeeAccount, PaymentSetup, Rail
from payments.selectors.accounts import mask
from payments.services.accounts import (
    UNDER_AGE_REASON,
    bank_details_save,
    payee_account_refresh_from_stripe,
    payee_account_refresh_own,
    stripe_account_start,
)
from tests.factories import MembershipFactory
from tests.payments.test_batches_helpers import as_user, young_person

pytestmark = pytest.mark.django_db


def _stripe_posts(server, path):
    return [r for r in server.state.requests if r["method"] == "POST" and r["path"] == path]


def test_an_adult_starts_stripe_onboarding(partnership, stripe_server, settings):
    settings.SITE_URL = "https://scrutineers.example"
    membership = young_person(partnership, age=19)
    user = as_user(membership)
    started = stripe_account_start(actor=user)
    account = PayeeAccount.objects.get()
    assert started.reason == "" and started.url and started.url.startswith(stripe_server.url)
    assert account.rail == Rail.STRIPE and account.status == PayeeAccount.Status.PENDING
    stripe_account = stripe_server.state.accounts[account.stripe_account_id]
    assert stripe_account["type"] == "express" and stripe_account["country"] == "GB"
    assert stripe_account["business_type"] == "individual"
    assert "transfers" in stripe_account["capabilities"]
    assert stripe_account["metadata"]["membership"] == str(membership.pk)
    created = _stripe_posts(stripe_server, "/v1/accounts")
    assert [r["idempotency_key"] for r in created] == [f"young-scrutineers-payee-account-{account.pk}"]
    link = next(iter(stripe_server.state.account_links.values()))
    assert link.return_url == "https://scrutineers.example/payments/account/?stripe=return"
    assert link.refresh_url == "https://scrutineers.example/payments/account/?stripe=refresh"
    # Starting again (a double click, or the link expired) keeps the same Stripe account.
    stripe_account_start(actor=user)
    assert len(stripe_server.state.accounts) == 1 and PayeeAccount.objects.count() == 1


def test_under_18_nothing_is_sent_to_stripe_and_they_are_routed_to_bank_transfer(partnership, stripe_server):
    membership = young_person(partnership, age=17)
    PaymentSetup.objects.create(membership=membership, partnership=partnership, rail=Rail.STRIPE)
    started = stripe_account_start(actor=as_user(membership))
    assert started.url is None and started.reason == UNDER_AGE_REASON
    assert "18 and over" in started.reason and "bank transfer or vouchers" in started.reason
    account = PayeeAccount.objects.get()
    assert account.status == PayeeAccount.Status.UNAVAILABLE and account.unavailable_reason == UNDER_AGE_REASON
    assert account.stripe_account_id is None
    assert PaymentSetup.objects.get().rail == Rail.BANK
    assert not stripe_server.state.requests  # Stripe was never called


def test_with_no_date_of_birth_there_is_no_stripe_account(partnership, stripe_server):
    membership = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
    started = stripe_account_start(actor=as_user(membership))
    assert "date of birth" in started.reason
    assert not stripe_server.state.requests


def test_turning_18_makes_stripe_available(partnership, stripe_server):
    membership = young_person(partnership, age=17)
    stripe_account_start(actor=as_user(membership))
    membership.profile.date_of_birth = timezone.localdate() - datetime.timedelta(days=19 * 366)
    membership.profile.save()
    started = stripe_account_start(actor=as_user(membership))
    assert started.url
    account = PayeeAccount.objects.get()
    assert account.status == PayeeAccount.Status.PENDING and account.unavailable_reason == ""


def test_status_follows_stripes_account(partnership, stripe_server):
    membership = young_person(partnership)
    user = as_user(membership)
    stripe_account_start(actor=user)
    account = PayeeAccount.objects.get()
    assert payee_account_refresh_own(actor=user).status == PayeeAccount.Status.PENDING
    stripe_server.complete_onboarding(account.stripe_account_id)
    refreshed = payee_account_refresh_own(actor=user)
    assert refreshed.status == PayeeAccount.Status.ACTIVE
    assert refreshed.details_submitted and refreshed.payouts_enabled
    assert PaymentSetup.objects.get().rail == Rail.STRIPE
    # An account.updated event's object (a plain dict, as the webhooks hand it over) works the same way.
    restricted = stripe_server.restrict(account.stripe_account_id)
    after = payee_account_refresh_from_stripe(stripe_account_id=account.stripe_account_id, account=restricted)
    assert after.status == PayeeAccount.Status.RESTRICTED
    assert payee_account_refresh_from_stripe(stripe_account_id="acct_notours", account=restricted) is None


def test_bank_details_are_checked_and_every_wrong_field_named(partnership):
    user = as_user(young_person(partnership))
    with pytest.raises(ValidationError) as refused:
        bank_details_save(actor=user, account_name="", sort_code="12-34", account_number="1234567")
    assert refused.value.message_dict == {
        "account_name": ["Enter the name on the account."],
        "sort_code": ["Enter a valid sort code, like 30-94-57: it must be 6 digits."],
        "account_number": ["Enter a valid account number, like 00733445: it must be 8 digits."],
    }
    assert not PayeeAccount.objects.exists()


def test_bank_details_are_saved_encrypted_and_shown_masked(partnership):
    user = as_user(young_person(partnership))
    account = bank_details_save(actor=user, account_name="Sam Jones", sort_code="30-94-57", account_number="0073 3445")
    assert account.bank_sort_code == "309457" and account.bank_account_number == "00733445"
    assert account.status == PayeeAccount.Status.ACTIVE and PaymentSetup.objects.get().rail == Rail.BANK
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account_number, bank_sort_code FROM payments_payeeaccount")
        stored = cursor.fetchone()
    assert "00733445" not in stored[0] and "309457" not in stored[1]
    assert mask(account.bank_account_number) == "******45"


def test_only_the_young_person_gives_their_bank_details(member):
    with pytest.raises(PermissionDenied):
        bank_details_save(
            actor=member(Role.FINANCE_OFFICER), account_name="X", sort_code="309457", account_number="00733445"
        )


def test_a_nominees_account_needs_a_nominee(partnership):
    membership = young_person(partnership, age=15)
    user = as_user(membership)
    with pytest.raises(ValidationError) as refused:
        bank_details_save(
            actor=user, account_name="Jo Parent", sort_code="309457", account_number="00733445", for_nominee=True
        )
    assert "for_nominee" in refused.value.message_dict
    PaymentSetup.objects.create(membership=membership, partnership=partnership, nominee_name="Jo Parent")
    account = bank_details_save(
        actor=user, account_name="Jo Parent", sort_code="309457", account_number="00733445", for_nominee=True
    )
    assert account.for_nominee and account.holder_name == "Jo Parent"
