import pytest
from django.db import transaction

from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.workflows import transition
from participants.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_an_allowed_move_writes_the_status_and_an_audit_row(member):
    actor = member(Role.PARTNERSHIP_ADMIN)
    membership = member(Role.YOUNG_PERSON).membership
    with transaction.atomic():
        transition(membership, to=Membership.Status.SUSPENDED, actor=actor, payload={"reason": "r"})
    assert Membership.objects.get(pk=membership.pk).status == "suspended"
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.subject_id, event.event_type) == (
        actor.pk,
        str(membership.pk),
        "membership.status_changed",
    )


def test_a_move_outside_the_map_is_refused_and_nothing_is_written(member):
    membership = member(Role.YOUNG_PERSON).membership
    with pytest.raises(ApplicationError), transaction.atomic():
        transition(membership, to="archived", actor=None)
    assert Membership.objects.get(pk=membership.pk).status == "active"
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_transition_outside_a_transaction_is_refused(member):
    membership = member(Role.YOUNG_PERSON).membership
    with pytest.raises(RuntimeError):
        transition(membership, to=Membership.Status.SUSPENDED, actor=None)
