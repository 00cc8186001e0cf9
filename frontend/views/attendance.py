"""The attendance page: the staff lead (or a participation worker) marks who came, on a phone, with one Save."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from engagements.models import Engagement
from engagements.selectors.attendance import (
    attendance_sheet,
    engagement_get_for_attendance,
    marking_is_open,
    marking_opens_at,
)
from engagements.services.attendance import attendance_mark_many
from frontend.forms.attendance import AttendanceForm
from frontend.views.home import acting_user, apply_service_error


def _show_error(form: AttendanceForm, error: ApplicationError | DjangoValidationError) -> None:
    """A refusal about one person goes on their radios (or note); anything else on the form."""
    if isinstance(error, ApplicationError) and error.extra.get("membership"):
        field = "note" if error.extra.get("field") == "note" else "status"
        name = f"{field}_{error.extra['membership']}"
        if name in form.fields:
            form.add_error(name, error.message)
            return
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
    else:
        apply_service_error(form, error)


@login_required
@require_http_methods(["GET", "POST"])
def engagement_attendance(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = engagement_get_for_attendance(user, engagement_id)
    rows = attendance_sheet(user, engagement)
    is_open = marking_is_open(engagement)
    form = AttendanceForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and form.is_valid():
        marks, notes = form.marks()
        if not form.errors:
            if not marks:
                form.add_error(None, "Choose present, late, left early or absent for at least one young person")
            else:
                try:
                    saved = attendance_mark_many(actor=user, engagement_id=engagement.pk, marks=marks, notes=notes)
                except (ApplicationError, DjangoValidationError) as error:
                    _show_error(form, error)
                else:
                    count = len(saved)
                    messages.success(
                        request, f"Attendance saved for {count} young {'person' if count == 1 else 'people'}."
                    )
                    return redirect("engagement_attendance", engagement_id=engagement.pk)
    not_marked = [row for row in rows if not row.is_marked]
    return render(
        request,
        "attendance/sheet.html",
        {
            "engagement": engagement,
            "form": form,
            "not_marked": not_marked,
            "is_open": is_open,
            "is_cancelled": engagement.status == Engagement.Status.CANCELLED,
            "opens_at": timezone.localtime(marking_opens_at(engagement)),
        },
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "staff/engagements/<int:engagement_id>/attendance/",
        engagement_attendance,
        name="engagement_attendance",
    ),
]
