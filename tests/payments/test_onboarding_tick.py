"""Setting up payment ticks "Choose how you get paid" on the young person's onboarding checklist."""

from __future__ import annotations

import pytest

from participants.models import OnboardingItem, Role
from payments.models import PaymentChoice
from payments.services.accounts import bank_details_save
from payments.services.setup import payment_choice_set

pytestmark = pytest.mark.django_db


def _item(membership):
    return OnboardingItem.objects.create(
        partnership=membership.partnership,
        membership=membership,
        key="payment.setup",
        kind=OnboardingItem.Kind.PAYMENT,
        label="Choose how you get paid",
    )


def test_bank_details_tick_the_payment_item(member):
    young = member(Role.YOUNG_PERSON)
    item = _item(young.membership)
    bank_details_save(actor=young, account_name="R CARTER", sort_code="40-47-84", account_number="70872490")
    item.refresh_from_db()
    assert item.status == OnboardingItem.Status.DONE


def test_choosing_vouchers_ticks_it_and_choosing_money_alone_does_not(member):
    young = member(Role.YOUNG_PERSON)
    item = _item(young.membership)
    payment_choice_set(actor=young, choice=PaymentChoice.MONEY)
    item.refresh_from_db()
    assert item.status == OnboardingItem.Status.TO_DO
    payment_choice_set(actor=young, choice=PaymentChoice.VOUCHERS)
    item.refresh_from_db()
    assert item.status == OnboardingItem.Status.DONE
