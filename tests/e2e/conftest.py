"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import require_service

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-results"

# Playwright's sync API runs an event loop in the test thread; Django's ORM guard must be told that is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        require_service("Chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


# Every page a journey opens reports its Content-Security-Policy violations here: the browser's own console messages
# ("Refused to execute inline script because it violates the following Content Security Policy directive ...") and,
# from a script added before any of the page's own, each securitypolicyviolation event.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "CSP violation: " + event.effectiveDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber + " on " + document.location.pathname
  );
});
"""
CSP_SIGNS = ("Content Security Policy", "Content-Security-Policy", "Refused to", "CSP violation")


def csp_violation(text: str) -> bool:
    return any(sign in text for sign in CSP_SIGNS)


@pytest.fixture(autouse=True)
def no_csp_violations(browser, monkeypatch):
    """Fails the test if any page in any browser context it opens breaks the Content-Security-Policy (an inline
    script or style, a handler attribute, a script from elsewhere): the journeys prove there are none."""
    violations: list[str] = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", lambda message: csp_violation(message.text) and violations.append(message.text))
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield violations
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def phone(browser):
    """A phone-sized page (375 x 740, like an iPhone SE or a small Android)."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_accessible(page, name: str) -> None:
    """axe-core (WCAG 2.0/2.1/2.2 A and AA rules) reports no violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}},
    )
    if results.violations_count:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"


def signed_in(page, live_server, user, *, second_factor: bool = False) -> None:
    """Put a signed-in session for `user` into the browser (the sign-in journeys have their own tests). A staff
    session carries the record of a second factor, as allauth writes it after the TOTP step."""
    import time

    from django.test import Client

    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    if second_factor:
        session = client.session
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "email": user.email},
            {"method": "mfa", "at": time.time(), "type": "totp"},
        ]
        session.save()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


from tests.payments.conftest import stripe_server  # noqa: E402, F401 - the payment journey drives the local Stripe
