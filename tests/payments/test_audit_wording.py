"""Payment events read as plain words in the audit log; status moves name the new status."""

from __future__ import annotations

import pytest
from django.db import transaction

from core.audit import audit_describe, audit_record
from participants.models import Role
from payments.audit import EVENTS
from tests.factories.payments import ClaimFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("event_type", sorted(EVENTS))
def test_every_payment_event_has_plain_words(event_type, member):
    officer = member(Role.FINANCE_OFFICER)
    claim = ClaimFactory(membership=member(Role.YOUNG_PERSON).membership)
    with transaction.atomic():
        event = audit_record(actor=officer, partnership=officer.partnership, subject=claim, event_type=event_type)
    assert audit_describe(event) == f"{officer.full_name} {EVENTS[event_type]} (number {claim.pk})."


def test_a_claim_status_move_names_the_new_status(member):
    officer = member(Role.FINANCE_OFFICER)
    claim = ClaimFactory(membership=member(Role.YOUNG_PERSON).membership)
    with transaction.atomic():
        event = audit_record(
            actor=officer,
            partnership=officer.partnership,
            subject=claim,
            event_type="claim.status_changed",
            payload={"from": "open", "to": "paid"},
        )
    assert audit_describe(event) == f"{officer.full_name} moved a claim to “Paid” (number {claim.pk})."
