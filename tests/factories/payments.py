"""Factories for rates, claims, batches, payouts and payee accounts."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from engagements.models import OpportunityType, WorkLog
from participants.models import Role
from payments.models import AgeBand, Claim, PayeeAccount, PaymentBatch, Payout, PayRate, Rail
from tests.factories import MembershipFactory, PartnershipFactory
from tests.factories.engagements import WorkLogFactory


class PayRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayRate

    partnership = factory.SubFactory(PartnershipFactory)
    opportunity_type = OpportunityType.SECTION_11_PANEL
    age_band = AgeBand.AGE_18_20
    amount_pence = 1200
    effective_from = datetime.date(2025, 4, 1)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    membership = factory.SubFactory(MembershipFactory, roles=[Role.YOUNG_PERSON])
    partnership = factory.SelfAttribute("membership.partnership")
    work_log = factory.SubFactory(
        WorkLogFactory, membership=factory.SelfAttribute("..membership"), status=WorkLog.Status.CLAIMED
    )
    engagement = factory.SelfAttribute("work_log.engagement")
    work_date = factory.LazyAttribute(lambda o: timezone.localdate(o.work_log.engagement.starts_at))
    age_band = AgeBand.AGE_18_20
    pay_pence = 2400
    expenses_pence = 450
    total_pence = factory.LazyAttribute(lambda o: o.pay_pence + o.expenses_pence)


class PaymentBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentBatch

    partnership = factory.SubFactory(PartnershipFactory)
    reference = factory.Sequence(lambda n: f"PB-{n:05d}")
    created_by = factory.LazyAttribute(
        lambda o: MembershipFactory(partnership=o.partnership, roles=[Role.FINANCE_OFFICER]).user
    )


class PayeeAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayeeAccount

    membership = factory.SubFactory(MembershipFactory, roles=[Role.YOUNG_PERSON])
    partnership = factory.SelfAttribute("membership.partnership")
    rail = Rail.STRIPE
    holder_name = factory.SelfAttribute("membership.user.full_name")


class PayoutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payout

    claim = factory.SubFactory(ClaimFactory, status=Claim.Status.BATCHED)
    partnership = factory.SelfAttribute("claim.partnership")
    batch = factory.SubFactory(PaymentBatchFactory, partnership=factory.SelfAttribute("..claim.partnership"))
    rail = Rail.STRIPE
    payee_name = factory.SelfAttribute("claim.membership.user.full_name")
    amount_pence = factory.SelfAttribute("claim.total_pence")
