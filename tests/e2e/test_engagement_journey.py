"""The whole of a paid engagement in a real browser: a young person sees an opportunity on their phone and says
they are interested; the participation worker confirms them through the gate; the staff lead marks them present
from a phone; the young person logs their time; the worker approves it. axe-core checks every page on the way."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagements.models import Attendance, Engagement, Interest, WorkLog
from participants.models import Role
from tests.e2e.conftest import assert_accessible, signed_in
from tests.engagements.helpers import make_eligible
from tests.factories import MembershipFactory, PartnershipFactory
from tests.factories.engagements import OpportunityFactory
from tests.factories.safeguarding import StaffCheckFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_opportunity_to_approved_work_log(live_server, phone, desktop, browser):
    partnership = PartnershipFactory()
    worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER], user__full_name="Sam Patel")
    StaffCheckFactory(membership=worker)
    young = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], user__full_name="Riley Carter")
    starts = timezone.now() + datetime.timedelta(minutes=40)
    panel = OpportunityFactory(
        partnership=partnership,
        title="Section 11 challenge panel: Northtown Police",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        preparation_minutes=60,
        staff_lead=worker.user,
        content_warning="We will talk about children going missing.",
    )
    make_eligible(young, panel)

    # The young person, on a phone: home page, the opportunity, "I'm interested".
    signed_in(phone, live_server, young.user)
    phone.goto(f"{live_server.url}/")
    expect(phone.locator("main")).to_contain_text("Opportunities for you")
    assert_accessible(phone, "engagement-journey-home")
    phone.get_by_role("link", name=re.compile("Section 11 challenge panel: Northtown Police")).first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Section 11 challenge panel: Northtown Police")
    expect(phone.locator("main")).to_contain_text("children going missing")
    assert_accessible(phone, "engagement-journey-opportunity")
    phone.get_by_label("A note for your participation worker (optional)").fill("I would like to ask about school.")
    phone.get_by_role("button", name="Tell us you are interested").click()
    expect(phone.locator("main")).to_contain_text(re.compile("interested", re.I))
    assert_accessible(phone, "engagement-journey-interested")
    assert Interest.objects.get(membership=young).status == Interest.Status.INTERESTED

    # The participation worker, at a desk: the selection page, confirmed through the gate.
    signed_in(desktop, live_server, worker.user, second_factor=True)
    desktop.goto(f"{live_server.url}/staff/engagements/{panel.pk}/selection/")
    expect(desktop.locator("main")).to_contain_text("Riley Carter")
    expect(desktop.locator("main")).to_contain_text("I would like to ask about school.")
    assert_accessible(desktop, "engagement-journey-selection")
    desktop.get_by_role("button", name="Confirm place for Riley Carter").click()
    expect(desktop.locator("main")).to_contain_text(re.compile("confirmed", re.I))
    assert_accessible(desktop, "engagement-journey-selection-confirmed")
    assert Interest.objects.get(membership=young).status == Interest.Status.CONFIRMED
    assert list(panel.attendees.all()) == [young]

    # The staff lead, on a phone at the venue: attendance.
    lead_phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    sheet = lead_phone.new_page()
    sheet.set_default_timeout(15_000)
    signed_in(sheet, live_server, worker.user, second_factor=True)
    sheet.goto(f"{live_server.url}/staff/engagements/{panel.pk}/attendance/")
    expect(sheet.locator("main")).to_contain_text("Riley Carter")
    assert_accessible(sheet, "engagement-journey-attendance")
    sheet.get_by_label("Present").check()
    sheet.get_by_role("button", name="Save attendance").click()
    expect(sheet.locator("main")).to_contain_text(re.compile("saved", re.I))
    assert_accessible(sheet, "engagement-journey-attendance-saved")
    lead_phone.close()
    assert Attendance.objects.get(membership=young).status == Attendance.Status.PRESENT

    # The session is over (time can be sent only once it has finished): move it into the past, two hours long.
    ended = timezone.now() - datetime.timedelta(minutes=5)
    Engagement.objects.filter(pk=panel.pk).update(starts_at=ended - datetime.timedelta(hours=2), ends_at=ended)

    # The young person logs their time.
    phone.goto(f"{live_server.url}/work-logs/")
    assert_accessible(phone, "engagement-journey-work-logs")
    phone.get_by_role("link", name=re.compile("Log your time")).first.click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Northtown Police")
    assert_accessible(phone, "engagement-journey-log-time")
    phone.locator("#id_preparation_hours").fill("1")
    phone.locator("#id_session_hours").fill("2")
    phone.locator("#id_travel_minutes").fill("30")
    phone.get_by_role("button", name="Send for approval").click()
    expect(phone.locator("main")).to_contain_text(re.compile("approval", re.I))
    assert_accessible(phone, "engagement-journey-log-sent")
    log = WorkLog.objects.get(membership=young)
    assert log.status == WorkLog.Status.SUBMITTED
    assert (log.preparation_minutes, log.session_minutes, log.travel_minutes) == (60, 120, 30)

    # The worker approves it.
    desktop.goto(f"{live_server.url}/staff/work-logs/")
    assert_accessible(desktop, "engagement-journey-queue")
    desktop.get_by_role("link", name="Riley Carter").click()
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Riley Carter")
    assert_accessible(desktop, "engagement-journey-review")
    desktop.get_by_label("Approve as claimed").check()
    desktop.get_by_role("button", name="Save decision").click()
    expect(desktop.locator("main")).to_contain_text(re.compile("approved", re.I))
    assert_accessible(desktop, "engagement-journey-approved")
    log.refresh_from_db()
    assert log.status == WorkLog.Status.APPROVED and log.approved_minutes == 210
