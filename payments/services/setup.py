"""Writes for a young person's payment set-up: their standing choice, and an adult nominated to be paid for them.

(Payee accounts and Stripe onboarding, which also set the set-up's rail, live with the payouts code.)

- `payment_choice_set`: the young person's own standing choice for claims made from now on: money, gift vouchers,
  or no payment (declined, for example because payment could affect their benefits; receipted expenses are still
  repaid, because they are not pay). With `apply_to_open_claims`, their claims not yet in a payment batch change too
  (payments.services.claims.claim_choice_set, which checks each one again).
- `nominee_record`: a participation worker records an adult to be paid for a young person who cannot hold an
  account (for example because of their age): name, email, relationship and how consent was given (the young
  person's, and a parent or carer's if they are under 16), all required. The nominee's details are kept on the
  set-up only: the audit row records that a nominee was recorded, not who.
- `nominee_remove`: takes the nominee away (audited, again without their details).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tenancy import scope
from participants.models import Membership, User
from payments.models import Claim, PaymentChoice, PaymentSetup

CHANGE_OWN_SETUP = "payments.change_own_paymentsetup"
RECORD_NOMINEE = "payments.record_nominee"

NAME_MAX = 150
RELATIONSHIP_MAX = 80
CONSENT_NOTE_MAX = 2000


def _setup_locked(membership: Membership) -> tuple[PaymentSetup, bool]:
    """The membership's set-up, locked (made, unsaved, when there is none). The membership row is locked first, so
    two first saves at once make one set-up."""
    Membership.objects.select_for_update().filter(pk=membership.pk).first()
    setup = PaymentSetup.objects.select_for_update().filter(membership=membership).first()
    if setup is None:
        return PaymentSetup(partnership_id=membership.partnership_id, membership=membership), True
    return setup, False


@transaction.atomic
def payment_choice_set(*, actor: User, choice: str, apply_to_open_claims: bool = False) -> PaymentSetup:
    require(actor, CHANGE_OWN_SETUP)
    membership = actor.membership
    if membership is None or not membership.is_young_person:  # pragma: no cover - require() refuses them
        raise ApplicationError("Only a young person can choose how they are paid.")
    if choice not in PaymentChoice.values:
        raise ApplicationError("Choose money, gift vouchers or no payment.", extra={"field": "choice"})
    setup, created = _setup_locked(membership)
    before = None if created else setup.choice
    if before != choice:
        setup.choice = choice
        setup.updated_at = timezone.now()
        setup.full_clean(exclude=["partnership", "membership", "nominee_recorded_by"])
        setup.save()
        audit_record(
            actor=actor,
            partnership=membership.partnership,
            subject=setup,
            event_type="paymentsetup.choice_set",
            payload={"from": before, "to": choice},
        )
    if choice != PaymentChoice.MONEY:  # vouchers or no payment: nothing more to set up
        from participants.services.onboarding import onboarding_item_record

        onboarding_item_record(membership=membership, key="payment.setup", by=actor)
    if apply_to_open_claims:
        from payments.services.claims import claim_choice_set

        open_claims = Claim.objects.filter(membership=membership, status=Claim.Status.OPEN).exclude(choice=choice)
        for claim_id in open_claims.values_list("pk", flat=True):
            claim_choice_set(actor=actor, claim_id=claim_id, choice=choice)
    return setup


def _membership_for_nominee(actor: User, membership_id: int) -> Membership:
    require(actor, RECORD_NOMINEE)
    memberships = scope(Membership.objects.select_related("user", "partnership"), actor)
    membership = get_object_or_404(memberships, pk=membership_id)
    require(actor, RECORD_NOMINEE, membership)
    if not membership.is_young_person:
        raise ApplicationError(
            "A payment nominee can only be recorded for a young person.", extra={"field": "membership"}
        )
    return membership


def _text(value: str | None, field: str, label: str, maximum: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ApplicationError(f"Enter {label}.", extra={"field": field})
    if len(text) > maximum:
        raise ApplicationError(
            f"{label[0].upper()}{label[1:]} must be {maximum} characters or fewer.", extra={"field": field}
        )
    return text


@transaction.atomic
def nominee_record(
    *,
    actor: User,
    membership_id: int,
    name: str,
    email: str,
    relationship: str,
    consent_note: str,
) -> PaymentSetup:
    membership = _membership_for_nominee(actor, membership_id)
    name = _text(name, "name", "the nominee's full name", NAME_MAX)
    email = _text(email, "email", "the nominee's email address", 254).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(
            "Enter the nominee's email address in the right format, like name@example.com.", extra={"field": "email"}
        ) from None
    relationship = _text(relationship, "relationship", "their relationship to the young person", RELATIONSHIP_MAX)
    consent_note = _text(
        consent_note,
        "consent_note",
        "how the young person (and a parent or carer if they are under 16) agreed to the nominee",
        CONSENT_NOTE_MAX,
    )
    if actor.membership is not None and actor.membership.pk == membership.pk:
        raise ApplicationError("You cannot record your own payment nominee.", extra={"field": "name"})
    setup, _ = _setup_locked(membership)
    replaced = setup.has_nominee
    setup.nominee_name = name
    setup.nominee_email = email
    setup.nominee_relationship = relationship
    setup.nominee_consent_note = consent_note
    setup.nominee_recorded_by = actor
    setup.nominee_recorded_at = timezone.now()
    setup.updated_at = setup.nominee_recorded_at
    setup.full_clean(exclude=["partnership", "membership", "nominee_recorded_by"])
    setup.save()
    audit_record(
        actor=actor,
        partnership=membership.partnership,
        subject=setup,
        event_type="paymentsetup.nominee_recorded",
        payload={"membership": membership.pk, "replaced": replaced},
    )
    return setup


@transaction.atomic
def nominee_remove(*, actor: User, membership_id: int) -> PaymentSetup:
    membership = _membership_for_nominee(actor, membership_id)
    setup, created = _setup_locked(membership)
    if created or not setup.has_nominee:
        raise ApplicationError("No payment nominee is recorded for this young person.", extra={"field": "nominee"})
    setup.nominee_name = setup.nominee_email = setup.nominee_relationship = setup.nominee_consent_note = ""
    setup.nominee_recorded_by = actor
    setup.nominee_recorded_at = timezone.now()
    setup.updated_at = setup.nominee_recorded_at
    setup.save()
    audit_record(
        actor=actor,
        partnership=membership.partnership,
        subject=setup,
        event_type="paymentsetup.nominee_removed",
        payload={"membership": membership.pk},
    )
    return setup
