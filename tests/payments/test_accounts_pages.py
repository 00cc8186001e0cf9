"""The young person's page for where their money goes: Stripe onboarding for those aged 18 and over (there and back
through the local Stripe test server), the reason and the other ways for those under 18, and bank details that
are checked, kept when wrong, and never shown in full again."""

from __future__ import annotations

import pytest

from participants.models import Role
from payments.models import PayeeAccount, PaymentSetup, Rail
from tests.payments.test_batches_helpers import as_user, young_person

pytestmark = pytest.mark.django_db

URL = "/payments/account/"


def test_an_adult_goes_to_stripe_and_comes_back_ready(partnership, login, stripe_server):
    user = as_user(young_person(partnership, age=20))
    client = login(user)
    page = client.get(URL).content.decode()
    assert "Set up Stripe" in page and "18 and over" not in page
    response = client.post(URL, {"action": "stripe"})
    assert response.status_code == 302 and response["Location"].startswith(stripe_server.url)
    account = PayeeAccount.objects.get()
    assert "Carry on with Stripe" in client.get(URL).content.decode()
    stripe_server.complete_onboarding(account.stripe_account_id)
    back = client.get(URL, {"stripe": "return"}, follow=True)
    assert "Your Stripe account is ready" in back.content.decode()
    account.refresh_from_db()
    assert account.status == PayeeAccount.Status.ACTIVE
    assert "We will pay you through Stripe" in back.content.decode()


def test_an_expired_link_makes_a_new_one(partnership, login, stripe_server):
    user = as_user(young_person(partnership, age=20))
    client = login(user)
    client.post(URL, {"action": "stripe"})
    again = client.get(URL, {"stripe": "refresh"})
    assert again.status_code == 302 and again["Location"].startswith(stripe_server.url)
    assert len(stripe_server.state.account_links) == 2 and len(stripe_server.state.accounts) == 1


def test_under_18_sees_why_and_what_happens_instead(partnership, login, stripe_server):
    user = as_user(young_person(partnership, age=16))
    client = login(user)
    page = client.get(URL).content.decode()
    assert "Stripe accounts are for people aged 18 and over." in page
    assert "Set up Stripe" not in page
    answer = client.post(URL, {"action": "stripe"}, follow=True)
    assert "We will pay you by bank transfer or vouchers instead" in answer.content.decode()
    assert not stripe_server.state.requests


def test_bank_details_are_kept_when_wrong_and_masked_once_saved(partnership, login):
    user = as_user(young_person(partnership))
    client = login(user)
    wrong = client.post(
        URL, {"action": "bank", "account_name": "Sam Jones", "sort_code": "30-94", "account_number": "00733445"}
    )
    assert wrong.status_code == 400
    body = wrong.content.decode()
    assert 'href="#id_sort_code"' in body and "it must be 6 digits" in body
    assert 'value="Sam Jones"' in body and 'value="00733445"' in body
    client.post(
        URL, {"action": "bank", "account_name": "Sam Jones", "sort_code": "30-94-57", "account_number": "00733445"}
    )
    page = client.get(URL).content.decode()
    assert "******45" in page and "00733445" not in page and "309457" not in page
    assert "bank transfer into the account ending 45" in page
    assert PaymentSetup.objects.get().rail == Rail.BANK


def test_staff_do_not_use_this_page(member, login):
    assert login(member(Role.FINANCE_OFFICER)).get(URL).status_code == 403
