"""A parent or carer gives consent by the emailed link on their phone, with no account: the consent page, a mistake
named in the error summary, the confirmation with its withdraw link, and an expired link that says what to do next.
Then a young person's own consents on their phone, and a worker's pages. axe-core reports no accessibility
violations on any of these pages."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Role, YoungPersonProfile
from safeguarding.models import Consent, ConsentMethod, ConsentRequest, ConsentType
from safeguarding.services.consent import consent_request_send
from tests.e2e.conftest import assert_accessible, signed_in
from tests.factories import MembershipFactory, PartnershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _emailed_path(body: str, fragment: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(fragment)}[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def test_a_parent_gives_consent_by_link_on_a_phone(live_server, phone, mailoutbox, settings):
    settings.SITE_URL = live_server.url
    partnership = PartnershipFactory(
        name="North Shire Safeguarding Children Partnership", contact_email="participation@northshire.example"
    )
    person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], user__full_name="Amara Okafor")
    today = timezone.localdate()
    YoungPersonProfile.objects.create(
        membership=person, partnership=partnership, date_of_birth=today.replace(year=today.year - 14, day=1)
    )
    worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER]).user
    from core.tenancy import act_in

    act_in(worker, partnership)
    consent_request_send(
        actor=worker, membership_id=person.pk, parent_name="Grace Okafor", parent_email="grace@example.org"
    )
    assert mailoutbox and mailoutbox[-1].to == ["grace@example.org"]
    link = _emailed_path(mailoutbox[-1].body, "/consent/")

    # The consent page: who, which partnership, what they are agreeing to.
    phone.goto(f"{live_server.url}{link}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your consent for Amara")
    expect(phone.locator("main")).to_contain_text("North Shire Safeguarding Children Partnership")
    expect(phone.locator("#what-you-agree-to")).to_contain_text("Amara can take part as a young scrutineer")
    expect(phone.locator("main")).not_to_contain_text("Amara Okafor")  # the first name is enough
    assert_accessible(phone, "parent-consent")

    # A mistake: no relationship and no answer. The error summary names each and links to the field.
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone).to_have_title(re.compile(r"^\s*Error: "))
    summary = phone.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter how you are related to Amara")
    expect(summary).to_contain_text("Choose whether you give consent")
    assert_accessible(phone, "parent-consent-errors")
    summary.get_by_role("link", name="Enter how you are related to Amara").click()
    expect(phone.get_by_label("How are you related to Amara?")).to_be_focused()
    assert not Consent.objects.exists()

    phone.get_by_label("Your full name").fill("Grace Okafor")
    phone.get_by_label("How are you related to Amara?").fill("Mum")
    phone.get_by_label("I give consent", exact=True).check()
    phone.get_by_role("button", name="Send my answer").click()

    # The confirmation, with the withdraw link (also emailed).
    expect(phone.get_by_role("heading", level=1)).to_have_text("Consent given")
    assert_accessible(phone, "parent-consent-given")
    consent = Consent.objects.get(membership=person)
    assert (consent.consent_type, consent.method, consent.status) == (
        ConsentType.PARENT_CARER,
        ConsentMethod.SIGNED_LINK,
        Consent.Status.GIVEN,
    )
    assert (consent.given_by_name, consent.relationship, consent.age_when_given) == ("Grace Okafor", "Mum", 14)
    withdraw = _emailed_path(mailoutbox[-1].body, "/consent/withdraw/")
    # The page and the email each sign the link when they are made, so their timestamps may differ by a second:
    # they must sign the same consent (the part before the first colon).
    shown = phone.get_by_role("link", name="Withdraw your consent").get_attribute("href") or ""
    assert shown.split(":")[0] == withdraw.split(":")[0] and shown.startswith("/consent/withdraw/")

    # The same link again: it has been used; nothing new is recorded.
    phone.goto(f"{live_server.url}{link}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert Consent.objects.count() == 1

    # A link that has expired says what to do next.
    later = consent_request_send(
        actor=worker, membership_id=person.pk, parent_name="Ade Okafor", parent_email="ade@example.org"
    )
    expired_link = _emailed_path(mailoutbox[-1].body, "/consent/")
    ConsentRequest.objects.filter(pk=later.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    phone.goto(f"{live_server.url}{expired_link}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("This link has expired")
    expect(phone.locator("main")).to_contain_text("participation@northshire.example")
    assert_accessible(phone, "parent-consent-expired")
    assert Consent.objects.count() == 1


def test_a_young_person_chooses_and_changes_their_mind_on_a_phone(live_server, phone):
    partnership = PartnershipFactory()
    person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], user__full_name="Riley Carter")
    today = timezone.localdate()
    YoungPersonProfile.objects.create(
        membership=person, partnership=partnership, date_of_birth=today.replace(year=today.year - 15, day=1)
    )
    signed_in(phone, live_server, person.user)

    phone.goto(f"{live_server.url}/me/consents/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your consents")
    expect(phone.locator("#consent-parent_carer")).to_contain_text("We are waiting for your parent or carer")
    assert_accessible(phone, "own-consents")

    phone.locator("#consent-media").get_by_role("link", name=re.compile("Choose")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Photos and film")
    phone.get_by_role("button", name="Save my choice").click()
    expect(phone.locator(".govuk-error-summary")).to_contain_text("Choose yes or no")
    assert_accessible(phone, "own-consent-errors")
    phone.get_by_label("Yes, I agree").check()
    phone.get_by_role("button", name="Save my choice").click()
    expect(phone.locator("#consent-media")).to_contain_text("You said yes on")

    phone.locator("#consent-media").get_by_role("link", name=re.compile("Change your mind")).click()
    assert_accessible(phone, "own-consent-withdraw")
    phone.get_by_role("button", name="Take back my yes").click()
    expect(phone.locator("#consent-media")).to_contain_text("changed your mind")
    assert Consent.objects.get(membership=person).status == Consent.Status.WITHDRAWN


def test_a_worker_records_consent_and_sees_the_history(live_server, desktop, tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/no-public-address/"},
        },
    }
    partnership = PartnershipFactory()
    person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], user__full_name="Riley Carter")
    today = timezone.localdate()
    YoungPersonProfile.objects.create(
        membership=person, partnership=partnership, date_of_birth=today.replace(year=today.year - 14, day=1)
    )
    worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER]).user
    signed_in(desktop, live_server, worker)

    desktop.goto(f"{live_server.url}/staff/consents/")
    expect(desktop.locator("main")).to_contain_text("Needs a parent or carer's consent (under 16)")
    assert_accessible(desktop, "staff-consents")
    desktop.get_by_role("link", name="Riley Carter").click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Riley Carter")
    assert_accessible(desktop, "staff-consent-person")

    desktop.get_by_role("link", name="Record consent given on paper or verbally").click()
    desktop.get_by_label("Parent or carer's consent to take part").check()
    desktop.get_by_label("Consent given", exact=True).check()
    desktop.get_by_label("A parent or carer", exact=True).check()
    desktop.get_by_label(re.compile("^Parent or carer's full name")).fill("Sam Carter")
    desktop.get_by_label(re.compile("^How they are related")).fill("Dad")
    desktop.get_by_label("Uploaded paper form").check()
    desktop.get_by_label(re.compile("signed paper form")).set_input_files(
        files=[{"name": "form.txt", "mimeType": "text/plain", "buffer": b"not a form"}]
    )
    desktop.get_by_role("button", name="Record consent").click()
    expect(desktop.locator(".govuk-error-summary")).to_contain_text("must be a PDF, JPG or PNG file")
    assert_accessible(desktop, "staff-consent-record-errors")
    desktop.get_by_label(re.compile("signed paper form")).set_input_files(
        files=[{"name": "form.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
    )
    desktop.get_by_role("button", name="Record consent").click()
    expect(desktop.locator("#consent-gaps")).not_to_contain_text("parent or carer")
    expect(desktop.get_by_role("link", name=re.compile("Download the paper form"))).to_be_visible()
    assert_accessible(desktop, "staff-consent-person-after")
