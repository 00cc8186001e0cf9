"""Signing in, in a real browser: a young person with an emailed code on a phone; staff with password and TOTP.
axe-core reports no accessibility violations on any page of either journey."""

import re

import pyotp
import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from participants.models import Role
from tests.e2e.conftest import ARTIFACTS, assert_accessible
from tests.factories import PASSWORD, STAFF_TOTP_SECRET, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def test_young_person_signs_in_with_an_emailed_code_on_a_phone(live_server, phone, mailoutbox, partnership):
    person = MembershipFactory(
        partnership=partnership,
        roles=[Role.YOUNG_PERSON],
        user__full_name="Amara Okafor",
        user__preferred_name="Amara",
    ).user
    MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER], user__full_name="Sam Patel")

    phone.goto(f"{live_server.url}/")
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    assert_accessible(phone, "login")

    phone.get_by_role("button", name=re.compile(r"email me a sign-in code", re.I)).click()
    expect(phone).to_have_url(re.compile(r"/accounts/login/code/"))
    assert_accessible(phone, "request-code")
    phone.get_by_label(re.compile("email", re.I)).fill(person.email)
    phone.get_by_role("button", name=re.compile(r"code", re.I)).click()

    expect(phone).to_have_url(re.compile(r"/accounts/login/code/confirm/"))
    assert_accessible(phone, "confirm-code")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [person.email]
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mailoutbox[0].body, re.MULTILINE).group(1)
    phone.get_by_label(re.compile("code", re.I)).fill(code)
    phone.get_by_role("button", name=re.compile(r"sign in", re.I)).click()

    expect(phone).to_have_url(re.compile(r"/me/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hi Amara")
    expect(phone.get_by_text("Sam Patel")).to_be_visible()
    assert_accessible(phone, "young-person-home")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "young-person-home.png"), full_page=True)


def test_staff_member_signs_in_with_password_and_totp(live_server, desktop, partnership):
    lead = MembershipFactory(partnership=partnership, roles=[Role.SAFEGUARDING_LEAD], user__full_name="Helen Ward").user

    desktop.goto(f"{live_server.url}/accounts/login/")
    desktop.get_by_label(re.compile("email", re.I)).fill(lead.email)
    desktop.get_by_label(re.compile("password", re.I)).fill("wrong-password")
    desktop.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    expect(desktop.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(desktop, "login-error")

    desktop.get_by_label(re.compile("password", re.I)).fill(PASSWORD)
    desktop.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    expect(desktop).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    assert_accessible(desktop, "totp")

    desktop.get_by_label(re.compile("code", re.I)).fill(pyotp.TOTP(STAFF_TOTP_SECRET).now())
    desktop.get_by_role("button", name=re.compile(r"sign in|continue|verify", re.I)).click()

    expect(desktop).to_have_url(re.compile(r"/staff/$"))
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(desktop.locator(".app-header__partnership")).to_contain_text("Signed in as Helen Ward")
    assert_accessible(desktop, "staff-home")
