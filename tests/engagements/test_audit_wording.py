"""Engagement events read as plain words in the audit log, status moves name the new status."""

from __future__ import annotations

import pytest
from django.db import transaction

from core.audit import audit_describe, audit_record
from engagements.audit import _EVENTS
from participants.models import Role
from tests.factories.engagements import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("event_type", sorted(_EVENTS))
def test_every_engagement_event_has_plain_words(event_type, member):
    worker = member(Role.PARTICIPATION_WORKER)
    engagement = OpportunityFactory(partnership=worker.partnership)
    with transaction.atomic():
        event = audit_record(actor=worker, partnership=worker.partnership, subject=engagement, event_type=event_type)
    words = audit_describe(event)
    assert words.startswith(worker.full_name + " ") and _EVENTS[event_type] in words


def test_a_status_move_names_the_new_status(member):
    worker = member(Role.PARTICIPATION_WORKER)
    engagement = OpportunityFactory(partnership=worker.partnership)
    with transaction.atomic():
        event = audit_record(
            actor=worker,
            partnership=worker.partnership,
            subject=engagement,
            event_type="engagement.status_changed",
            payload={"from": "draft", "to": "published"},
        )
    assert audit_describe(event) == f"{worker.full_name} moved an engagement to “Published” (number {engagement.pk})."
