"""The demo can be paid: rates at or above the minimum wage for every type and band, and a payee ready."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from engagements.models import OpportunityType
from participants.models import Membership
from payments.models import AgeBand, PayeeAccount, PayRate

pytestmark = pytest.mark.django_db


def test_the_demo_has_rates_a_ready_payee_and_two_finance_officers():
    call_command("seed_demo", stdout=StringIO())
    north = {"partnership__slug": "north-shire"}
    assert PayRate.objects.filter(**north).count() == len(OpportunityType.values) * len(AgeBand.values)
    account = PayeeAccount.objects.get(**north, membership__user__email="amara@north-shire.example")
    assert account.status == PayeeAccount.Status.ACTIVE and account.bank_account_number.endswith("90")
    assert Membership.objects.filter(**north, is_finance_officer=True).count() == 2
