from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
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


@pytest.fixture
def private_storage(settings: Any, tmp_path: Path) -> Path:
    """Uploads go to a folder of this test's own (returned), not the development machine's private media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-address/"},
        },
    }
    return tmp_path / "private"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Rate limits (allauth's, core.ratelimit's, the API's) count in the cache, per client address, and every test
    client is 127.0.0.1: each test starts with nothing counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _national_minimum_wage_rates(request: pytest.FixtureRequest) -> None:
    """The National Minimum Wage rates are national data a migration adds. A transactional test (live server,
    real threads) empties every table when it ends, so put them back for each test that uses the database."""
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        return
    import importlib

    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    migration = importlib.import_module("payments.migrations.0002_minimum_wage_rates")
    from payments.models import MinimumWageRate

    for band, pence, effective_from in migration.RATES:
        MinimumWageRate.objects.get_or_create(
            band=band, effective_from=effective_from, defaults={"hourly_pence": pence}
        )


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
