import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied

from core.exceptions import ApplicationError
from core.models import AuditEvent
from participants.models import Membership, Role, User
from participants.services import membership_create

pytestmark = pytest.mark.django_db


def test_admin_adds_a_new_person_with_two_roles(member, partnership):
    admin = member(Role.PARTNERSHIP_ADMIN)

    membership = membership_create(
        actor=admin,
        partnership=partnership,
        email=" Sam.Worker@Example.org ",
        full_name="Sam Worker",
        roles=[Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD],
    )

    assert membership.user.email == "sam.worker@example.org"
    assert membership.roles == {Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD}
    assert not membership.user.has_usable_password()
    assert EmailAddress.objects.get(user=membership.user).verified is False
    assert AuditEvent.objects.get(event_type="membership.created").payload == {
        "roles": ["participation_worker", "safeguarding_lead"]
    }


def test_an_existing_person_joins_a_second_partnership(member, partnership, other_partnership):
    person = member(Role.SCRUTINY_LEAD, in_partnership=other_partnership)
    admin = member(Role.PARTNERSHIP_ADMIN)

    membership_create(
        actor=admin, partnership=partnership, email=person.email, full_name="x", roles=[Role.SCRUTINY_LEAD]
    )

    assert User.objects.filter(email=person.email).count() == 1
    assert Membership.objects.filter(user=person).count() == 2


def test_no_roles_is_refused_naming_the_field(member, partnership):
    admin = member(Role.PARTNERSHIP_ADMIN)
    with pytest.raises(ApplicationError) as error:
        membership_create(actor=admin, partnership=partnership, email="a@example.org", full_name="A", roles=[])
    assert error.value.extra["field"] == "roles"


def test_an_admin_cannot_add_people_to_another_partnership(member, other_partnership):
    admin = member(Role.PARTNERSHIP_ADMIN)
    with pytest.raises(PermissionDenied):
        membership_create(
            actor=admin,
            partnership=other_partnership,
            email="a@example.org",
            full_name="A",
            roles=["young_person"],
        )
    assert not User.objects.filter(email="a@example.org").exists()


def test_a_worker_cannot_add_people(member, partnership):
    worker = member(Role.PARTICIPATION_WORKER)
    with pytest.raises(PermissionDenied):
        membership_create(
            actor=worker,
            partnership=partnership,
            email="a@example.org",
            full_name="A",
            roles=["young_person"],
        )


def test_the_same_person_cannot_join_twice(member, partnership):
    admin = member(Role.PARTNERSHIP_ADMIN)
    with pytest.raises(ApplicationError) as error:
        membership_create(
            actor=admin, partnership=partnership, email=admin.email, full_name="A", roles=["young_person"]
        )
    assert error.value.extra["field"] == "email"
