"""The feedback loop in a real browser ("you said, we did"): at a desk, the scrutiny lead records the partnership's
response to a recommendation young people made at a section 11 panel (first forgetting the reason a partly accepted
recommendation needs, which the form names and keeps everything typed) and adds a timeline entry. On a phone, a young
person who made the recommendation sees the news on their home page, opens their impact feed, reads the decision, the
reason and the latest news, and rates the response (first forgetting the score). The rating reaches the scrutiny lead.
axe-core checks every page on the way, and no phone page scrolls sideways."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagements.models import (
    Attendance,
    Engagement,
    Notification,
    OpportunityType,
    RecommendationResponse,
    ResponseRating,
    Section11Standard,
    TimelineEntry,
)
from engagements.services.feedback import recommendation_create
from frontend.forms.impact import DASH
from participants.models import Role
from tests.e2e.conftest import assert_accessible, signed_in
from tests.factories import MembershipFactory, PartnershipFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db(transaction=True)

RECOMMENDATION = "Police officers should tell young people why they are being stopped and searched, in plain words."
REASON = "We will explain every stop in plain words, but we cannot give a written record to everyone on the street."
NEWS = "We met the youth panel and agreed a new stop and search leaflet, written with young people."
OWNER_EMAIL = "priya.shah@northtown-police.example"
COMMENT = "Officers explained more when my friend was stopped last week."


def long_date(day: datetime.date) -> str:
    """A date as the pages show it: 26 November 2026."""
    return f"{day.day} {day:%B %Y}"


def assert_no_sideways_scroll(page, name: str) -> None:
    """Nothing sticks out sideways. On a mobile context Chromium widens window.innerWidth to fit content that
    overflows (so `scrollWidth <= innerWidth` always holds there); compare with the screen's own width instead."""
    screen = page.viewport_size["width"]
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= min(client_width, screen), (
        f"{name}: the page is {scroll_width}px wide on a {screen}px screen"
    )


def test_a_response_and_its_news_reach_the_young_person_who_rates_it(live_server, desktop, phone, mailoutbox):
    from core.tenancy import act_in

    partnership = PartnershipFactory()
    lead = MembershipFactory(partnership=partnership, roles=[Role.SCRUTINY_LEAD], user__full_name="Jordan Blake")
    other_lead = MembershipFactory(partnership=partnership, roles=[Role.SCRUTINY_LEAD], user__full_name="Ali Khan")
    riley = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], user__full_name="Riley Carter")
    ada = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], user__full_name="Ada Mensah")
    sam = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], user__full_name="Sam Hill")
    starts = timezone.now() - datetime.timedelta(days=7)
    panel = EngagementFactory(
        partnership=partnership,
        title="Section 11 challenge panel: Northtown Police",
        opportunity_type=OpportunityType.SECTION_11_PANEL,
        status=Engagement.Status.COMPLETED,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        scrutiny_lead=lead.user,
        agencies_under_review=["Northtown Police"],
    )
    for person in (riley, ada, sam):  # Sam came too, but did not make this recommendation
        Attendance.objects.create(
            partnership=partnership, engagement=panel, membership=person, status=Attendance.Status.PRESENT
        )
    act_in(lead.user, partnership)
    recommendation = recommendation_create(
        actor=lead.user,
        engagement_id=panel.pk,
        text=RECOMMENDATION,
        theme="Stop and search",
        agency="Northtown Police",
        section_11_standard=Section11Standard.CHILDRENS_VIEWS,
        contributors=[(riley.pk, False), (ada.pk, True)],
    )
    due = timezone.localdate() + datetime.timedelta(days=90)

    # The scrutiny lead, at a desk: from the menu to the recommendation.
    page = desktop
    signed_in(page, live_server, lead.user, second_factor=True)
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Recommendations", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recommendations")
    assert_accessible(page, "feedback-journey-recommendations")
    page.get_by_role("link", name=re.compile("^Police officers should tell young people")).click()
    expect(page.locator("main .govuk-inset-text")).to_have_text(RECOMMENDATION)
    expect(page.locator("#made-by")).to_contain_text("Riley Carter")
    expect(page.locator("main")).to_contain_text("The partnership has not responded yet.")
    assert_accessible(page, "feedback-journey-recommendation")

    # Records the response, forgetting why it was only partly accepted.
    page.get_by_role("link", name="Record the response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the response")
    assert_accessible(page, "feedback-journey-response-form")
    expect(page.get_by_label("Agency that owns the response")).to_have_value("Northtown Police")
    page.get_by_label("Person in that agency who owns it").fill("Priya Shah")
    page.get_by_label("Their email address (optional)").fill(OWNER_EMAIL)
    page.get_by_role("group", name="Decision").get_by_label("Partly accepted").check()
    due_date = page.get_by_role("group", name="Due date (optional)")
    due_date.get_by_label("Day").fill(str(due.day))
    due_date.get_by_label("Month").fill(str(due.month))
    due_date.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Record the response").click()

    expect(page).to_have_title(re.compile("^Error: Record the response"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    reason_error = summary.get_by_role("link", name=re.compile("Say why it was partly accepted"))
    expect(reason_error).to_have_attribute("href", "#id_decision_reason")
    reason = page.get_by_label("Why? (needed unless it was accepted)")
    expect(reason).to_have_accessible_description(re.compile("Say why it was partly accepted"))
    # Nothing typed is lost.
    expect(page.get_by_label("Person in that agency who owns it")).to_have_value("Priya Shah")
    expect(page.get_by_label("Their email address (optional)")).to_have_value(OWNER_EMAIL)
    expect(page.get_by_role("group", name="Decision").get_by_label("Partly accepted")).to_be_checked()
    expect(due_date.get_by_label("Day")).to_have_value(str(due.day))
    expect(due_date.get_by_label("Month")).to_have_value(str(due.month))
    expect(due_date.get_by_label("Year")).to_have_value(str(due.year))
    assert_accessible(page, "feedback-journey-response-form-error")
    assert not RecommendationResponse.objects.exists()
    reason_error.click()  # the summary's link takes them to the field
    expect(reason).to_be_focused()
    reason.fill(REASON)
    page.get_by_role("button", name="Record the response").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendation")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The response was recorded.")
    expect(page.locator("main")).to_contain_text("Priya Shah, Northtown Police")
    expect(page.locator("main")).to_contain_text("Partly accepted")
    expect(page.locator("main")).to_contain_text(REASON)
    expect(page.locator("main")).to_contain_text(long_date(due))
    assert_accessible(page, "feedback-journey-response-recorded")
    response = RecommendationResponse.objects.get(recommendation=recommendation)
    assert (response.owner_agency, response.owner_name, response.owner_email) == (
        "Northtown Police",
        "Priya Shah",
        OWNER_EMAIL,
    )
    assert (response.decision, response.decision_reason, response.due_on) == (
        RecommendationResponse.Decision.PARTLY_ACCEPTED,
        REASON,
        due,
    )

    # Adds a timeline entry.
    page.get_by_role("link", name="Add a timeline entry").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a timeline entry")
    assert_accessible(page, "feedback-journey-timeline-form")
    page.get_by_label("What happened?").fill(NEWS)
    page.get_by_role("button", name="Add entry").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The entry was added.")
    expect(page.locator("#timeline + ol")).to_contain_text(NEWS)
    assert_accessible(page, "feedback-journey-timeline-added")
    entry = TimelineEntry.objects.get(response=response, kind=TimelineEntry.Kind.UPDATE)
    assert entry.text == NEWS and entry.happened_on == timezone.localdate()

    # The young person, on a phone: the news is on their home page.
    signed_in(phone, live_server, riley.user)
    phone.goto(f"{live_server.url}/")
    impact_card = phone.locator(".app-card").filter(has=phone.get_by_role("heading", name="Your impact"))
    expect(impact_card).to_contain_text("2 new")
    assert_accessible(phone, "feedback-journey-home")
    assert_no_sideways_scroll(phone, "home")
    impact_card.get_by_role("link", name="See your impact").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("You said, we did")
    expect(phone.locator("main")).to_contain_text("There is news about 1 of your recommendations.")
    card = phone.locator(f"article#response-{response.pk}")
    expect(card.get_by_role("heading", level=2)).to_contain_text(RECOMMENDATION)
    expect(card).to_contain_text("We said yes to part of it")
    expect(card.get_by_role("heading", name="What we will not do, and why")).to_be_visible()
    expect(card).to_contain_text(REASON)
    expect(card).to_contain_text(f"We plan to finish by {long_date(due)}.")
    expect(card).to_contain_text("Priya Shah at Northtown Police is in charge of this.")
    latest = card.get_by_role("heading", name="Latest news")
    expect(latest).to_be_visible()
    expect(card.locator("p", has_text=NEWS)).to_be_visible()
    expect(card).not_to_contain_text("Ada Mensah")  # Ada chose to be anonymous to other young people
    expect(card).to_contain_text("You made it with 1 other young person.")
    expect(card).to_contain_text("You have not rated this yet.")
    assert_accessible(phone, "feedback-journey-feed")
    assert_no_sideways_scroll(phone, "feed")

    # The menu shows where they are.
    menu = phone.get_by_role("navigation", name="Menu")
    menu.get_by_role("button", name="Menu").click()
    expect(menu.get_by_role("link", name="Your impact")).to_have_attribute("aria-current", "page")
    menu.get_by_role("button", name="Menu").click()

    # Rates it, first forgetting to choose a number: the comment is kept.
    card.get_by_text("Did this change anything? Tell us").click()
    rating = card.get_by_role("group", name="Did this change anything?")
    expect(rating).to_be_visible()
    assert_accessible(phone, "feedback-journey-feed-rating-open")
    assert_no_sideways_scroll(phone, "feed with the rating form open")
    card.get_by_label("Tell them more (optional)").fill(COMMENT)
    card.get_by_role("button", name="Send your rating").click()

    expect(phone).to_have_title(re.compile("^Error: Rate what happened"))
    summary = phone.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Choose how much this changed things, from 1 to 5")).to_be_visible()
    expect(phone.get_by_label("Tell them more (optional)")).to_have_value(COMMENT)
    assert_accessible(phone, "feedback-journey-rate-error")
    assert_no_sideways_scroll(phone, "rating error")
    assert not ResponseRating.objects.exists()
    phone.get_by_role("group", name="Did this change anything?").get_by_label(
        f"4 {DASH} It changed quite a lot"
    ).check()
    phone.get_by_role("button", name="Send your rating").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("You said, we did")
    expect(phone.locator(".govuk-notification-banner")).to_contain_text(
        "Thank you. Your rating was sent to Northtown Police and your scrutiny lead."
    )
    expect(card).to_contain_text(f"You said: 4 {DASH} It changed quite a lot.")
    assert_accessible(phone, "feedback-journey-rated")
    assert_no_sideways_scroll(phone, "rated")

    # The rating is saved and went to the panel's scrutiny lead (nobody else) and, by email, to the owner.
    rated = ResponseRating.objects.get()
    assert (rated.response_id, rated.membership_id, rated.score, rated.comment) == (response.pk, riley.pk, 4, COMMENT)
    told = Notification.objects.filter(kind=Notification.Kind.RATING)
    assert [(n.membership_id, n.rating_id, n.response_id) for n in told] == [(lead.pk, rated.pk, response.pk)]
    assert not Notification.objects.filter(membership=other_lead).exists()
    owner_mail = [message for message in mailoutbox if OWNER_EMAIL in message.to]
    assert len(owner_mail) == 1 and COMMENT in owner_mail[0].body

    # The young people who made it heard about the response and the entry, once each; Sam did not.
    news = Notification.objects.filter(kind=Notification.Kind.FEEDBACK)
    for person in (riley, ada):
        kinds = sorted(n.entry.kind for n in news.filter(membership=person).select_related("entry"))
        assert kinds == sorted([TimelineEntry.Kind.RESPONSE, TimelineEntry.Kind.UPDATE]), person.user.full_name
        assert {n.response_id for n in news.filter(membership=person)} == {response.pk}
    assert not news.filter(membership=sam).exists()
    assert news.count() == 4
    assert not news.filter(membership=riley, read_at__isnull=True).exists()  # seen on the feed
    assert news.filter(membership=ada, read_at__isnull=True).count() == 2

    # The scrutiny lead sees the rating and the comment on the recommendation's page.
    page.reload()
    ratings = page.get_by_role("table", name=re.compile("1 rating"))
    expect(ratings).to_contain_text("Riley Carter")
    expect(ratings).to_contain_text("4 out of 5")
    expect(ratings).to_contain_text(COMMENT)
    assert_accessible(page, "feedback-journey-lead-sees-rating")
