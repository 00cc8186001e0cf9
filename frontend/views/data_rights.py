"""The young person's data rights pages (docs/data-rights.md).

- /me/information/: everything held about them, in plain words, with the JSON download and a form to ask for
  everything (including what is held back from self-service) or for their information to be deleted.
- /staff/data-requests/: the partnership's requests with their due dates, overdue ones flagged; a request's page
  with its actions (start, complete, refuse) and, for an erasure, what was erased and what was kept and why.
Thin: the selectors check who may read, the services who may act.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require
from frontend.forms.data_rights import AskForm, NoteForm, RecordRequestForm, RefuseForm, RetentionForm
from frontend.views.home import acting_user, apply_service_error
from participants.models import DataRequest, Membership, Role
from participants.selectors.data_rights import (
    HOW_TO_ASK_FOR_EVERYTHING,
    NOT_INCLUDED,
    data_request_get_for_actor,
    data_requests_visible_to,
    own_data_requests,
    own_membership_for_download,
    person_data,
    person_data_for_request,
)
from participants.services.data_rights import (
    data_request_complete,
    data_request_make,
    data_request_record,
    data_request_refuse,
    data_request_start,
    erasure_words_for_person,
    partnership_retention_update,
    person_data_download_record,
)

# The readable page: each part of the download, with a heading and one plain sentence.
SECTIONS: list[tuple[str, str, str]] = [
    ("application", "Your application", "What you told us when you applied, and what happened to it."),
    ("onboarding", "Getting started", "The checklist before you could take part."),
    ("training", "Training", "Training you did or booked."),
    ("skills", "Skills", "Skills you said you showed, and whether a worker confirmed them."),
    ("reference_letters", "Reference letters", "Letters you asked for."),
    ("support_sessions", "Support", "Times you met a worker for support, and what you agreed."),
    ("consents", "Consents", "Permission you, or your parent or carer, gave or took back."),
    ("consent_requests", "Requests to your parent or carer", "Links we sent asking for their consent."),
    ("competence_assessments", "Consenting for yourself", "Whether a worker decided you could consent yourself."),
    ("wellbeing_check_ins", "How you were feeling", "Your check-ins after sessions."),
    ("interests", "Opportunities you were interested in", "And what happened."),
    ("attendance", "Sessions you went to", "Attendance a worker recorded."),
    ("work_logs", "Your time and expenses", "What you logged and what was approved."),
    ("outputs", "Things you helped make", "Films, reports and other work with your name on it."),
    ("recommendations", "Your recommendations", "What you recommended and what happened next."),
    ("ratings_you_gave", "Your ratings of responses", "What you said about the answers you got."),
    ("notifications", "Messages we sent you", "News in the product."),
    ("child_employment_permits", "Work permits", "Permits from the council for working under school-leaving age."),
    ("payee_accounts", "How you get paid", "Bank numbers show only the last 2 digits."),
    ("claims", "Payments", "What you were owed and paid."),
    ("library_credits", "Your name on examples", "Examples of your group's work you were asked to be named on."),
    ("requests_about_your_information", "Your requests about your information", "And what we did."),
]


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _text(value: Any) -> str:
    if value is None or value == "":
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " | ".join(_text(item) for item in value) if value else "None"
    return str(value)


def _rows(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [(_label(key), _text(value)) for key, value in item.items()]


def readable(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Turn the download into sections of summary lists for the page (the same data, nothing more)."""
    sections = []
    for key, title, intro in SECTIONS:
        value = data.get(key)
        if key == "training" and value:
            items = [
                *[{"done": "Completed", **record} for record in value["completed"]],
                *[{"done": "Booked", **booking} for booking in value["bookings"]],
            ]
        elif isinstance(value, dict):
            items = [value]
        else:
            items = list(value or [])
        sections.append({"title": title, "intro": intro, "items": [_rows(item) for item in items]})
    return sections


@login_required
def my_information(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    membership = own_membership_for_download(user)
    data = person_data(membership)
    about = data["about_you"]
    context = {
        "about": _rows({k: v for k, v in about.items() if k != "profile"}),
        "profile": _rows(about["profile"]) if about["profile"] else [],
        "sections": readable(data),
        "other": [
            ("Payment choice", _text(data["payment_choice"])),
            ("News settings", _text(data["feedback_settings"])),
            ("Calendar link", _text(data["has_calendar_link"])),
            ("Friends you invited", str(data["friends_invited"])),
        ],
        "not_included": NOT_INCLUDED,
        "how_to_ask": HOW_TO_ASK_FOR_EVERYTHING,
        "requests": own_data_requests(user),
        "form": AskForm(),
        "partnership": membership.partnership,
    }
    return render(request, "data_rights/mine.html", context)


@login_required
def my_information_download(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    membership = own_membership_for_download(user)
    data = person_data(membership)
    person_data_download_record(actor=user, membership=membership, via="self")
    return _json_attachment(data, f"my-information-{timezone.localdate():%Y-%m-%d}.json")


def _json_attachment(data: dict[str, Any], filename: str) -> HttpResponse:
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_information_ask(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.make_datarequest")
    form = AskForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            made = data_request_make(actor=user, kind=form.cleaned_data["kind"], details=form.cleaned_data["details"])
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"We have your request. We will answer by {made.due_on:%-d %B %Y} at the latest.")
            return redirect("my_information")
    return render(request, "data_rights/ask.html", {"form": form})


# --- Staff -------------------------------------------------------------------------------------------------------


@login_required
def data_request_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    show_all = request.GET.get("show") == "all"
    requests = data_requests_visible_to(user, open_only=not show_all)
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "data_rights/list.html",
        {
            "page": page,
            "show_all": show_all,
            "today": timezone.localdate(),
            "can_record": user.has_perm("participants.change_datarequest"),
        },
    )


def _young_people(user: Any) -> list[tuple[int, str]]:
    people = (
        Membership.objects.filter(partnership=user.partnership, erased_at__isnull=True)
        .filter(Membership.with_role(Role.YOUNG_PERSON))
        .select_related("user")
        .order_by("user__full_name")
    )
    return [(m.pk, m.user.full_name) for m in people]


@login_required
@require_http_methods(["GET", "POST"])
def data_request_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.change_datarequest")
    form = RecordRequestForm(request.POST if request.method == "POST" else None, people=_young_people(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = data_request_record(
                actor=user,
                membership_id=int(data["membership"]),
                kind=data["kind"],
                received_on=data["received_on"],
                details=data["details"],
            )
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Request recorded. It is due by {made.due_on:%-d %B %Y}.")
            return redirect("data_request_detail", request_id=made.pk)
    return render(request, "data_rights/new.html", {"form": form})


@login_required
def data_request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user = acting_user(request)
    data_request = data_request_get_for_actor(user, request_id)
    return _detail(request, user, data_request, NoteForm(), RefuseForm())


def _detail(
    request: HttpRequest, user: Any, data_request: DataRequest, note_form: NoteForm, refuse_form: RefuseForm
) -> HttpResponse:
    outcome = data_request.outcome or {}
    context = {
        "data_request": data_request,
        "today": timezone.localdate(),
        "can_change": user.has_perm("participants.change_datarequest", data_request),
        "can_erase": user.has_perm("participants.erase_person", data_request.membership),
        "note_form": note_form,
        "refuse_form": refuse_form,
        "erased": outcome.get("erased", []),
        "kept": outcome.get("kept", []),
        "told_person": erasure_words_for_person(outcome) if outcome else "",
    }
    return render(request, "data_rights/detail.html", context)


@login_required
@require_POST
def data_request_action(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    user = acting_user(request)
    data_request = data_request_get_for_actor(user, request_id)  # 404 before anything else
    note_form, refuse_form = NoteForm(), RefuseForm()
    try:
        if action == "start":
            data_request_start(actor=user, request_id=data_request.pk)
            messages.success(request, "You are now handling this request.")
        elif action == "complete":
            note_form = NoteForm(request.POST)
            if not note_form.is_valid():
                return _detail(request, user, data_request, note_form, refuse_form)
            data_request_complete(actor=user, request_id=data_request.pk, note=note_form.cleaned_data["note"])
            messages.success(request, "Request completed. The young person has been told.")
        else:
            refuse_form = RefuseForm(request.POST)
            if not refuse_form.is_valid():
                return _detail(request, user, data_request, note_form, refuse_form)
            data_request_refuse(actor=user, request_id=data_request.pk, reason=refuse_form.cleaned_data["reason"])
            messages.success(request, "Request refused. The young person has been told why.")
    except (ApplicationError, DjangoValidationError) as error:
        form: Any = refuse_form if action == "refuse" else note_form
        apply_service_error(form, error)
        if not form.errors:
            messages.error(request, str(getattr(error, "message", error)))
        else:
            return _detail(request, user, data_request, note_form, refuse_form)
    return redirect("data_request_detail", request_id=data_request.pk)


@login_required
def data_request_download(request: HttpRequest, request_id: int) -> HttpResponse:
    """Staff answering an access request: the person's download, recorded in the audit log."""
    user = acting_user(request)
    data_request, data = person_data_for_request(user, request_id)
    person_data_download_record(actor=user, membership=data_request.membership, via=f"request {data_request.pk}")
    return _json_attachment(data, f"information-request-{data_request.pk}.json")


@login_required
@require_http_methods(["GET", "POST"])
def retention_settings(request: HttpRequest) -> HttpResponse:
    """The partnership admin's retention settings, with what the next daily run would do to leavers now."""
    from participants.services.retention import leavers_due
    from safeguarding.selectors.data_rights import concerns_for_review_counts

    user = acting_user(request)
    require(user, "participants.change_partnership", user.partnership)
    partnership = user.partnership
    initial = {
        "applicant_retention_days": partnership.applicant_retention_days,
        "leaver_retention_days": partnership.leaver_retention_days,
    }
    form = RetentionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            partnership_retention_update(actor=user, **form.cleaned_data)
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Retention settings saved. The next daily run uses them.")
            return redirect("retention_settings")
    due, on_hold = concerns_for_review_counts(partnership.pk, timezone.localdate())
    context = {
        "form": form,
        "leavers_due": leavers_due(partnership, timezone.now()).count(),
        "concerns_due": due,
        "concerns_on_hold": on_hold,
    }
    return render(request, "data_rights/retention.html", context)


urlpatterns = [
    path("staff/retention/", retention_settings, name="retention_settings"),
    path("me/information/", my_information, name="my_information"),
    path("me/information/download/", my_information_download, name="my_information_download"),
    path("me/information/ask/", my_information_ask, name="my_information_ask"),
    path("staff/data-requests/", data_request_list, name="data_request_list"),
    path("staff/data-requests/new/", data_request_new, name="data_request_new"),
    path("staff/data-requests/<int:request_id>/", data_request_detail, name="data_request_detail"),
    *[
        path(
            f"staff/data-requests/<int:request_id>/{action}/",
            data_request_action,
            {"action": action},
            name=f"data_request_{action}",
        )
        for action in ("start", "complete", "refuse")
    ],
    path("staff/data-requests/<int:request_id>/download/", data_request_download, name="data_request_download"),
]
