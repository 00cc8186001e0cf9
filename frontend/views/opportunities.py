"""Pages for opportunities: the defaults per type of opportunity (and their briefing packs), engagements for staff
(list, new, edit, detail, publish, cancel, complete) and the young person's list of opportunities. Thin: parse
input, call a selector or service, render. The services decide; a refusal is shown against the field it names.

Links to pages other parts of the engagements work provide (selection, attendance, outputs, work logs, an
opportunity's own page) are made with `optional_url`, which gives None while a page does not exist yet.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require
from core.selectors import audit_events_for_subject
from engagements.models import Engagement, OpportunityType, Section11Standard
from engagements.selectors.opportunities import (
    VIEW_OPPORTUNITY,
    briefing_pack_for_actor,
    engagement_confirmed_people,
    engagement_get_for_actor,
    engagements_visible_to,
    lead_candidates,
    opportunities_for_young_person,
    opportunity_type_defaults,
    opportunity_type_row,
    opportunity_types_for_actor,
)
from engagements.services.opportunities import (
    CHANGE_ENGAGEMENT,
    CHANGE_TYPE_SETTING,
    engagement_cancel,
    engagement_complete,
    engagement_create,
    engagement_publish,
    engagement_update,
    opportunity_type_setting_save,
)
from frontend.forms.opportunities import (
    SERVICE_FIELD_TO_FORM,
    CancelForm,
    EngagementFilterForm,
    EngagementForm,
    OpportunityTypeSettingForm,
    apply_error,
)
from frontend.views.home import acting_user

SERVICE_ERRORS = (ApplicationError, DjangoValidationError)
PAGE_SIZE = 50
Status = Engagement.Status


def optional_url(name: str, *args: Any) -> str | None:
    """The page's address, or None while no page of that name exists (built by another part of the work)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _error_message(error: ApplicationError | DjangoValidationError) -> str:
    return error.message if isinstance(error, ApplicationError) else " ".join(error.messages)


# --- Defaults per type of opportunity -----------------------------------------------------------------------------


@login_required
@require_GET
def opportunity_types(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rows = opportunity_types_for_actor(user)
    return render(
        request,
        "opportunities/opportunity_types.html",
        {
            "rows": rows,
            "can_change": user.has_perm(CHANGE_TYPE_SETTING),
            "can_create": user.has_perm(CHANGE_ENGAGEMENT),
            "can_see_modules": user.has_perm("participants.change_trainingmodule"),
            "can_change_templates": user.has_perm("safeguarding.change_risktemplate"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_type_edit(request: HttpRequest, opportunity_type: str) -> HttpResponse:
    user = acting_user(request)
    require(user, CHANGE_TYPE_SETTING)
    row = opportunity_type_row(user, opportunity_type)
    form = OpportunityTypeSettingForm(
        request.POST or None,
        request.FILES or None,
        initial=OpportunityTypeSettingForm.initial_from(row.defaults),
        has_pack=row.has_briefing_pack,
    )
    if request.method == "POST" and form.is_valid():
        try:
            opportunity_type_setting_save(actor=user, opportunity_type=opportunity_type, **form.service_kwargs())
        except SERVICE_ERRORS as error:
            apply_error(form, error, {})
        else:
            messages.success(request, f"The usual settings for {row.label.lower()} were saved.")
            return redirect("opportunity_types")
    return render(
        request,
        "opportunities/opportunity_type_edit.html",
        {
            "row": row,
            "form": form,
            "can_see_modules": user.has_perm("participants.change_trainingmodule"),
            "can_change_templates": user.has_perm("safeguarding.change_risktemplate"),
        },
    )


@login_required
@require_GET
def briefing_pack(request: HttpRequest, opportunity_type: str) -> FileResponse:
    """The type's briefing pack, as a download: for staff, and for young people confirmed on an engagement of
    that type."""
    user = acting_user(request)
    setting = briefing_pack_for_actor(user, opportunity_type)
    try:
        handle = setting.briefing_pack.open("rb")
    except FileNotFoundError:
        raise Http404("The briefing pack is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"briefing-pack-{opportunity_type.replace('_', '-')}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Engagements (staff) ------------------------------------------------------------------------------------------


@login_required
@require_GET
def engagement_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = EngagementFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {"status": None, "upcoming": None, "search": None}
    engagements = engagements_visible_to(user, **filters)
    page = Paginator(engagements, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in request.GET.items() if key != "page" and value})
    return render(
        request,
        "opportunities/engagement_list.html",
        {"form": form, "page": page, "query": query, "can_create": user.has_perm(CHANGE_ENGAGEMENT)},
    )


def _engagement_form(user: Any, data: Any, *, creating: bool, initial: dict[str, Any]) -> EngagementForm:
    staff, scrutiny_leads = lead_candidates(user)
    return EngagementForm(data, creating=creating, staff=staff, scrutiny_leads=scrutiny_leads, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def engagement_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, CHANGE_ENGAGEMENT)
    wanted = request.GET.get("type")
    initial: dict[str, Any] = {}
    if wanted in OpportunityType.values:
        initial = EngagementForm.initial_for_type(wanted, opportunity_type_defaults(user.partnership.pk, wanted))
    form = _engagement_form(user, request.POST or None, creating=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = engagement_create(actor=user, **form.service_kwargs())
        except SERVICE_ERRORS as error:
            apply_error(form, error, SERVICE_FIELD_TO_FORM)
        else:
            messages.success(request, f"{engagement.title} was saved as a draft. Publish it when it is ready.")
            return redirect("engagement_detail", engagement_id=engagement.pk)
    return render(request, "opportunities/engagement_form.html", {"form": form, "engagement": None})


@login_required
@require_http_methods(["GET", "POST"])
def engagement_edit(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = engagement_get_for_actor(user, engagement_id)
    require(user, CHANGE_ENGAGEMENT, engagement)
    if engagement.status not in (Status.DRAFT, Status.PUBLISHED):
        messages.warning(request, f"A {engagement.get_status_display().lower()} engagement cannot be changed.")
        return redirect("engagement_detail", engagement_id=engagement.pk)
    form = _engagement_form(user, request.POST or None, creating=False, initial=EngagementForm.initial_for(engagement))
    if request.method == "POST" and form.is_valid():
        try:
            engagement_update(actor=user, engagement_id=engagement.pk, **form.service_kwargs())
        except SERVICE_ERRORS as error:
            apply_error(form, error, SERVICE_FIELD_TO_FORM)
        else:
            messages.success(request, f"{engagement.title} was saved.")
            return redirect("engagement_detail", engagement_id=engagement.pk)
    return render(request, "opportunities/engagement_form.html", {"form": form, "engagement": engagement})


# Where each field of the engagement form is (a publish refusal links to it on the edit page). The service names
# the model's field; the first radio, checkbox and date box carry the field's own id (opportunities/_field.html).
PUBLISH_FIELD_ANCHORS = {
    "agencies_under_review": "id_agencies_under_review",
    "section_11_standards": "id_section_11_standards",
    "staff_lead": "id_staff_lead",
    "starts_at": "id_day",
    "ends_at": "id_ends",
}


def is_on_the_day(engagement: Engagement, now: Any) -> bool:
    """It takes place today (in Europe/London), or is going on now: the day attendance is marked."""
    if engagement.status not in (Status.PUBLISHED, Status.COMPLETED):
        return False
    starts = timezone.localtime(engagement.starts_at)
    return starts.date() == timezone.localdate(now) or engagement.starts_at <= now < engagement.ends_at


def _detail_context(user: Any, engagement: Engagement) -> dict[str, Any]:
    """The facts, and the buttons and links this person may use (each only with the permission it needs)."""
    can_change = user.has_perm(CHANGE_ENGAGEMENT, engagement)
    now = timezone.now()
    status = engagement.status

    def allowed(name: str, perm: str, *args: Any, obj: Any = None) -> str | None:
        return optional_url(name, *args) if user.has_perm(perm, obj) else None

    links = {
        "selection": allowed("engagement_selection", "engagements.select_interest", engagement.pk, obj=engagement),
        "attendance": allowed("engagement_attendance", "engagements.mark_attendance", engagement.pk, obj=engagement),
        "output_new": (
            allowed("output_new", "engagements.change_output", engagement.pk, obj=engagement)
            if status != Status.CANCELLED
            else None
        ),
        "outputs": allowed("output_list", "engagements.view_output"),
        "work_logs": allowed("work_log_queue", "engagements.view_worklog"),
        "risk_assessment": allowed("risk_assessment_page", "safeguarding.view_riskassessment", engagement.pk),
    }
    for name in ("work_logs", "outputs"):
        if links[name]:
            links[name] = f"{links[name]}?{urlencode({'engagement': engagement.pk})}"
    link = engagement.online_link if engagement.is_online else ""
    return {
        "engagement": engagement,
        "type_label": OpportunityType(engagement.opportunity_type).label,
        "standards": _standard_labels(engagement),
        "confirmed": engagement_confirmed_people(engagement),
        "can_edit": can_change and status in (Status.DRAFT, Status.PUBLISHED),
        "can_publish": can_change and status == Status.DRAFT,
        "can_cancel": can_change and status in (Status.DRAFT, Status.PUBLISHED),
        "can_complete": can_change and status == Status.PUBLISHED and engagement.ends_at <= now,
        "links": links,
        # The staff lead (or a worker) on the day: marking attendance is the thing to do.
        "mark_attendance_now": links["attendance"] if is_on_the_day(engagement, now) else None,
        # A real link only when it is a web address (the model's URLField; never a javascript: address).
        "online_link": link if link.startswith(("https://", "http://")) else "",
        "history": audit_events_for_subject(user, engagement)[:50] if user.has_perm("core.view_auditevent") else None,
    }


def _publish_refusal(
    user: Any, engagement: Engagement, error: ApplicationError | DjangoValidationError
) -> list[tuple[str, str]]:
    """The refusal as error summary items: (link, message). Each links to its field on the edit page when the
    person may change the engagement there."""
    field = error.extra.get("field") if isinstance(error, ApplicationError) else None
    anchor = PUBLISH_FIELD_ANCHORS.get(field) if isinstance(field, str) else None
    href = ""
    if anchor and user.has_perm(CHANGE_ENGAGEMENT, engagement) and engagement.status == Status.DRAFT:
        href = f"{reverse('engagement_edit', args=[engagement.pk])}#{anchor}"
    if isinstance(error, ApplicationError):
        return [(href, error.message)]
    return [("", message) for message in error.messages]


def _standard_labels(engagement: Engagement) -> list[str]:
    labels = dict(Section11Standard.choices)
    return [str(labels[value]) for value in engagement.section_11_standards or [] if value in labels]


@login_required
@require_GET
def engagement_detail(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = engagement_get_for_actor(user, engagement_id)
    return render(request, "opportunities/engagement_detail.html", _detail_context(user, engagement))


@login_required
@require_POST
def engagement_publish_page(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = engagement_get_for_actor(user, engagement_id)
    try:
        engagement_publish(actor=user, engagement_id=engagement.pk)
    except SERVICE_ERRORS as error:
        context = _detail_context(user, engagement)
        context["page_errors"] = _publish_refusal(user, engagement, error)
        return render(request, "opportunities/engagement_detail.html", context, status=400)
    messages.success(request, f"{engagement.title} is published. Young people can see it and say they are interested.")
    return redirect("engagement_detail", engagement_id=engagement.pk)


@login_required
@require_POST
def engagement_complete_page(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = engagement_get_for_actor(user, engagement_id)
    try:
        engagement_complete(actor=user, engagement_id=engagement.pk)
    except SERVICE_ERRORS as error:
        context = _detail_context(user, engagement)
        context["page_errors"] = [("", _error_message(error))]
        return render(request, "opportunities/engagement_detail.html", context, status=400)
    messages.success(request, f"{engagement.title} is marked complete.")
    return redirect("engagement_detail", engagement_id=engagement.pk)


@login_required
@require_http_methods(["GET", "POST"])
def engagement_cancel_page(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = engagement_get_for_actor(user, engagement_id)
    require(user, CHANGE_ENGAGEMENT, engagement)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            engagement_cancel(actor=user, engagement_id=engagement.pk, reason=form.cleaned_data["reason"])
        except SERVICE_ERRORS as error:
            apply_error(form, error, {})
        else:
            messages.success(request, f"{engagement.title} was cancelled. Everyone with a confirmed place was emailed.")
            return redirect("engagement_detail", engagement_id=engagement.pk)
    return render(
        request,
        "opportunities/engagement_cancel.html",
        {"engagement": engagement, "form": form, "confirmed": engagement_confirmed_people(engagement)},
    )


# --- Opportunities (young people) ---------------------------------------------------------------------------------


@login_required
@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, VIEW_OPPORTUNITY)
    page = Paginator(opportunities_for_young_person(user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "opportunities/opportunity_list.html",
        {"page": page, "has_detail": optional_url("opportunity_detail", 1) is not None},
    )


urlpatterns = [
    path("staff/opportunity-types/", opportunity_types, name="opportunity_types"),
    path("staff/opportunity-types/<str:opportunity_type>/", opportunity_type_edit, name="opportunity_type_edit"),
    path("opportunity-types/<str:opportunity_type>/briefing-pack/", briefing_pack, name="briefing_pack"),
    path("staff/engagements/", engagement_list, name="engagement_list"),
    path("staff/engagements/new/", engagement_new, name="engagement_new"),
    path("staff/engagements/<int:engagement_id>/", engagement_detail, name="engagement_detail"),
    path("staff/engagements/<int:engagement_id>/edit/", engagement_edit, name="engagement_edit"),
    path("staff/engagements/<int:engagement_id>/publish/", engagement_publish_page, name="engagement_publish"),
    path("staff/engagements/<int:engagement_id>/cancel/", engagement_cancel_page, name="engagement_cancel"),
    path("staff/engagements/<int:engagement_id>/complete/", engagement_complete_page, name="engagement_complete"),
    path("opportunities/", opportunity_list, name="opportunity_list"),
]
