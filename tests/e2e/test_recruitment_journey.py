"""The rest of the recruitment journey in a real browser: a participation worker screens, scores and offers a
place; the applicant accepts on their phone, signs in with an emailed code and sees their checklist. axe-core
reports no accessibility violations on any page of it. (Applying itself: test_apply_journey.py.)"""

import datetime
import re

import pyotp
import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Application, Membership, Role
from tests.e2e.conftest import assert_accessible
from tests.factories import PASSWORD, STAFF_TOTP_SECRET, MembershipFactory, PartnershipFactory
from tests.factories.recruitment import ApplicationFactory, CriterionFactory, QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _link(body: str, fragment: str) -> str:
    match = re.search(rf"(http://\S+{re.escape(fragment)}\S+)", body)
    assert match, body
    return match.group(1)


def test_a_worker_screens_scores_and_offers_then_the_applicant_accepts_and_sees_their_checklist(
    live_server, desktop, phone, mailoutbox, settings
):
    settings.SITE_URL = live_server.url
    partnership = PartnershipFactory(name="North Shire Safeguarding Children Partnership")
    round_ = RoundFactory(partnership=partnership, title="Young Scrutineers 2027 intake", places=5)
    question = QuestionFactory(round=round_, text="Why would you like to be a young scrutineer?")
    CriterionFactory(round=round_, label="Interest in keeping children safe", order=0)
    CriterionFactory(round=round_, label="Working with others", order=1)
    today = timezone.localdate()
    application = ApplicationFactory(
        round=round_,
        full_name="Riley Carter",
        preferred_name="Riley",
        email="riley@example.org",
        date_of_birth=today - datetime.timedelta(days=14 * 365 + 60),
        parent_carer_name="Sam Carter",
        parent_carer_email="sam.carter@example.org",
        answers={str(question.pk): "Adults should ask us before they decide."},
    )
    worker = MembershipFactory(
        partnership=partnership, roles=[Role.PARTICIPATION_WORKER], user__full_name="Sam Patel"
    ).user

    # The worker signs in (password and authenticator code) and finds the application.
    desktop.goto(f"{live_server.url}/accounts/login/")
    desktop.get_by_label(re.compile("email", re.I)).fill(worker.email)
    desktop.get_by_label(re.compile("password", re.I)).fill(PASSWORD)
    desktop.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    desktop.get_by_label(re.compile("code", re.I)).fill(pyotp.TOTP(STAFF_TOTP_SECRET).now())
    desktop.get_by_role("button", name=re.compile(r"sign in|continue|verify", re.I)).click()
    expect(desktop).to_have_url(re.compile(r"/staff/$"))

    desktop.get_by_role("link", name="Recruitment").first.click()
    assert_accessible(desktop, "recruitment-rounds")
    desktop.get_by_role("link", name=round_.title).first.click()
    assert_accessible(desktop, "recruitment-round")
    desktop.goto(f"{live_server.url}/staff/recruitment/rounds/{round_.pk}/applications/")
    assert_accessible(desktop, "recruitment-applications")
    desktop.get_by_role("link", name="Riley Carter").click()
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Riley Carter")
    expect(desktop.get_by_text("Adults should ask us before they decide.")).to_be_visible()
    assert_accessible(desktop, "recruitment-application")

    # Screen, score, offer.
    desktop.get_by_role("button", name="Move to screening").click()
    expect(desktop.locator(".govuk-notification-banner")).to_contain_text("moved to Screening")
    desktop.get_by_label(re.compile("Interest in keeping children safe")).select_option("4")
    desktop.get_by_label(re.compile("Working with others")).select_option("5")
    desktop.get_by_role("button", name="Save your scores").click()
    expect(desktop.get_by_text("4.5").first).to_be_visible()
    desktop.get_by_role("button", name="Offer a place").click()
    expect(desktop.locator(".govuk-notification-banner")).to_contain_text("moved to Offered")
    assert_accessible(desktop, "recruitment-application-offered")
    desktop.goto(f"{live_server.url}/staff/recruitment/rounds/{round_.pk}/board/")
    assert_accessible(desktop, "recruitment-board")

    # The applicant accepts on their phone, from the link in the offer email.
    offer_email = next(m for m in mailoutbox if m.to == ["riley@example.org"] and "offer" in m.subject.lower())
    phone.goto(_link(offer_email.body, "/apply/offer/"))
    assert_accessible(phone, "offer")
    phone.get_by_label("Yes, I accept the place").check()
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(phone, "offer-accepted")
    assert Application.objects.get(pk=application.pk).status == Application.Status.ACCEPTED
    assert Membership.objects.get(user__email="riley@example.org").roles == {Role.YOUNG_PERSON}

    # They sign in with an emailed code and see what is left before they can take part.
    phone.goto(f"{live_server.url}/accounts/login/code/")
    phone.get_by_label(re.compile("email", re.I)).fill("riley@example.org")
    phone.get_by_role("button", name=re.compile(r"code", re.I)).click()
    expect(phone).to_have_url(re.compile(r"/accounts/login/code/confirm/"))
    code_email = mailoutbox[-1]
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", code_email.body, re.MULTILINE).group(1)
    phone.get_by_label(re.compile("code", re.I)).fill(code)
    phone.get_by_role("button", name=re.compile(r"sign in", re.I)).click()
    expect(phone).to_have_url(re.compile(r"/me/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hi Riley")
    expect(phone.get_by_role("heading", name="What is left before you can take part")).to_be_visible()
    expect(phone.get_by_text("Consent from your parent or carer")).to_be_visible()
    assert_accessible(phone, "young-person-checklist")
