"""The staff recruitment pages: rounds, the application list and board, one application, the equality report and
the email wording. Rules are the services' (tested there); these tests check the pages use them, show their
refusals against the right field, keep what was typed, scope to the partnership and do not grow in queries."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import (
    Application,
    ApplicationEvent,
    EmailTemplate,
    EqualityResponse,
    OutreachChannel,
    OutreachLink,
    PanelScore,
    RecruitmentRound,
    Role,
    RoundQuestion,
)
from participants.services.recruitment import outreach_url
from tests.factories.recruitment import (
    ApplicationFactory,
    CriterionFactory,
    OutreachLinkFactory,
    QuestionFactory,
    RoundFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db
Status = Application.Status

# --- Helpers -------------------------------------------------------------------------------------------------------


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def round_(partnership):
    return RoundFactory(partnership=partnership)


def body_of(response) -> str:
    return response.content.decode()


def round_url(name: str, round_: RecruitmentRound) -> str:
    return reverse(name, args=[round_.pk])


# --- Rounds --------------------------------------------------------------------------------------------------------


def test_worker_creates_a_round_then_adds_a_question_and_an_outreach_link(worker, login):
    client = login(worker)
    listing = body_of(client.get(reverse("recruitment_rounds")))
    assert "Create a round" in listing
    assert reverse("recruitment_round_create") in listing

    response = client.post(
        reverse("recruitment_round_create"),
        {
            "title": "Young Scrutineers 2027",
            "description": "Help us check how well children are kept safe.",
            "opens_on": "2027-01-10",
            "closes_on": "2027-02-10",
            "places": "12",
            "min_age": "13",
            "max_age": "21",
            "is_published": "on",
        },
    )
    round_ = RecruitmentRound.objects.get(title="Young Scrutineers 2027", partnership=worker.partnership)
    assert response.status_code == 302
    assert response.url == round_url("recruitment_round", round_)
    assert round_.closes_on == datetime.date(2027, 2, 10)
    assert round_.is_published and round_.max_age == 21

    page = round_url("recruitment_round", round_)
    client.post(
        page,
        {
            "action": "question",
            "question-text": "What would you change about your school?",
            "question-kind": RoundQuestion.Kind.LONG_TEXT,
            "question-required": "on",
        },
    )
    client.post(
        page,
        {"action": "outreach", "outreach-channel": OutreachChannel.YOUNG_CARERS, "outreach-label": "Carers' group"},
    )

    question = round_.questions.get()
    assert question.text == "What would you change about your school?" and question.required
    link = OutreachLink.objects.get(round=round_)
    assert link.channel == OutreachChannel.YOUNG_CARERS
    body = body_of(client.get(page))
    assert "What would you change about your school?" in body
    assert outreach_url(link) in body  # the full tracked link, ready to copy
    assert "Young carers: Carers&#x27; group" in body
    assert f'href="{round_url("recruitment_round_edit", round_)}#id_title"' in body  # a Change link


def test_round_form_names_each_mistake_and_keeps_what_was_typed(worker, login):
    response = login(worker).post(
        reverse("recruitment_round_create"),
        {
            "title": "",
            "description": "A description I took ages to write",
            "opens_on": "2027-03-01",
            "closes_on": "2027-02-01",
            "places": "lots",
            "min_age": "13",
            "max_age": "25",
        },
    )
    body = body_of(response)
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'href="#id_title"' in body and "Enter a title" in body
    assert 'href="#id_closes_on"' in body and "The closing date must be on or after the opening date" in body
    assert 'href="#id_places"' in body and "Enter the places as a whole number" in body
    assert "A description I took ages to write" in body
    assert 'value="2027-03-01"' in body
    assert not RecruitmentRound.objects.exists()


def test_a_service_refusal_on_the_round_page_shows_against_its_field_and_keeps_the_input(worker, login, round_):
    response = login(worker).post(
        round_url("recruitment_round", round_),
        {
            "action": "question",
            "question-text": "Which topic matters most to you?",
            "question-kind": RoundQuestion.Kind.CHOICE,
            "question-choices": "Only one option",
        },
    )
    body = body_of(response)
    assert response.status_code == 200
    assert 'href="#id_question-choices"' in body
    assert "Give at least two options, one on each line." in body
    assert 'value="Which topic matters most to you?"' in body
    assert not round_.questions.exists()


def test_an_interview_time_is_a_date_and_two_times_and_the_end_must_follow_the_start(worker, login, round_):
    client = login(worker)
    page = round_url("recruitment_round", round_)
    day = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    refused = client.post(
        page,
        {"action": "slot", "slot-day": day, "slot-starts_at": "16:30", "slot-ends_at": "16:00",
         "slot-location": "Youth centre", "slot-capacity": "2"},
    )  # fmt: skip
    body = body_of(refused)
    assert 'href="#id_slot-ends_at"' in body and "The end time must be after the start time." in body
    assert 'value="Youth centre"' in body
    assert not round_.interview_slots.exists()

    client.post(
        page,
        {"action": "slot", "slot-day": day, "slot-starts_at": "16:30", "slot-ends_at": "17:00",
         "slot-location": "Youth centre", "slot-capacity": "2"},
    )  # fmt: skip
    slot = round_.interview_slots.get()
    assert timezone.localtime(slot.starts_at).strftime("%H:%M") == "16:30"
    assert slot.capacity == 2
    assert "Youth centre" in body_of(client.get(page))


def test_the_round_page_shows_which_channel_brought_how_many(worker, login, round_):
    council = OutreachLinkFactory(round=round_, channel=OutreachChannel.YOUTH_COUNCIL)
    ApplicationFactory.create_batch(3, round=round_, outreach_link=council)
    ApplicationFactory(round=round_)
    body = body_of(login(worker).get(round_url("recruitment_round", round_)))
    assert re.search(r"Youth council</td>\s*<td[^>]*>3</td>", body)
    assert re.search(r"Direct</td>\s*<td[^>]*>1</td>", body)


# --- The list, filters, bulk moves, CSV -----------------------------------------------------------------------------


def test_the_list_filters_by_status_channel_and_search(worker, login, round_):
    council = OutreachLinkFactory(round=round_, channel=OutreachChannel.YOUTH_COUNCIL)
    screening = ApplicationFactory(round=round_, status=Status.SCREENING, full_name="Sasha Screening")
    from_council = ApplicationFactory(round=round_, outreach_link=council, full_name="Cal Council")
    quill = ApplicationFactory(round=round_, full_name="Zed Quill", email="zq@example.org")
    ApplicationFactory(round=round_, status=Status.DRAFT, full_name="Dee Draft")
    client = login(worker)
    url = round_url("recruitment_applications", round_)

    everyone = body_of(client.get(url))
    assert all(a.full_name in everyone for a in (screening, from_council, quill))
    assert "Dee Draft" not in everyone  # drafts are not sent yet

    by_status = body_of(client.get(url, {"status": Status.SCREENING}))
    assert "Sasha Screening" in by_status and "Cal Council" not in by_status and "Zed Quill" not in by_status

    by_channel = body_of(client.get(url, {"channel": OutreachChannel.YOUTH_COUNCIL}))
    assert "Cal Council" in by_channel and "Sasha Screening" not in by_channel and "Zed Quill" not in by_channel

    by_search = body_of(client.get(url, {"search": "quill"}))
    assert "Zed Quill" in by_search and "Sasha Screening" not in by_search and "Cal Council" not in by_search
    assert re.search(r">\s*1 application\s*<", by_search)


def test_the_list_shows_age_status_average_and_scorers(worker, member, login, round_):
    criterion = CriterionFactory(round=round_)
    application = ApplicationFactory(round=round_, date_of_birth=timezone.localdate() - datetime.timedelta(days=6000))
    other = member(Role.PARTICIPATION_WORKER)
    for scorer, score in ((worker, 4), (other, 1)):
        PanelScore.objects.create(
            partnership=round_.partnership, application=application, criterion=criterion, scorer=scorer, score=score
        )
    body = body_of(login(worker).get(round_url("recruitment_applications", round_)))
    row = body[body.index(application.full_name) :]
    assert re.search(r">\s*2\.5\s*<", row)  # average
    assert re.search(r">\s*2\s*</td>", row)  # number of scorers
    assert f">{application.age_on(timezone.localdate())}<" in row
    assert "govuk-tag--blue" in row and "Submitted" in row


def test_the_list_paginates_at_50(worker, login, round_):
    ApplicationFactory.create_batch(51, round=round_)
    client = login(worker)
    first = body_of(client.get(round_url("recruitment_applications", round_)))
    assert first.count('name="applications"') == 50
    assert "Page 1 of 2" in first
    second = body_of(client.get(round_url("recruitment_applications", round_), {"page": 2}))
    assert second.count('name="applications"') == 1


def test_bulk_move_moves_every_selected_application(worker, login, round_):
    chosen = ApplicationFactory.create_batch(3, round=round_)
    left = ApplicationFactory(round=round_)
    response = login(worker).post(
        round_url("recruitment_applications", round_),
        {"applications": [a.pk for a in chosen], "to": Status.SCREENING, "reason": "First sift"},
        follow=True,
    )
    assert "3 applications moved to Screening" in body_of(response)
    assert set(Application.objects.filter(status=Status.SCREENING).values_list("pk", flat=True)) == {
        a.pk for a in chosen
    }
    assert Application.objects.get(pk=left.pk).status == Status.SUBMITTED
    assert ApplicationEvent.objects.filter(reason="First sift", actor=worker).count() == 3


def test_bulk_move_moves_none_when_one_cannot_move_and_names_who_and_why(worker, login, round_):
    movable = ApplicationFactory(round=round_, full_name="Mo Vable")
    stuck = ApplicationFactory(round=round_, status=Status.ACCEPTED, full_name="Stu Accepted")
    response = login(worker).post(
        round_url("recruitment_applications", round_),
        {"applications": [movable.pk, stuck.pk], "to": Status.SCREENING, "reason": "Keep this reason"},
    )
    body = body_of(response)
    assert response.status_code == 200
    assert "There is a problem" in body and 'href="#id_applications"' in body
    assert "Nothing was moved." in body
    assert re.search(r"Stu Accepted: An? application cannot move from Accepted to Screening\.", body)
    assert "Mo Vable:" not in body
    assert Application.objects.get(pk=movable.pk).status == Status.SUBMITTED
    assert not ApplicationEvent.objects.exists()
    # Nothing typed is lost: the ticks, the choice and the reason come back.
    assert re.search(rf'value="{movable.pk}"\s+checked', body)
    assert re.search(rf'value="{stuck.pk}"\s+checked', body)
    assert "Keep this reason" in body
    assert re.search(r'<option value="screening" selected>', body)


def test_bulk_move_with_nothing_ticked_says_so(worker, login, round_):
    ApplicationFactory(round=round_)
    body = body_of(login(worker).post(round_url("recruitment_applications", round_), {"to": Status.SCREENING}))
    assert 'href="#id_applications"' in body and "Choose at least one application to move" in body


def test_csv_export_has_the_filtered_rows_and_no_equality_answers(worker, login, round_):
    council = OutreachLinkFactory(round=round_, channel=OutreachChannel.YOUTH_COUNCIL)
    criterion = CriterionFactory(round=round_)
    screened = ApplicationFactory(
        round=round_, status=Status.SCREENING, full_name="Ada Screened", phone="07700 900123", outreach_link=council
    )
    PanelScore.objects.create(
        partnership=round_.partnership, application=screened, criterion=criterion, scorer=worker, score=3
    )
    ApplicationFactory(round=round_, full_name="=HYPERLINK(1)")
    EqualityResponse.objects.create(partnership=round_.partnership, round=round_, answers={"gender": "non_binary"})
    client = login(worker)

    response = client.get(round_url("recruitment_applications_csv", round_))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Name", "Email", "Phone", "Age", "Status", "Channel", "Submitted", "Average score", "Scored by"]
    assert len(rows) == 3
    ada = next(row for row in rows if row[0] == "Ada Screened")
    assert ada[1:3] == [screened.email, "07700 900123"]
    assert ada[3] == str(screened.age_on(timezone.localdate()))
    assert ada[4:6] == ["Screening", "Youth council"]
    assert ada[6] == timezone.localtime(screened.submitted_at).strftime("%Y-%m-%d")
    assert ada[7:] == ["3.0", "1"]
    assert [row[0] for row in rows if "HYPERLINK" in row[0]] == ["'=HYPERLINK(1)"]  # not a formula
    for equality_word in ("non_binary", "Non-binary", "gender", "Gender"):
        assert equality_word not in text

    filtered = list(csv.reader(io.StringIO(client.get(round_url("recruitment_applications_csv", round_),
                                                       {"status": Status.SCREENING}).content.decode())))  # fmt: skip
    assert [row[0] for row in filtered[1:]] == ["Ada Screened"]
    list_page = body_of(client.get(round_url("recruitment_applications", round_), {"status": Status.SCREENING}))
    assert round_url("recruitment_applications_csv", round_) + "?status=screening" in list_page


# --- The board -----------------------------------------------------------------------------------------------------


def test_the_board_has_a_column_per_status_and_a_card_per_application(worker, login, round_):
    offered = ApplicationFactory(round=round_, status=Status.OFFERED, full_name="Olu Offered")
    ApplicationFactory(round=round_, status=Status.DRAFT, full_name="Dee Draft")
    body = body_of(login(worker).get(round_url("recruitment_board", round_)))
    for status in Status:
        if status != Status.DRAFT:
            assert f'id="column-{status.value}"' in body
    assert 'id="column-draft"' not in body and "Dee Draft" not in body
    column = body[body.index('id="column-offered"') : body.index('id="column-accepted"')]
    assert reverse("recruitment_application", args=[offered.pk]) in column
    assert "Olu Offered" in column
    assert "govuk-grid-column-one-quarter" in body  # columns stack on a phone


# --- One application -----------------------------------------------------------------------------------------------


def test_the_application_page_shows_details_parent_carer_answers_and_interview(worker, login, round_):
    question = QuestionFactory(round=round_, text="Why do you want to do this?")
    slot = SlotFactory(round=round_, location="Town hall, room 4")
    application = ApplicationFactory(
        round=round_,
        status=Status.INTERVIEW,
        full_name="Pat Applicant",
        parent_carer_name="Jo Parent",
        parent_carer_relationship="Mum",
        parent_carer_email="jo@example.org",
        answers={str(question.pk): "To make things better"},
        interview_slot=slot,
    )
    body = body_of(login(worker).get(reverse("recruitment_application", args=[application.pk])))
    assert "Pat Applicant" in body and application.email in body
    assert "Jo Parent" in body and "(Mum)" in body and "jo@example.org" in body
    assert "Why do you want to do this?" in body and "To make things better" in body
    assert "Town hall, room 4" in body


def test_a_worker_moves_to_interview_once_there_are_times_then_offers_and_emails_go(
    worker, login, round_, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(round=round_, status=Status.SCREENING, full_name="Robin Example")
    client = login(worker)
    url = reverse("recruitment_application", args=[application.pk])
    page = body_of(client.get(url))
    assert 'value="interview"' in page and 'value="offered"' in page and 'value="unsuccessful"' in page
    assert 'value="screening"' not in page  # not a move from screening

    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url, {"action": "move", "to": Status.INTERVIEW})
    assert 'href="#id_to"' in body_of(refused) and "Add interview times to this round first." in body_of(refused)
    assert Application.objects.get(pk=application.pk).status == Status.SCREENING
    assert mail.outbox == []

    SlotFactory(round=round_)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "move", "to": Status.INTERVIEW, "reason": "Strong answers"})
    assert Application.objects.get(pk=application.pk).status == Status.INTERVIEW
    assert [m.subject for m in mail.outbox] == ["Choose a time to meet us"]
    assert mail.outbox[0].to == [application.email]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "move", "to": Status.OFFERED, "reason": "Great interview"}, follow=True)
    assert Application.objects.get(pk=application.pk).status == Status.OFFERED
    assert mail.outbox[-1].subject == "We would like to offer you a place"
    assert "Hi Robin" in mail.outbox[-1].body
    body = body_of(response)
    assert "Robin Example moved to Offered" in body
    # The timeline: each move, who made it and why.
    assert "Screening to Interview" in body and "Strong answers" in body
    assert "Interview to Offered" in body and "Great interview" in body
    assert body.count(worker.full_name) >= 2


def test_unsuccessful_needs_a_reason_shown_against_the_reason_field(worker, login, round_):
    application = ApplicationFactory(round=round_, status=Status.SCREENING)
    body = body_of(
        login(worker).post(
            reverse("recruitment_application", args=[application.pk]), {"action": "move", "to": "unsuccessful"}
        )
    )
    assert 'href="#id_reason"' in body and "Give a reason: it is kept with the application." in body
    assert Application.objects.get(pk=application.pk).status == Status.SCREENING


def test_two_workers_score_the_same_application_and_both_scores_and_the_average_show(member, login, round_):
    first, second = member(Role.PARTICIPATION_WORKER), member(Role.PARTNERSHIP_ADMIN)
    ideas = CriterionFactory(round=round_, label="Ideas", max_score=5)
    teamwork = CriterionFactory(round=round_, label="Teamwork", max_score=5)
    application = ApplicationFactory(round=round_)
    url = reverse("recruitment_application", args=[application.pk])

    client = login(first)
    client.post(url, {"action": "score", f"criterion_{ideas.pk}": "4", f"criterion_{teamwork.pk}": "2",
                      "comment": "Thoughtful answers"})  # fmt: skip
    client = login(second)
    client.post(url, {"action": "score", f"criterion_{ideas.pk}": "1", f"criterion_{teamwork.pk}": "3",
                      "comment": "Quiet but keen"})  # fmt: skip

    assert PanelScore.objects.filter(application=application).count() == 4
    body = body_of(client.get(url))
    assert first.full_name in body and second.full_name in body
    assert "Thoughtful answers" in body and "Quiet but keen" in body
    assert re.search(r"Average score: <strong>2\.5</strong>\s*from 2 workers", body)
    # The second worker's form comes back with their own scores.
    assert re.search(rf'name="criterion_{ideas.pk}".*?<option value="1" selected>', body, re.S)


def test_a_score_outside_the_range_is_an_error_naming_the_criterion(worker, login, round_):
    ideas = CriterionFactory(round=round_, label="Ideas", max_score=5)
    application = ApplicationFactory(round=round_)
    body = body_of(
        login(worker).post(
            reverse("recruitment_application", args=[application.pk]),
            {"action": "score", f"criterion_{ideas.pk}": "9", "comment": "Keep me"},
        )
    )
    assert f'href="#id_criterion_{ideas.pk}"' in body and "Choose a score for Ideas from 0 to 5" in body
    assert "Keep me" in body
    assert not PanelScore.objects.exists()


# --- Equality ------------------------------------------------------------------------------------------------------


def _close(round_):
    round_.opens_on = round_.opens_on - datetime.timedelta(days=60)
    round_.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    round_.save()


def test_the_equality_report_waits_until_the_round_closes(worker, login, round_):
    for _ in range(6):
        EqualityResponse.objects.create(partnership=round_.partnership, round=round_, answers={"gender": "boy_man"})
    body = body_of(login(worker).get(round_url("recruitment_equality", round_)))
    assert "The report opens when the round closes" in body
    assert "Boy or man" not in body


def test_the_equality_page_is_anonymous_and_hides_counts_under_five(worker, login, round_):
    _close(round_)
    for answer in ["girl_woman"] * 6 + ["non_binary"] * 2:
        EqualityResponse.objects.create(partnership=round_.partnership, round=round_, answers={"gender": answer})
    body = body_of(login(worker).get(round_url("recruitment_equality", round_)))
    assert "anonymous" in body
    assert "8 people answered" in body
    assert re.search(r"Girl or woman</td>\s*<td[^>]*>6</td>", body)
    assert re.search(r"Non-binary</td>\s*<td[^>]*>fewer than 5</td>", body)
    assert not re.search(r"Non-binary</td>\s*<td[^>]*>2</td>", body)


def test_the_equality_page_with_few_answers_shows_no_total(worker, login, round_):
    _close(round_)
    EqualityResponse.objects.create(partnership=round_.partnership, round=round_, answers={"gender": "boy_man"})
    body = body_of(login(worker).get(round_url("recruitment_equality", round_)))
    assert "Fewer than 5 people have answered so far." in body
    assert re.search(r"Boy or man</td>\s*<td[^>]*>fewer than 5</td>", body)


# --- Email wording -------------------------------------------------------------------------------------------------


def test_changing_the_wording_changes_the_email_sent_afterwards(
    worker, login, round_, django_capture_on_commit_callbacks
):
    client = login(worker)
    assert "Standard wording" in body_of(client.get(reverse("recruitment_emails")))
    edit = reverse("recruitment_email_edit", args=[EmailTemplate.Key.OFFER])
    page = body_of(client.get(edit))
    assert 'value="We would like to offer you a place"' in page  # the default, ready to change
    assert "{offer_link}" in page  # the placeholders it can use
    assert "Hi Sam" in page  # the preview, with made-up details

    response = client.post(edit, {"subject": "A place for you, {name}", "body": "Hi {name}, say yes: {offer_link}"})
    assert response.status_code == 302
    assert EmailTemplate.objects.get(partnership=worker.partnership, key=EmailTemplate.Key.OFFER).subject == (
        "A place for you, {name}"
    )
    assert "Your own wording" in body_of(client.get(reverse("recruitment_emails")))
    assert "A place for you, Sam" in body_of(client.get(edit))

    application = ApplicationFactory(round=round_, status=Status.SCREENING, full_name="Robin Example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("recruitment_application", args=[application.pk]), {"action": "move", "to": "offered"})
    assert mail.outbox[-1].subject == "A place for you, Robin"
    assert mail.outbox[-1].body.startswith("Hi Robin, say yes: http")


def test_an_empty_email_subject_is_an_error_and_the_message_is_kept(worker, login):
    edit = reverse("recruitment_email_edit", args=[EmailTemplate.Key.OFFER])
    body = body_of(login(worker).post(edit, {"subject": "", "body": "My careful new wording"}))
    assert 'href="#id_subject"' in body and "Enter a subject" in body
    assert "My careful new wording" in body
    assert not EmailTemplate.objects.exists()


def test_an_unknown_email_is_404(worker, login):
    assert login(worker).get("/staff/recruitment/emails/not-an-email/").status_code == 404


# --- Who may see what ------------------------------------------------------------------------------------------------

ROUND_PAGES = [
    "recruitment_round",
    "recruitment_round_edit",
    "recruitment_applications",
    "recruitment_applications_csv",
    "recruitment_board",
    "recruitment_equality",
]


def every_page(round_: RecruitmentRound, application: Application) -> list[str]:
    return [
        reverse("recruitment_rounds"),
        reverse("recruitment_round_create"),
        *[round_url(name, round_) for name in ROUND_PAGES],
        reverse("recruitment_application", args=[application.pk]),
        reverse("recruitment_emails"),
        reverse("recruitment_email_edit", args=[EmailTemplate.Key.OFFER]),
    ]


def test_another_partnerships_round_and_application_are_404_for_a_worker(worker, login, other_partnership):
    theirs = RoundFactory(partnership=other_partnership)
    their_application = ApplicationFactory(round=theirs)
    client = login(worker)
    for name in ROUND_PAGES:
        assert client.get(round_url(name, theirs)).status_code == 404, name
    url = reverse("recruitment_application", args=[their_application.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "move", "to": "screening"}).status_code == 404
    assert Application.objects.get(pk=their_application.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD, Role.SCRUTINY_LEAD, Role.YOUNG_PERSON])
def test_everyone_but_workers_and_admins_gets_403_on_every_recruitment_page(role, member, login, round_):
    application = ApplicationFactory(round=round_)
    client = login(member(role))
    for url in every_page(round_, application):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("recruitment_round_create"), {"title": "x"}).status_code == 403
    assert not RecruitmentRound.objects.exclude(pk=round_.pk).exists()


def test_a_partnership_admin_can_open_every_recruitment_page(member, login, round_):
    application = ApplicationFactory(round=round_)
    client = login(member(Role.PARTNERSHIP_ADMIN))
    for url in every_page(round_, application):
        assert client.get(url).status_code == 200, url


# --- Query counts --------------------------------------------------------------------------------------------------


def _add_applications(round_: RecruitmentRound, n: int, scorers) -> None:
    criteria = list(round_.criteria.all())
    applications = ApplicationFactory.create_batch(n, round=round_)
    scores = [
        PanelScore(partnership=round_.partnership, application=a, criterion=c, scorer=s, score=(a.pk + i) % 6)
        for a in applications[::3]
        for i, (c, s) in enumerate((c, s) for c in criteria for s in scorers)
    ]
    PanelScore.objects.bulk_create(scores)


@pytest.mark.parametrize("page", ["recruitment_applications", "recruitment_board"])
def test_the_list_and_the_board_make_the_same_queries_for_10_and_500_applications(page, member, login, round_):
    worker, other = member(Role.PARTICIPATION_WORKER), member(Role.PARTICIPATION_WORKER)
    CriterionFactory.create_batch(2, round=round_)
    council = OutreachLinkFactory(round=round_)
    _add_applications(round_, 10, [worker, other])
    ApplicationFactory(round=round_, outreach_link=council)
    client = login(worker)
    url = round_url(page, round_)
    client.get(url)  # warm up: the first request after sign-in also writes the session

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _add_applications(round_, 489, [worker, other])
    assert Application.objects.filter(round=round_).count() == 500
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    if page == "recruitment_board":
        assert body_of(response).count("app-card") == 500


def test_the_application_page_makes_the_same_queries_for_one_scorer_and_five(member, login, round_):
    workers = [member(Role.PARTICIPATION_WORKER) for _ in range(5)]
    criteria = CriterionFactory.create_batch(3, round=round_)
    QuestionFactory.create_batch(2, round=round_)
    application = ApplicationFactory(round=round_)
    url = reverse("recruitment_application", args=[application.pk])

    def scored_by(people):
        for person in people:
            for criterion in criteria:
                PanelScore.objects.get_or_create(
                    partnership=round_.partnership, application=application, criterion=criterion, scorer=person,
                    defaults={"score": 3, "comment": f"From {person.full_name}"},
                )  # fmt: skip

    scored_by(workers[:1])
    client = login(workers[0])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    scored_by(workers)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_the_round_page_makes_the_same_queries_for_few_and_many_links_and_times(worker, login, round_):
    client = login(worker)
    url = round_url("recruitment_round", round_)

    def grow(n):
        for _ in range(n):
            OutreachLinkFactory(round=round_)
            SlotFactory(round=round_)
            QuestionFactory(round=round_)
            ApplicationFactory(round=round_)

    grow(1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_downloading_the_csv_is_recorded_in_the_audit_log(member, login, partnership):
    from core.models import AuditEvent
    from tests.factories.recruitment import ApplicationFactory, RoundFactory

    worker = member(Role.PARTICIPATION_WORKER)
    round_ = RoundFactory(partnership=partnership)
    ApplicationFactory(round=round_)
    response = login(worker).get(f"/staff/recruitment/rounds/{round_.pk}/applications.csv?status=submitted")
    assert response.status_code == 200
    event = AuditEvent.objects.get(event_type="applications.exported")
    # which filters were used, never the values typed (a searched name must not stay in the audit log)
    assert event.actor == worker and event.payload == {"filters": ["status"]}
