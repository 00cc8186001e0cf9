"""Selection pages: the worker's selection page, the young person's opportunity page and their engagements."""

import datetime
import html

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Attendance, Engagement, Interest, WorkLog
from participants.models import Role
from tests.engagements.helpers import approve_risk_assessment, young_person
from tests.factories.engagements import (
    AttendanceFactory,
    InterestFactory,
    OpportunityFactory,
    OpportunityTypeSettingFactory,
    WorkLogFactory,
)

pytestmark = pytest.mark.django_db
Status = Interest.Status


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def engagement(partnership, worker):
    engagement = OpportunityFactory(
        partnership=partnership, places=2, is_online=True, online_link="https://meet.example/secret", staff_lead=worker
    )
    approve_risk_assessment(engagement)
    return engagement


def url(engagement):
    return f"/staff/engagements/{engagement.pk}/selection/"


def candidate(member, engagement, *, eligible=True, name=None, status=Status.INTERESTED, note="Pick me"):
    kwargs = {"user__full_name": name} if name else {}
    user = young_person(member, engagement, eligible=eligible, **kwargs)
    interest = InterestFactory(engagement=engagement, membership=user.membership, status=status, note=note)
    if status == Status.CONFIRMED:
        engagement.attendees.add(user.membership)
    return user, interest


def text(response):
    return html.unescape(response.content.decode())


# --- The worker's selection page ---------------------------------------------------------------------------------


def test_the_worker_sees_each_candidates_eligibility_load_and_the_fair_pick(member, engagement, worker, login):
    candidate(member, engagement, name="Ready Rae", note="I know a lot about this")
    candidate(member, engagement, eligible=False, name="Not Yet Nia")
    past = OpportunityFactory(
        partnership=engagement.partnership,
        starts_at=timezone.now() - datetime.timedelta(days=10, hours=3),
        ends_at=timezone.now() - datetime.timedelta(days=10),
        status=Engagement.Status.COMPLETED,
    )
    rae = Interest.objects.get(membership__user__full_name="Ready Rae").membership
    past.attendees.add(rae)
    page = text(login(worker).get(url(engagement)))
    assert "Ready Rae" in page and "Not Yet Nia" in page
    assert "I know a lot about this" in page
    assert "No consent to take part" in page
    assert "1 engagement, 3 hours" in page
    assert "Suggested by fair pick" in page
    assert page.count("Confirm place") == 1  # only the one who can take part
    assert "2 places: 0 confirmed, 2 left" in page


def test_confirming_from_the_page(member, engagement, worker, login, django_capture_on_commit_callbacks):
    user, interest = candidate(member, engagement)
    client = login(worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(engagement), {"action": "confirm", "interest_id": interest.pk}, follow=True)
    assert "is confirmed" in text(response)
    interest.refresh_from_db()
    assert interest.status == Status.CONFIRMED
    assert mail.outbox[0].to == [user.email]


def test_the_load_warning_asks_for_an_acknowledgement(member, engagement, worker, login, partnership):
    partnership.load_limit_engagements = 0
    partnership.save()
    _, interest = candidate(member, engagement, name="Busy Bo")
    client = login(worker)
    page = text(client.get(url(engagement)))
    assert "Confirming Busy Bo would give them 1 engagements in the 90 days" in page
    assert "I understand, and want to confirm them anyway" in page
    response = client.post(url(engagement), {"action": "confirm", "interest_id": interest.pk})
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'href="#id_confirm-{interest.pk}-acknowledge_load"' in page
    assert Interest.objects.get(pk=interest.pk).status == Status.INTERESTED
    client.post(
        url(engagement),
        {"action": "confirm", "interest_id": interest.pk, f"confirm-{interest.pk}-acknowledge_load": "on"},
    )
    assert Interest.objects.get(pk=interest.pk).status == Status.CONFIRMED


def test_not_selected_needs_a_reason_named_on_the_field(member, engagement, worker, login):
    _, interest = candidate(member, engagement)
    client = login(worker)
    page = text(client.post(url(engagement), {"action": "decline", "interest_id": interest.pk}))
    assert f'href="#id_decline-{interest.pk}-reason"' in page and "Enter a reason" in page
    client.post(
        url(engagement),
        {"action": "decline", "interest_id": interest.pk, f"decline-{interest.pk}-reason": "Others had fewer turns."},
    )
    interest.refresh_from_db()
    assert (interest.status, interest.reason) == (Status.NOT_SELECTED, "Others had fewer turns.")


def test_waiting_list_and_cancelling_a_place(member, engagement, worker, login):
    _, place = candidate(member, engagement, status=Status.CONFIRMED)
    _, waiting = candidate(member, engagement)
    client = login(worker)
    client.post(url(engagement), {"action": "waitlist", "interest_id": waiting.pk})
    assert Interest.objects.get(pk=waiting.pk).status == Status.WAITING
    page = text(client.post(url(engagement), {"action": "cancel", "interest_id": place.pk}))
    assert f'href="#id_cancel-{place.pk}-reason"' in page
    client.post(
        url(engagement), {"action": "cancel", "interest_id": place.pk, f"cancel-{place.pk}-reason": "Room too small"}
    )
    assert Interest.objects.get(pk=place.pk).status == Status.CANCELLED
    assert Interest.objects.get(pk=waiting.pk).status == Status.CONFIRMED  # the waiting list took the place


def card_of(page, interest):
    """The candidate's card on the selection page (up to the next card)."""
    start = page.index(f'id="candidate-{interest.pk}"')
    end = page.find('class="govuk-summary-card"', start)
    return page[start : end if end != -1 else len(page)]


def summary_of(page):
    start = page.index('class="govuk-error-summary"')
    return page[start : page.index("</ul>\n            </div>", start)]


def test_a_refusal_of_the_gate_is_shown_and_nothing_changes(member, engagement, worker, login):
    for _ in range(2):
        candidate(member, engagement, status=Status.CONFIRMED)
    _, third = candidate(member, engagement)
    page = text(login(worker).post(url(engagement), {"action": "confirm", "interest_id": third.pk}))
    assert "All 2 places are taken" in page
    assert Interest.objects.get(pk=third.pk).status == Status.INTERESTED


def test_a_refusal_on_confirming_is_shown_on_the_candidates_card_and_linked_from_the_summary(
    member, engagement, worker, login
):
    for _ in range(2):
        candidate(member, engagement, status=Status.CONFIRMED)
    _, third = candidate(member, engagement, name="Third Theo")
    response = login(worker).post(url(engagement), {"action": "confirm", "interest_id": third.pk})
    page = text(response)
    assert response.status_code == 200
    assert "<title>" in page and "Error: Choose who goes" in page
    assert f'<a href="#candidate-{third.pk}">All 2 places are taken.' in summary_of(page)
    card = card_of(page, third)
    assert "govuk-error-message" in card and "All 2 places are taken" in card
    assert page.count("There is a problem") == 1  # one summary for the page


def test_an_overlapping_place_is_refused_on_the_card(member, engagement, worker, login, partnership):
    user, interest = candidate(member, engagement, name="Busy Bea")
    clash = OpportunityFactory(
        partnership=partnership, title="Clashing panel", starts_at=engagement.starts_at, ends_at=engagement.ends_at
    )
    InterestFactory(engagement=clash, membership=user.membership, status=Status.CONFIRMED)
    clash.attendees.add(user.membership)
    page = text(login(worker).post(url(engagement), {"action": "confirm", "interest_id": interest.pk}))
    assert f'<a href="#candidate-{interest.pk}">Busy Bea already has a place on Clashing panel' in summary_of(page)
    assert "already has a place on Clashing panel" in card_of(page, interest)
    assert Interest.objects.get(pk=interest.pk).status == Status.INTERESTED


def test_the_gates_reasons_are_a_list_on_the_card_and_in_the_summary(member, engagement, worker, login):
    _, interest = candidate(member, engagement, eligible=False, name="Not Yet Nia")
    page = text(login(worker).post(url(engagement), {"action": "confirm", "interest_id": interest.pk}))
    summary = summary_of(page)
    assert f'<a href="#candidate-{interest.pk}">Not Yet Nia cannot take part yet:</a>' in summary
    assert "<li>No consent to take part" in summary
    card = card_of(page, interest)
    error = card[card.index("govuk-form-group--error") : card.index("</ul>", card.index("govuk-form-group--error"))]
    assert "Not Yet Nia cannot take part yet:" in error
    assert '<ul class="govuk-list govuk-list--bullet govuk-error-message">' in error
    assert "<li>No consent to take part" in error
    assert Interest.objects.get(pk=interest.pk).status == Status.INTERESTED


def test_the_gates_reasons_are_a_list_when_inviting(member, engagement, worker, login):
    invited = young_person(member, engagement, eligible=False, user__full_name="Invited Ina")
    page = text(
        login(worker).post(url(engagement), {"action": "invite", "invite-membership_id": invited.membership.pk})
    )
    summary = summary_of(page)
    assert '<a href="#id_invite-membership_id">Invited Ina cannot take part yet:</a>' in summary
    assert "<li>No consent to take part" in summary
    invite = page[page.index('id="invite"') :]
    assert "Invited Ina cannot take part yet:" in invite and "<li>No consent to take part" in invite
    assert not Interest.objects.filter(membership=invited.membership).exists()


def test_inviting_someone_who_did_not_express_interest(member, engagement, worker, login):
    already, _ = candidate(member, engagement, name="Already Here")
    invited = young_person(member, engagement, user__full_name="Invited Ivy")
    client = login(worker)
    page = text(client.get(url(engagement)))
    assert "Invited Ivy" in page
    assert f'<option value="{already.membership.pk}"' not in page  # a candidate already, not in the invite list
    assert f'<option value="{invited.membership.pk}"' in page
    client.post(url(engagement), {"action": "invite", "invite-membership_id": invited.membership.pk})
    interest = Interest.objects.get(membership=invited.membership)
    assert (interest.status, interest.invited_by) == (Status.CONFIRMED, worker)
    page = text(client.post(url(engagement), {"action": "invite", "invite-membership_id": ""}))
    assert 'href="#id_invite-membership_id"' in page


def test_another_partnerships_engagement_or_interest_is_a_404(member, engagement, worker, login, other_partnership):
    theirs = OpportunityFactory(partnership=other_partnership)
    their_interest = InterestFactory(engagement=theirs)
    _, other_engagements_interest = candidate(member, OpportunityFactory(partnership=engagement.partnership))
    client = login(worker)
    assert client.get(url(theirs)).status_code == 404
    for interest in (their_interest, other_engagements_interest):
        response = client.post(url(engagement), {"action": "confirm", "interest_id": interest.pk})
        assert response.status_code == 404
    assert Interest.objects.get(pk=other_engagements_interest.pk).status == Status.INTERESTED


def test_only_participation_workers_see_the_selection_page(member, engagement, login):
    for role in (Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD, Role.YOUNG_PERSON):
        assert login(member(role)).get(url(engagement)).status_code == 403


def test_the_selection_page_query_count_does_not_grow_with_the_candidates(
    member, engagement, worker, login, partnership
):
    """Eligibility is decided for every candidate at once (can_take_part_many): N and 2N candidates, eligible or
    not, cost the same, also in a partnership that employs its young people (the working-hours checks)."""
    from tests.engagements.test_selection_api import employ_and_require_training

    employ_and_require_training(engagement)
    client = login(worker)

    def grow(n):
        for i in range(n):
            user, _ = candidate(member, engagement, eligible=i % 3 != 2)
            past = OpportunityFactory(
                partnership=partnership,
                starts_at=timezone.now() - datetime.timedelta(days=5, hours=2),
                ends_at=timezone.now() - datetime.timedelta(days=5),
            )
            past.attendees.add(user.membership)
            young_person(member, engagement, eligible=False)  # someone to invite

    grow(6)
    client.get(url(engagement))
    with CaptureQueriesContext(connection) as small:
        client.get(url(engagement))
    grow(6)
    with CaptureQueriesContext(connection) as large:
        page = text(client.get(url(engagement)))
    assert page.count("Safeguarding basics: not done") == 4
    assert len(large) == len(small), [q["sql"] for q in large]


# --- The young person's pages ---------------------------------------------------------------------------------------


def opportunity(engagement):
    return f"/opportunities/{engagement.pk}/"


def test_a_young_person_sees_the_details_and_says_they_are_interested(member, engagement, login):
    user = young_person(member, engagement)
    client = login(user)
    page = text(client.get(opportunity(engagement)))
    assert engagement.title in page
    assert "You have not said you are interested yet." in page
    assert "https://meet.example/secret" not in page  # only once their place is confirmed
    response = client.post(opportunity(engagement), {"action": "express", "note": "I want to help"}, follow=True)
    assert "You said you are interested" in text(response)
    assert Interest.objects.get(membership=user.membership).note == "I want to help"


def test_a_note_that_is_too_long_is_refused_and_kept(member, engagement, login):
    client = login(young_person(member, engagement))
    long_note = "word " * 250
    page = text(client.post(opportunity(engagement), {"action": "express", "note": long_note}))
    assert 'href="#id_note"' in page
    assert "must be 1000 characters or fewer" in page
    assert long_note.strip()[:100] in page
    assert not Interest.objects.exists()


def test_the_online_link_is_shown_once_confirmed(member, engagement, login):
    user, _ = candidate(member, engagement, status=Status.CONFIRMED)
    page = text(login(user).get(opportunity(engagement)))
    assert "You have a place" in page
    assert "https://meet.example/secret" in page


def test_a_young_person_withdraws_from_the_page(member, engagement, login, worker):
    user, place = candidate(member, engagement, status=Status.CONFIRMED)
    client = login(user)
    client.post(opportunity(engagement), {"action": "withdraw", "reason": "I have an exam"})
    place.refresh_from_db()
    assert (place.status, place.reason) == (Status.WITHDRAWN, "I have an exam")
    assert not engagement.attendees.exists()
    page = text(client.get(opportunity(engagement)))
    assert "You withdrew" in page and "Tell us you are interested" in page


def test_the_reason_for_not_being_selected_is_shown_to_them(member, engagement, login):
    user, interest = candidate(member, engagement, status=Status.NOT_SELECTED)
    Interest.objects.filter(pk=interest.pk).update(reason="We chose people who had fewer turns.")
    page = text(login(user).get(opportunity(engagement)))
    assert "You were not selected this time." in page and "fewer turns" in page
    assert "Tell us you are interested" not in page


def test_drafts_and_other_partnerships_opportunities_are_a_404(member, partnership, other_partnership, login):
    client = login(member(Role.YOUNG_PERSON))
    for engagement in (
        OpportunityFactory(partnership=partnership, status=Engagement.Status.DRAFT),
        OpportunityFactory(partnership=other_partnership),
    ):
        assert client.get(opportunity(engagement)).status_code == 404
        assert client.post(opportunity(engagement), {"action": "express"}).status_code == 404


def _ago(days, hours=2):
    starts = timezone.now() - datetime.timedelta(days=days, hours=hours)
    return {"starts_at": starts, "ends_at": starts + datetime.timedelta(hours=hours)}


def test_my_sessions_is_called_what_the_menu_calls_it(member, login):
    page = text(login(member(Role.YOUNG_PERSON)).get("/my-engagements/"))
    assert "<title>" in page and "Your sessions" in page[page.index("<title>") : page.index("</title>")]
    assert '<h1 class="govuk-heading-xl">Your sessions</h1>' in page
    assert "Your engagements" not in page


def test_my_sessions_keeps_recent_decisions_with_their_reasons(member, partnership, login):
    user = member(Role.YOUNG_PERSON)
    mine = user.membership

    def interest(title, status, reason="", engagement_status=Engagement.Status.PUBLISHED, cancelled_reason="", **when):
        engagement = OpportunityFactory(
            partnership=partnership, title=title, status=engagement_status, cancelled_reason=cancelled_reason, **when
        )
        return InterestFactory(
            engagement=engagement, membership=mine, status=status, reason=reason, decided_at=timezone.now()
        )

    interest("Not picked panel", Status.NOT_SELECTED, "We chose people who had fewer turns.")
    interest("Place cancelled panel", Status.CANCELLED, "The room is smaller than we thought.")
    called_off = interest(
        "Called off panel",
        Status.CONFIRMED,
        engagement_status=Engagement.Status.CANCELLED,
        cancelled_reason="The agency pulled out.",
    )
    called_off.engagement.attendees.add(mine)
    interest("Changed my mind panel", Status.WITHDRAWN, "Exams")
    old = interest("Long ago panel", Status.NOT_SELECTED, "Old news", **_ago(60))
    Interest.objects.filter(pk=old.pk).update(decided_at=timezone.now() - datetime.timedelta(days=70))
    page = text(login(user).get("/my-engagements/"))
    recent = page[page.index("Recent news") : page.index("<h2", page.index("Recent news"))]

    def card(title):
        return recent[recent.index(title) : recent.find('class="app-card"', recent.index(title))]

    assert "Not this time" in card("Not picked panel") and "fewer turns" in card("Not picked panel")
    assert "Cancelled" in card("Place cancelled panel") and "smaller than we thought" in card("Place cancelled panel")
    assert "Cancelled" in card("Called off panel") and "The agency pulled out." in card("Called off panel")
    assert "Withdrawn" in card("Changed my mind panel") and "Exams" not in card("Changed my mind panel")
    assert "Long ago panel" not in page
    assert "Called off panel" not in page[: page.index("Recent news")]  # not "Coming up" any more


def test_done_sessions_are_tagged_by_attendance_with_a_link_to_log_time(member, partnership, login):
    user = member(Role.YOUNG_PERSON)
    mine = user.membership
    sessions = {}
    for title in ("Came panel", "Missed panel", "Unmarked panel", "Logged panel"):
        engagement = OpportunityFactory(
            partnership=partnership, title=title, status=Engagement.Status.COMPLETED, **_ago(5)
        )
        InterestFactory(engagement=engagement, membership=mine, status=Status.CONFIRMED)
        engagement.attendees.add(mine)
        sessions[title] = engagement
    AttendanceFactory(engagement=sessions["Came panel"], membership=mine, status=Attendance.Status.PRESENT)
    AttendanceFactory(engagement=sessions["Missed panel"], membership=mine, status=Attendance.Status.ABSENT)
    AttendanceFactory(engagement=sessions["Logged panel"], membership=mine, status=Attendance.Status.LEFT_EARLY)
    WorkLogFactory(engagement=sessions["Logged panel"], membership=mine, status=WorkLog.Status.APPROVED)
    page = text(login(user).get("/my-engagements/"))
    done = page[page.index(">Done<") :]

    def card(title):
        return done[done.index(title) : done.find('class="app-card"', done.index(title))]

    came = card("Came panel")
    assert "You were there" in came and "Confirmed" not in came
    assert f'href="/work-logs/engagement/{sessions["Came panel"].pk}/">Log your time' in came
    missed = card("Missed panel")
    assert "Marked absent" in missed and "/work-logs/" not in missed
    unmarked = card("Unmarked panel")
    assert "govuk-tag" not in unmarked and "/work-logs/" not in unmarked
    logged = card("Logged panel")
    assert "You were there" in logged and "See the time you logged" in logged and "Approved</strong>" in logged


def test_my_engagements_lists_places_waiting_and_past(member, partnership, login):
    user = member(Role.YOUNG_PERSON)
    upcoming = OpportunityFactory(partnership=partnership, title="Coming panel")
    waiting = OpportunityFactory(partnership=partnership, title="Waiting focus group")
    past = OpportunityFactory(
        partnership=partnership,
        title="Last month's visit",
        starts_at=timezone.now() - datetime.timedelta(days=30, hours=2),
        ends_at=timezone.now() - datetime.timedelta(days=30),
        status=Engagement.Status.COMPLETED,
    )
    InterestFactory(engagement=upcoming, membership=user.membership, status=Status.CONFIRMED)
    InterestFactory(engagement=waiting, membership=user.membership, status=Status.WAITING)
    InterestFactory(engagement=past, membership=user.membership, status=Status.CONFIRMED)
    someone_else = InterestFactory(engagement=upcoming, status=Status.CONFIRMED)
    page = text(login(user).get("/my-engagements/"))
    assert page.index("Coming panel") < page.index("Waiting focus group") < page.index("Last month's visit")
    assert someone_else.membership.user.full_name not in page


def test_the_young_persons_pages_keep_their_query_count(member, partnership, login):
    user = member(Role.YOUNG_PERSON)
    client = login(user)
    target = OpportunityFactory(partnership=partnership)
    InterestFactory(engagement=target, membership=user.membership, status=Status.CONFIRMED)

    def grow(n):
        for _ in range(n):
            engagement = OpportunityFactory(partnership=partnership)
            InterestFactory(engagement=engagement, membership=user.membership, status=Status.CONFIRMED)
            InterestFactory(engagement=engagement)  # other people's interests: never read
            InterestFactory(engagement=target, status=Status.CONFIRMED)
            done = OpportunityFactory(partnership=partnership, status=Engagement.Status.COMPLETED, **_ago(3))
            InterestFactory(engagement=done, membership=user.membership, status=Status.CONFIRMED)
            AttendanceFactory(engagement=done, membership=user.membership)
            WorkLogFactory(engagement=done, membership=user.membership)
            turned_down = OpportunityFactory(partnership=partnership)
            InterestFactory(engagement=turned_down, membership=user.membership, status=Status.NOT_SELECTED)

    grow(2)
    for page in ("/my-engagements/", opportunity(target)):
        client.get(page)
        with CaptureQueriesContext(connection) as small:
            client.get(page)
        grow(15)
        with CaptureQueriesContext(connection) as large:
            assert client.get(page).status_code == 200
        assert len(large) == len(small), page


def test_staff_do_not_use_the_young_persons_pages(worker, engagement, login):
    client = login(worker)
    assert client.get(opportunity(engagement)).status_code == 403
    assert client.get("/my-engagements/").status_code == 403


def _starts_in(engagement, minutes):
    starts = timezone.now() + datetime.timedelta(minutes=minutes)
    Engagement.objects.filter(pk=engagement.pk).update(starts_at=starts, ends_at=starts + datetime.timedelta(hours=2))


def test_within_the_hour_the_page_says_to_talk_to_their_worker_instead_of_withdrawing(member, engagement, login):
    user, place = candidate(member, engagement, status=Status.CONFIRMED)
    _starts_in(engagement, 45)
    client = login(user)
    page = text(client.get(opportunity(engagement)))
    assert 'value="withdraw"' not in page
    assert "talk to your participation worker" in page
    response = client.post(opportunity(engagement), {"action": "withdraw", "reason": ""})
    assert response.status_code == 200
    assert "talk to your participation worker" in text(response)
    assert Interest.objects.get(pk=place.pk).status == Status.CONFIRMED


def test_a_cancelled_engagements_page_has_no_link_and_no_withdrawing(member, engagement, login):
    user, _ = candidate(member, engagement, status=Status.CONFIRMED)
    Engagement.objects.filter(pk=engagement.pk).update(
        status=Engagement.Status.CANCELLED, cancelled_reason="The speaker is ill."
    )
    page = text(login(user).get(opportunity(engagement)))
    assert "This is not happening any more. You do not need to do anything." in page
    assert "The speaker is ill." in page
    assert "You have a place" not in page
    assert "https://meet.example/secret" not in page and "You get the link" not in page
    assert 'value="withdraw"' not in page and 'value="express"' not in page


def test_a_cancelled_engagement_they_were_interested_in_offers_nothing(member, engagement, login):
    user, _ = candidate(member, engagement, status=Status.WAITING)
    Engagement.objects.filter(pk=engagement.pk).update(status=Engagement.Status.CANCELLED)
    page = text(login(user).get(opportunity(engagement)))
    assert "This is not happening any more. You do not need to do anything." in page
    assert "waiting list" not in page
    assert 'value="withdraw"' not in page and 'value="express"' not in page


def _over(engagement, days_ago=2):
    starts = timezone.now() - datetime.timedelta(days=days_ago, hours=2)
    Engagement.objects.filter(pk=engagement.pk).update(starts_at=starts, ends_at=starts + datetime.timedelta(hours=2))


def test_after_an_engagement_they_attended_the_page_says_so_and_links_logging_time(member, engagement, login):
    user, _ = candidate(member, engagement, status=Status.CONFIRMED)
    _over(engagement)
    AttendanceFactory(engagement=engagement, membership=user.membership, status=Attendance.Status.LATE)
    client = login(user)
    page = text(client.get(opportunity(engagement)))
    assert "You took part. Thank you for coming." in page
    assert "You have a place" not in page
    assert f'<a class="govuk-link" href="/work-logs/engagement/{engagement.pk}/">Log your time</a>' in page
    assert (
        "govuk-tag" not in page[page.index('id="your-status"') : page.index("</div>", page.index('id="your-status"'))]
    )
    WorkLogFactory(engagement=engagement, membership=user.membership, status=WorkLog.Status.SUBMITTED)
    page = text(client.get(opportunity(engagement)))
    assert f'href="/work-logs/engagement/{engagement.pk}/">See the time you logged</a>' in page
    assert "Waiting for approval</strong>" in page


def test_after_an_engagement_they_missed_or_were_not_marked_at_there_is_no_log_link(member, engagement, login):
    user, _ = candidate(member, engagement, status=Status.CONFIRMED)
    _over(engagement)
    client = login(user)
    page = text(client.get(opportunity(engagement)))
    assert "You had a place on this." in page
    assert "/work-logs/engagement/" not in page
    AttendanceFactory(engagement=engagement, membership=user.membership, status=Attendance.Status.ABSENT)
    page = text(client.get(opportunity(engagement)))
    assert "You were marked absent." in page and "You took part" not in page
    assert "/work-logs/engagement/" not in page


def test_the_briefing_pack_is_linked_for_those_who_may_download_it(member, engagement, login, partnership):
    OpportunityTypeSettingFactory(
        partnership=partnership, opportunity_type=engagement.opportunity_type, briefing_pack="briefing-packs/x.pdf"
    )
    pack = f'href="/opportunity-types/{engagement.opportunity_type}/briefing-pack/"'
    going, _ = candidate(member, engagement, status=Status.CONFIRMED)
    page = text(login(going).get(opportunity(engagement)))
    assert pack in page and "Download the briefing pack (PDF)" in page
    assert login(going).get(f"/opportunity-types/{engagement.opportunity_type}/briefing-pack/").status_code != 403
    interested, _ = candidate(member, engagement)
    assert pack not in text(login(interested).get(opportunity(engagement)))
    Engagement.objects.filter(pk=engagement.pk).update(status=Engagement.Status.CANCELLED)
    assert pack not in text(login(going).get(opportunity(engagement)))


def test_once_marking_has_opened_the_selection_page_offers_no_cancelling(member, engagement, worker, login):
    candidate(member, engagement, status=Status.CONFIRMED, name="Sam Soon")
    _starts_in(engagement, 30)
    page = text(login(worker).get(url(engagement)))
    assert 'value="cancel"' not in page
    assert "record them as absent on the attendance sheet" in page
