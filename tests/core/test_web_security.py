"""Web security (docs/security.md): the Content-Security-Policy and the headers every page sends, the production
settings (HSTS, secure cookies) checked by Django's deploy checks, and private files never given an address.

The browser side of the policy (no page of any journey breaks it) is tests/e2e/conftest.py::no_csp_violations."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.test import Client, RequestFactory

from core.web_security import allow_form_redirect
from participants.models import Role
from tests.factories import MembershipFactory

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES = BASE_DIR / "frontend" / "templates"

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


class InlineFinder(HTMLParser):
    """Everything a strict policy refuses: <script> without src (JSON data blocks are not run, so they pass),
    <style>, style="...", on*="..." handlers, hx-on, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append(f"inline <script> {attrs}")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"<{tag} {name}=...>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


# --- Content-Security-Policy ---------------------------------------------------------------------------------------


def test_every_kind_of_page_sends_the_strict_policy(client, partnership, login):
    signed_out = [client.get("/accounts/login/"), client.get("/accounts/login/code/"), client.get("/no-such-page/")]
    person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON]).user
    signed_in = login(person).get("/me/")
    assert signed_in.status_code == 200
    for response in [*signed_out, signed_in]:
        assert policy(response) == STRICT, response.wsgi_request.path
        assert "unsafe" not in response["Content-Security-Policy"]


def test_pages_as_rendered_carry_no_inline_script_or_style(client, partnership, login):
    person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON]).user
    pages = [client.get("/accounts/login/"), client.get("/accounts/login/code/"), login(person).get("/me/")]
    for response in pages:
        html = response.content.decode()
        assert inline_code(html) == [], response.wsgi_request.path
        assert "js/govuk-frontend-supported.js" in html and "js/init.js" in html
        assert "includeIndicatorStyles&quot;: false" in html or '"includeIndicatorStyles": false' in html


def test_no_template_has_inline_script_style_or_handlers():
    """Our templates (and our overrides of allauth's): a new inline script, style or handler fails here first."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        text = re.sub(r"{% comment %}.*?{% endcomment %}", "", text, flags=re.S)
        found = inline_code(re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", text, flags=re.S))
        if found:
            offenders.append(f"{path.relative_to(TEMPLATES)}: {found}")
    assert offenders == []


def test_the_finder_finds_what_a_policy_would_refuse():
    assert inline_code('<script>alert(1)</script><script src="/static/x.js"></script>') == ["inline <script> []"]
    assert len(inline_code('<p style="color:red" onclick="x()"><a href="javascript:x()">x</a><style></style>')) == 4
    assert inline_code('<script type="application/json" id="d">{}</script><div hx-get="/x"></div>') == []


def test_the_js_files_the_pages_load_exist():
    static = BASE_DIR / "frontend" / "static" / "js"
    assert "js-enabled" in (static / "govuk-frontend-supported.js").read_text()
    assert "initAll" in (static / "init.js").read_text()
    assert ".htmx-indicator" in (BASE_DIR / "frontend" / "scss" / "app.scss").read_text()


def test_the_api_docs_page_widens_only_images_and_has_no_inline_script(client, partnership, login):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    directives = policy(response)
    assert directives["img-src"] == ["'self'", "data:"]
    assert {name: values for name, values in directives.items() if name != "img-src"} == {
        name: values for name, values in STRICT.items() if name != "img-src"
    }
    assert inline_code(response.content.decode()) == []
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_a_redirect_to_stripe_onboarding_may_leave_the_form_for_that_origin_only():
    request = RequestFactory().post("/me/payments/setup/")
    url = "https://connect.stripe.com/setup/e/acct_123/abc"
    response = allow_form_redirect(HttpResponseRedirect(url), url)
    middleware = CSPMiddleware(lambda request: HttpResponse())
    middleware.process_request(request)
    header = middleware.process_response(request, response)["Content-Security-Policy"]
    assert directives(header)["form-action"] == "'self' https://connect.stripe.com"
    plain = middleware.process_response(request, HttpResponse())["Content-Security-Policy"]
    assert directives(plain)["form-action"] == "'self'"


def directives(header: str) -> dict[str, str]:
    """A Content-Security-Policy header by directive (their order differs from one process to the next)."""
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


# --- Other headers -------------------------------------------------------------------------------------------------


def test_pages_cannot_be_framed_sniffed_or_opened_by_other_windows(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_reached_by_a_signed_link_send_only_the_origin_as_referrer(client, partnership):
    """strict-origin: never the path (the token), and the page's own forms still send their Origin for the CSRF
    check (no-referrer would send "Origin: null": tests/e2e/test_parent_consent.py posts such a form)."""
    from participants.tokens import make_token
    from safeguarding.services.consent import GIVE, consent_token_make

    links = [
        f"/consent/{consent_token_make(GIVE, 999_999)}/",  # a well-signed link to something that is not there
        "/consent/forged-token/",
        f"/apply/resume/{make_token('resume', __import__('uuid').uuid4())}/",
        "/apply/offer/forged/",
        "/calendar/forged.ics",
    ]
    for link in links:
        response = client.get(link)
        assert response.status_code in {400, 404}, link
        assert response["Referrer-Policy"] == "strict-origin", link
    assert client.get("/accounts/login/")["Referrer-Policy"] == "same-origin"


def test_a_working_signed_link_sends_only_the_origin_as_referrer(client, partnership, worker):
    from tests.safeguarding.test_consent_pages import link_for, young

    _, link = link_for(worker, young(partnership))
    response = client.get(link)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


def test_a_refused_csrf_check_gets_a_plain_page_with_no_inline_style():
    refused = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "This form has expired" in text and inline_code(text) == []
    assert policy(refused) == STRICT


# --- Private files ---------------------------------------------------------------------------------------------------


def test_no_address_serves_the_private_files(client, settings, tmp_path, partnership, login):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {"location": str(tmp_path), "base_url": "/no-public-address/"},
        },
    }
    (tmp_path / "receipts").mkdir()
    (tmp_path / "receipts" / "r.pdf").write_bytes(b"%PDF-1.4 secret")
    worker = MembershipFactory(partnership=partnership, roles=[Role.PARTNERSHIP_ADMIN]).user
    for who in (client, login(worker)):
        for address in (
            "/no-public-address/receipts/r.pdf",
            "/media/receipts/r.pdf",
            "/private-media/receipts/r.pdf",
            "/static/receipts/r.pdf",
            "/static/../private-media/receipts/r.pdf",
        ):
            response = who.get(address)
            assert response.status_code in {302, 404}, address
            assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))


# --- Production settings ---------------------------------------------------------------------------------------------

PRODUCTION_PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test.utils import override_settings
call_command("check", "--deploy", "--fail-level", "WARNING")  # every check, not even a warning
call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")  # and not one security warning
client = Client(HTTP_HOST="scrutineers.example.org")
# No collectstatic here: file names without the manifest's hashes; nothing else changes.
plain_files = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain_files):
    plain = client.get("/accounts/login/")
    secure = client.get("/accounts/login/", secure=True)
cookie = secure.cookies.get(settings.CSRF_COOKIE_NAME)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "hsts_plain": plain.get("Strict-Transport-Security"),
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "csrf_cookie": {"secure": cookie["secure"], "samesite": cookie["samesite"], "name": cookie.key} if cookie else None,
    "session": [settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                settings.SESSION_COOKIE_SAMESITE],
    "csrf": [settings.CSRF_COOKIE_SECURE, settings.CSRF_COOKIE_SAMESITE],
    "api_rates": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "rates": [settings.RATELIMIT_PUBLIC_FORM, settings.RATELIMIT_SIGNED_LINK, settings.RATELIMIT_SIGNED_LINK_FAILURES],
    "silenced": settings.SILENCED_SYSTEM_CHECKS,
}))
"""


def production_env() -> dict[str, str]:
    """Real-looking production environment: nothing here is contacted by the probe."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CACHE_", "DATABASE_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": Fernet.generate_key().decode() + Fernet.generate_key().decode(),
            "DJANGO_ALLOWED_HOSTS": "scrutineers.example.org",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://scrutineers.example.org",
            "SITE_URL": "https://scrutineers.example.org",
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": "postgres://scrutineers:secret@db.invalid:5432/scrutineers",
            "CELERY_BROKER_URL": "redis://redis.invalid:6379/0",
            "CACHE_URL": "redis://redis.invalid:6379/1",
            "STRIPE_SECRET_KEY": "sk_live_" + "x" * 24,
            "STRIPE_WEBHOOK_SECRET": "whsec_" + "y" * 24,
            "STRIPE_WEBHOOK_PATH_TOKEN": "z" * 32,
            "EMAIL_HOST": "smtp.example.org",
        }
    )
    return env


def test_production_settings_pass_the_deploy_checks_and_send_hsts_and_secure_cookies():
    done = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "System check identified no issues" in done.stdout + done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["plain_status"] == 301 and found["plain_location"].startswith("https://")
    assert found["hsts_plain"] is None  # HSTS only on https, as the standard says
    assert found["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in found["csp"]
    assert found["csrf_cookie"] == {"secure": True, "samesite": "Lax", "name": "__Secure-csrftoken"}
    assert found["session"] == ["__Secure-sessionid", True, True, "Lax"]
    assert found["csrf"] == [True, "Lax"]
    # Production's limits are the documented defaults (test settings loosen the API's), and nothing is silenced but
    # django-ratelimit's "not officially supported" warning for Django's own RedisCache (see production.py).
    assert found["api_rates"] == {"anon": "60/minute", "user": "1200/minute"}
    assert found["rates"] == ["200/10m", "300/10m", "20/10m"]
    assert found["silenced"] == ["django_ratelimit.W001"]


def test_session_cookie_is_httponly_and_samesite_here_too(client, partnership):
    from tests.factories import PASSWORD

    person = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER]).user
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"


def test_a_host_not_allowed_gets_a_plain_400_not_a_500(partnership, settings):
    """CommonMiddleware refuses the Host before the authentication middleware runs: the 400 page is rendered for a
    request with no user, and its menu must not need one."""
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client(raise_request_exception=False)
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    api = client.get("/api/v1/opportunities/", HTTP_HOST="evil.example", HTTP_ACCEPT="application/json")
    assert api.status_code == 400
