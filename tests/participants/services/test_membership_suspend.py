import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from participants.models import Membership, Role
from participants.services import membership_reactivate, membership_suspend

pytestmark = pytest.mark.django_db


def test_partnership_admin_suspends_and_it_is_audited(member):
    admin = member(Role.PARTNERSHIP_ADMIN)
    leaver = member(Role.YOUNG_PERSON)

    membership = membership_suspend(actor=admin, membership_id=leaver.membership.pk, reason="Left the area")

    membership.refresh_from_db()
    assert membership.status == Membership.Status.SUSPENDED
    event = AuditEvent.objects.get(event_type="membership.status_changed")
    assert event.actor == admin
    assert event.partnership == admin.partnership
    assert event.payload == {"from": "active", "to": "suspended", "reason": "Left the area"}


def test_reactivating_restores_the_membership(member):
    admin = member(Role.PARTNERSHIP_ADMIN)
    other = member(Role.FINANCE_OFFICER)
    membership_suspend(actor=admin, membership_id=other.membership.pk, reason="Long leave")

    membership_reactivate(actor=admin, membership_id=other.membership.pk, reason="Back from leave")

    assert Membership.objects.get(pk=other.membership.pk).status == Membership.Status.ACTIVE
    assert AuditEvent.objects.filter(event_type="membership.status_changed").count() == 2


@pytest.mark.parametrize(
    "role",
    [
        Role.YOUNG_PERSON,
        Role.PARTICIPATION_WORKER,
        Role.SAFEGUARDING_LEAD,
        Role.FINANCE_OFFICER,
        Role.SCRUTINY_LEAD,
    ],
)
def test_only_a_partnership_admin_may_suspend(member, role):
    actor = member(role)
    target = member(Role.YOUNG_PERSON)

    with pytest.raises(PermissionDenied):
        membership_suspend(actor=actor, membership_id=target.membership.pk, reason="No")

    assert Membership.objects.get(pk=target.membership.pk).status == Membership.Status.ACTIVE
    assert not AuditEvent.objects.exists()


def test_admin_cannot_suspend_themself(member):
    admin = member(Role.PARTNERSHIP_ADMIN)
    with pytest.raises(PermissionDenied):
        membership_suspend(actor=admin, membership_id=admin.membership.pk, reason="Oops")


def test_membership_of_another_partnership_is_not_found(member, other_partnership):
    admin = member(Role.PARTNERSHIP_ADMIN)
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)

    with pytest.raises(Http404):
        membership_suspend(actor=admin, membership_id=stranger.membership.pk, reason="Not mine")

    assert Membership.objects.get(pk=stranger.membership.pk).status == Membership.Status.ACTIVE


def test_a_reason_is_required(member):
    admin = member(Role.PARTNERSHIP_ADMIN)
    target = member(Role.YOUNG_PERSON)
    with pytest.raises(ApplicationError) as error:
        membership_suspend(actor=admin, membership_id=target.membership.pk, reason="   ")
    assert error.value.extra == {"field": "reason"}


def test_suspending_twice_is_refused_by_the_transition_map(member):
    admin = member(Role.PARTNERSHIP_ADMIN)
    target = member(Role.YOUNG_PERSON)
    membership_suspend(actor=admin, membership_id=target.membership.pk, reason="Left")

    with pytest.raises(ApplicationError, match="cannot move from Suspended to Suspended"):
        membership_suspend(actor=admin, membership_id=target.membership.pk, reason="Again")
    assert AuditEvent.objects.count() == 1


def test_an_erased_membership_cannot_be_reactivated(member):
    admin = member(Role.PARTNERSHIP_ADMIN)
    leaver = member(Role.YOUNG_PERSON)
    membership_suspend(actor=admin, membership_id=leaver.membership.pk, reason="Left")
    Membership.objects.filter(pk=leaver.membership.pk).update(erased_at=timezone.now())

    with pytest.raises(ApplicationError) as refused:
        membership_reactivate(actor=admin, membership_id=leaver.membership.pk, reason="Came back")

    assert refused.value.extra == {"field": "membership"}
    assert "erased" in refused.value.message
    assert Membership.objects.get(pk=leaver.membership.pk).status == Membership.Status.SUSPENDED
