"""The engagement form and page in a real browser: a participation worker creates a section 11 challenge panel and
changes it; a refused publish links to the field to fix; on the day the staff lead is offered "Mark attendance".
axe-core checks each page as GOV.UK Frontend's JavaScript leaves it (no conditional reveal, so no aria-expanded on
radios and no aria-controls pointing nowhere)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagements.models import Engagement
from participants.models import Role
from tests.e2e.conftest import assert_accessible, signed_in
from tests.factories import MembershipFactory, PartnershipFactory
from tests.factories.engagements import OpportunityFactory
from tests.factories.safeguarding import EngagementFactory, StaffCheckFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_creates_and_changes_a_section_11_panel(live_server, desktop):
    partnership = PartnershipFactory()
    worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER], user__full_name="Sam Patel")
    StaffCheckFactory(membership=worker)
    page = desktop
    signed_in(page, live_server, worker.user, second_factor=True)

    page.goto(f"{live_server.url}/staff/engagements/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an engagement")
    assert_accessible(page, "engagement-form-new")

    # Sent empty: the error summary, and its first link takes the person to the title box.
    page.get_by_role("button", name="Save as a draft").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a title")
    expect(summary).to_contain_text("Choose the type of opportunity")
    expect(summary).to_contain_text("Enter the date")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page, "engagement-form-errors")
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_title")).to_be_focused()

    # Filled in for a section 11 challenge panel.
    day = timezone.localdate() + datetime.timedelta(days=21)
    page.locator("#id_title").fill("Section 11 challenge panel: North Shire Police")
    page.get_by_label("Section 11 challenge panel").check()
    page.get_by_label("Agencies under review").fill("North Shire Police\nNorth Shire NHS Trust")
    page.get_by_label("5. Safeguarding training for staff").check()
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    page.get_by_label("Start time").fill("16:30")
    page.get_by_label("End time").fill("18:30")
    page.get_by_label("Place", exact=True).fill("Town hall, room 2")
    page.get_by_label("Staff lead").select_option(label="Sam Patel")
    assert_accessible(page, "engagement-form-filled")
    page.get_by_role("button", name="Save as a draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Section 11 challenge panel: North Shire Police")
    expect(page.locator("main")).to_contain_text("saved as a draft")
    assert_accessible(page, "engagement-form-saved")
    engagement = Engagement.objects.get()
    assert engagement.status == Engagement.Status.DRAFT
    assert engagement.agencies_under_review == ["North Shire Police", "North Shire NHS Trust"]
    assert engagement.section_11_standards == ["training"]
    starts = timezone.localtime(engagement.starts_at)
    assert (starts.date(), starts.hour, starts.minute) == (day, 16, 30)
    assert engagement.staff_lead_id == worker.user.pk

    # Changing it: the form comes back filled in, and still passes.
    page.get_by_role("link", name="Change", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Section 11 challenge panel: North Shire Police")
    expect(page.get_by_label("Day", exact=True)).to_have_value(str(day.day))
    expect(page.get_by_label("Start time")).to_have_value("16:30")
    expect(page.get_by_label("Section 11 challenge panel")).to_be_checked()
    assert_accessible(page, "engagement-form-edit")
    page.get_by_label("End time").fill("19:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("main")).to_contain_text("was saved")
    engagement.refresh_from_db()
    assert timezone.localtime(engagement.ends_at).hour == 19


def test_a_refused_publish_links_to_the_field_and_the_lead_marks_attendance_on_the_day(live_server, desktop):
    partnership = PartnershipFactory()
    worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER], user__full_name="Sam Patel")
    StaffCheckFactory(membership=worker)
    draft = EngagementFactory(partnership=partnership, title="Focus group: youth clubs", opportunity_type="focus_group")
    now = timezone.now()
    today = OpportunityFactory(
        partnership=partnership,
        title="Deep dive: on today",
        opportunity_type="deep_dive",
        staff_lead=worker.user,
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(hours=2),
        is_online=True,
        online_link="https://meet.example.org/deep-dive",
    )
    page = desktop
    signed_in(page, live_server, worker.user, second_factor=True)

    # Publishing a draft with no staff lead: the error summary links to the staff lead on the edit page.
    page.goto(f"{live_server.url}/staff/engagements/{draft.pk}/")
    page.get_by_role("button", name="Publish").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Name a staff lead before publishing.")
    assert_accessible(page, "engagement-publish-refused")
    summary.get_by_role("link", name="Name a staff lead before publishing.").click()
    expect(page).to_have_url(re.compile(rf"/staff/engagements/{draft.pk}/edit/#id_staff_lead$"))
    expect(page.locator("#id_staff_lead")).to_be_visible()

    # On the day, the staff lead's page puts "Mark attendance" first, and the online link is a link.
    page.goto(f"{live_server.url}/staff/engagements/{today.pk}/")
    expect(page.get_by_role("link", name="https://meet.example.org/deep-dive")).to_be_visible()
    assert_accessible(page, "engagement-on-the-day")
    page.get_by_role("button", name="Mark attendance").click()
    expect(page).to_have_url(re.compile(rf"/staff/engagements/{today.pk}/attendance/$"))
