"""factory_boy factories. `MembershipFactory(roles=[Role.FINANCE_OFFICER])` gives a person those roles; staff get a
TOTP authenticator (secret STAFF_TOTP_SECRET) unless `with_totp=False`."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from faker import Faker

from participants.models import STAFF_ROLES, Membership, Partnership, Role, User

_faker = Faker("en_GB")
STAFF_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
PASSWORD = "correct-horse-battery-staple"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n} Safeguarding Children Partnership")
    slug = factory.Sequence(lambda n: f"partnership-{n}")
    area = factory.Faker("city", locale="en_GB")
    contact_email = factory.Sequence(lambda n: f"lscp{n}@partnership.example")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    # Realistic names, without apostrophes (O'Brien): pages escape them, and tests that look for a name in the
    # HTML would then fail only when Faker happens to pick one.
    full_name = factory.LazyFunction(lambda: _faker.name().replace("'", ""))

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class: type[Membership], *args: Any, **kwargs: Any) -> Membership:
        roles = kwargs.pop("roles", (Role.YOUNG_PERSON,))
        with_totp = kwargs.pop("with_totp", True)
        membership = model_class(*args, **kwargs)
        membership.set_roles(roles)
        membership.save()
        has_totp = Authenticator.objects.filter(user=membership.user, type=Authenticator.Type.TOTP).exists()
        if with_totp and set(roles) & STAFF_ROLES and not has_totp:
            TOTP.activate(membership.user, STAFF_TOTP_SECRET)
        return membership
