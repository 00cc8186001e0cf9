"""Library events read as plain words in the audit log, and status moves name the new status."""

from __future__ import annotations

import pytest
from django.db import transaction

from core.audit import audit_describe, audit_record
from library.audit import _EVENTS
from participants.models import Role
from tests.factories.library import ExampleCreditFactory, ExampleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("event_type", sorted(_EVENTS))
def test_every_library_event_has_plain_words(event_type, member):
    worker = member(Role.PARTICIPATION_WORKER)
    example = ExampleFactory(partnership=worker.partnership)
    with transaction.atomic():
        event = audit_record(actor=worker, partnership=worker.partnership, subject=example, event_type=event_type)
    words = audit_describe(event)
    assert words.startswith(worker.full_name + " ") and _EVENTS[event_type] in words


def test_status_moves_name_the_new_status(member):
    worker = member(Role.PARTICIPATION_WORKER)
    credit = ExampleCreditFactory(example=ExampleFactory(partnership=worker.partnership))
    with transaction.atomic():
        example_event = audit_record(
            actor=worker,
            partnership=worker.partnership,
            subject=credit.example,
            event_type="example.status_changed",
            payload={"from": "submitted", "to": "published"},
        )
        credit_event = audit_record(
            actor=None,
            partnership=worker.partnership,
            subject=credit,
            event_type="examplecredit.status_changed",
            payload={"from": "agreed", "to": "withdrawn"},
        )
    assert audit_describe(example_event) == (
        f"{worker.full_name} moved a library example to “Published” (number {credit.example.pk})."
    )
    assert audit_describe(credit_event) == (
        f"The system moved a request to be named on a library example to “Took back their agreement” "
        f"(number {credit.pk})."
    )
