"""Rate limits (docs/security.md, "Web security"): sign-in and sign-in codes (allauth's ACCOUNT_RATE_LIMITS), public
forms and signed links (core.ratelimit), the API (DRF throttling). Each bites at its limit, counts per key (an email
address, a client address, a person), and lets people back in when its window has passed. The cache is emptied
before every test (tests/conftest.py::_empty_cache)."""

from __future__ import annotations

import re
import time
import types

import pytest
from django.test import Client
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from participants.models import Role
from tests.factories import PASSWORD, MembershipFactory
from tests.factories.recruitment import RoundFactory

pytestmark = pytest.mark.django_db

TOO_MANY_SIGN_INS = "Too many failed login attempts"


class Clock:
    """time.time() for a rate-limit module, moved forward by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@pytest.fixture
def allauth_clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("allauth.core.internal.ratelimit.time", clock)
    return clock


@pytest.fixture
def ratelimit_clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=clock.time))
    return clock


def client_at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


# --- Sign-in ---------------------------------------------------------------------------------------------------------


def sign_in(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_the_sixth_failed_sign_in_for_one_email_is_refused_until_the_window_passes(partnership, allauth_clock):
    person = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER]).user
    other = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER]).user
    client = Client()
    for _ in range(5):
        response = sign_in(client, person.email, "wrong password")
        assert response.status_code == 200 and TOO_MANY_SIGN_INS not in response.content.decode()
    refused = sign_in(client, person.email, PASSWORD)  # the right password, but locked
    assert refused.status_code == 200 and TOO_MANY_SIGN_INS in refused.content.decode()
    # Per email: someone else signs in from the same address.
    assert sign_in(Client(), other.email, PASSWORD).status_code == 302
    # Fifteen minutes later the lock has gone.
    allauth_clock.now += 15 * 60 + 1
    assert sign_in(Client(), person.email, PASSWORD).status_code == 302


def test_too_many_sign_in_posts_from_one_address_get_the_429_page(partnership, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    from allauth.account import app_settings

    assert app_settings.RATE_LIMITS["login"] == "3/m/ip"
    here = client_at("203.0.113.5")
    for _ in range(3):
        assert sign_in(here, "nobody@example.org", "x").status_code == 200
    refused = sign_in(here, "nobody@example.org", "x")
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "Too many tries" in text and "govuk-heading-l" in text
    assert sign_in(client_at("203.0.113.6"), "nobody@example.org", "x").status_code == 200


def request_code(client: Client, email: str):
    return client.post("/accounts/login/code/", {"email": email})


def test_a_fourth_sign_in_code_for_one_email_in_five_minutes_is_refused(
    partnership, allauth_clock, mailoutbox, django_capture_on_commit_callbacks
):
    person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON]).user
    other = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON]).user
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert request_code(Client(), person.email).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        refused = request_code(Client(), person.email)
    assert refused.status_code == 200 and TOO_MANY_SIGN_INS in refused.content.decode()
    assert len([m for m in mailoutbox if m.to == [person.email]]) == 3
    assert request_code(Client(), other.email).status_code == 302
    allauth_clock.now += 5 * 60 + 1
    assert request_code(Client(), person.email).status_code == 302


def test_three_wrong_codes_end_the_code(partnership, mailoutbox, django_capture_on_commit_callbacks):
    person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON]).user
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert request_code(client, person.email).status_code == 302
    for _ in range(3):
        client.post("/accounts/login/code/confirm/", {"code": "AAAA-AAAA"})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mailoutbox[-1].body, re.MULTILINE).group(1)
    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert "_auth_user_id" not in client.session
    assert response.status_code in {200, 302}


# --- Public forms ----------------------------------------------------------------------------------------------------


def about_you_post(client: Client, round_):
    return client.post(f"/apply/{round_.public_id}/about-you/", {"full_name": ""})


def test_public_form_posts_are_limited_per_address_and_reset(partnership, settings, ratelimit_clock):
    settings.RATELIMIT_PUBLIC_FORM = "3/m"
    round_ = RoundFactory(partnership=partnership)
    here = client_at("198.51.100.7")
    for _ in range(3):
        assert about_you_post(here, round_).status_code == 200  # the form with its errors
    refused = about_you_post(here, round_)
    assert refused.status_code == 429 and "Too many tries" in refused.content.decode()
    assert int(refused["Retry-After"]) >= 1
    assert here.get(f"/apply/{round_.public_id}/about-you/").status_code == 200  # reading is not limited
    assert about_you_post(client_at("198.51.100.8"), round_).status_code == 200  # per address
    ratelimit_clock.now += 61
    assert about_you_post(here, round_).status_code == 200


def test_a_cache_that_cannot_be_reached_does_not_take_the_form_down(partnership, settings, monkeypatch):
    settings.RATELIMIT_PUBLIC_FORM = "1/m"

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("core.ratelimit.get_usage", broken)
    round_ = RoundFactory(partnership=partnership)
    for _ in range(3):
        assert about_you_post(Client(), round_).status_code == 200


def test_sign_in_fails_closed_with_a_plain_503_page_when_the_cache_is_down(partnership, settings):
    """A real Redis cache on a port nothing listens on: allauth cannot count failed tries, so sign-in stops (no
    guessing without limits), with our 503 page rather than a 500; the sign-in page itself still opens."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON]).user
    client = Client(raise_request_exception=False)
    assert client.get("/accounts/login/").status_code == 200
    refused = sign_in(client, person.email, PASSWORD)
    assert refused.status_code == 503
    assert "Signing in is paused for a moment" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_address_is_read_behind_the_proxies_we_trust(partnership, settings):
    settings.RATELIMIT_PUBLIC_FORM = "1/m"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    round_ = RoundFactory(partnership=partnership)
    proxy = "127.0.0.1"

    def post_from(address: str):
        return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=address).post(
            f"/apply/{round_.public_id}/about-you/", {"full_name": ""}
        )

    assert post_from("192.0.2.1").status_code == 200
    assert post_from("192.0.2.2").status_code == 200  # another person behind the same nginx
    assert post_from("192.0.2.1").status_code == 429


def test_every_signed_out_form_and_signed_link_is_rate_limited():
    """docs/permissions.md names every address a signed-out person may use ("public", "token"): each public form
    post and each signed link must go through core.ratelimit, so a new one without a limit fails here."""
    from tests.test_address_matrix import ROWS, url_patterns

    # Stripe signs every webhook and retries refused ones: a limit would only delay payments (its own test checks
    # the signature). allauth's pages have allauth's limits (tests above). The API has DRF's throttle.
    exempt = {"stripe_webhook"}
    patterns = url_patterns()
    needed = {
        row.address: "signed-link" if row.needs == "token" else "public-form"
        for row in ROWS
        if not row.is_api
        and row.address not in exempt
        and (row.needs == "token" or (row.needs == "public" and row.method in {"POST", "PUT", "PATCH", "DELETE"}))
    }
    assert "consent_parent" in needed and "apply_about_you" in needed  # the table is being read
    missing = {
        name: kind
        for name, kind in needed.items()
        if getattr(patterns[name][1], "rate_limited", None) not in {kind, "signed-link"}
    }
    assert missing == {}


# --- Signed links ----------------------------------------------------------------------------------------------------


def test_guessing_signed_links_stops_the_address_even_for_a_good_link(partnership, settings, ratelimit_clock):
    from participants import tokens
    from tests.factories.recruitment import ApplicationFactory

    settings.RATELIMIT_SIGNED_LINK_FAILURES = "3/10m"
    application = ApplicationFactory(round=RoundFactory(partnership=partnership), status="draft")
    good = f"/apply/resume/{tokens.make_token('resume', application.public_id)}/"
    here = client_at("198.51.100.20")
    assert here.get(good).status_code == 302  # a good link is not a failure
    for guess in ("aaaa", "bbbb", "cccc"):
        assert here.get(f"/consent/{guess}/").status_code in {400, 404}
    refused = here.get(good)
    assert refused.status_code == 429 and refused["Referrer-Policy"] == "strict-origin"
    assert "Too many tries" in refused.content.decode()
    assert client_at("198.51.100.21").get(good).status_code == 302
    ratelimit_clock.now += 10 * 60 + 1
    assert here.get(good).status_code == 302


def test_every_request_to_signed_links_is_counted_too(partnership, settings):
    settings.RATELIMIT_SIGNED_LINK = "4/m"
    here = client_at("198.51.100.30")
    for _ in range(4):
        assert here.get("/calendar/not-a-token.ics").status_code == 404
    assert here.get("/calendar/not-a-token.ics").status_code == 429


# --- The API ---------------------------------------------------------------------------------------------------------


def test_the_api_answers_429_in_json_over_its_limit(member, monkeypatch, api_client):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    person, other = member(Role.YOUNG_PERSON), member(Role.YOUNG_PERSON)
    api_client.force_authenticate(person)
    for _ in range(3):
        assert api_client.get("/api/v1/me/").status_code == 200
    refused = api_client.get("/api/v1/me/")
    assert refused.status_code == 429
    assert refused.json()["message"].startswith("Request was throttled")
    assert refused.json()["extra"] == {}
    assert int(refused["Retry-After"]) >= 1
    api_client.force_authenticate(other)
    assert api_client.get("/api/v1/me/").status_code == 200  # per person
