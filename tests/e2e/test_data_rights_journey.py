"""A young person reads and downloads their information on a phone, then asks for it to be deleted; a worker
sees the request with its due date and starts it; an admin erases and sees what was kept and why. axe-core
reports no accessibility violations on any page."""

import json
import re

import pytest
from playwright.sync_api import expect

from participants.models import DataRequest, one_calendar_month_after
from tests.e2e.conftest import assert_accessible, signed_in
from tests.participants.data_rights.conftest import RESTRICTED_NOTE, make_person

pytestmark = pytest.mark.django_db(transaction=True)


def _long(day):
    return f"{day:%-d %B %Y}"


def test_download_ask_for_deletion_and_the_worker_sees_the_due_date(live_server, phone, desktop):
    from participants.models import Role
    from tests.factories import MembershipFactory, PartnershipFactory

    partnership = PartnershipFactory()
    person = make_person(partnership)
    admin = MembershipFactory(partnership=partnership, roles=[Role.PARTNERSHIP_ADMIN]).user

    # The young person reads their information and downloads it.
    signed_in(phone, live_server, person.user)
    phone.goto(f"{live_server.url}/me/information/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your information")
    expect(phone.locator("main")).to_contain_text("Meet again in a fortnight")
    expect(phone.locator("main")).to_contain_text("Safeguarding concerns")
    expect(phone.locator("main")).not_to_contain_text(RESTRICTED_NOTE)
    assert_accessible(phone, "data-rights-mine")
    with phone.expect_download() as download:
        phone.get_by_role("link", name=re.compile("Download your information")).click()
    with open(download.value.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["version"] == 1 and data["about_you"]["email"] == person.user.email

    # ... and asks for it to be deleted.
    phone.get_by_role("link", name="Ask about your information").click()
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator(".govuk-error-summary")).to_contain_text("Choose what you want to ask for")
    assert_accessible(phone, "data-rights-ask-error")
    phone.get_by_label("Ask you to delete my information").check()
    phone.get_by_label("Anything you want to tell us (optional)").fill("I have left and want my details gone.")
    phone.get_by_role("button", name="Send").click()
    request = DataRequest.objects.get(membership=person.membership)
    due = _long(one_calendar_month_after(request.received_on))
    expect(phone.locator("main")).to_contain_text(f"We will answer by {due}")
    assert_accessible(phone, "data-rights-asked")

    # A worker sees it with its due date and starts it.
    signed_in(desktop, live_server, person.worker, second_factor=True)
    desktop.goto(f"{live_server.url}/staff/data-requests/")
    row = desktop.get_by_role("row", name=re.compile(person.user.full_name))
    expect(row).to_contain_text(due)
    expect(row).to_contain_text("Delete their information")
    assert_accessible(desktop, "data-rights-staff-list")
    row.get_by_role("link").click()
    expect(desktop.locator("main")).to_contain_text("Only a partnership admin can complete it")
    desktop.get_by_role("button", name="Start working on it").click()
    expect(desktop.locator("main")).to_contain_text("In progress")
    assert_accessible(desktop, "data-rights-staff-detail")

    # The admin erases, and sees what was kept and why.
    desktop.context.clear_cookies()
    signed_in(desktop, live_server, admin, second_factor=True)
    desktop.goto(f"{live_server.url}/staff/data-requests/{request.pk}/")
    desktop.get_by_role("button", name="Erase their information and complete").click()
    expect(desktop.locator("main")).to_contain_text("What was kept, and why")
    expect(desktop.locator("main")).to_contain_text("25th birthday")
    expect(desktop.locator("main")).to_contain_text("six years")
    assert_accessible(desktop, "data-rights-erased")
    request.refresh_from_db()
    assert request.status == DataRequest.Status.COMPLETED
