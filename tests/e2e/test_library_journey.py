"""The shared library in a real browser: publishing, approving and finding an example from another partnership.

At a desk, a participation worker of Eastvale drafts an example from a focus group that took place, edits it, ticks
every review box, types a count under five and asks a young person who attended whether they want to be named. Sending
it for approval before she answered is refused, with every problem named and linked. On a phone the young person says
yes, with the name she wants shown. The worker clears the count and sends it; she cannot approve her own example, so
Eastvale's scrutiny lead does. A member of staff of Westbridge, another partnership, searches the library by method and
words, opens the example, sees Eastvale's name and the agreed name and nothing else personal, and asks a question;
Eastvale's worker answers it and Westbridge sees the answer. Eastvale withdraws the example: Westbridge's search no
longer finds it and its page is a 404. axe-core checks every page and state on the way, and no phone page scrolls
sideways."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagements.models import Attendance, Engagement, OpportunityType
from engagements.services.feedback import recommendation_create, response_record, response_update
from library.models import Example, ExampleCredit, ExampleQuestion, Method
from participants.models import Role, YoungPersonProfile
from tests.e2e.conftest import assert_accessible, signed_in
from tests.e2e.test_feedback_journey import assert_no_sideways_scroll
from tests.factories import MembershipFactory, PartnershipFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db(transaction=True)

PUBLISHER = "Eastvale Safeguarding Children Partnership"
SEEKER = "Westbridge Safeguarding Children Partnership"
TITLE = "Young people tell the police how stop and search feels"
TOPIC = "Stop and search"
RECRUITMENT = "Through our young scrutineers' group and two youth clubs that young people already went to."
SUPPORT = "A briefing on how stop and search works, a worker beside them at the focus group, and a debrief after."
RECOMMENDED = "Officers should tell young people why they are being stopped, in plain words, every time."
CHANGED = "The police now give every young person they stop a card that explains why, written with young people."
CREDIT_NAME = "Riley C"
QUESTION = "How did you get the police to come to the focus group, and who wrote the card with young people?"
ANSWER = "Our scrutiny lead invited the district commander; three of the young people wrote the card with officers."
# The review box after each text field, as the edit page labels it (the field's label is in its accessible name).
REVIEW = "I have reviewed this text: it names no one and is fit to share ({})"
TEXT_LABELS = {
    "title": "Title",
    "topic": "Topic",
    "recruitment": "How were young people recruited?",
    "support": "How were they prepared and supported?",
    "recommended": "What did they recommend?",
    "changed": "What changed as a result?",
}


def born(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=40)


def on_day(day: datetime.date) -> re.Pattern[str]:
    """A date as the pages show it (6 November 2026), and not as the end of another (26 November 2026)."""
    return re.compile(rf"(?<!\d){day.day} {day:%B %Y}")


@pytest.fixture
def new_desktop(browser):
    """More desk-sized pages, each with its own cookies (another person at another desk)."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def open_menu_item(page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name, exact=True).click()


def test_an_example_is_published_found_by_another_partnership_questioned_and_withdrawn(
    live_server, desktop, phone, new_desktop, mailoutbox
):
    from core.tenancy import act_in

    eastvale = PartnershipFactory(name=PUBLISHER)
    westbridge = PartnershipFactory(name=SEEKER)
    worker = MembershipFactory(
        partnership=eastvale, roles=[Role.PARTICIPATION_WORKER], user__full_name="Jordan Blake"
    ).user
    lead = MembershipFactory(partnership=eastvale, roles=[Role.SCRUTINY_LEAD], user__full_name="Ali Khan").user
    riley = MembershipFactory(partnership=eastvale, roles=[Role.YOUNG_PERSON], user__full_name="Riley Carter")
    ada = MembershipFactory(partnership=eastvale, roles=[Role.YOUNG_PERSON], user__full_name="Ada Mensah")
    sam = MembershipFactory(partnership=eastvale, roles=[Role.YOUNG_PERSON], user__full_name="Sam Hill")
    seeker = MembershipFactory(
        partnership=westbridge, roles=[Role.PARTICIPATION_WORKER], user__full_name="Morgan Ellis"
    ).user
    for person, years in ((riley, 15), (ada, 17), (sam, 19)):
        YoungPersonProfile.objects.create(membership=person, partnership=eastvale, date_of_birth=born(years))
    starts = timezone.now() - datetime.timedelta(days=20)
    group = EngagementFactory(
        partnership=eastvale,
        title="Focus group: stop and search in Eastvale town centre",
        opportunity_type=OpportunityType.FOCUS_GROUP,
        status=Engagement.Status.COMPLETED,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        location="Eastvale Youth Hub, upstairs room",
        topic=TOPIC,
        staff_lead=worker,
        scrutiny_lead=lead,
    )
    for person in (riley, ada, sam):
        Attendance.objects.create(
            partnership=eastvale, engagement=group, membership=person, status=Attendance.Status.PRESENT
        )
    act_in(lead, eastvale)
    recommendation = recommendation_create(
        actor=lead,
        engagement_id=group.pk,
        text="Tell us why we are being stopped. Riley Carter was stopped twice and nobody said why.",
        theme=TOPIC,
        agency="Eastvale Police",
        contributors=[(riley.pk, False), (ada.pk, False)],
    )
    response = response_record(
        actor=lead,
        recommendation_id=recommendation.pk,
        owner_agency="Eastvale Police",
        owner_name="Inspector Dana Price",
        decision="accepted",
    )
    response_update(actor=lead, response_id=response.pk, changes={"status": "done"}, note="The card is in use.")

    # The participation worker, at a desk: from the menu to the library, and on to write up an example.
    page = desktop
    signed_in(page, live_server, worker, second_factor=True)
    page.goto(f"{live_server.url}/")
    open_menu_item(page, "Library")
    expect(page.get_by_role("heading", level=1)).to_have_text("Library of participation examples")
    expect(page.get_by_role("table")).to_contain_text("No examples have been published yet.")
    assert_accessible(page, "library-journey-library-empty")
    page.get_by_role("link", name="Write up an example from your engagements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write up an example for the library")
    assert_accessible(page, "library-journey-new")
    page.get_by_role("group", name="Which engagements is it about?").get_by_label(group.title).check()
    page.get_by_role("button", name="Write the draft").click()

    # The draft is written from the records, names nobody and is not reviewed yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Change an example")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("A draft was written from your records.")
    example = Example.objects.get()
    assert example.status == Example.Status.DRAFT and example.method == Method.FOCUS_GROUP
    expect(page.get_by_label("What did they recommend?", exact=True)).to_have_value(
        re.compile(r"^1\. Tell us why we are being")
    )
    assert (example.age_min, example.age_max, example.young_people_count) == (15, 19, None)
    for label in TEXT_LABELS.values():
        expect(page.get_by_label(REVIEW.format(label.lower()), exact=True)).not_to_be_checked()
    assert_accessible(page, "library-journey-edit-drafted")

    # Edits every text field, ticks each review box, and types how many took part (three: too few to show).
    for field, text in (
        ("title", TITLE),
        ("topic", TOPIC),
        ("recruitment", RECRUITMENT),
        ("support", SUPPORT),
        ("recommended", RECOMMENDED),
        ("changed", CHANGED),
    ):
        page.get_by_label(TEXT_LABELS[field], exact=True).fill(text)
        page.get_by_label(REVIEW.format(TEXT_LABELS[field].lower()), exact=True).check()
    page.get_by_label("How many young people took part? (optional)").fill("3")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your changes were saved.")
    for field in TEXT_LABELS:
        expect(page.locator(f"#review-{field}")).to_have_text("Reviewed")
    assert_accessible(page, "library-journey-draft")

    # Asks Riley, who attended, whether she wants to be named.
    page.get_by_role("link", name="Ask a young person if they want to be named").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask a young person if they want to be named")
    assert_accessible(page, "library-journey-credit-ask")
    page.get_by_role("group", name="Who do you want to ask?").get_by_label("Riley Carter").check()
    page.get_by_role("button", name="Ask them").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Riley Carter was asked.")
    credits = page.get_by_role("table", name="Young people asked to be named")
    expect(credits).to_contain_text("Waiting for their answer")
    assert_accessible(page, "library-journey-credit-asked")

    # Sends it for approval before Riley answered: refused, every problem named and linked to where to fix it.
    page.get_by_role("button", name="Send for approval").click()
    expect(page).to_have_title(re.compile(f"^Error: {TITLE}"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Nothing was changed.")
    count_problem = summary.get_by_role("link", name=re.compile("^Fewer than 5 young people would be counted"))
    expect(count_problem).to_have_attribute("href", f"/library/{example.pk}/edit/#id_young_people_count")
    credit_problem = summary.get_by_role("link", name=re.compile("^Riley Carter has not said yet"))
    expect(credit_problem).to_have_attribute("href", f"/library/{example.pk}/#credits")
    expect(summary.get_by_role("link")).to_have_count(2)
    assert_accessible(page, "library-journey-submit-refused")
    example.refresh_from_db()
    assert example.status == Example.Status.DRAFT and example.submitted_by is None

    # Riley, on a phone, follows the link in her email and says yes, with the name she wants shown.
    [asked] = [message for message in mailoutbox if riley.user.email in message.to and "named" in message.subject]
    assert RECOMMENDED not in asked.body and CHANGED not in asked.body  # of the example, only its title
    link = re.search(r"https?://\S+(/your-credits/\d+/)", asked.body)
    assert link, asked.body
    signed_in(phone, live_server, riley.user)
    phone.goto(f"{live_server.url}{link.group(1)}")
    expect(phone.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(phone.locator("main")).to_contain_text(PUBLISHER)
    assert_accessible(phone, "library-journey-credit-answer")
    assert_no_sideways_scroll(phone, "credit answer")
    phone.get_by_role("group", name="Do you want your name on it?").get_by_label("Yes, put my name on it").check()
    expect(phone.get_by_label("The name to show (if you said yes)")).to_have_value("Riley")
    phone.get_by_label("The name to show (if you said yes)").fill(CREDIT_NAME)
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your name on examples")
    expect(phone.locator(".govuk-notification-banner")).to_contain_text("Thank you. Your name will be on it.")
    expect(phone.locator("main")).to_contain_text(f"Your name shows as {CREDIT_NAME}.")
    assert_accessible(phone, "library-journey-credit-answered")
    assert_no_sideways_scroll(phone, "credit answered")
    assert ExampleCredit.objects.get().status == ExampleCredit.Status.AGREED

    # The worker sees the answer, leaves the count blank and sends it for approval.
    page.reload()
    expect(credits).to_contain_text("Agreed to be named")
    expect(credits).to_contain_text(CREDIT_NAME)
    assert_accessible(page, "library-journey-credit-agreed")
    page.get_by_role("link", name="Change it").click()
    page.get_by_label("How many young people took part? (optional)").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your changes were saved.")
    expect(page.locator("#problems ~ p").first).to_have_text("Nothing stops it being published.")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("It was sent for approval.")
    expect(page.locator("#field-status")).to_contain_text("Waiting for approval")
    expect(page.locator("main")).to_contain_text("someone else in your partnership must approve it")
    assert_accessible(page, "library-journey-submitted")

    # She cannot approve it herself: there is no button, and a hand-made request is refused.
    expect(page.get_by_role("button", name="Approve and publish")).to_have_count(0)
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    refused = page.request.post(
        f"{live_server.url}/library/{example.pk}/approve/",
        form={"csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
    )
    assert refused.status == 200
    assert "a different person must approve it" in refused.text()
    example.refresh_from_db()
    assert example.status == Example.Status.SUBMITTED and example.approved_by is None

    # Eastvale's scrutiny lead, at another desk, finds it waiting and approves it.
    lead_page = new_desktop()
    signed_in(lead_page, live_server, lead, second_factor=True)
    lead_page.goto(f"{live_server.url}/")
    open_menu_item(lead_page, "Library")
    lead_page.get_by_role("link", name="Your partnership's examples").click()
    expect(lead_page.get_by_role("heading", level=1)).to_have_text("Your partnership's examples")
    waiting = lead_page.get_by_role("region", name="Waiting for approval, scrolls sideways")
    assert_accessible(lead_page, "library-journey-own")
    waiting.get_by_role("link", name=TITLE).click()
    expect(lead_page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert_accessible(lead_page, "library-journey-waiting-for-approval")
    lead_page.get_by_role("button", name="Approve and publish").click()
    expect(lead_page.locator(".govuk-notification-banner")).to_contain_text("It is published.")
    expect(lead_page.locator("#field-status")).to_contain_text("Published")
    assert_accessible(lead_page, "library-journey-published")
    example.refresh_from_db()
    assert (example.status, example.submitted_by, example.approved_by) == (Example.Status.PUBLISHED, worker, lead)

    # A member of staff of Westbridge searches the library by method and words, and finds it.
    other = new_desktop()
    signed_in(other, live_server, seeker, second_factor=True)
    other.goto(f"{live_server.url}/")
    open_menu_item(other, "Library")
    expect(other.get_by_role("table")).to_contain_text("1 example")
    assert_accessible(other, "library-journey-library-other-partnership")
    search = other.get_by_role("search", name="Search the library")
    search.get_by_label("Search", exact=True).fill("police card")
    search.get_by_label("Method").select_option(label="Focus group")
    search.get_by_role("button", name="Search").click()
    results = other.get_by_role("table", name=re.compile("example"))
    expect(results).to_contain_text("1 example found")
    row = results.get_by_role("row").filter(has=other.get_by_role("link", name=TITLE))
    expect(row).to_contain_text(PUBLISHER)
    expect(row).to_contain_text("15 to 19")
    assert_accessible(other, "library-journey-search-found")
    search_url = other.url

    # Opens it: the publishing partnership and the agreed name, and nothing else personal.
    row.get_by_role("link", name=TITLE).click()
    expect(other.get_by_role("heading", level=1)).to_have_text(TITLE)
    main = other.locator("main")
    expect(other.locator("#publisher")).to_have_text(PUBLISHER)
    expect(other.locator("#named")).to_have_text(CREDIT_NAME)
    expect(main).to_contain_text(CHANGED)
    for private in (
        "Riley Carter",
        "Ada Mensah",
        "Sam Hill",
        "Jordan Blake",
        "Ali Khan",
        "Dana Price",
        group.title,
        group.location,
        on_day(timezone.localdate(starts)),
        "How many took part",
        "Review of the text",
        "Young people asked to be named",
    ):
        expect(main).not_to_contain_text(private)
    for person in (riley, ada, sam):
        expect(main).not_to_contain_text(on_day(person.profile.date_of_birth))
    assert_accessible(other, "library-journey-found-example")

    # Asks Eastvale a question.
    other.get_by_role("link", name=f"Ask {PUBLISHER} a question").click()
    expect(other.get_by_role("heading", level=1)).to_have_text(f"Ask {PUBLISHER} a question")
    assert_accessible(other, "library-journey-question-ask")
    other.get_by_label("Your question").fill(QUESTION)
    other.get_by_role("button", name="Send the question").click()
    expect(other.locator(".govuk-notification-banner")).to_contain_text(f"Your question was sent to {PUBLISHER}.")
    question = ExampleQuestion.objects.get()
    asked_here = other.locator(f"#question-{question.pk}")
    expect(asked_here).to_contain_text(QUESTION)
    expect(asked_here).to_contain_text("Not answered yet")
    assert_accessible(other, "library-journey-question-asked")
    assert (question.partnership, question.asked_by) == (westbridge, seeker)

    # Eastvale's worker answers it.
    page.goto(f"{live_server.url}/")
    open_menu_item(page, "Library")
    page.get_by_role("link", name="Questions and answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questions about library examples")
    expect(page.locator(f"#question-{question.pk}")).to_contain_text(QUESTION)
    assert_accessible(page, "library-journey-questions")
    page.get_by_role("link", name=f"Answer it (question from {SEEKER})").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Answer a question from {SEEKER}")
    assert_accessible(page, "library-journey-question-answer")
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Your answer was sent to {SEEKER}.")
    assert_accessible(page, "library-journey-question-answered")

    # Westbridge sees the answer on the example's page, and was emailed it.
    other.reload()
    expect(asked_here).to_contain_text(ANSWER)
    expect(asked_here).not_to_contain_text("Not answered yet")
    assert_accessible(other, "library-journey-answer-seen")
    assert any(seeker.email in message.to and ANSWER in message.body for message in mailoutbox)

    # Eastvale withdraws it.
    page.goto(f"{live_server.url}/library/{example.pk}/")
    page.get_by_role("link", name="Withdraw it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Withdraw “{TITLE}”?")
    assert_accessible(page, "library-journey-withdraw")
    page.get_by_label("Why are you withdrawing it?").fill(
        "The police changed the card again; we will write it up anew."
    )
    page.get_by_role("button", name="Yes, withdraw it").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("It was withdrawn.")
    expect(page.locator("#field-status")).to_contain_text("Withdrawn")
    assert_accessible(page, "library-journey-withdrawn")

    # Westbridge's search no longer finds it, and its page is a 404.
    other.goto(search_url)
    expect(results).to_contain_text("0 examples found")
    expect(results).to_contain_text("No published examples match your search.")
    expect(other.get_by_role("link", name=TITLE)).to_have_count(0)
    assert_accessible(other, "library-journey-search-after-withdrawal")
    gone = other.goto(f"{live_server.url}/library/{example.pk}/")
    assert gone is not None and gone.status == 404
    expect(other.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(other.locator("main")).not_to_contain_text(TITLE)
    assert_accessible(other, "library-journey-withdrawn-404")
