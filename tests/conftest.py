from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from core.tenancy import act_in
from participants.models import Membership, Partnership, Role, User
from tests.factories import MembershipFactory, PartnershipFactory


def require_service(name: str, reason: str) -> None:
    """Skip when a service is missing locally; fail in CI (REQUIRE_SERVICES=1), where it must be there."""
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"{name} is required here (REQUIRE_SERVICES=1) but {reason}")
    pytest.skip(f"{name} not available: {reason}")


@pytest.fixture
def partnership() -> Partnership:
    return PartnershipFactory()


@pytest.fixture
def other_partnership() -> Partnership:
    return PartnershipFactory()


@pytest.fixture
def member(partnership: Partnership) -> Callable[..., User]:
    """member(Role.FINANCE_OFFICER) -> a user acting in `partnership` with those roles."""

    def make(*roles: str, in_partnership: Partnership | None = None, **kwargs: Any) -> User:
        where = in_partnership or partnership
        membership = MembershipFactory(partnership=where, roles=roles or (Role.YOUNG_PERSON,), **kwargs)
        user: User = membership.user
        act_in(user, where)
        return user

    return make


@pytest.fixture
def login(client: Client) -> Callable[[User], Client]:
    def sign_in(user: User) -> Client:
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return client

    return sign_in


@pytest.fixture
def login_with_second_factor(client: Client) -> Callable[[User], Client]:
    """Sign in as if through the real second-factor step: allauth's session record includes "mfa"."""
    import time

    def sign_in(user: User) -> Client:
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        session = client.session
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "email": user.email},
            {"method": "mfa", "at": time.time(), "type": "totp"},
        ]
        session.save()
        return client

    return sign_in


@pytest.fixture
def api_client() -> Any:
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_as(api_client: Any) -> Callable[[User], Any]:
    def sign_in(user: User) -> Any:
        api_client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return api_client

    return sign_in


@pytest.fixture
def membership_of() -> Callable[[User], Membership]:
    def get(user: User) -> Membership:
        assert user.membership is not None
        return user.membership

    return get
