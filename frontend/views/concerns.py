"""Safeguarding concern pages. Thin: parse input, call a selector or service, render.

Any staff member can raise a concern and see what they reported. Everything else is for safeguarding leads who
passed their second factor in this session: for anyone else a concern page is a 404, as if it did not exist.
Every page that shows a concern goes through `concern_open`, which records the read.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from core.permissions import require
from frontend.forms.concerns import (
    ActionDoneForm,
    ActionForm,
    CategoryForm,
    CloseForm,
    ConcernFilterForm,
    CorrectionForm,
    DeleteForm,
    LegalHoldForm,
    NoteForm,
    OutcomeForm,
    RaiseConcernForm,
    ReferralForm,
    ReopenForm,
)
from frontend.views.home import acting_user, apply_service_error
from participants.models import Membership, Role, User
from participants.selectors import memberships_visible_to
from safeguarding.models import Concern, ConcernCategory, ConcernEntry
from safeguarding.selectors.concerns import (
    Chronology,
    can_read_concerns,
    concern_chronology,
    concern_get_for_actor,
    concern_views_for,
    concerns_due_for_review,
    concerns_visible_to,
    own_report,
    reports_raised_by,
)
from safeguarding.services import concerns as services

Kind = ConcernEntry.Kind
PER_PAGE = 50


def _staff(request: HttpRequest) -> User:
    """Concern pages are for staff: young people are refused outright (they hold no concern rights at all)."""
    user: User = acting_user(request)
    require(user, "safeguarding.raise_concern")
    return user


def _reader_context(user: User) -> dict[str, Any]:
    """Why someone cannot read concerns, in plain words, so the list pages can say so."""
    return {
        "can_read": can_read_concerns(user),
        "is_lead": Role.SAFEGUARDING_LEAD in user.roles,
    }


def _category_label(value: Any) -> str:
    return str(ConcernCategory(value).label) if value in ConcernCategory.values else str(value)


# --- Lists --------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def concern_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = ConcernFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    page = Paginator(concerns_visible_to(user, **filters), PER_PAGE).get_page(request.GET.get("page"))
    services.concerns_listed(actor=user, concerns=page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "concerns/list.html",
        {"form": form, "page": page, "query": query.urlencode(), **_reader_context(user)},
    )


@login_required
@require_GET
def concern_review_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    today = timezone.localdate()
    page = Paginator(concerns_due_for_review(user, today), PER_PAGE).get_page(request.GET.get("page"))
    services.concerns_listed(actor=user, concerns=page.object_list, via="review list")
    return render(request, "concerns/review.html", {"page": page, "today": today, **_reader_context(user)})


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    page = Paginator(reports_raised_by(user), PER_PAGE).get_page(request.GET.get("page"))
    reports = [own_report(user, entry) for entry in page.object_list]
    return render(request, "concerns/my_reports.html", {"page": page, "reports": reports})


# --- Raising ------------------------------------------------------------------------------------------------------


def _young_people(user: User) -> list[tuple[int, str]]:
    people = memberships_visible_to(user, role=Role.YOUNG_PERSON, status=Membership.Status.ACTIVE)
    return [(membership.pk, membership.user.full_name) for membership in people]


@login_required
@require_http_methods(["GET", "POST"])
def concern_raise(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = RaiseConcernForm(request.POST or None, young_people=_young_people(user))
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_raise(actor=user, **form.service_arguments())
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request,
                "Thank you. Your concern has been sent to the safeguarding leads. "
                "If a child is in immediate danger, call 999.",
            )
            return redirect("concern_my_reports")
    return render(request, "concerns/raise.html", {"form": form})


# --- One concern --------------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One entry of the chronology, with what the table shows about it."""

    entry: ConcernEntry
    corrected: bool
    corrects: ConcernEntry | None
    action_done: bool
    done_action: ConcernEntry | None

    @property
    def category_from(self) -> str:
        return _category_label(self.entry.details.get("from"))

    @property
    def category_to(self) -> str:
        return _category_label(self.entry.details.get("to"))

    @property
    def category_reported(self) -> str:
        return _category_label(self.entry.details.get("category"))


def _rows(chronology: Chronology) -> list[Row]:
    by_id = chronology.by_id
    rows = []
    for entry in chronology.entries:
        action_id = entry.details.get("action") if entry.kind == Kind.ACTION_DONE else None
        rows.append(
            Row(
                entry=entry,
                corrected=entry.pk in chronology.corrected_ids,
                corrects=by_id.get(entry.corrects_id) if entry.corrects_id else None,
                action_done=entry.pk in chronology.done_action_ids,
                done_action=by_id.get(int(action_id)) if action_id is not None else None,
            )
        )
    return rows


def _can_delete(concern: Concern, today: datetime.date) -> bool:
    return bool(
        concern.status == Concern.Status.CLOSED
        and not concern.legal_hold
        and concern.review_due_on is not None
        and concern.review_due_on <= today
    )


@login_required
@require_GET
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    user = acting_user(request)
    concern = services.concern_open(actor=user, concern_id=concern_id)
    chronology = concern_chronology(user, concern)
    views, views_total = concern_views_for(user, concern)
    today = timezone.localdate()
    return render(
        request,
        "concerns/detail.html",
        {
            "concern": concern,
            "rows": _rows(chronology),
            "actions": [(action, action.pk in chronology.done_action_ids) for action in chronology.actions],
            "views": views,
            "views_total": views_total,
            "today": today,
            "can_delete": _can_delete(concern, today),
        },
    )


Call = Callable[[User, dict[str, Any]], object]


def _entry_page(
    request: HttpRequest,
    concern_id: int,
    *,
    form: forms.Form,
    call: Call,
    heading: str,
    submit_label: str,
    success: str,
    intro: str = "",
    entry_id: int | None = None,
    entry_kinds: frozenset[str] | None = None,
    warning: bool = False,
    show_outcome: bool = False,
) -> HttpResponse:
    """A page with one form that adds to a concern. A valid POST goes straight to the service (which checks the
    actor may, 404 if not); showing the page reads the concern, so it is recorded like any other read."""
    user = acting_user(request)
    if request.method == "POST" and form.is_valid():
        try:
            call(user, form.cleaned_data)
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, success)
            return redirect("concern_detail", concern_id=concern_id)
    concern = services.concern_open(actor=user, concern_id=concern_id)
    entry: ConcernEntry | None = None
    if entry_id is not None:
        entry = concern_chronology(user, concern).by_id.get(entry_id)
        if entry is None or (entry_kinds is not None and entry.kind not in entry_kinds):
            raise Http404("No entry found.")
    return render(
        request,
        "concerns/entry_form.html",
        {
            "concern": concern,
            "form": form,
            "heading": heading,
            "submit_label": submit_label,
            "intro": intro,
            "entry": entry,
            "warning": warning,
            "show_outcome": show_outcome,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_note(request: HttpRequest, concern_id: int) -> HttpResponse:
    return _entry_page(
        request,
        concern_id,
        form=NoteForm(request.POST or None),
        call=lambda user, data: services.concern_note_add(actor=user, concern_id=concern_id, text=data["text"]),
        heading="Add a note",
        submit_label="Add note",
        success="The note was added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_correct(request: HttpRequest, concern_id: int, entry_id: int) -> HttpResponse:
    return _entry_page(
        request,
        concern_id,
        form=CorrectionForm(request.POST or None),
        call=lambda user, data: services.concern_correction_add(
            actor=user, concern_id=concern_id, corrects_id=entry_id, text=data["text"]
        ),
        heading="Correct an entry",
        submit_label="Add correction",
        success="The correction was added. The original entry is kept and marked as corrected.",
        intro="Entries are never changed. Your correction is added as a new entry, and the original is marked "
        "“corrected below”.",
        entry_id=entry_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_category(request: HttpRequest, concern_id: int) -> HttpResponse:
    return _entry_page(
        request,
        concern_id,
        form=CategoryForm(request.POST or None),
        call=lambda user, data: services.concern_category_change(
            actor=user, concern_id=concern_id, category=data["category"], text=data["text"]
        ),
        heading="Change the category",
        submit_label="Change category",
        success="The category was changed. The change is recorded in the chronology.",
        intro="The change, from the old category to the new one, is recorded in the chronology.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_action(request: HttpRequest, concern_id: int) -> HttpResponse:
    user = acting_user(request)
    staff = memberships_visible_to(user, status=Membership.Status.ACTIVE, staff_only=True)
    choices = [(membership.user_id, membership.user.full_name) for membership in staff]
    return _entry_page(
        request,
        concern_id,
        form=ActionForm(request.POST or None, staff=choices),
        call=lambda user, data: services.concern_action_add(
            actor=user, concern_id=concern_id, text=data["text"], owner_id=data["owner"], due_on=data["due_on"]
        ),
        heading="Add an action",
        submit_label="Add action",
        success="The action was added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_action_done(request: HttpRequest, concern_id: int, entry_id: int) -> HttpResponse:
    return _entry_page(
        request,
        concern_id,
        form=ActionDoneForm(request.POST or None),
        call=lambda user, data: services.concern_action_done(
            actor=user, concern_id=concern_id, action_id=entry_id, text=data.get("text", "")
        ),
        heading="Mark an action as done",
        submit_label="Mark as done",
        success="The action was marked as done.",
        entry_id=entry_id,
        entry_kinds=frozenset({Kind.ACTION}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_referral(request: HttpRequest, concern_id: int) -> HttpResponse:
    return _entry_page(
        request,
        concern_id,
        form=ReferralForm(request.POST or None),
        call=lambda user, data: services.concern_referral_add(
            actor=user, concern_id=concern_id, agency=data["agency"], text=data["text"]
        ),
        heading="Record a referral",
        submit_label="Record referral",
        success="The referral was recorded.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_outcome(request: HttpRequest, concern_id: int) -> HttpResponse:
    return _entry_page(
        request,
        concern_id,
        form=OutcomeForm(request.POST or None),
        call=lambda user, data: services.concern_outcome_record(actor=user, concern_id=concern_id, text=data["text"]),
        heading="Record the outcome",
        submit_label="Record outcome",
        success="The outcome was recorded.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_close(request: HttpRequest, concern_id: int) -> HttpResponse:
    return _entry_page(
        request,
        concern_id,
        form=CloseForm(request.POST or None),
        call=lambda user, data: services.concern_close(actor=user, concern_id=concern_id, text=data.get("text", "")),
        heading="Close the concern",
        submit_label="Close concern",
        success="The concern was closed.",
        intro="Record the outcome before you close the concern. You can reopen it later if you need to.",
        show_outcome=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_reopen(request: HttpRequest, concern_id: int) -> HttpResponse:
    return _entry_page(
        request,
        concern_id,
        form=ReopenForm(request.POST or None),
        call=lambda user, data: services.concern_reopen(actor=user, concern_id=concern_id, text=data["text"]),
        heading="Reopen the concern",
        submit_label="Reopen concern",
        success="The concern was reopened.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_legal_hold(request: HttpRequest, concern_id: int) -> HttpResponse:
    user = acting_user(request)
    if request.method == "POST":
        putting_on = request.POST.get("legal_hold") == "on"
    else:
        # Only to choose the form; the page itself reads (and records) the concern in _entry_page.
        putting_on = not concern_get_for_actor(user, concern_id).legal_hold
    return _entry_page(
        request,
        concern_id,
        form=LegalHoldForm(request.POST or None, on=putting_on),
        call=lambda user, data: services.concern_legal_hold_set(
            actor=user, concern_id=concern_id, on=data["legal_hold"] == "on", text=data["text"]
        ),
        heading="Put the concern on legal hold" if putting_on else "Lift the legal hold",
        submit_label="Put on legal hold" if putting_on else "Lift legal hold",
        success="The concern is on legal hold." if putting_on else "The legal hold was lifted.",
        intro=(
            "A concern on legal hold is never deleted, even after its review date."
            if putting_on
            else "Once the hold is lifted, the concern can be deleted after its review date."
        ),
        warning=not putting_on,
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_delete(request: HttpRequest, concern_id: int) -> HttpResponse:
    user = acting_user(request)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_delete_after_review(actor=user, concern_id=concern_id)
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Concern {concern_id} was deleted, with its chronology and viewing log.")
            return redirect("concern_review")
    concern = services.concern_open(actor=user, concern_id=concern_id)
    entries = len(concern_chronology(user, concern).entries)
    return render(
        request,
        "concerns/delete.html",
        {
            "concern": concern,
            "form": form,
            "entries": entries,
            "can_delete": _can_delete(concern, timezone.localdate()),
        },
    )


urlpatterns = [
    path("staff/concerns/", concern_list, name="concern_list"),
    path("staff/concerns/new/", concern_raise, name="concern_raise"),
    path("staff/concerns/my-reports/", my_reports, name="concern_my_reports"),
    path("staff/concerns/review/", concern_review_list, name="concern_review"),
    path("staff/concerns/<int:concern_id>/", concern_detail, name="concern_detail"),
    path("staff/concerns/<int:concern_id>/note/", concern_note, name="concern_note"),
    path("staff/concerns/<int:concern_id>/entries/<int:entry_id>/correct/", concern_correct, name="concern_correct"),
    path("staff/concerns/<int:concern_id>/category/", concern_category, name="concern_category"),
    path("staff/concerns/<int:concern_id>/actions/new/", concern_action, name="concern_action"),
    path(
        "staff/concerns/<int:concern_id>/actions/<int:entry_id>/done/",
        concern_action_done,
        name="concern_action_done",
    ),
    path("staff/concerns/<int:concern_id>/referral/", concern_referral, name="concern_referral"),
    path("staff/concerns/<int:concern_id>/outcome/", concern_outcome, name="concern_outcome"),
    path("staff/concerns/<int:concern_id>/close/", concern_close, name="concern_close"),
    path("staff/concerns/<int:concern_id>/reopen/", concern_reopen, name="concern_reopen"),
    path("staff/concerns/<int:concern_id>/legal-hold/", concern_legal_hold, name="concern_legal_hold"),
    path("staff/concerns/<int:concern_id>/delete/", concern_delete, name="concern_delete"),
]
