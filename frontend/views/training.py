"""Training pages: modules and sessions for workers, attendance, direct completions, the matrix (and its CSV),
a young person's own training, and certificates."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require
from frontend.forms.training import ModuleForm, RecordForm, SessionForm
from frontend.views.home import acting_user, apply_service_error
from participants.certificates import training_certificate_pdf
from participants.models import Membership, TrainingBooking
from participants.selectors.training import (
    CellStatus,
    module_get_for_actor,
    modules_visible_to,
    record_get_for_actor,
    session_get_for_actor,
    sessions_for_module,
    training_for_self,
    training_matrix,
)
from participants.services.training import (
    attendance_mark,
    booking_cancel,
    booking_create,
    module_create,
    module_update,
    record_create,
    session_create,
)

Attendance = TrainingBooking.Attendance


def _service_error_on_form(form: Any, error: ApplicationError | DjangoValidationError) -> None:
    """Validation errors with a field name go against that field; anything else to the form."""
    if isinstance(error, DjangoValidationError) and hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        apply_service_error(form, error)


# --- Modules (workers and admins) --------------------------------------------------------------------------------


@login_required
def module_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.change_trainingmodule")
    return render(request, "training/modules.html", {"modules": modules_visible_to(user)})


@login_required
@require_http_methods(["GET", "POST"])
def module_edit(request: HttpRequest, module_id: int | None = None) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.change_trainingmodule")
    module = module_get_for_actor(user, module_id) if module_id else None
    initial = {name: getattr(module, name) for name in ModuleForm.base_fields} if module else {"is_active": True}
    form = ModuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if module is None:
                module = module_create(actor=user, **form.cleaned_data)
            else:
                module = module_update(actor=user, module_id=module.pk, **form.cleaned_data)
        except (ApplicationError, DjangoValidationError) as error:
            _service_error_on_form(form, error)
        else:
            messages.success(request, f"Saved {module.title}.")
            return redirect("training_module", module.pk)
    return render(request, "training/module_form.html", {"form": form, "module": module})


@login_required
def module_detail(request: HttpRequest, module_id: int) -> HttpResponse:
    user = acting_user(request)
    module = module_get_for_actor(user, module_id)
    return render(request, "training/module.html", {"module": module, "sessions": sessions_for_module(user, module)})


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, module_id: int) -> HttpResponse:
    user = acting_user(request)
    module = module_get_for_actor(user, module_id)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            session = session_create(
                actor=user,
                module_id=module.pk,
                starts_at=starts_at,
                ends_at=ends_at,
                location=form.cleaned_data["location"],
                places=form.cleaned_data["places"],
                trainer=form.cleaned_data["trainer"],
            )
        except (ApplicationError, DjangoValidationError) as error:
            _service_error_on_form(form, error)
        else:
            messages.success(request, "Session added.")
            return redirect("training_session", session.pk)
    return render(request, "training/session_form.html", {"form": form, "module": module})


# --- A session and its attendance ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    user = acting_user(request)
    session = session_get_for_actor(user, session_id)
    error = ""
    if request.method == "POST":
        require(user, "participants.change_trainingrecord")
        marks = {}
        for booking in session.bookings.all():
            value = request.POST.get(f"booking-{booking.pk}")
            if value:
                marks[booking.pk] = value
        if not marks:
            error = "Choose attended or did not attend for at least one person."
        else:
            try:
                changed = attendance_mark(actor=user, session_id=session.pk, marks=marks)
            except ApplicationError as problem:
                error = problem.message
            else:
                messages.success(
                    request, f"Attendance saved for {len(changed)} {'person' if len(changed) == 1 else 'people'}."
                )
                return redirect("training_session", session.pk)
    return render(
        request,
        "training/session.html",
        {
            "session": session,
            "error": error,
            "can_mark": user.has_perm("participants.change_trainingrecord"),
            "has_started": session.starts_at <= timezone.now(),
            "choices": [(Attendance.ATTENDED, "Attended"), (Attendance.ABSENT, "Did not attend")],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.change_trainingrecord")
    people = list(
        Membership.objects.filter(partnership=user.partnership, is_young_person=True, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("user__full_name")
    )
    form = RecordForm(request.POST or None, people=people, modules=list(modules_visible_to(user, active_only=True)))
    if request.method == "POST" and form.is_valid():
        try:
            record = record_create(
                actor=user,
                membership_id=int(form.cleaned_data["membership"]),
                module_id=int(form.cleaned_data["module"]),
                completed_on=form.cleaned_data["completed_on"],
            )
        except (ApplicationError, DjangoValidationError) as error:
            _service_error_on_form(form, error)
        else:
            messages.success(request, f"Recorded {record.module.title} for {record.membership.user.full_name}.")
            return redirect("training_matrix")
    return render(request, "training/record_form.html", {"form": form})


# --- The matrix ----------------------------------------------------------------------------------------------------


def _matrix_filters(request: HttpRequest) -> tuple[int | None, str | None]:
    module = request.GET.get("module", "")
    status = request.GET.get("status", "")
    return (int(module) if module.isascii() and module.isdigit() and len(module) < 19 else None), (
        status if status in CellStatus.LABELS else None
    )


@login_required
def matrix(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    module_id, status = _matrix_filters(request)
    modules, rows = training_matrix(user, module_id=module_id, status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "training/matrix.html",
        {
            "modules": modules,
            "all_modules": modules_visible_to(user, active_only=True),
            "page": page,
            "module_id": module_id,
            "status": status or "",
            "statuses": list(CellStatus.LABELS.items()),
            "can_record": user.has_perm("participants.change_trainingrecord"),
        },
    )


@login_required
def matrix_csv(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    module_id, status = _matrix_filters(request)
    modules, rows = training_matrix(user, module_id=module_id, status=status)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-matrix.csv"'
    writer = csv.writer(response)
    writer.writerow(["Name", *[m.title for m in modules]])
    for row in rows:
        cells = []
        for cell in row.cells:
            text = cell.label
            if cell.record is not None and cell.record.expires_on:
                text += f" (expires {cell.record.expires_on:%Y-%m-%d})"
            cells.append(text)
        writer.writerow([_csv_safe(row.membership.user.full_name), *cells])
    return response


def _csv_safe(value: str) -> str:
    """Stop a spreadsheet reading a name as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- A young person's own training ---------------------------------------------------------------------------------


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(request, "training/mine.html", {"mine": training_for_self(user), "today": timezone.localdate()})


@login_required
@require_POST
def book(request: HttpRequest, session_id: int) -> HttpResponse:
    user = acting_user(request)
    try:
        booking = booking_create(actor=user, session_id=session_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You have booked {booking.session}.")
    return redirect("my_training")


@login_required
@require_POST
def cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = acting_user(request)
    try:
        booking_cancel(actor=user, booking_id=booking_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your booking is cancelled.")
    return redirect("my_training")


@login_required
def certificate(request: HttpRequest, record_id: int) -> HttpResponse:
    user = acting_user(request)
    record = record_get_for_actor(user, record_id)
    response = HttpResponse(training_certificate_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{record.pk}.pdf"'
    return response


urlpatterns = [
    path("staff/training/", module_list, name="training_modules"),
    path("staff/training/modules/new/", module_edit, name="training_module_new"),
    path("staff/training/modules/<int:module_id>/", module_detail, name="training_module"),
    path("staff/training/modules/<int:module_id>/edit/", module_edit, name="training_module_edit"),
    path("staff/training/modules/<int:module_id>/sessions/new/", session_new, name="training_session_new"),
    path("staff/training/sessions/<int:session_id>/", session_detail, name="training_session"),
    path("staff/training/records/new/", record_new, name="training_record_new"),
    path("staff/training/matrix/", matrix, name="training_matrix"),
    path("staff/training/matrix.csv", matrix_csv, name="training_matrix_csv"),
    path("me/training/", my_training, name="my_training"),
    path("me/training/sessions/<int:session_id>/book/", book, name="training_book"),
    path("me/training/bookings/<int:booking_id>/cancel/", cancel, name="training_cancel"),
    path("training/certificates/<int:record_id>.pdf", certificate, name="training_certificate"),
]
