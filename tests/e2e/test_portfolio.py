"""A young person's portfolio on a phone: their record in plain words, adding a skill, a reference letter request
that names what is missing, then a signed-off letter to download. axe-core reports no accessibility violations."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagements.models import Attendance
from participants.models import Role, SkillClaim, TrainingModule, TrainingRecord
from participants.services.portfolio import reference_request, reference_sign_off, skill_create
from tests.e2e.conftest import assert_accessible, signed_in
from tests.factories import MembershipFactory, PartnershipFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_young_person_sees_and_uses_their_portfolio_on_a_phone(live_server, phone):
    from core.tenancy import act_in

    partnership = PartnershipFactory()
    person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], user__full_name="Riley Carter")
    worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER]).user
    act_in(worker, partnership)
    skill_create(actor=worker, name="Chairing a meeting")
    signed_in(phone, live_server, person.user)

    phone.goto(f"{live_server.url}/me/portfolio/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your portfolio")
    expect(phone.locator("main")).to_contain_text("Outputs you made will appear here")
    assert_accessible(phone, "portfolio-empty")

    # No confirmed work yet: the letter request says what is missing.
    phone.get_by_role("link", name="Ask for a reference letter").click()
    phone.get_by_label("Who is the letter for?").fill("Admissions tutor, Northtown College")
    phone.get_by_role("button", name="Ask for the letter").click()
    expect(phone.locator(".govuk-error-summary")).to_contain_text("an engagement you attended")
    assert_accessible(phone, "portfolio-reference-missing")

    # Add a skill with an example.
    phone.goto(f"{live_server.url}/me/portfolio/skills/add/")
    phone.get_by_label("Chairing a meeting").check()
    phone.get_by_label("When did you show it?").fill("I chaired question time at the section 11 panel.")
    assert_accessible(phone, "portfolio-claim-skill")
    phone.get_by_role("button", name="Add this skill").click()
    expect(phone.locator("main")).to_contain_text("A participation worker will check it")
    assert SkillClaim.objects.get().status == SkillClaim.Status.CLAIMED

    # Confirmed work arrives, a letter is asked for and signed off.
    starts = timezone.now() - datetime.timedelta(days=5)
    engagement = EngagementFactory(
        partnership=partnership, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2, minutes=30)
    )
    engagement.attendees.add(person)
    Attendance.objects.create(  # hours count for engagements the person was marked as attending
        partnership=partnership, engagement=engagement, membership=person, status=Attendance.Status.PRESENT
    )
    module = TrainingModule.objects.create(partnership=partnership, title="Safeguarding basics", duration_minutes=60)
    TrainingRecord.objects.create(
        partnership=partnership,
        membership=person,
        module=module,
        completed_on=timezone.localdate(),
        signed_off_by=worker,
    )
    act_in(person.user, partnership)
    letter = reference_request(actor=person.user, addressed_to="Admissions tutor, Northtown College")
    reference_sign_off(actor=worker, reference_id=letter.pk)

    phone.goto(f"{live_server.url}/me/portfolio/")
    expect(phone.locator("#hours + p")).to_contain_text("2.5 hours")
    expect(phone.locator("main")).to_contain_text("Safeguarding basics")
    expect(phone.locator("main")).to_contain_text("Waiting for a worker")
    assert_accessible(phone, "portfolio-with-record")
    with phone.expect_download() as download:
        phone.get_by_role("link", name=re.compile("Download the letter")).click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF") and b"2.5 hours" in content
