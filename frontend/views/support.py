"""The support log pages: a young person's sessions and follow-ups for workers and safeguarding leads (with the
restricted notes), open follow-ups across the partnership, and a young person's own view (without the notes)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require
from frontend.forms.support import SupportSessionForm
from frontend.views.home import acting_user, apply_service_error
from participants.selectors.support import (
    support_follow_ups_for_self,
    support_follow_ups_open,
    support_owners_for,
    support_sessions_for_self,
    support_sessions_visible_to,
    support_young_people_for,
    support_young_person_get_for_actor,
)
from participants.services.support import (
    FollowUpInput,
    support_follow_up_complete,
    support_follow_up_reopen,
    support_session_create,
)

# A service names its fields as the API does; the form splits the follow-up into its parts.
_FORM_FIELD = {"follow_ups": "follow_up_description"}


def _show_service_error(form: SupportSessionForm, error: ApplicationError | DjangoValidationError) -> None:
    if isinstance(error, DjangoValidationError) and hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            field = _FORM_FIELD.get(name, name)
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        apply_service_error(form, error)


@login_required
def support_overview(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    follow_ups = support_follow_ups_open(user)
    people = Paginator(support_young_people_for(user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "support/overview.html",
        {"follow_ups": follow_ups[:200], "people": people, "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def support_log(request: HttpRequest, membership_id: int) -> HttpResponse:
    user = acting_user(request)
    membership = support_young_person_get_for_actor(user, membership_id)
    can_record = user.has_perm("participants.change_supportsession")
    owners = list(support_owners_for(membership.partnership_id)) if can_record else []
    form = SupportSessionForm(request.POST if request.method == "POST" else None, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        follow_ups = []
        if data["follow_up_description"]:
            follow_ups.append(
                FollowUpInput(data["follow_up_description"], int(data["follow_up_owner"]), data["follow_up_due_on"])
            )
        try:
            support_session_create(
                actor=user,
                membership_id=membership.pk,
                kind=data["kind"],
                held_on=data["held_on"],
                restricted_notes=data["restricted_notes"],
                agreed=data["agreed"],
                follow_ups=follow_ups,
            )
        except (ApplicationError, DjangoValidationError) as error:
            _show_service_error(form, error)
        else:
            messages.success(request, "Support session recorded.")
            return redirect("support_log", membership_id=membership.pk)
    sessions = Paginator(support_sessions_visible_to(user, membership_id=membership.pk), 50)
    return render(
        request,
        "support/log.html",
        {
            "membership": membership,
            "form": form,
            "can_record": can_record,
            "page": sessions.get_page(request.GET.get("page")),
            "today": timezone.localdate(),
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(next_url if safe else "support_overview")


@login_required
@require_POST
def follow_up_done(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    user = acting_user(request)
    try:
        follow_up = support_follow_up_complete(actor=user, follow_up_id=follow_up_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Marked done: {follow_up.description}")
    return _back(request)


@login_required
@require_POST
def follow_up_reopen(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    user = acting_user(request)
    try:
        follow_up = support_follow_up_reopen(actor=user, follow_up_id=follow_up_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Reopened: {follow_up.description}")
    return _back(request)


@login_required
def my_support(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.view_young_person_home")
    context: dict[str, Any] = {
        "sessions": support_sessions_for_self(user),
        "follow_ups": support_follow_ups_for_self(user),
        "today": timezone.localdate(),
    }
    return render(request, "support/mine.html", context)


urlpatterns = [
    path("staff/support/", support_overview, name="support_overview"),
    path("staff/support/<int:membership_id>/", support_log, name="support_log"),
    path("staff/support/follow-ups/<int:follow_up_id>/done/", follow_up_done, name="support_follow_up_done"),
    path("staff/support/follow-ups/<int:follow_up_id>/reopen/", follow_up_reopen, name="support_follow_up_reopen"),
    path("me/support/", my_support, name="my_support"),
]
