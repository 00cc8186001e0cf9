"""Pages for outputs: the staff list, adding and changing one (showing each young person's media consent and who
cannot be included, and why), an output's page (facts, who made it, the consents it rests on, hide and show again,
history), the file download, and a young person's own list of what they made.

Thin: parse input, call a selector or service, render. The rules live in engagements.services.outputs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from core.permissions import require
from core.uploads import CONTENT_TYPES
from engagements.models import Output
from engagements.selectors.outputs import (
    is_output_staff,
    output_candidates,
    output_consents,
    output_engagement_get_for_actor,
    output_engagements,
    output_get_for_actor,
    output_history,
    outputs_visible_to,
    own_outputs,
)
from engagements.services.outputs import (
    media_consents,
    output_create,
    output_hide,
    output_restore,
    output_update,
)
from frontend.forms.outputs import HideForm, OutputFilterForm, OutputForm
from frontend.views.home import acting_user, apply_service_error

ServiceError = (ApplicationError, DjangoValidationError)
HIDE = "hide"
RESTORE = "restore"


def _staff(request: HttpRequest) -> Any:
    user = acting_user(request)
    if not is_output_staff(user):
        raise PermissionDenied("You do not have permission to see outputs.")
    return user


@login_required
@require_GET
def output_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = OutputFilterForm(request.GET or None, engagements=list(output_engagements(user)))
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "engagement_id": form.cleaned_data.get("engagement") or None,
            "kind": form.cleaned_data.get("kind") or None,
        }
    page = Paginator(outputs_visible_to(user, **filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "outputs/list.html", {"form": form, "page": page, "query": query.urlencode()})


def _form_page(
    request: HttpRequest, user: Any, *, engagement: Any, output: Output | None, initial: dict[str, Any] | None
) -> tuple[OutputForm, list[Any]]:
    current = list(output.contributors.all()) if output is not None else []
    candidates = output_candidates(user, engagement, extra=current)
    form = OutputForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        candidate_ids=[candidate.membership.pk for candidate in candidates],
    )
    return form, candidates


def _render_form(
    request: HttpRequest, form: OutputForm, candidates: list[Any], *, engagement: Any, output: Output | None
) -> HttpResponse:
    current = {person.pk for person in output.contributors.all()} if output is not None else set()
    return render(
        request,
        "outputs/form.html",
        {
            "form": form,
            "engagement": engagement,
            "output": output,
            "selected": form.selected_ids(),
            # Boxes for everyone who can be included, and for anyone already named (to take them off).
            "choices": [c for c in candidates if c.can_be_included or (output and c.membership.pk in current)],
            "excluded": [candidate for candidate in candidates if not candidate.can_be_included],
            "file_was_chosen": request.method == "POST" and bool(request.FILES.get("file")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def output_new(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = output_engagement_get_for_actor(user, engagement_id)
    form, candidates = _form_page(request, user, engagement=engagement, output=None, initial=None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            output = output_create(
                actor=user,
                engagement_id=engagement.pk,
                title=data["title"],
                kind=data["kind"],
                summary=data["summary"],
                link=data["link"],
                file=data["file"] or None,
                contributor_ids=data["contributor_ids"],
            )
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"“{output.title}” was added.")
            return redirect("output_detail", output_id=output.pk)
    return _render_form(request, form, candidates, engagement=engagement, output=None)


@login_required
@require_http_methods(["GET", "POST"])
def output_edit(request: HttpRequest, output_id: int) -> HttpResponse:
    user = _staff(request)
    output = output_get_for_actor(user, output_id)
    require(user, "engagements.change_output", output)
    current_ids = sorted(person.pk for person in output.contributors.all())
    initial = {
        "title": output.title,
        "kind": output.kind,
        "summary": output.summary,
        "link": output.link,
        "contributor_ids": current_ids,
    }
    form, candidates = _form_page(request, user, engagement=output.engagement, output=output, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wanted = sorted(set(data["contributor_ids"]))
        try:
            output_update(
                actor=user,
                output_id=output.pk,
                title=data["title"],
                kind=data["kind"],
                summary=data["summary"],
                link=data["link"],
                file=data["file"] or None,
                # Only a change of who made it is checked again (a title change keeps a flagged output as it is).
                contributor_ids=wanted if wanted != current_ids else None,
            )
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Your changes were saved.")
            return redirect("output_detail", output_id=output.pk)
    return _render_form(request, form, candidates, engagement=output.engagement, output=output)


@login_required
@require_http_methods(["GET", "POST"])
def output_detail(request: HttpRequest, output_id: int) -> HttpResponse:
    user = _staff(request)
    output = output_get_for_actor(user, output_id)
    can_change = user.has_perm("engagements.change_output", output)
    action = request.POST.get("action") if request.method == "POST" else None
    hide_form = HideForm(request.POST if action == HIDE else None)
    restore_error = ""
    if action and not can_change:
        raise PermissionDenied("You do not have permission to change outputs.")
    if action == HIDE and hide_form.is_valid():
        try:
            output_hide(actor=user, output_id=output.pk, reason=hide_form.cleaned_data["reason"])
        except ServiceError as error:
            apply_service_error(hide_form, error)
        else:
            messages.success(request, "The output is hidden. Young people who made it no longer see it.")
            return redirect("output_detail", output_id=output.pk)
    elif action == RESTORE:
        try:
            output_restore(actor=user, output_id=output.pk)
        except ApplicationError as error:
            restore_error = error.message
        else:
            messages.success(request, "The output is shown again.")
            return redirect("output_detail", output_id=output.pk)
    contributors = list(output.contributors.all())
    blocked = []
    if output.is_hidden and can_change:
        states = media_consents(contributors, timezone.localdate())
        blocked = [states[person.pk] for person in contributors if not states[person.pk].counts]
    history = list(output_history(user, output)[:50])
    hidden_event = next((event for event in history if event.event_type == "output.hidden"), None)
    return render(
        request,
        "outputs/detail.html",
        {
            "output": output,
            "contributors": contributors,
            "consents": output_consents(output),
            "can_change": can_change,
            "can_see_engagement": user.has_perm("engagements.view_engagement", output.engagement),
            "hide_form": hide_form,
            "restore_error": restore_error,
            "blocked": blocked,
            "history": history,
            "hidden_reason": (hidden_event.payload.get("reason", "") if hidden_event else ""),
        },
    )


@login_required
@require_GET
def output_file(request: HttpRequest, output_id: int) -> FileResponse:
    """The output's file, as a download: staff who see outputs, and the young people who made it while it is not
    hidden (the selector 404s for anyone else)."""
    user = acting_user(request)
    output = output_get_for_actor(user, output_id)
    if not output.file:
        raise Http404("No file is attached.")
    kind = output.file.name.rsplit(".", 1)[-1].lower()
    try:
        handle = output.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"output-{output.pk}.{kind}",
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def my_outputs(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.view_young_person_home")
    return render(request, "outputs/mine.html", {"outputs": list(own_outputs(user))})


urlpatterns = [
    path("staff/outputs/", output_list, name="output_list"),
    path("staff/engagements/<int:engagement_id>/outputs/new/", output_new, name="output_new"),
    path("staff/outputs/<int:output_id>/", output_detail, name="output_detail"),
    path("staff/outputs/<int:output_id>/edit/", output_edit, name="output_edit"),
    path("staff/outputs/<int:output_id>/file/", output_file, name="output_file"),
    path("my-outputs/", my_outputs, name="my_outputs"),
    path("my-outputs/<int:output_id>/file/", output_file, name="my_output_file"),
]
