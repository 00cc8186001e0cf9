"""Applying on a phone in a real browser: start, a page with errors, save and come back later, open the link from
the email in a fresh browser, finish every section and send. axe-core reports no accessibility violations on any
page of the journey."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Application, EqualityResponse, RoundQuestion
from tests.e2e.conftest import assert_accessible
from tests.factories import PartnershipFactory
from tests.factories.recruitment import QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db(transaction=True)

Kind = RoundQuestion.Kind


def fourteen_years_ago() -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - 14, day=min(today.day, 28)) - datetime.timedelta(days=40)


def test_apply_on_a_phone_save_come_back_by_the_emailed_link_and_send(live_server, phone, mailoutbox):
    partnership = PartnershipFactory(contact_email="participation@example.org")
    round_ = RoundFactory(partnership=partnership, title="Young Scrutineers 2026")
    QuestionFactory(round=round_, text="Why do you want to do this?", kind=Kind.LONG_TEXT, order=0)
    QuestionFactory(
        round=round_, text="Which part of town do you live in?", kind=Kind.CHOICE, choices=["North", "South"], order=1
    )
    QuestionFactory(round=round_, text="Your school or college", kind=Kind.SHORT_TEXT, required=False, order=2)
    base = f"{live_server.url}/apply/{round_.public_id}/"

    # The start page.
    phone.goto(base)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Young Scrutineers 2026")
    assert_accessible(phone, "apply-start")
    phone.get_by_role("button", name="Start now").click()

    # About you, first with nothing filled in: the error summary links to each field.
    expect(phone).to_have_url(re.compile(r"/about-you/$"))
    assert_accessible(phone, "apply-about-you")
    phone.get_by_role("button", name="Save and continue").click()
    expect(phone).to_have_title(re.compile(r"^\s*Error: "))
    expect(phone.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(phone, "apply-about-you-errors")
    phone.get_by_role("link", name="Enter your full name").click()
    expect(phone.get_by_label("Full name", exact=True)).to_be_focused()

    born = fourteen_years_ago()
    phone.get_by_label("Full name", exact=True).fill("Amara Okafor")
    phone.get_by_label("Email address", exact=True).fill("amara@example.org")
    phone.get_by_label("Day", exact=True).fill(str(born.day))
    phone.get_by_label("Month", exact=True).fill(str(born.month))
    phone.get_by_label("Year", exact=True).fill(str(born.year))
    phone.get_by_role("button", name="Save and come back later").click()

    # Saved, and a link emailed.
    expect(phone).to_have_url(re.compile(r"/saved/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your application is saved")
    assert_accessible(phone, "apply-saved")
    assert mailoutbox and mailoutbox[-1].to == ["amara@example.org"]
    link = re.search(r"https?://\S+(/apply/resume/\S+/)", mailoutbox[-1].body)
    assert link

    # A fresh browser (no session) cannot see the draft until it opens the emailed link.
    phone.context.clear_cookies()
    phone.goto(f"{base}application/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("We cannot find your application in this browser")
    phone.goto(f"{live_server.url}{link.group(1)}")
    expect(phone).to_have_url(re.compile(r"/application/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your application")
    expect(phone.locator("#task-send-status")).to_have_text("Cannot start yet")
    assert_accessible(phone, "apply-task-list")

    # Your parent or carer (she is 14).
    phone.get_by_role("link", name="Your parent or carer").click()
    expect(phone).to_have_url(re.compile(r"/parent-or-carer/$"))
    assert_accessible(phone, "apply-parent")
    phone.get_by_label("Their full name", exact=True).fill("Grace Okafor")
    phone.get_by_label("Their email address", exact=True).fill("grace@example.org")
    phone.get_by_role("button", name="Save and continue").click()
    expect(phone).to_have_url(re.compile(r"/application/$"))
    expect(phone.locator("#task-parent-status")).to_have_text("Completed")

    # Your answers: a wrong answer first, then put right.
    phone.get_by_role("link", name="Your answers").click()
    assert_accessible(phone, "apply-answers")
    phone.get_by_label("Your school or college (optional)").fill("Park High")
    phone.get_by_role("button", name="Save and continue").click()
    expect(phone.locator(".govuk-error-summary")).to_contain_text("Answer the question: Why do you want to do this?")
    expect(phone.get_by_label("Your school or college (optional)")).to_have_value("Park High")
    assert_accessible(phone, "apply-answers-errors")
    phone.get_by_label("Why do you want to do this?", exact=True).fill("Because young people should be heard.")
    phone.get_by_role("group", name=re.compile("Which part of town")).get_by_label("North").check()
    phone.get_by_role("button", name="Save and continue").click()
    expect(phone.locator("#task-answers-status")).to_have_text("Completed")

    # Equality questions: optional, with "Prefer not to say".
    phone.get_by_role("link", name=re.compile("equality questions")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("About you: equality questions")
    assert_accessible(phone, "apply-equality")
    phone.get_by_role("group", name=re.compile("describe your gender")).get_by_label("Girl or woman").check()
    phone.get_by_role("group", name=re.compile("in care")).get_by_label("Prefer not to say").check()
    phone.get_by_role("button", name="Save and continue").click()

    # Check your answers, and send.
    phone.get_by_role("link", name="Check your answers and send").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your answers before sending your application")
    expect(phone.locator("main")).to_contain_text("Grace Okafor")
    assert_accessible(phone, "apply-check")
    phone.get_by_role("button", name="Send application").click()

    expect(phone).to_have_url(re.compile(r"/sent/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Application sent")
    assert_accessible(phone, "apply-sent")

    application = Application.objects.get(round=round_)
    assert application.status == Application.Status.SUBMITTED
    assert application.equality_draft == {}
    assert EqualityResponse.objects.get(round=round_).answers == {
        "gender": "girl_woman",
        "care_experience": "prefer_not_to_say",
    }
    assert "withdraw" in mailoutbox[-1].body
