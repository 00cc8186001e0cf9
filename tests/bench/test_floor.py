"""The throughput benchmark's floor view (/bench/floor/, bench/throughput.py): routed only when BENCH_FLOOR_VIEW is on,
and when it is, one indexed query of its own on top of what the middleware does for every signed-in page."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

import config.urls
from core.tenancy import SESSION_KEY
from participants.models import Role

FLOOR = "/bench/floor/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls_with_floor(settings) -> Iterator[Callable[[bool], None]]:
    """Serve a fresh copy of config/urls.py, loaded with BENCH_FLOOR_VIEW on or off (the module reads the setting
    once, when it is imported)."""
    loaded: list[str] = []

    def load(enabled: bool) -> None:
        settings.BENCH_FLOOR_VIEW = enabled
        name = f"tests.bench._config_urls_floor_{'on' if enabled else 'off'}"
        spec = importlib.util.spec_from_file_location(name, Path(config.urls.__file__))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loaded.append(name)
        admin_login = admin.site.login
        try:
            spec.loader.exec_module(module)
        finally:
            admin.site.login = admin_login  # config/urls.py wraps it; the copy must not wrap it twice
        settings.ROOT_URLCONF = name

    yield load
    for name in loaded:
        sys.modules.pop(name, None)


def _signed_in(client, login_with_second_factor, user) -> None:
    login_with_second_factor(user)
    session = client.session
    session[SESSION_KEY] = user.partnership_id  # as after the first page: the middleware does not write it again
    session.save()


@pytest.mark.parametrize(
    ("role", "middleware_tables"),
    [
        # session, the user, the membership the person acts in (core.tenancy)
        (Role.YOUNG_PERSON, ["django_session", "participants_user", "participants_membership"]),
        # staff also: do they have a second factor at all (core.mfa)
        (
            Role.FINANCE_OFFICER,
            ["django_session", "participants_user", "participants_membership", "mfa_authenticator"],
        ),
    ],
)
def test_floor_makes_one_query_of_its_own_when_enabled(
    role, middleware_tables, urls_with_floor, client, member, login_with_second_factor
):
    urls_with_floor(True)
    person = member(role)
    _signed_in(client, login_with_second_factor, person)
    assert reverse("bench_floor") == FLOOR

    with CaptureQueriesContext(connection) as queries:
        response = client.get(FLOOR)

    assert response.status_code == 200
    assert person.partnership.name in response.content.decode()
    froms = [q["sql"].split(" FROM ", 1)[1].split()[0].strip('"') for q in queries.captured_queries]
    assert froms == [*middleware_tables, "participants_membership"], [q["sql"] for q in queries.captured_queries]
    own = queries.captured_queries[-1]["sql"]
    assert f'"participants_membership"."id" = {person.membership.pk}' in own
    assert "LIMIT 21" in own  # .get() by primary key: one row


def test_floor_is_not_routed_when_disabled(urls_with_floor, client, member, login_with_second_factor):
    urls_with_floor(False)
    person = member(Role.YOUNG_PERSON)
    _signed_in(client, login_with_second_factor, person)

    assert client.get(FLOOR).status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")
