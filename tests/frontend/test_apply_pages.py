"""The public application journey with the Django test client: start, sections, save and resume, check and send,
and the signed links for withdrawing, choosing an interview time and answering an offer."""

from __future__ import annotations

import datetime
import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from participants import tokens
from participants.models import (
    Application,
    ApplicationEvent,
    EqualityResponse,
    Membership,
    OnboardingItem,
    Referral,
    RoundQuestion,
)
from tests.factories import MembershipFactory
from tests.factories.recruitment import (
    ApplicationFactory,
    OutreachLinkFactory,
    QuestionFactory,
    RoundFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db

Kind = RoundQuestion.Kind


def born(years: int) -> datetime.date:
    """A date of birth that makes someone `years` old today (and not about to have a birthday)."""
    today = timezone.localdate()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday - datetime.timedelta(days=40)


def dob_fields(day: datetime.date) -> dict[str, str]:
    return {"date_of_birth_0": str(day.day), "date_of_birth_1": str(day.month), "date_of_birth_2": str(day.year)}


def about_you(**overrides: str) -> dict[str, str]:
    return {
        "full_name": "Amara Okafor",
        "preferred_name": "Amara",
        "pronouns": "she/her",
        "email": "Amara@Example.org",
        "phone": "07700 900982",
        **dob_fields(born(17)),
        "action": "continue",
        **overrides,
    }


def body(response) -> str:
    return response.content.decode()


def title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", body(response), re.S)
    assert match
    return " ".join(match.group(1).split())


@pytest.fixture
def round_(partnership):
    round_ = RoundFactory(partnership=partnership, title="Young Scrutineers 2026", places=12)
    round_.q_why = QuestionFactory(round=round_, text="Why do you want to do this?", kind=Kind.LONG_TEXT, order=0)
    round_.q_area = QuestionFactory(
        round=round_, text="Which part of town do you live in?", kind=Kind.CHOICE, choices=["North", "South"], order=1
    )
    round_.q_before = QuestionFactory(
        round=round_, text="Have you done anything like this before?", kind=Kind.YES_NO, required=False, order=2
    )
    round_.q_school = QuestionFactory(
        round=round_, text="Your school or college", kind=Kind.SHORT_TEXT, required=False, order=3
    )
    return round_


def url(round_, page: str = "") -> str:
    return f"/apply/{round_.public_id}/{page}"


def answers_for(round_, **extra: str) -> dict[str, str]:
    return {
        f"question_{round_.q_why.pk}": "I want children to be listened to.",
        f"question_{round_.q_area.pk}": "North",
        f"question_{round_.q_before.pk}": "no",
        f"question_{round_.q_school.pk}": "Park High",
        "action": "continue",
        **extra,
    }


def started(client: Client, round_, **overrides: str) -> Application:
    response = client.post(url(round_, "about-you/"), about_you(**overrides))
    assert response.status_code == 302, body(response)
    return Application.objects.get(round=round_, status=Application.Status.DRAFT)


# --- The start page ------------------------------------------------------------------------------------------------


def test_start_page_says_what_it_is_who_can_apply_when_it_closes_and_has_a_start_button(client, round_):
    response = client.get(url(round_))
    page = body(response)
    assert response.status_code == 200
    assert "<h1" in page and "Young Scrutineers 2026" in title(response)
    assert round_.description in page
    assert "Young people aged 13 to 25" in page
    assert f"{round_.closes_on:%-d %B %Y}" in page
    assert "12 places" in page
    assert "What happens next" in page
    assert "govuk-button--start" in page
    assert f'href="{url(round_, "about-you/")}"' in page


def test_closed_round_shows_the_message_and_the_next_round_date_and_no_form(client, partnership):
    today = timezone.localdate()
    closed = RoundFactory(
        partnership=partnership,
        title="Intake 2025",
        opens_on=today - datetime.timedelta(days=60),
        closes_on=today - datetime.timedelta(days=30),
        next_round_opens_on=today + datetime.timedelta(days=90),
    )
    for page in ("", "about-you/"):
        response = client.get(url(closed, page))
        assert response.status_code == 200
        text = body(response)
        assert "Applications for Intake 2025 are closed." in text
        next_date = today + datetime.timedelta(days=90)
        assert f"The next round opens on {next_date:%-d %B %Y}." in text
        assert "<form" not in text and "Start now" not in text


def test_round_not_yet_open_says_when_it_opens(client, partnership):
    soon = RoundFactory(partnership=partnership, opens_on=timezone.localdate() + datetime.timedelta(days=3))
    text = body(client.get(url(soon)))
    assert f"open on {soon.opens_on:%-d %B %Y}" in text
    assert "Start now" not in text


def test_unpublished_round_is_not_found(client, partnership):
    hidden = RoundFactory(partnership=partnership, is_published=False)
    assert client.get(url(hidden)).status_code == 404


# --- The whole journey --------------------------------------------------------------------------------------------


def test_a_14_year_old_applies_from_start_to_sent(client, round_, django_capture_on_commit_callbacks):
    assert client.get(url(round_)).status_code == 200
    assert client.get(url(round_, "about-you/")).status_code == 200

    # About you: the first save creates the draft and remembers it in this browser.
    response = client.post(url(round_, "about-you/"), about_you(**dob_fields(born(14))))
    assert response.status_code == 302 and response["Location"] == url(round_, "application/")
    application = Application.objects.get(round=round_)
    assert application.status == Application.Status.DRAFT
    assert (application.full_name, application.email, application.pronouns) == (
        "Amara Okafor",
        "amara@example.org",
        "she/her",
    )
    assert application.date_of_birth == born(14)

    # The task list shows the parent or carer section, with why, and sending cannot start yet.
    tasks = body(client.get(url(round_, "application/")))
    assert "Your parent or carer" in tasks and "You are under 16" in tasks
    assert "Cannot start yet" in tasks
    assert f'href="{url(round_, "check-your-answers/")}"' not in tasks

    # Sending now is refused: the parent or carer's details are required, each problem links to where it is fixed.
    response = client.post(url(round_, "check-your-answers/"))
    text = body(response)
    assert response.status_code == 200 and title(response).startswith("Error: ")
    assert f'href="{url(round_, "parent-or-carer/")}#id_parent_carer_name"' in text
    assert "Enter the name of your parent or carer." in text
    assert f'href="{url(round_, "your-answers/")}#id_question_{round_.q_why.pk}"' in text
    assert Application.objects.get(pk=application.pk).status == Application.Status.DRAFT

    # Parent or carer: a name without a way to reach them is saved, and the page says what is missing.
    response = client.post(url(round_, "parent-or-carer/"), {"parent_carer_name": "Grace Okafor", "action": "continue"})
    assert response.status_code == 200
    assert 'href="#id_parent_carer_email"' in body(response)
    assert "Enter an email address or phone number for your parent or carer." in body(response)
    assert Application.objects.get(pk=application.pk).parent_carer_name == "Grace Okafor"
    response = client.post(
        url(round_, "parent-or-carer/"),
        {
            "parent_carer_name": "Grace Okafor",
            "parent_carer_relationship": "Mum",
            "parent_carer_email": "grace@example.org",
            "action": "continue",
        },
    )
    assert response["Location"] == url(round_, "application/")

    # Your answers.
    response = client.post(url(round_, "your-answers/"), answers_for(round_))
    assert response["Location"] == url(round_, "application/")
    application.refresh_from_db()
    assert application.answers[str(round_.q_area.pk)] == "North"
    assert application.answers[str(round_.q_before.pk)] == "no"

    # Equality questions: optional, held on the draft only until it is sent.
    equality_page = body(client.get(url(round_, "equality-questions/")))
    assert "optional" in equality_page and "kept separately" in equality_page
    assert equality_page.count('value="prefer_not_to_say"') == 6
    response = client.post(
        url(round_, "equality-questions/"),
        {"gender": "girl_woman", "care_experience": "prefer_not_to_say", "ethnicity": "made_up", "action": "continue"},
    )
    assert response.status_code == 200  # an option that is not offered is refused, naming the question
    assert "Choose one of the options for: What is your ethnic group?" in body(response)
    response = client.post(
        url(round_, "equality-questions/"),
        {"gender": "girl_woman", "care_experience": "prefer_not_to_say", "action": "continue"},
    )
    assert response["Location"] == url(round_, "application/")
    application.refresh_from_db()
    assert application.equality_draft == {"gender": "girl_woman", "care_experience": "prefer_not_to_say"}

    # Every section is done: check your answers shows them with Change links.
    tasks = body(client.get(url(round_, "application/")))
    assert "You have completed 4 of 4 sections." in tasks
    check = body(client.get(url(round_, "check-your-answers/")))
    assert "govuk-summary-list" in check
    for shown in ("Amara Okafor", "amara@example.org", "Grace Okafor", "I want children to be listened to.", "North"):
        assert shown in check
    assert f'href="{url(round_, "about-you/")}#id_date_of_birth"' in check
    assert 'Change<span class="govuk-visually-hidden"> full name</span>' in check

    # Send.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(round_, "check-your-answers/"))
    assert response.status_code == 302 and response["Location"] == url(round_, "sent/")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amara@example.org"]
    assert "/apply/withdraw/" in mail.outbox[0].body

    # Equality answers are stored apart, with no link back to the application, and the draft copy is gone.
    assert application.equality_draft == {}
    stored = EqualityResponse.objects.get(round=round_)
    assert stored.answers == {"gender": "girl_woman", "care_experience": "prefer_not_to_say"}
    linked_models = {f.related_model for f in EqualityResponse._meta.get_fields() if f.is_relation}
    assert Application not in linked_models

    sent = client.get(url(round_, "sent/"))
    text = body(sent)
    assert "govuk-panel--confirmation" in text and "Application sent" in text
    assert "What happens next" in text and "withdraw" in text
    # Once the confirmation has been seen, this browser forgets the application (it may be a shared computer):
    # its pages no longer open it.
    after = client.get(url(round_, "your-answers/"))
    assert application.email not in body(after)
    assert "Adults" not in body(after)


def test_a_17_year_old_has_no_parent_or_carer_section(client, round_):
    started(client, round_)
    assert "Your parent or carer" not in body(client.get(url(round_, "application/")))
    assert client.get(url(round_, "parent-or-carer/"))["Location"] == url(round_, "application/")


def test_send_needs_nothing_more_once_every_required_part_is_done(client, round_, django_capture_on_commit_callbacks):
    started(client, round_)
    client.post(url(round_, "your-answers/"), answers_for(round_))
    tasks = body(client.get(url(round_, "application/")))
    assert f'href="{url(round_, "check-your-answers/")}"' in tasks  # equality questions are optional
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(round_, "check-your-answers/"))["Location"] == url(round_, "sent/")
    assert not EqualityResponse.objects.exists()


def test_outreach_link_is_remembered_and_recorded_on_the_application(client, round_):
    link = OutreachLinkFactory(round=round_, code="youthcouncil")
    response = client.get("/apply/via/youthcouncil/")
    assert response["Location"] == url(round_)
    application = started(client, round_)
    assert application.outreach_link == link


def test_referral_link_is_remembered_and_recorded_on_the_application(client, round_):
    referrer = MembershipFactory(partnership=round_.partnership)
    referral = Referral.objects.create(
        partnership=round_.partnership,
        round=round_,
        referrer=referrer,
        friend_name="Amara",
        friend_email="amara@example.org",
        token="friendtoken",
    )
    assert client.get("/apply/invited/friendtoken/")["Location"] == url(round_)
    assert started(client, round_).referral == referral


@pytest.mark.parametrize("link", ["/apply/via/nope/", "/apply/invited/nope/"])
def test_unknown_outreach_or_referral_link_is_a_clear_not_found_page(client, link):
    response = client.get(link)
    assert response.status_code == 404
    assert "This link does not work any more" in body(response)


# --- Save and come back later ---------------------------------------------------------------------------------------


def test_save_and_come_back_later_emails_a_link_that_works_in_a_fresh_browser(
    client, round_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(round_, "about-you/"), about_you(action="later", pronouns="they/them"))
    assert response["Location"] == url(round_, "saved/")
    saved = body(client.get(url(round_, "saved/")))
    assert "amara@example.org" in saved and "has not been sent" in saved

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amara@example.org"]
    link = re.search(r"https?://\S+/apply/resume/\S+/", mail.outbox[0].body)
    assert link
    path = re.sub(r"^https?://[^/]+", "", link.group(0))

    fresh = Client()
    assert "We cannot find your application" in body(fresh.get(url(round_, "application/")))
    response = fresh.get(path)
    assert response.status_code == 302 and response["Location"] == url(round_, "application/")
    tasks = fresh.get(url(round_, "application/"))
    assert tasks.status_code == 200 and "Your application" in body(tasks)
    assert 'value="they/them"' in body(fresh.get(url(round_, "about-you/")))


def test_save_and_come_back_later_keeps_what_is_there_without_insisting_on_required_answers(
    client, round_, django_capture_on_commit_callbacks
):
    application = started(client, round_)
    data = answers_for(round_, action="later")
    data[f"question_{round_.q_why.pk}"] = ""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(round_, "your-answers/"), data)
    assert response["Location"] == url(round_, "saved/")
    application.refresh_from_db()
    assert application.answers[str(round_.q_area.pk)] == "North"
    assert "/apply/resume/" in mail.outbox[-1].body


def test_email_me_a_link_from_the_task_list(client, round_, django_capture_on_commit_callbacks):
    started(client, round_)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(round_, "application/"))["Location"] == url(round_, "saved/")
    assert "/apply/resume/" in mail.outbox[-1].body


def test_task_list_marks_sections_in_progress_and_completed(client, round_):
    started(client, round_)
    client.post(url(round_, "your-answers/"), {f"question_{round_.q_area.pk}": "South", "action": "later"})
    tasks = body(client.get(url(round_, "application/")))
    answers_status = re.search(r'id="task-answers-status">(.*?)</div>', tasks, re.S)
    assert answers_status and "In progress" in answers_status.group(1)
    client.post(url(round_, "your-answers/"), answers_for(round_))
    tasks = body(client.get(url(round_, "application/")))
    answers_status = re.search(r'id="task-answers-status">(.*?)</div>', tasks, re.S)
    assert answers_status and answers_status.group(1).strip() == "Completed"


# --- Bad input ------------------------------------------------------------------------------------------------------


def test_a_wrong_field_names_the_field_and_keeps_everything_else_typed(client, round_):
    response = client.post(url(round_, "about-you/"), about_you(email="amara-at-example"))
    text = body(response)
    assert response.status_code == 200
    assert title(response).startswith("Error: ")
    assert "There is a problem" in text
    assert '<a href="#id_email">Enter an email address in the right format, like name@example.com</a>' in text
    assert 'id="id_email-error"' in text and "govuk-input--error" in text
    for kept in ('value="Amara Okafor"', 'value="she/her"', 'value="07700 900982"', 'value="amara-at-example"'):
        assert kept in text
    assert f'value="{born(17).year}"' in text
    assert not Application.objects.exists()


def test_a_date_missing_a_part_says_which_part(client, round_):
    data = about_you()
    data["date_of_birth_2"] = ""
    text = body(client.post(url(round_, "about-you/"), data))
    assert '<a href="#id_date_of_birth">Date of birth must include a year</a>' in text


def test_an_impossible_date_asks_for_a_real_date(client, round_):
    text = body(client.post(url(round_, "about-you/"), about_you(date_of_birth_0="31", date_of_birth_1="2")))
    assert "Date of birth must be a real date" in text


def test_under_13_is_refused_against_the_date_of_birth(client, round_):
    response = client.post(url(round_, "about-you/"), about_you(**dob_fields(born(12))))
    text = body(response)
    assert response.status_code == 200 and title(response).startswith("Error: ")
    assert (
        '<a href="#id_date_of_birth">Your date of birth shows you are under 13. '
        "You need to be 13 or older to apply.</a>" in text
    )
    assert 'id="id_date_of_birth"' in text and 'name="date_of_birth_0"' in text  # the link lands on the day box
    assert 'value="Amara Okafor"' in text
    # Nothing about the date was saved; the refusal stands until it is put right.
    application = Application.objects.get(round=round_)
    assert application.date_of_birth is None
    response = client.post(url(round_, "about-you/"), about_you(**dob_fields(born(15))))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.date_of_birth == born(15)


def test_older_than_the_round_allows_is_shown_on_save_and_continue(client, partnership):
    young_round = RoundFactory(partnership=partnership, min_age=13, max_age=18)
    response = client.post(url(young_round, "about-you/"), about_you(**dob_fields(born(22))))
    assert response.status_code == 200
    assert "This round is for young people aged up to 18." in body(response)
    assert Application.objects.get(round=young_round).date_of_birth == born(22)  # saved, and shown to be fixed


def test_a_required_question_left_blank_is_an_error_naming_the_question(client, round_):
    started(client, round_)
    data = answers_for(round_)
    data[f"question_{round_.q_why.pk}"] = "   "
    response = client.post(url(round_, "your-answers/"), data)
    text = body(response)
    assert response.status_code == 200 and title(response).startswith("Error: ")
    assert f'<a href="#id_question_{round_.q_why.pk}">Answer the question: Why do you want to do this?</a>' in text
    assert f'id="id_question_{round_.q_area.pk}"' in text  # the first radio carries the field's id
    assert 'value="North"\n' in text or 'value="North"' in text
    assert re.search(r'value="North"\s+checked', text)
    assert 'value="Park High"' in text
    assert "Have you done anything like this before? (optional)" in text


def test_an_answer_that_is_too_long_is_refused_and_kept(client, round_):
    started(client, round_)
    response = client.post(
        url(round_, "your-answers/"), answers_for(round_, **{f"question_{round_.q_school.pk}": "x" * 301})
    )
    text = body(response)
    assert "Your answer must be 300 characters or fewer" in text
    assert 'value="North"' in text


@pytest.mark.parametrize(
    "page", ["application/", "parent-or-carer/", "your-answers/", "equality-questions/", "check-your-answers/"]
)
def test_a_section_page_without_an_application_in_the_session_explains_what_to_do(client, round_, page):
    response = client.get(url(round_, page))
    text = body(response)
    assert response.status_code == 200
    assert "We cannot find your application in this browser" in text
    assert "Use the link in that email" in text
    assert f'href="{url(round_)}"' in text  # start again
    assert client.post(url(round_, page), {"action": "continue"}).status_code == 200


def test_a_draft_for_another_round_is_never_shown(client, round_, partnership):
    started(client, round_)
    other = RoundFactory(partnership=partnership)
    text = body(client.get(url(other, "check-your-answers/")))
    assert "We cannot find your application" in text and "amara@example.org" not in text


def test_sending_after_the_round_closed_shows_a_clear_page(client, round_):
    application = started(client, round_)
    client.post(url(round_, "your-answers/"), answers_for(round_))
    round_.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    round_.opens_on = round_.closes_on - datetime.timedelta(days=20)
    round_.save()
    response = client.post(url(round_, "check-your-answers/"))
    assert response.status_code == 200
    assert "You cannot apply at the moment" in body(response) and "are closed" in body(response)
    assert Application.objects.get(pk=application.pk).status == Application.Status.DRAFT


def test_sending_when_every_place_is_filled_shows_a_clear_page(client, partnership):
    full = RoundFactory(partnership=partnership, places=1)
    ApplicationFactory(round=full, status=Application.Status.ACCEPTED)
    started(client, full)
    response = client.post(url(full, "check-your-answers/"))
    assert "All the places are filled" in body(response)
    assert "The place in" in body(response)


# --- Links in emails: withdraw, interview, offer --------------------------------------------------------------------


def test_withdraw_by_link_with_a_reason(client, round_, django_capture_on_commit_callbacks):
    application = ApplicationFactory(round=round_, email="amara@example.org")
    link = f"/apply/withdraw/{tokens.make_token('withdraw', application.public_id)}/"
    page = body(client.get(link))
    assert "Withdraw your application" in page and "govuk-button--warning" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"reason": "Too busy with exams"})
    assert response.status_code == 302 and response["Location"] == link
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert ApplicationEvent.objects.get(application=application).reason == "Too busy with exams"
    assert mail.outbox[-1].to == ["amara@example.org"]
    again = body(client.get(link))
    assert "You have withdrawn your application" in again and "<form" not in again


def test_withdraw_reason_too_long_is_an_error_and_nothing_changes(client, round_):
    application = ApplicationFactory(round=round_)
    link = f"/apply/withdraw/{tokens.make_token('withdraw', application.public_id)}/"
    response = client.post(link, {"reason": "x" * 501})
    assert response.status_code == 200 and title(response).startswith("Error: ")
    assert '<a href="#id_reason">Your reason must be 500 characters or fewer</a>' in body(response)
    assert Application.objects.get(pk=application.pk).status == Application.Status.SUBMITTED


def test_choose_an_interview_time_by_link(client, round_):
    application = ApplicationFactory(round=round_, status=Application.Status.INTERVIEW)
    early = SlotFactory(round=round_, starts_at=timezone.now() + datetime.timedelta(days=3), location="Youth centre")
    later = SlotFactory(round=round_, starts_at=timezone.now() + datetime.timedelta(days=4), location="Online")
    link = f"/apply/interview/{tokens.make_token('interview', application.public_id)}/"
    page = body(client.get(link))
    assert "Youth centre" in page and "Online" in page and 'type="radio"' in page

    response = client.post(link, {})
    assert response.status_code == 200 and '<a href="#id_slot">Choose a time for your interview</a>' in body(response)

    response = client.post(link, {"slot": str(later.pk)}, follow=True)
    application.refresh_from_db()
    assert application.interview_slot == later
    text = body(response)
    assert "Your interview is booked for" in text and "Online" in text
    assert re.search(rf'value="{later.pk}"\s+checked', text)
    assert early.pk != later.pk


def test_a_time_someone_else_has_taken_is_not_offered(client, round_):
    application = ApplicationFactory(round=round_, status=Application.Status.INTERVIEW)
    taken = SlotFactory(round=round_, capacity=1)
    ApplicationFactory(round=round_, status=Application.Status.INTERVIEW, interview_slot=taken)
    link = f"/apply/interview/{tokens.make_token('interview', application.public_id)}/"
    assert "There are no free times left" in body(client.get(link))
    response = client.post(link, {"slot": str(taken.pk)})
    assert "That time is no longer free" in body(response)
    assert Application.objects.get(pk=application.pk).interview_slot is None


def test_interview_link_when_no_interview_is_needed(client, round_):
    application = ApplicationFactory(round=round_, status=Application.Status.SUBMITTED)
    link = f"/apply/interview/{tokens.make_token('interview', application.public_id)}/"
    assert "You do not need to choose an interview time" in body(client.get(link))


def test_accepting_an_offer_creates_a_young_person_and_their_onboarding_checklist(client, round_):
    application = ApplicationFactory(
        round=round_, status=Application.Status.OFFERED, email="amara@example.org", date_of_birth=born(15)
    )
    link = f"/apply/offer/{tokens.make_token('offer', application.public_id)}/"
    assert "We would like to offer you a place" in body(client.get(link))
    response = client.post(link, {})
    assert '<a href="#id_accept">Choose yes if you want to accept the place' in body(response)

    response = client.post(link, {"accept": "yes"}, follow=True)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    membership = Membership.objects.get(user__email="amara@example.org", partnership=round_.partnership)
    assert membership.is_young_person and application.membership == membership
    keys = set(OnboardingItem.objects.filter(membership=membership).values_list("key", flat=True))
    assert {"consent.taking_part", "consent.parent_carer", "payment.setup"} <= keys
    text = body(response)
    assert "You have accepted your place" in text
    assert 'href="/accounts/login/code/"' in text and "amara@example.org" in text


def test_saying_no_thanks_to_an_offer(client, round_):
    application = ApplicationFactory(round=round_, status=Application.Status.OFFERED)
    link = f"/apply/offer/{tokens.make_token('offer', application.public_id)}/"
    assert "You said no thanks" in body(client.post(link, {"accept": "no"}, follow=True))
    assert Application.objects.get(pk=application.pk).status == Application.Status.DECLINED
    assert not Membership.objects.filter(user__email=application.email).exists()


@pytest.mark.parametrize("kind", ["resume", "withdraw", "interview", "offer"])
def test_a_forged_link_is_a_clear_message(client, kind):
    response = client.get(f"/apply/{kind}/not-a-real-token/")
    assert response.status_code == 400
    assert "This link is not right. Check you copied all of it." in body(response)
    if kind != "resume":  # the resume link is only ever opened, never posted to
        assert client.post(f"/apply/{kind}/not-a-real-token/", {"accept": "yes", "slot": "1"}).status_code == 400


@pytest.mark.parametrize("kind", ["resume", "withdraw", "interview", "offer"])
def test_an_expired_link_is_a_clear_message(client, round_, kind):
    application = ApplicationFactory(round=round_, status=Application.Status.OFFERED)
    long_ago = time.time() - (tokens.MAX_AGE_DAYS[kind] + 1) * 86400
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        token = tokens.make_token(kind, application.public_id)
    response = client.get(f"/apply/{kind}/{token}/")
    assert response.status_code == 400
    assert "This link has expired" in body(response)
    assert Application.objects.get(pk=application.pk).status == Application.Status.OFFERED


def test_a_link_made_for_one_purpose_does_not_work_for_another(client, round_):
    application = ApplicationFactory(round=round_, status=Application.Status.OFFERED)
    withdraw_token = tokens.make_token("withdraw", application.public_id)
    response = client.post(f"/apply/offer/{withdraw_token}/", {"accept": "yes"})
    assert response.status_code == 400
    assert Application.objects.get(pk=application.pk).status == Application.Status.OFFERED


def test_a_link_to_an_application_that_was_removed_is_a_clear_not_found_page(client, round_):
    application = ApplicationFactory(round=round_)
    token = tokens.make_token("withdraw", application.public_id)
    application.delete()
    response = client.get(f"/apply/withdraw/{token}/")
    assert response.status_code == 404 and "This link does not work any more" in body(response)


# --- Query counts ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["application/", "your-answers/", "check-your-answers/"])
def test_section_pages_query_count_does_not_grow_with_the_questions(
    client, partnership, page, django_assert_max_num_queries
):
    big = RoundFactory(partnership=partnership)
    for n in range(30):
        QuestionFactory(round=big, kind=Kind.CHOICE if n % 2 else Kind.SHORT_TEXT, choices=["A", "B"], order=n)
    started(client, big)
    with django_assert_max_num_queries(6):
        assert client.get(url(big, page)).status_code == 200


# --- found in review ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "month", "year"), [("99999999999", "1", "2010"), ("1", "²", "2010"), ("1", "99999999999", "2010")]
)
def test_a_strange_date_is_a_field_error_not_a_crash(client, round_, day, month, year):
    fields = about_you()
    fields.update({"date_of_birth_0": day, "date_of_birth_1": month, "date_of_birth_2": year})
    client.get(url(round_))
    response = client.post(url(round_, "about-you/"), fields)
    assert response.status_code == 200
    assert "Date of birth must" in body(response)


def test_the_carry_on_link_does_not_open_a_sent_application(client, round_):
    from participants import tokens
    from tests.factories.recruitment import ApplicationFactory

    application = ApplicationFactory(round=round_, status=Application.Status.SUBMITTED)
    response = client.get(f"/apply/resume/{tokens.make_token('resume', application.public_id)}/")
    assert response.status_code == 400
    assert "no longer opens it" in body(response)
    assert application.email not in body(response)
