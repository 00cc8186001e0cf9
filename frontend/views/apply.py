"""The public application journey: no account needed, GOV.UK patterns, plain words, works on a phone.

start page → About you (the first save creates the draft) → task list → parent or carer (under 16s only) →
your answers → equality questions (optional, kept apart) → check your answers → send → confirmation.
Every section page can "Save and come back later", which emails a signed link (participants.tokens) that opens
the application again in any browser. Signed links also let the applicant withdraw, choose an interview time and
answer an offer.

The browser session remembers which draft is this person's, per round: {round public id: application public id}.
Views are thin: the recruitment services start, save, check (application_problems) and send the application;
the views show what the services say against the fields they name.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from core.ratelimit import public_form, signed_link
from frontend.forms.apply import (
    AboutYouForm,
    AnswersForm,
    EqualityForm,
    OfferForm,
    ParentCarerForm,
    SectionForm,
    SlotForm,
    WithdrawForm,
    slot_label,
)
from frontend.views.home import apply_service_error
from participants import equality, tokens
from participants.models import Application, RecruitmentRound, RoundQuestion
from participants.selectors.recruitment import (
    application_get_public,
    outreach_link_get_public,
    referral_get_public,
    round_get_public,
)
from participants.services.recruitment import (
    application_choose_slot,
    application_problems,
    application_respond_to_offer,
    application_send_resume_link,
    application_start,
    application_submit,
    application_update,
    application_withdraw,
    available_slots,
    needs_parent_carer,
    round_closed_message,
)

Status = Application.Status

APPLICATIONS_KEY = "apply.applications"  # {round public id: application public id}
OUTREACH_KEY = "apply.outreach_code"
REFERRAL_KEY = "apply.referral_token"
EQUALITY_SEEN_KEY = "apply.equality_seen"  # drafts whose equality page was saved, even with nothing chosen
REFUSALS = {"closed", "full"}

COMPLETED = "Completed"
IN_PROGRESS = "In progress"
NOT_STARTED = "Not started"
CANNOT_START = "Cannot start yet"

# Where each problem the services name is fixed: (section url name, the id of the field on that page).
PROBLEM_SECTIONS = {
    "full_name": "apply_about_you",
    "email": "apply_about_you",
    "date_of_birth": "apply_about_you",
    "parent_carer_name": "apply_parent_carer",
    "parent_carer_email": "apply_parent_carer",
    "parent_carer_phone": "apply_parent_carer",
}


# --- The session --------------------------------------------------------------------------------------------------


def _remember(request: HttpRequest, application: Application) -> None:
    drafts = dict(request.session.get(APPLICATIONS_KEY, {}))
    drafts[str(application.round.public_id)] = str(application.public_id)
    request.session[APPLICATIONS_KEY] = drafts


def _forget(request: HttpRequest, round_public_id: uuid.UUID) -> None:
    drafts = dict(request.session.get(APPLICATIONS_KEY, {}))
    drafts.pop(str(round_public_id), None)
    request.session[APPLICATIONS_KEY] = drafts


def _session_application(request: HttpRequest, round_public_id: uuid.UUID) -> Application | None:
    """This browser's application to this round, if it has one (and it still exists)."""
    public_id = request.session.get(APPLICATIONS_KEY, {}).get(str(round_public_id))
    if not public_id:
        return None
    try:
        application = application_get_public(uuid.UUID(public_id))
    except (Http404, ValueError):
        _forget(request, round_public_id)
        return None
    return application if application.round.public_id == round_public_id else None


def _draft_or_response(request: HttpRequest, round_public_id: uuid.UUID) -> Application | HttpResponse:
    """The draft a section page works on; or the page to show instead (session ended, or already sent)."""
    application = _session_application(request, round_public_id)
    if application is None:
        return _session_ended(request, round_public_id)
    if application.status != Status.DRAFT:
        return redirect("apply_sent", round_public_id=round_public_id)
    return application


# --- Pages shown instead of a form ----------------------------------------------------------------------------------


def _message(
    request: HttpRequest,
    heading: str,
    *paragraphs: str,
    links: list[tuple[str, str]] | None = None,
    status: int = 200,
    caption: str = "",
) -> HttpResponse:
    return render(
        request,
        "apply/message.html",
        {"heading": heading, "paragraphs": paragraphs, "links": links or [], "caption": caption},
        status=status,
    )


def _closed(request: HttpRequest, round_: RecruitmentRound, message: str, *, full: bool = False) -> HttpResponse:
    heading = "All the places are filled" if full else "You cannot apply at the moment"
    contact = round_.partnership.contact_email
    more = f"If you have a question, email {contact}." if contact else ""
    return _message(request, heading, message, *([more] if more else []), caption=round_.title)


def _session_ended(request: HttpRequest, round_public_id: uuid.UUID) -> HttpResponse:
    round_ = round_get_public(round_public_id)
    return _message(
        request,
        "We cannot find your application in this browser",
        "This can happen if you left it for a while, closed your browser or changed device.",
        "If you pressed 'Save and come back later', we emailed you a link. Use the link in that email to carry "
        "on where you left off. Anything you saved is kept.",
        links=[("Start a new application", reverse("apply_start", args=[round_.public_id]))],
        caption=round_.title,
    )


def _link_problem(request: HttpRequest, error: ApplicationError | Http404) -> HttpResponse:
    if isinstance(error, Http404):
        return _message(
            request,
            "This link does not work any more",
            "We cannot find what this link was for. It may have been removed.",
            "If you need help, email your participation worker.",
            status=404,
        )
    expired = error.extra.get("reason") == "expired"
    return _message(
        request, "This link has expired" if expired else "This link does not work", error.message, status=400
    )


def _application_by_token(purpose: str, token: str) -> Application:
    """Raises ApplicationError (forged, wrong purpose, expired) or Http404 (the application was removed)."""
    return application_get_public(tokens.read_token(purpose, token))


# --- Showing what the services say -----------------------------------------------------------------------------------


def _show_error(
    request: HttpRequest, round_: RecruitmentRound, form: Any, error: ApplicationError | ValidationError
) -> HttpResponse | None:
    """Put a service's refusal on the form, against the field it names; or, when the round is closed or full, the
    page that says so."""
    if isinstance(error, ApplicationError) and error.extra.get("reason") in REFUSALS:
        return _closed(request, round_, error.message, full=error.extra.get("reason") == "full")
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            for message in field_messages:
                form.add_error(name if name in form.fields else None, message)
        return None
    apply_service_error(form, error)
    return None


def _after_save(request: HttpRequest, application: Application, form: SectionForm) -> HttpResponse | None:
    """Save and come back later: email the link. Save and continue: back to the task list, unless something on
    this page still stops the application being sent (then show it here; what was typed is already saved)."""
    if form.later:
        application_send_resume_link(application_public_id=application.public_id)
        return redirect("apply_saved", round_public_id=application.round.public_id)
    problems = application_problems(application, timezone.localdate())
    here = {name: message for name, message in problems.items() if name in form.fields}
    for name, message in here.items():
        form.add_error(name, message)
    if here:
        return None
    return redirect("apply_tasks", round_public_id=application.round.public_id)


# --- The start page and About you -----------------------------------------------------------------------------------


@require_GET
def start(request: HttpRequest, round_public_id: uuid.UUID) -> HttpResponse:
    round_ = round_get_public(round_public_id)
    today = timezone.localdate()
    if not round_.is_open_on(today):
        return _closed(request, round_, round_closed_message(round_, today))
    application = _session_application(request, round_public_id)
    return render(
        request,
        "apply/start.html",
        {"round": round_, "application": application, "questions_count": len(round_.questions.all())},
    )


def _about_you_initial(application: Application) -> dict[str, Any]:
    return {name: getattr(application, name) for name in AboutYouForm.base_fields}


@public_form
@require_http_methods(["GET", "POST"])
def about_you(request: HttpRequest, round_public_id: uuid.UUID) -> HttpResponse:
    round_ = round_get_public(round_public_id)
    application = _session_application(request, round_public_id)
    if application is not None and application.status != Status.DRAFT:
        return redirect("apply_sent", round_public_id=round_public_id)
    today = timezone.localdate()
    if application is None and not round_.is_open_on(today):
        return _closed(request, round_, round_closed_message(round_, today))
    form = AboutYouForm(
        request.POST if request.method == "POST" else None,
        initial=_about_you_initial(application) if application else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if application is None:
                application = application_start(
                    round_public_id=round_.public_id,
                    full_name=data["full_name"],
                    email=data["email"],
                    outreach_code=request.session.get(OUTREACH_KEY),
                    referral_token=request.session.get(REFERRAL_KEY),
                    today=today,
                )
                _remember(request, application)
                request.session.pop(OUTREACH_KEY, None)
                request.session.pop(REFERRAL_KEY, None)
            application = application_update(application_public_id=application.public_id, fields=data, today=today)
        except (ApplicationError, ValidationError) as error:
            if refused := _show_error(request, round_, form, error):
                return refused
        else:
            if done := _after_save(request, application, form):
                return done
    return render(request, "apply/about_you.html", {"round": round_, "form": form, "started": application})


# --- The task list and the other sections ----------------------------------------------------------------------------


@dataclass
class Task:
    name: str
    status: str
    url: str | None = None
    hint: str = ""
    slug: str = ""


@dataclass
class TaskGroup:
    heading: str
    tasks: list[Task] = field(default_factory=list)


def _equality_seen(request: HttpRequest, application: Application) -> bool:
    return bool(application.equality_draft) or str(application.public_id) in request.session.get(EQUALITY_SEEN_KEY, [])


def _task_groups(request: HttpRequest, application: Application, problems: dict[str, str]) -> list[TaskGroup]:
    """Each section's status, read from the draft and the problems that stop it being sent."""
    args = [application.round.public_id]
    today = timezone.localdate()
    about = COMPLETED if application.date_of_birth and "date_of_birth" not in problems else IN_PROGRESS
    you = TaskGroup("1. About you", [Task("About you", about, reverse("apply_about_you", args=args), slug="about")])
    if needs_parent_carer(application, today):
        missing = any(name.startswith("parent_carer_") for name in problems)
        given = any(
            getattr(application, name)
            for name in ("parent_carer_name", "parent_carer_relationship", "parent_carer_email", "parent_carer_phone")
        )
        you.tasks.append(
            Task(
                "Your parent or carer",
                (IN_PROGRESS if given else NOT_STARTED) if missing else COMPLETED,
                reverse("apply_parent_carer", args=args),
                "You are under 16, so we need your parent or carer's details. We will ask them if it is OK for "
                "you to take part.",
                slug="parent",
            )
        )
    yours = TaskGroup("2. Your application")
    questions = application.round.questions.all()
    if questions:
        unanswered = any(name.startswith("question_") for name in problems)
        yours.tasks.append(
            Task(
                "Your answers",
                NOT_STARTED if not application.answers else (IN_PROGRESS if unanswered else COMPLETED),
                reverse("apply_answers", args=args),
                f"{len(questions)} question{'s' if len(questions) != 1 else ''} about you and why you want to do this.",
                slug="answers",
            )
        )
    yours.tasks.append(
        Task(
            "About you: equality questions (optional)",
            COMPLETED if _equality_seen(request, application) else NOT_STARTED,
            reverse("apply_equality", args=args),
            "You can skip these. Your answers are kept apart from your application and only counted.",
            slug="equality",
        )
    )
    send = TaskGroup(
        "3. Send your application",
        [
            Task(
                "Check your answers and send",
                CANNOT_START if problems else NOT_STARTED,
                None if problems else reverse("apply_check", args=args),
                "You can do this when the sections above are completed." if problems else "",
                slug="send",
            )
        ],
    )
    return [you, yours, send]


@public_form
@require_http_methods(["GET", "POST"])
def task_list(request: HttpRequest, round_public_id: uuid.UUID) -> HttpResponse:
    found = _draft_or_response(request, round_public_id)
    if isinstance(found, HttpResponse):
        return found
    application = found
    if request.method == "POST":  # "Email me a link to carry on later"
        application_send_resume_link(application_public_id=application.public_id)
        return redirect("apply_saved", round_public_id=round_public_id)
    groups = _task_groups(request, application, application_problems(application, timezone.localdate()))
    to_do = [task for group in groups for task in group.tasks if task.slug != "send"]
    return render(
        request,
        "apply/task_list.html",
        {
            "round": application.round,
            "application": application,
            "groups": groups,
            "completed": sum(task.status == COMPLETED for task in to_do),
            "total": len(to_do),
        },
    )


def _section(
    request: HttpRequest,
    round_public_id: uuid.UUID,
    *,
    template: str,
    make_form: Callable[[Application, Any], SectionForm],
    save: Callable[[Application, Any], Application],
    applies: Callable[[Application], bool] | None = None,
) -> HttpResponse:
    """A section page of the draft: show the form; on POST save it, then carry on or email the link."""
    found = _draft_or_response(request, round_public_id)
    if isinstance(found, HttpResponse):
        return found
    application = found
    if applies is not None and not applies(application):
        return redirect("apply_tasks", round_public_id=round_public_id)
    form = make_form(application, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(application, form)
        except (ApplicationError, ValidationError) as error:
            if refused := _show_error(request, application.round, form, error):
                return refused
        else:
            if done := _after_save(request, saved, form):
                return done
    return render(request, template, {"round": application.round, "application": application, "form": form})


PARENT_FIELDS = list(ParentCarerForm.base_fields)


@public_form
@require_http_methods(["GET", "POST"])
def parent_carer(request: HttpRequest, round_public_id: uuid.UUID) -> HttpResponse:
    return _section(
        request,
        round_public_id,
        template="apply/parent_carer.html",
        applies=lambda application: needs_parent_carer(application, timezone.localdate()),
        make_form=lambda application, data: ParentCarerForm(
            data, initial={name: getattr(application, name) for name in PARENT_FIELDS}
        ),
        save=lambda application, form: application_update(
            application_public_id=application.public_id, fields=form.cleaned_data
        ),
    )


def _answers_form(application: Application, data: Any) -> AnswersForm:
    return AnswersForm(
        data,
        questions=application.round.questions.all(),
        initial={f"question_{key}": value for key, value in application.answers.items()},
    )


@public_form
@require_http_methods(["GET", "POST"])
def answers(request: HttpRequest, round_public_id: uuid.UUID) -> HttpResponse:
    return _section(
        request,
        round_public_id,
        template="apply/answers.html",
        applies=lambda application: bool(application.round.questions.all()),
        make_form=_answers_form,
        save=lambda application, form: application_update(
            application_public_id=application.public_id, answers=form.answers()
        ),
    )


@public_form
@require_http_methods(["GET", "POST"])
def equality_questions(request: HttpRequest, round_public_id: uuid.UUID) -> HttpResponse:
    def save(application: Application, form: EqualityForm) -> Application:
        saved = application_update(application_public_id=application.public_id, equality=form.answers())
        seen = [*request.session.get(EQUALITY_SEEN_KEY, []), str(application.public_id)]
        request.session[EQUALITY_SEEN_KEY] = seen[-10:]
        return saved

    return _section(
        request,
        round_public_id,
        template="apply/equality.html",
        make_form=lambda application, data: EqualityForm(data, initial=application.equality_draft),
        save=save,
    )


# --- Check your answers, send, and the pages after ---------------------------------------------------------------


@dataclass
class Row:
    key: str
    value: str
    change_url: str
    long: bool = False


@dataclass
class SummarySection:
    heading: str
    rows: list[Row]


def _answer_text(question: RoundQuestion, answer: Any) -> str:
    if answer in (None, ""):
        return ""
    if question.kind == RoundQuestion.Kind.YES_NO:
        return {"yes": "Yes", "no": "No"}.get(str(answer), str(answer))
    return str(answer)


def _summary(application: Application, today: datetime.date) -> list[SummarySection]:
    args = [application.round.public_id]
    about = reverse("apply_about_you", args=args)
    dob = application.date_of_birth
    sections = [
        SummarySection(
            "About you",
            [
                Row("Full name", application.full_name, f"{about}#id_full_name"),
                Row("What we should call you", application.preferred_name, f"{about}#id_preferred_name"),
                Row("Pronouns", application.pronouns, f"{about}#id_pronouns"),
                Row("Email address", application.email, f"{about}#id_email"),
                Row("Phone number", application.phone, f"{about}#id_phone"),
                Row("Date of birth", f"{dob:%-d %B %Y}" if dob else "", f"{about}#id_date_of_birth"),
            ],
        )
    ]
    if needs_parent_carer(application, today):
        parent = reverse("apply_parent_carer", args=args)
        sections.append(
            SummarySection(
                "Your parent or carer",
                [
                    Row("Their name", application.parent_carer_name, f"{parent}#id_parent_carer_name"),
                    Row(
                        "How they are related to you",
                        application.parent_carer_relationship,
                        f"{parent}#id_parent_carer_relationship",
                    ),
                    Row("Their email address", application.parent_carer_email, f"{parent}#id_parent_carer_email"),
                    Row("Their phone number", application.parent_carer_phone, f"{parent}#id_parent_carer_phone"),
                ],
            )
        )
    questions = application.round.questions.all()
    if questions:
        answers_url = reverse("apply_answers", args=args)
        sections.append(
            SummarySection(
                "Your answers",
                [
                    Row(
                        question.text,
                        _answer_text(question, application.answers.get(str(question.pk))),
                        f"{answers_url}#id_question_{question.pk}",
                        long=question.kind == RoundQuestion.Kind.LONG_TEXT,
                    )
                    for question in questions
                ],
            )
        )
    equality_url = reverse("apply_equality", args=args)
    chosen = application.equality_draft
    sections.append(
        SummarySection(
            "About you: equality questions (optional)",
            [
                Row(
                    question.text,
                    dict(question.options).get(chosen.get(question.key, ""), ""),
                    f"{equality_url}#id_{question.key}",
                )
                for question in equality.QUESTIONS
            ],
        )
    )
    return sections


def _problem_links(application: Application, problems: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(message, link to the field on the section page where it is fixed), in the order of the journey."""
    args = [application.round.public_id]
    links: list[tuple[str, str]] = []
    for name, field_messages in problems.items():
        if name == NON_FIELD_ERRORS:
            page, anchor = "apply_tasks", ""
        elif name.startswith("question_"):
            page, anchor = "apply_answers", f"#id_{name}"
        else:
            page, anchor = PROBLEM_SECTIONS.get(name, "apply_about_you"), f"#id_{name}"
        links.extend((message, reverse(page, args=args) + anchor) for message in field_messages)
    return links


@public_form
@require_http_methods(["GET", "POST"])
def check_answers(request: HttpRequest, round_public_id: uuid.UUID) -> HttpResponse:
    found = _draft_or_response(request, round_public_id)
    if isinstance(found, HttpResponse):
        return found
    application = found
    today = timezone.localdate()
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            application_submit(application_public_id=application.public_id, today=today)
        except ValidationError as error:
            problems = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        except ApplicationError as error:
            if error.extra.get("reason") in REFUSALS:
                return _closed(request, application.round, error.message, full=error.extra.get("reason") == "full")
            problems = {NON_FIELD_ERRORS: [error.message]}
        else:
            return redirect("apply_sent", round_public_id=round_public_id)
    return render(
        request,
        "apply/check_answers.html",
        {
            "round": application.round,
            "application": application,
            "sections": _summary(application, today),
            "problems": _problem_links(application, problems),
        },
    )


@require_GET
def saved(request: HttpRequest, round_public_id: uuid.UUID) -> HttpResponse:
    application = _session_application(request, round_public_id)
    if application is None:
        return _session_ended(request, round_public_id)
    return render(request, "apply/saved.html", {"round": application.round, "application": application})


@require_GET
def sent(request: HttpRequest, round_public_id: uuid.UUID) -> HttpResponse:
    application = _session_application(request, round_public_id)
    if application is None:
        return _session_ended(request, round_public_id)
    if application.status == Status.DRAFT:
        return redirect("apply_tasks", round_public_id=round_public_id)
    response = render(request, "apply/sent.html", {"round": application.round, "application": application})
    _forget(request, round_public_id)  # a shared computer must not show the next person this application
    return response


# --- Links that lead into the journey -----------------------------------------------------------------------------


@signed_link
@require_GET
def via(request: HttpRequest, code: str) -> HttpResponse:
    """An outreach channel's link: remember where they came from, then show the round."""
    link = outreach_link_get_public(code)
    if link is None:
        return _link_problem(request, Http404())
    request.session[OUTREACH_KEY] = code
    return redirect("apply_start", round_public_id=link.round.public_id)


@signed_link
@require_GET
def referral(request: HttpRequest, token: str) -> HttpResponse:
    """A friend's invitation: remember who referred them, then show the round."""
    invitation = referral_get_public(token)
    if invitation is None:
        return _link_problem(request, Http404())
    request.session[REFERRAL_KEY] = token
    return redirect("apply_start", round_public_id=invitation.round.public_id)


@signed_link
@require_GET
def resume(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the "carry on" email: this browser takes up the draft where it was left."""
    try:
        application = _application_by_token("resume", token)
    except (ApplicationError, Http404) as error:
        return _link_problem(request, error)
    if application.status != Status.DRAFT:
        # Once sent, the carry-on link no longer opens the application (it may be a shared computer).
        return _link_problem(
            request, ApplicationError("This application has been sent, so this link no longer opens it.")
        )
    _remember(request, application)
    return redirect("apply_tasks", round_public_id=application.round.public_id)


# --- Links in later emails: withdraw, choose an interview time, answer an offer --------------------------------------


@signed_link
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    try:
        application = _application_by_token("withdraw", token)
    except (ApplicationError, Http404) as error:
        return _link_problem(request, error)
    if application.status in Application.CLOSED:
        return render(request, "apply/withdraw.html", {"application": application, "closed": True})
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            application_withdraw(token=token, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            if error.extra.get("reason") in {"expired", "invalid"}:
                return _link_problem(request, error)
            apply_service_error(form, error)
        else:
            return redirect("apply_withdraw", token=token)
    return render(request, "apply/withdraw.html", {"application": application, "form": form})


@signed_link
@require_http_methods(["GET", "POST"])
def interview(request: HttpRequest, token: str) -> HttpResponse:
    try:
        application = _application_by_token("interview", token)
    except (ApplicationError, Http404) as error:
        return _link_problem(request, error)
    if application.status != Status.INTERVIEW:
        return _message(
            request,
            "You do not need to choose an interview time",
            f"Your application to {application.round.title} is at a different stage now: "
            f"{application.get_status_display().lower()}.",
            "We will email you when there is something for you to do.",
            caption=application.round.title,
        )
    slots = available_slots(application)
    form = SlotForm(
        request.POST if request.method == "POST" else None,
        slots=slots,
        initial={"slot": application.interview_slot_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            chosen = application_choose_slot(token=token, slot_id=form.cleaned_data["slot"])
        except (ApplicationError, ValidationError) as error:
            _show_error(request, application.round, form, error)
        else:
            if chosen.interview_slot is not None:
                messages.success(request, f"Your interview is booked for {slot_label(chosen.interview_slot)}.")
            return redirect("apply_interview", token=token)
    chosen_slot = application.interview_slot
    return render(
        request,
        "apply/interview.html",
        {
            "application": application,
            "form": form,
            "slots": slots,
            "chosen": slot_label(chosen_slot) if chosen_slot else "",
        },
    )


@signed_link
@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        application = _application_by_token("offer", token)
    except (ApplicationError, Http404) as error:
        return _link_problem(request, error)
    form = OfferForm(request.POST if request.method == "POST" else None)
    if application.status == Status.OFFERED and request.method == "POST" and form.is_valid():
        try:
            application_respond_to_offer(token=token, accept=form.cleaned_data["accept"] == "yes")
        except ApplicationError as error:
            apply_service_error(form, error)
        else:
            return redirect("apply_offer", token=token)
    return render(
        request,
        "apply/offer.html",
        {"application": application, "form": form, "sign_in_url": reverse("account_request_login_code")},
    )


urlpatterns: list[URLPattern] = [
    path("apply/via/<str:code>/", via, name="apply_via"),
    path("apply/invited/<str:token>/", referral, name="apply_referral"),
    path("apply/resume/<str:token>/", resume, name="apply_resume"),
    path("apply/withdraw/<str:token>/", withdraw, name="apply_withdraw"),
    path("apply/interview/<str:token>/", interview, name="apply_interview"),
    path("apply/offer/<str:token>/", offer, name="apply_offer"),
    path("apply/<uuid:round_public_id>/", start, name="apply_start"),
    path("apply/<uuid:round_public_id>/about-you/", about_you, name="apply_about_you"),
    path("apply/<uuid:round_public_id>/application/", task_list, name="apply_tasks"),
    path("apply/<uuid:round_public_id>/parent-or-carer/", parent_carer, name="apply_parent_carer"),
    path("apply/<uuid:round_public_id>/your-answers/", answers, name="apply_answers"),
    path("apply/<uuid:round_public_id>/equality-questions/", equality_questions, name="apply_equality"),
    path("apply/<uuid:round_public_id>/check-your-answers/", check_answers, name="apply_check"),
    path("apply/<uuid:round_public_id>/saved/", saved, name="apply_saved"),
    path("apply/<uuid:round_public_id>/sent/", sent, name="apply_sent"),
]
