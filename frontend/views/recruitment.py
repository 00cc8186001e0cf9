"""Staff recruitment pages for participation workers and partnership admins: rounds, the application list and
board, one application (scores and moves), the equality report and the email wording.

Thin: parse input, call a selector or a service, render. The selectors and services check permissions (a
finance officer gets 403) and scope to the partnership (another partnership's round is 404); these pages only
hide what a person cannot do.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Callable, Iterable
from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from core.permissions import require
from frontend.forms.recruitment import (
    STAFF_MOVES,
    ApplicationFilterForm,
    BulkMoveForm,
    CriterionForm,
    EmailTemplateForm,
    InterviewSlotForm,
    MoveForm,
    OutreachLinkForm,
    QuestionForm,
    QuestionRemoveForm,
    RoundForm,
    ScoreForm,
)
from frontend.views.home import acting_user, apply_service_error
from participants import emails
from participants.models import Application, EmailTemplate, RecruitmentRound, User
from participants.selectors.recruitment import (
    application_get_for_actor,
    applications_visible_to,
    board_for_round,
    channel_report,
    email_templates_for,
    equality_report,
    round_get_for_actor,
    rounds_visible_to,
)
from participants.services.recruitment import (
    application_move,
    applications_bulk_move,
    applications_export_record,
    criterion_add,
    email_template_save,
    interview_slot_add,
    outreach_link_create,
    outreach_url,
    panel_score_set,
    round_create,
    round_question_add,
    round_question_remove,
    round_update,
)

Status = Application.Status
PAGE_SIZE = 50


def show_error(form: Any, error: ApplicationError | DjangoValidationError) -> None:
    """Put a service's refusal on the form: against the field it names when the form has that field, else on the
    form as a whole. A bulk refusal lists each person and why on its own line."""
    if isinstance(error, ApplicationError):
        refused = error.extra.get("refused")
        field = error.extra.get("field")
        if refused:
            field = field if field in form.fields else None
            form.add_error(field, "Nothing was moved.")
            for line in refused:
                form.add_error(field, line)
        else:
            apply_service_error(form, error)
        return
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _today() -> datetime.date:
    return timezone.localdate()


# --- Rounds ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    # The selector's counts group the rows, which drops the model's ordering: newest first again.
    rounds = rounds_visible_to(user)
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "recruitment/rounds.html",
        {"page": page, "can_create": user.has_perm("participants.change_recruitmentround")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_create_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.change_recruitmentround")
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = round_create(actor=user, **form.cleaned_data)
        except (ApplicationError, DjangoValidationError) as error:
            show_error(form, error)
        else:
            messages.success(request, f"{round_.title} was created. Add its questions and outreach links next.")
            return redirect("recruitment_round", round_id=round_.pk)
    return render(
        request,
        "recruitment/round_form.html",
        {
            "form": form,
            "heading": "Create a round",
            "submit_label": "Create round",
            "back": reverse("recruitment_rounds"),
        },
    )


def _round_initial(round_: RecruitmentRound) -> dict[str, Any]:
    return {name: getattr(round_, name) for name in RoundForm.base_fields}


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, round_id: int) -> HttpResponse:
    user = acting_user(request)
    round_ = round_get_for_actor(user, round_id)
    form = RoundForm(request.POST or None, initial=_round_initial(round_))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if not changes:
            messages.success(request, "Nothing was changed.")
            return redirect("recruitment_round", round_id=round_.pk)
        try:
            round_update(actor=user, round_id=round_.pk, **changes)
        except (ApplicationError, DjangoValidationError) as error:
            show_error(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['title']} was saved.")
            return redirect("recruitment_round", round_id=round_.pk)
    return render(
        request,
        "recruitment/round_form.html",
        {
            "form": form,
            "round": round_,
            "heading": f"Change {round_.title}",
            "submit_label": "Save changes",
            "back": reverse("recruitment_round", args=[round_.pk]),
        },
    )


# Each form on a round's page: its class and what to do with it (returns the success message and an anchor).
RoundAction = Callable[[User, RecruitmentRound, Any], tuple[str, str]]


def _add_question(user: User, round_: RecruitmentRound, form: QuestionForm) -> tuple[str, str]:
    data = form.cleaned_data
    round_question_add(
        actor=user,
        round_id=round_.pk,
        text=data["text"],
        kind=data["kind"],
        required=data["required"],
        choices=form.option_list(),
        help_text=data["help_text"],
    )
    return "The question was added.", "questions"


def _remove_question(user: User, round_: RecruitmentRound, form: QuestionRemoveForm) -> tuple[str, str]:
    question_id = form.cleaned_data["question_id"]
    if not round_.questions.filter(pk=question_id).exists():
        raise Http404("No such question in this round.")
    round_question_remove(actor=user, question_id=question_id)
    return "The question was removed.", "questions"


def _add_criterion(user: User, round_: RecruitmentRound, form: CriterionForm) -> tuple[str, str]:
    criterion_add(actor=user, round_id=round_.pk, **form.cleaned_data)
    return "The scoring criterion was added.", "criteria"


def _add_outreach_link(user: User, round_: RecruitmentRound, form: OutreachLinkForm) -> tuple[str, str]:
    link = outreach_link_create(actor=user, round_id=round_.pk, **form.cleaned_data)
    return f"The link for {link.label} was created: {outreach_url(link)}", "outreach"


def _add_slot(user: User, round_: RecruitmentRound, form: InterviewSlotForm) -> tuple[str, str]:
    starts_at, ends_at = form.start_and_end()
    slot = interview_slot_add(
        actor=user,
        round_id=round_.pk,
        starts_at=starts_at,
        ends_at=ends_at,
        location=form.cleaned_data["location"],
        capacity=form.cleaned_data["capacity"],
    )
    return f"The interview time {slot} was added.", "slots"


ROUND_ACTIONS: dict[str, tuple[type[django_forms.Form], RoundAction]] = {
    "question": (QuestionForm, _add_question),
    "remove": (QuestionRemoveForm, _remove_question),
    "criterion": (CriterionForm, _add_criterion),
    "outreach": (OutreachLinkForm, _add_outreach_link),
    "slot": (InterviewSlotForm, _add_slot),
}


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    user = acting_user(request)
    round_ = round_get_for_actor(user, round_id)
    forms = {action: form_class(prefix=action) for action, (form_class, _) in ROUND_ACTIONS.items()}
    error_form = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ROUND_ACTIONS:
            raise Http404("No such action.")
        form_class, handle = ROUND_ACTIONS[action]
        form = forms[action] = form_class(request.POST, prefix=action)
        if form.is_valid():
            try:
                message, anchor = handle(user, round_, form)
            except (ApplicationError, DjangoValidationError) as error:
                show_error(form, error)
            else:
                messages.success(request, message)
                return redirect(reverse("recruitment_round", args=[round_.pk]) + f"#{anchor}")
        error_form = form
    links = [(link, outreach_url(link)) for link in round_.outreach_links.all()]
    return render(
        request,
        "recruitment/round.html",
        {
            "round": round_,
            "forms": forms,
            "error_form": error_form,
            "links": links,
            "channels": channel_report(user, round_.pk),
            "apply_url": request.build_absolute_uri(reverse("apply_start", args=[round_.public_id])),
            "can_change": user.has_perm("participants.change_recruitmentround", round_),
        },
    )


# --- Applications: list, CSV, board ------------------------------------------------------------------------------


def _filtered(user: User, round_: RecruitmentRound, filters: dict[str, str]) -> QuerySet[Application]:
    return applications_visible_to(
        user,
        round_id=round_.pk,
        status=filters.get("status"),
        channel=filters.get("channel"),
        search=filters.get("search"),
        answers=False,
    )


def _with_ages(applications: Iterable[Application], today: datetime.date) -> list[Application]:
    rows = list(applications)
    for application in rows:
        application.age = application.age_on(today)  # type: ignore[attr-defined]
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def application_list(request: HttpRequest, round_id: int) -> HttpResponse:
    user = acting_user(request)
    round_ = round_get_for_actor(user, round_id)
    filter_form = ApplicationFilterForm(request.GET or None)
    filters = filter_form.filters()
    bulk_form = BulkMoveForm(request.POST or None)
    if request.method == "POST" and bulk_form.is_valid():
        data = bulk_form.cleaned_data
        try:
            result = applications_bulk_move(
                actor=user, application_ids=data["applications"], to=data["to"], reason=data["reason"]
            )
        except (ApplicationError, DjangoValidationError) as error:
            show_error(bulk_form, error)
        else:
            count = len(result.moved)
            people = "application" if count == 1 else "applications"
            messages.success(request, f"{count} {people} moved to {Status(data['to']).label}.")
            return redirect(request.get_full_path())
    applications = _filtered(user, round_, filters)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(filters)
    return render(
        request,
        "recruitment/applications.html",
        {
            "round": round_,
            "filter_form": filter_form,
            "bulk_form": bulk_form,
            "page": page,
            "rows": _with_ages(page.object_list, _today()),
            "selected": bulk_form.selected_ids(),
            "query": query,
            "csv_url": reverse("recruitment_applications_csv", args=[round_.pk]) + (f"?{query}" if query else ""),
            "can_move": user.has_perm("participants.change_application"),
        },
    )


def _csv_safe(value: object) -> str:
    """Applicants type their own names: stop a spreadsheet reading a cell as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_COLUMNS = ["Name", "Email", "Phone", "Age", "Status", "Channel", "Submitted", "Average score", "Scored by"]


@login_required
@require_GET
def application_csv(request: HttpRequest, round_id: int) -> HttpResponse:
    """The filtered list as CSV. Contact details and the pipeline only: never equality answers."""
    user = acting_user(request)
    round_ = round_get_for_actor(user, round_id)
    filters = ApplicationFilterForm(request.GET or None).filters()
    applications = _filtered(user, round_, filters)
    applications_export_record(actor=user, round_id=round_.pk, filters=filters)
    today = _today()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="applications-round-{round_.pk}-{today:%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for application in applications.iterator(chunk_size=500):
        submitted = timezone.localtime(application.submitted_at) if application.submitted_at else None
        average = application.average_score  # type: ignore[attr-defined]
        writer.writerow(
            [
                _csv_safe(application.full_name),
                _csv_safe(application.email),
                _csv_safe(application.phone),
                application.age_on(today) if application.date_of_birth else "",
                application.get_status_display(),
                application.channel,
                f"{submitted:%Y-%m-%d}" if submitted else "",
                f"{average:.1f}" if average is not None else "",
                application.scorers,  # type: ignore[attr-defined]
            ]
        )
    return response


@login_required
@require_GET
def application_board(request: HttpRequest, round_id: int) -> HttpResponse:
    user = acting_user(request)
    round_ = round_get_for_actor(user, round_id)
    columns = board_for_round(user, round_.pk)
    board = [(status, Status(status).label, applications) for status, applications in columns.items()]
    return render(
        request,
        "recruitment/board.html",
        # The pipeline in one row, the outcomes in the next; each row stacks on a phone.
        {"round": round_, "rows": [board[:4], board[4:]]},
    )


# --- One application ---------------------------------------------------------------------------------------------


def _scores_by_worker(application: Application, criteria: list[Any]) -> list[dict[str, Any]]:
    workers: dict[int, dict[str, Any]] = {}
    for score in application.scores.all():
        entry = workers.setdefault(score.scorer_id, {"scorer": score.scorer, "scores": {}, "comment": ""})
        entry["scores"][score.criterion_id] = score.score
        entry["comment"] = entry["comment"] or score.comment
    rows = []
    for entry in workers.values():
        given = list(entry["scores"].values())
        rows.append(
            {
                "scorer": entry["scorer"],
                "cells": [entry["scores"].get(criterion.pk) for criterion in criteria],
                "average": sum(given) / len(given) if given else None,
                "comment": entry["comment"],
            }
        )
    return sorted(rows, key=lambda row: row["scorer"].full_name)


def _answers(application: Application) -> list[tuple[Any, str]]:
    shown = {"yes": "Yes", "no": "No"}
    return [
        (question, shown.get(str(answer), str(answer)) if (answer := application.answers.get(str(question.pk))) else "")
        for question in application.round.questions.all()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    user = acting_user(request)
    application = application_get_for_actor(user, application_id)
    criteria = list(application.round.criteria.all())
    mine = [score for score in application.scores.all() if score.scorer_id == user.pk]
    action = request.POST.get("action") if request.method == "POST" else None
    if action not in (None, "score", "move"):
        raise Http404("No such action.")
    score_form = ScoreForm(request.POST if action == "score" else None, criteria=criteria, mine=mine)
    move_form = MoveForm(request.POST if action == "move" else None)
    if action == "score" and score_form.is_valid():
        try:
            panel_score_set(
                actor=user,
                application_id=application.pk,
                scores=score_form.scores(),
                comment=score_form.cleaned_data["comment"],
            )
        except (ApplicationError, DjangoValidationError) as error:
            show_error(score_form, error)
        else:
            messages.success(request, "Your scores were saved.")
            return redirect(reverse("recruitment_application", args=[application.pk]) + "#scores")
    if action == "move" and move_form.is_valid():
        to = move_form.cleaned_data["to"]
        try:
            application_move(actor=user, application_id=application.pk, to=to, reason=move_form.cleaned_data["reason"])
        except (ApplicationError, DjangoValidationError) as error:
            show_error(move_form, error)
        else:
            messages.success(request, f"{application.full_name} moved to {Status(to).label}.")
            return redirect("recruitment_application", application_id=application.pk)
    allowed = Application.TRANSITIONS.get(application.status, set())
    moves = [status for status in STAFF_MOVES if status in allowed]
    can_score = user.has_perm("participants.score_application", application) and application.status != Status.DRAFT
    return render(
        request,
        "recruitment/application.html",
        {
            "application": application,
            "age": application.age_on(_today()),
            "answers": _answers(application),
            "criteria": criteria,
            "worker_scores": _scores_by_worker(application, criteria),
            "score_form": score_form if can_score else None,
            "move_form": move_form,
            "moves": [(status, MOVE_LABELS[status]) for status in moves]
            if user.has_perm("participants.change_application", application)
            else [],
            "error_form": score_form if action == "score" else move_form if action == "move" else None,
        },
    )


MOVE_LABELS: dict[str, str] = {
    Status.SCREENING: "Move to screening",
    Status.INTERVIEW: "Invite to interview",
    Status.OFFERED: "Offer a place",
    Status.UNSUCCESSFUL: "Not this time (unsuccessful)",
}


# --- Equality ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def equality(request: HttpRequest, round_id: int) -> HttpResponse:
    user = acting_user(request)
    round_ = round_get_for_actor(user, round_id)
    total, rows = equality_report(user, round_.pk)
    return render(request, "recruitment/equality.html", {"round": round_, "total": total, "rows": rows})


# --- Email wording -------------------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
SAMPLE_VALUES = {
    "name": "Sam",
    "round": "Young Scrutineers 2026 intake",
    "referrer": "Alex",
}


def _placeholders(key: str) -> list[str]:
    subject, body = emails.DEFAULTS[key]
    found = ["name", "round", "partnership", "contact_email"]
    for name in _PLACEHOLDER.findall(subject + body):
        if name not in found:
            found.append(name)
    return found


def _sample_context(key: str) -> dict[str, str]:
    site = str(settings.SITE_URL).rstrip("/")
    context = dict(SAMPLE_VALUES)
    for name in _placeholders(key):
        if name.endswith("_link"):
            context[name] = f"{site}/example-{name.removesuffix('_link')}-link"
    return context


@login_required
@require_GET
def email_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    own = email_templates_for(user)
    rows = [(key, label, key in own) for key, label in EmailTemplate.Key.choices]
    return render(request, "recruitment/emails.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def email_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = acting_user(request)
    if key not in EmailTemplate.Key.values:
        raise Http404("No such email.")
    own = email_templates_for(user).get(key)
    subject, body = (own.subject, own.body) if own else emails.DEFAULTS[key]
    form = EmailTemplateForm(request.POST or None, initial={"subject": subject, "body": body})
    if request.method == "POST" and form.is_valid():
        try:
            email_template_save(actor=user, key=key, **form.cleaned_data)
        except (ApplicationError, DjangoValidationError) as error:
            show_error(form, error)
        else:
            messages.success(request, "The wording was saved. Emails sent from now on use it.")
            return redirect("recruitment_email_edit", key=key)
    preview_subject, preview_body, _ = emails.render(user.partnership, key, _sample_context(key))
    return render(
        request,
        "recruitment/email_edit.html",
        {
            "form": form,
            "label": EmailTemplate.Key(key).label,
            "has_own": own is not None,
            "placeholders": [f"{{{name}}}" for name in _placeholders(key)],
            "placeholder_note": emails.PLACEHOLDERS,
            "preview_subject": preview_subject,
            "preview_body": preview_body,
        },
    )


urlpatterns = [
    path("staff/recruitment/", round_list, name="recruitment_rounds"),
    path("staff/recruitment/rounds/new/", round_create_page, name="recruitment_round_create"),
    path("staff/recruitment/rounds/<int:round_id>/", round_detail, name="recruitment_round"),
    path("staff/recruitment/rounds/<int:round_id>/change/", round_edit, name="recruitment_round_edit"),
    path("staff/recruitment/rounds/<int:round_id>/applications/", application_list, name="recruitment_applications"),
    path(
        "staff/recruitment/rounds/<int:round_id>/applications.csv",
        application_csv,
        name="recruitment_applications_csv",
    ),
    path("staff/recruitment/rounds/<int:round_id>/board/", application_board, name="recruitment_board"),
    path("staff/recruitment/rounds/<int:round_id>/equality/", equality, name="recruitment_equality"),
    path("staff/recruitment/applications/<int:application_id>/", application_detail, name="recruitment_application"),
    path("staff/recruitment/emails/", email_list, name="recruitment_emails"),
    path("staff/recruitment/emails/<str:key>/", email_edit, name="recruitment_email_edit"),
]
