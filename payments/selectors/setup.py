"""Reads for payment set-ups: a young person's own (their choice), and a young person's for the worker who records a
payment nominee (404 for another partnership's, as for a missing one). Finance officers never read nominee details
here: claims and payouts show only whether the payee is ready to be paid."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from core.permissions import require
from core.tenancy import scope
from participants.models import Membership, User
from payments.models import PaymentChoice, PaymentSetup

CHANGE_OWN_SETUP = "payments.change_own_paymentsetup"
RECORD_NOMINEE = "payments.record_nominee"


def own_payment_setup(actor: User) -> PaymentSetup | None:
    """The young person's own set-up, or None before they have made a choice (which means money)."""
    require(actor, CHANGE_OWN_SETUP)
    if actor.membership is None:  # pragma: no cover - require() refuses anyone acting in no partnership
        raise PermissionDenied
    return scope(PaymentSetup.objects.all(), actor).filter(membership=actor.membership).first()


def own_payment_choice(actor: User) -> str:
    setup = own_payment_setup(actor)
    return setup.choice if setup is not None else PaymentChoice.MONEY


@dataclass(frozen=True)
class NomineeView:
    membership: Membership
    setup: PaymentSetup | None


def nominee_for_worker(actor: User, membership_id: int) -> NomineeView:
    """A young person of the actor's partnership and their set-up, for recording a payment nominee."""
    require(actor, RECORD_NOMINEE)
    memberships = scope(Membership.objects.select_related("user"), actor).filter(is_young_person=True)
    membership = get_object_or_404(memberships, pk=membership_id)
    require(actor, RECORD_NOMINEE, membership)
    setup = PaymentSetup.objects.filter(membership=membership).select_related("nominee_recorded_by").first()
    return NomineeView(membership=membership, setup=setup)
