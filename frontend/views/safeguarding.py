"""Pages for checks on adults, risk assessments, wellbeing follow-ups and care details. Thin: parse input, call
a selector or service, render. The services decide; a refusal is shown against the field it names."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from core.permissions import require
from frontend.forms.safeguarding import (
    CareDetailsForm,
    CheckInForm,
    DebriefForm,
    FollowUpDoneForm,
    HazardForm,
    ReturnForm,
    RiskAssessmentForm,
    StaffCheckForm,
    StatusCheckForm,
    TemplateLineFormSet,
)
from frontend.views.home import acting_user, apply_service_error
from participants.models import Membership
from participants.selectors import memberships_visible_to
from safeguarding.models import FollowUpTask, RiskAssessment
from safeguarding.selectors.care import care_details_for_self
from safeguarding.selectors.checks import (
    CheckStatus,
    staff_check_rows,
    staff_checks_for_member,
    staff_checks_overview,
    staff_member_get_for_checks,
    status_on,
)
from safeguarding.selectors.risk import (
    LIST_STATUS_CHOICES,
    engagement_get_for_risk,
    engagements_with_risk_status,
    risk_assessment_for_engagement,
    risk_assessment_last_returned,
    risk_assessment_written_by,
    risk_template_for_type,
    risk_templates_visible_to,
    staff_ratio,
)
from safeguarding.selectors.wellbeing import (
    checkin_comment_visible,
    checkin_engagements_for_self,
    debrief_attendees,
    engagement_get_for_debrief,
    followup_get_for_actor,
    followup_note_visible,
    followups_visible_to,
)
from safeguarding.services.checks import renewal_years_for, staff_check_record, staff_check_status_checked
from safeguarding.services.risk import (
    hazard_add,
    hazard_remove,
    risk_assessment_approve,
    risk_assessment_create,
    risk_assessment_return,
    risk_assessment_submit,
    risk_assessment_update,
    risk_template_save,
)
from safeguarding.services.wellbeing import (
    care_details_open,
    care_details_update,
    checkin_create,
    debrief_record,
    followup_complete,
)

SERVICE_ERRORS = (ApplicationError, DjangoValidationError)
PAGE_SIZE = 50


def _page_error(error: ApplicationError | DjangoValidationError, *forms: BaseForm) -> dict[str, str]:
    """A refusal of a button with no fields of its own: the message, and a link to the field it names if one of
    the page's forms has it."""
    message = error.message if isinstance(error, ApplicationError) else " ".join(error.messages)
    field = error.extra.get("field") if isinstance(error, ApplicationError) else None
    for form in forms:
        if field and field in form.fields:
            return {"message": message, "anchor": form[field].auto_id or ""}
    return {"message": message, "anchor": ""}


# --- Checks on adults ---------------------------------------------------------------------------------------------


@login_required
def staff_checks(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    today = timezone.localdate()
    status = request.GET.get("status") or None
    if status not in CheckStatus.values:
        status = None
    memberships = staff_checks_overview(user, today=today, status=status)
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = staff_check_rows(list(page.object_list), today)
    return render(
        request,
        "safeguarding/staff_checks.html",
        {"page": page, "rows": rows, "status": status, "statuses": CheckStatus.choices, "today": today},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def staff_check_member(request: HttpRequest, membership_id: int) -> HttpResponse:
    """One member of staff's checks, with full certificate numbers (this page is for safeguarding leads and
    partnership admins only), and the forms to record a check or an update-service status check."""
    user = acting_user(request)
    member = staff_member_get_for_checks(user, membership_id)
    action = request.POST.get("action") if request.method == "POST" else None
    years = renewal_years_for(user.partnership)
    record_form = StaffCheckForm(request.POST if action == "record" else None, renewal_years=years)
    status_form = StatusCheckForm(request.POST if action == "status_check" else None)
    can_change = user.has_perm("safeguarding.change_staffcheck", member)
    if action == "record" and record_form.is_valid():
        try:
            staff_check_record(actor=user, membership_id=member.pk, **record_form.cleaned_data)
        except SERVICE_ERRORS as error:
            apply_service_error(record_form, error)
        else:
            messages.success(request, f"{member.user.full_name}'s check was recorded.")
            return redirect("staff_check_member", membership_id=member.pk)
    elif action == "status_check" and status_form.is_valid():
        data = status_form.cleaned_data
        try:
            staff_check_status_checked(actor=user, staff_check_id=data["staff_check_id"], checked_on=data["checked_on"])
        except SERVICE_ERRORS as error:
            apply_service_error(status_form, error)
        else:
            messages.success(request, "The status check was recorded.")
            return redirect("staff_check_member", membership_id=member.pk)
    today = timezone.localdate()
    checks = list(staff_checks_for_member(user, member))
    latest = next((check for check in checks if check.issued_on <= today), None)
    return render(
        request,
        "safeguarding/staff_check_member.html",
        {
            "member": member,
            "checks": checks,
            "status": status_on(latest.renewal_due_on if latest else None, today),
            "latest": latest,
            "record_form": record_form,
            "status_form": status_form,
            "can_change": can_change,
            "today": today,
        },
    )


# --- Risk assessment templates ------------------------------------------------------------------------------------


@login_required
def risk_templates(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(request, "safeguarding/risk_templates.html", {"rows": risk_templates_visible_to(user)})


@login_required
@require_http_methods(["GET", "POST"])
def risk_template_edit(request: HttpRequest, opportunity_type: str) -> HttpResponse:
    user = acting_user(request)
    row = risk_template_for_type(user, opportunity_type)
    formset = TemplateLineFormSet(request.POST or None, initial=row.hazards, prefix="lines")
    if request.method == "POST" and formset.is_valid():
        lines = [form.cleaned_data for form in formset.forms if form.cleaned_data]
        try:
            risk_template_save(actor=user, opportunity_type=opportunity_type, hazards=lines)
        except SERVICE_ERRORS as error:
            formset.forms[0].add_error(None, error.message if isinstance(error, ApplicationError) else error)
        else:
            messages.success(request, f"The template for {row.label.lower()} was saved.")
            return redirect("risk_templates")
    errors = [error for form in formset.forms for error in form.non_field_errors()]
    errors += list(formset.non_form_errors())
    return render(
        request, "safeguarding/risk_template_edit.html", {"row": row, "formset": formset, "form_errors": errors}
    )


# --- Risk assessments ---------------------------------------------------------------------------------------------


@login_required
def risk_assessments(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    status = request.GET.get("status") or None
    if status not in dict(LIST_STATUS_CHOICES):
        status = None
    engagements = engagements_with_risk_status(user, status=status)
    page = Paginator(engagements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "safeguarding/risk_assessments.html",
        {"page": page, "status": status, "statuses": LIST_STATUS_CHOICES},
    )


def _details_initial(assessment: RiskAssessment) -> dict[str, Any]:
    return {name: getattr(assessment, name) for name in RiskAssessmentForm.base_fields}


RA_ACTIONS = {"create", "update", "add_hazard", "remove_hazard", "submit", "approve", "return"}


@login_required
@require_http_methods(["GET", "POST"])
def risk_assessment_page(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = engagement_get_for_risk(user, engagement_id)
    assessment = risk_assessment_for_engagement(user, engagement)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and action not in RA_ACTIONS:
        action = None
    posted = request.POST if action else None
    staff = list(memberships_visible_to(user, status=Membership.Status.ACTIVE, staff_only=True))
    details_form = RiskAssessmentForm(
        posted if action == "update" else None, initial=_details_initial(assessment) if assessment else None
    )
    hazard_form = HazardForm(posted if action == "add_hazard" else None, staff=staff)
    return_form = ReturnForm(posted if action == "return" else None)
    done: str | None = None
    page_errors: list[dict[str, str]] = []
    try:
        if action == "create":
            risk_assessment_create(actor=user, engagement_id=engagement.pk)
            done = "The risk assessment was started from the template. Check each part and add what is missing."
        elif assessment is not None and action == "update" and details_form.is_valid():
            risk_assessment_update(actor=user, assessment_id=assessment.pk, **details_form.cleaned_data)
            done = "The risk assessment was saved."
        elif assessment is not None and action == "add_hazard" and hazard_form.is_valid():
            hazard_add(actor=user, assessment_id=assessment.pk, **hazard_form.cleaned_data)
            done = "The hazard was added."
        elif assessment is not None and action == "remove_hazard":
            hazard_id = request.POST.get("hazard_id", "")
            hazard_remove(
                actor=user,
                assessment_id=assessment.pk,
                hazard_id=int(hazard_id) if hazard_id.isascii() and hazard_id.isdigit() and len(hazard_id) < 19 else 0,
            )
            done = "The hazard was removed."
        elif assessment is not None and action == "submit":
            risk_assessment_submit(actor=user, assessment_id=assessment.pk)
            done = "The risk assessment was sent to the safeguarding leads for approval."
        elif assessment is not None and action == "approve":
            risk_assessment_approve(actor=user, assessment_id=assessment.pk)
            done = "The risk assessment was approved."
        elif assessment is not None and action == "return" and return_form.is_valid():
            risk_assessment_return(actor=user, assessment_id=assessment.pk, **return_form.cleaned_data)
            done = "The risk assessment was returned to draft with your reason."
    except SERVICE_ERRORS as error:
        bound = {"update": details_form, "add_hazard": hazard_form, "return": return_form}.get(action or "")
        if bound is not None and bound.is_bound:
            apply_service_error(bound, error)
        else:  # a button with no fields (create, submit, approve, remove): say so at the top, linked to the field
            page_errors.append(_page_error(error, details_form, hazard_form))
    if done:
        messages.success(request, done)
        return redirect("risk_assessment_page", engagement_id=engagement.pk)
    if assessment is not None and action:
        assessment = risk_assessment_for_engagement(user, engagement)  # show what is saved now
    can_change = user.has_perm("safeguarding.change_riskassessment", assessment or engagement)
    is_lead = user.has_perm("safeguarding.approve_riskassessment", assessment or engagement)
    wrote_it = bool(assessment) and is_lead and risk_assessment_written_by(user, assessment)  # type: ignore[arg-type]
    return render(
        request,
        "safeguarding/risk_assessment.html",
        {
            "engagement": engagement,
            "assessment": assessment,
            "details_form": details_form,
            "hazard_form": hazard_form,
            "return_form": return_form,
            "can_change": can_change,
            "can_approve": is_lead and not wrote_it,
            "is_lead": is_lead,
            "wrote_it": wrote_it,
            "ratio": staff_ratio(assessment.staff_count, assessment.young_people_count) if assessment else "",
            "last_returned": risk_assessment_last_returned(user, assessment) if assessment else None,
            "Status": RiskAssessment.Status,
            "forms_with_errors": [f for f in (details_form, hazard_form, return_form) if f.errors],
            "page_errors": page_errors,
        },
    )


# --- Care details for the staff lead ------------------------------------------------------------------------------


@login_required
@never_cache
def engagement_care_details(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    sheet = care_details_open(actor=user, engagement_id=engagement_id)  # 404 unless the lead, around the date
    return render(request, "safeguarding/care_details_sheet.html", {"sheet": sheet})


# --- Follow-ups and debriefs --------------------------------------------------------------------------------------


@login_required
def followups(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    mine_only = request.GET.get("mine") == "1"
    status = request.GET.get("status") or None
    if status not in FollowUpTask.Status.values:
        status = None
    tasks = followups_visible_to(user, now=timezone.now(), mine_only=mine_only, status=status)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "safeguarding/followups.html",
        {"page": page, "mine_only": mine_only, "status": status, "statuses": FollowUpTask.Status.choices},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def followup_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    user = acting_user(request)
    task = followup_get_for_actor(user, task_id)
    form = FollowUpDoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            followup_complete(actor=user, task_id=task.pk, **form.cleaned_data)
        except SERVICE_ERRORS as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "The follow-up was marked done.")
            return redirect("followups")
    return render(
        request,
        "safeguarding/followup_detail.html",
        {
            "task": task,
            "checkin": task.checkin,
            "form": form,
            "show_comment": checkin_comment_visible(user, task),
            "show_note": followup_note_visible(user, task),
            "can_change": user.has_perm("safeguarding.change_followup", task),
            "is_overdue": task.status == FollowUpTask.Status.OPEN and task.due_at < timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def engagement_debrief(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = engagement_get_for_debrief(user, engagement_id)
    form = DebriefForm(request.POST or None, attendees=debrief_attendees(engagement))
    if request.method == "POST" and form.is_valid():
        try:
            debrief_record(actor=user, engagement_id=engagement.pk, **form.cleaned_data)
        except SERVICE_ERRORS as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "The debrief notes were saved.")
            return redirect("followups")
    return render(request, "safeguarding/debrief.html", {"engagement": engagement, "form": form})


# --- The young person's own pages ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "safeguarding.check_in")
    engagements = list(checkin_engagements_for_self(user, now=timezone.now()))
    form = CheckInForm(
        request.POST or None, engagements=engagements, initial={"engagement_id": request.GET.get("session")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            checkin = checkin_create(actor=user, **form.cleaned_data)
        except SERVICE_ERRORS as error:
            apply_service_error(form, error)
        else:
            task = getattr(checkin, "follow_up", None)
            if task is not None:
                due = timezone.localtime(task.due_at)
                messages.success(
                    request,
                    f"Thank you for checking in. {task.assigned_to.get_short_name()} will get in touch with you "
                    f"by {due:%-I:%M%p on %A}.".replace("AM on", "am on").replace("PM on", "pm on"),
                )
            else:
                messages.success(request, "Thank you for checking in.")
            return redirect("young_person_home")
    return render(request, "safeguarding/check_in.html", {"form": form})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_details(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    profile = care_details_for_self(user)
    initial = {name: getattr(profile, name) for name in CareDetailsForm.base_fields} if profile else None
    form = CareDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and profile is not None and form.is_valid():
        try:
            care_details_update(actor=user, **form.cleaned_data)
        except SERVICE_ERRORS as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Your details were saved.")
            return redirect("my_details")
    return render(request, "safeguarding/my_details.html", {"form": form, "profile": profile})


urlpatterns = [
    path("staff/checks/", staff_checks, name="staff_checks"),
    path("staff/checks/<int:membership_id>/", staff_check_member, name="staff_check_member"),
    path("staff/risk-templates/", risk_templates, name="risk_templates"),
    path("staff/risk-templates/<str:opportunity_type>/", risk_template_edit, name="risk_template_edit"),
    path("staff/risk-assessments/", risk_assessments, name="risk_assessments"),
    path(
        "staff/engagements/<int:engagement_id>/risk-assessment/",
        risk_assessment_page,
        name="risk_assessment_page",
    ),
    path(
        "staff/engagements/<int:engagement_id>/care-details/",
        engagement_care_details,
        name="engagement_care_details",
    ),
    path("staff/engagements/<int:engagement_id>/debrief/", engagement_debrief, name="engagement_debrief"),
    path("staff/follow-ups/", followups, name="followups"),
    path("staff/follow-ups/<int:task_id>/", followup_detail, name="followup_detail"),
    path("me/check-in/", check_in, name="check_in"),
    path("me/details/", my_details, name="my_details"),
]
