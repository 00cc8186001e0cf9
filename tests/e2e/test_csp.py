"""The Content-Security-Policy in a real browser: the page's scripts still run from their files (GOV.UK Frontend
starts, the js-enabled class is set), the API docs page works under its narrow exception, and the watch every
journey runs under (conftest.no_csp_violations) does catch an inline script."""

import re

import pytest
from playwright.sync_api import expect

from participants.models import Role
from tests.e2e.conftest import signed_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_govuk_frontend_starts_from_script_files(live_server, phone, partnership):
    person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON]).user
    signed_in(phone, live_server, person)
    phone.goto(f"{live_server.url}/")
    body = phone.locator("body")
    expect(body).to_have_class(re.compile(r"\bjs-enabled\b"))
    expect(body).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    # initAll() ran: on a phone the service navigation's Menu button is shown (it starts hidden for no-JS).
    toggle = phone.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def test_the_api_docs_page_renders_without_a_violation(live_server, desktop):
    desktop.goto(f"{live_server.url}/api/v1/docs/")
    # The schema is built on request, which takes a while on a busy machine.
    expect(desktop.get_by_text("Young Scrutineers API").first).to_be_visible(timeout=60_000)
    expect(desktop.locator(".opblock").first).to_be_visible()


def test_an_inline_script_is_caught(live_server, desktop, no_csp_violations):
    desktop.goto(f"{live_server.url}/accounts/login/")
    ran = desktop.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener("securitypolicyviolation", () => resolve(window.inlineRan === true));
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.appendChild(script);
        })"""
    )
    assert ran is False
    for _ in range(100):  # the console message arrives on its own: wait for it, 5 seconds at most
        if no_csp_violations:
            break
        desktop.wait_for_timeout(50)
    assert any("script-src" in text for text in no_csp_violations), no_csp_violations
    no_csp_violations.clear()  # caught, as it should be: the test itself passes
