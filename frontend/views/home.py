"""Home pages, people pages, the audit log and switching partnership. Thin: parse input, call a selector or
service, render. Rules live in the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require
from core.selectors import audit_events_for_subject, audit_events_visible_to
from core.tenancy import active_memberships, switch_partnership
from engagements.models import Engagement, Notification, WorkLog
from engagements.selectors.feedback import notifications_for
from engagements.selectors.opportunities import (
    engagements_visible_to,
    next_engagement_for_young_person,
    opportunities_for_young_person,
    recently_cancelled_places,
)
from engagements.selectors.work_logs import engagements_to_log
from frontend.forms.people import NewMemberForm, ReasonForm, TeamFilterForm
from participants.models import Membership, Role
from participants.selectors import membership_get_for_actor, memberships_visible_to, staff_contacts_for
from participants.selectors.onboarding import onboarding_for_self
from participants.selectors.recruitment import open_rounds_exist
from participants.services import membership_reactivate, membership_suspend
from participants.services.people import membership_invite


def apply_service_error(form: Any, error: ApplicationError | DjangoValidationError) -> None:
    """Show a service's refusal on the form, against the field it names (or the form as a whole)."""
    if isinstance(error, ApplicationError):
        field = error.extra.get("field")
        form.add_error(field if field in form.fields else None, error.message)
    else:
        form.add_error(None, error)


def acting_user(request: HttpRequest) -> Any:
    user = request.user
    if user.membership is None:  # type: ignore[union-attr]
        raise PermissionDenied("Your account is not part of any partnership. Contact your participation worker.")
    return user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if user.is_partnership_staff:
        return redirect("staff_home")
    return redirect("young_person_home")


@login_required
def young_person_home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.view_young_person_home")
    contacts = staff_contacts_for(user)
    checklist = onboarding_for_self(user)
    context: dict[str, Any] = {
        "contacts": contacts,
        "partnership": user.partnership,
        "checklist": checklist,
        "items_left": sum(1 for item in checklist if not item.is_done),
        "items_done": sum(1 for item in checklist if item.is_done),
        "can_refer": open_rounds_exist(user.partnership),
    }
    if user.has_perm("engagements.view_opportunity"):
        from frontend.views.opportunities import optional_url  # imports this module: import here

        context["shows_opportunities"] = True
        context["next_engagement"] = next_engagement_for_young_person(user)
        context["cancelled_places"] = recently_cancelled_places(user)
        context["opportunities"] = list(opportunities_for_young_person(user, without_my_places=True)[:3])
        context["has_opportunity_detail"] = optional_url("opportunity_detail", 1) is not None
        context["my_engagements_url"] = optional_url("my_engagements")
    if user.has_perm("engagements.add_worklog"):
        # Things to do: time to log for an engagement they came to (no log yet, or a draft), and logs sent back.
        rows = engagements_to_log(user)
        rejected = WorkLog.Status.REJECTED
        context["to_log"] = [row.engagement for row in rows if row.work_log is None or row.work_log.status != rejected]
        context["sent_back"] = [row.engagement for row in rows if row.work_log and row.work_log.status == rejected]
    if user.has_perm("engagements.view_impact_feed"):
        # "Your impact": how much news about their recommendations they have not seen yet (one query).
        context["shows_impact"] = True
        context["impact_news"] = (
            notifications_for(user).filter(kind=Notification.Kind.FEEDBACK, read_at__isnull=True).count()
        )
    return render(request, "frontend/young_person_home.html", context)


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.view_staff_home")
    context: dict[str, Any] = {"membership": user.membership, "partnership": user.partnership}
    if user.has_perm("participants.view_membership"):
        active = Membership.Status.ACTIVE
        context["young_people_count"] = memberships_visible_to(user, status=active, role=Role.YOUNG_PERSON).count()
        context["staff"] = memberships_visible_to(user, status=active, staff_only=True)[:25]
    if user.has_perm("core.view_auditevent"):
        context["recent_events"] = audit_events_visible_to(user)[:10]
    if user.has_perm("engagements.view_engagement"):
        from frontend.views.opportunities import is_on_the_day  # imports this module: import here

        # Coming up: published ones only (not drafts, not cancelled). The staff lead sees which are theirs, and on the
        # day a link to mark attendance.
        now = timezone.now()
        upcoming = list(engagements_visible_to(user, status=Engagement.Status.PUBLISHED, upcoming=True)[:5])
        for engagement in upcoming:
            engagement.is_mine = engagement.staff_lead_id == user.pk  # type: ignore[attr-defined]
            engagement.mark_attendance_today = (  # type: ignore[attr-defined]
                is_on_the_day(engagement, now) and user.has_perm("engagements.mark_attendance", engagement)
            )
        context["upcoming_engagements"] = upcoming
        context["can_create_engagement"] = user.has_perm("engagements.change_engagement")
    return render(request, "frontend/staff_home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_member_new(request: HttpRequest) -> HttpResponse:
    """A partnership admin adds a person (a member of staff, usually) to the partnership."""
    user = acting_user(request)
    require(user, "participants.change_partnership", user.partnership)
    form = NewMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_invite(
                actor=user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
                job_title=form.cleaned_data["job_title"],
            )
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{membership.user.full_name} was added. We have emailed them how to sign in.")
            return redirect("team_member", membership_id=membership.pk)
    return render(request, "frontend/team_member_new.html", {"form": form})


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = TeamFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    memberships = memberships_visible_to(user, **filters)
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    can_add = user.has_perm("participants.change_partnership", user.partnership)
    return render(request, "frontend/team_list.html", {"form": form, "page": page, "perms_can_add": can_add})


@login_required
@require_http_methods(["GET", "POST"])
def team_member(request: HttpRequest, membership_id: int) -> HttpResponse:
    user = acting_user(request)
    membership = membership_get_for_actor(user, membership_id)
    can_change = user.has_perm("participants.suspend_membership", membership)
    # The form says which move it asks for; a resubmitted "suspend" is refused, never turned into a reactivation.
    action = request.POST.get("action") if request.method == "POST" else None
    suspending = action == "suspend" if action else membership.status == Membership.Status.ACTIVE
    form = ReasonForm(
        request.POST or None,
        submit_label="Suspend account" if suspending else "Reactivate account",
        warning=suspending,
        action="suspend" if suspending else "reactivate",
    )
    if request.method == "POST" and form.is_valid():
        service = membership_suspend if suspending else membership_reactivate
        try:
            service(actor=user, membership_id=membership.pk, reason=form.cleaned_data["reason"])
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            done = "suspended" if suspending else "reactivated"
            messages.success(request, f"{membership.user.full_name}'s account was {done}.")
            return redirect("team_member", membership_id=membership.pk)
    history = audit_events_for_subject(user, membership)[:50] if user.has_perm("core.view_auditevent") else None
    return render(
        request,
        "frontend/team_member.html",
        {
            "member": membership,
            "form": form,
            "can_change": can_change,
            "history": history,
            "can_see_portfolio": user.has_perm("participants.view_portfolio", membership)
            and user.has_perm("participants.view_supportsession", membership)
            and user.has_perm("safeguarding.view_consent", membership),
        },
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    events = audit_events_visible_to(user)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "frontend/audit_log.html", {"page": page})


@login_required
def partnership_switch(request: HttpRequest) -> HttpResponse:
    memberships = list(active_memberships(request.user))  # type: ignore[arg-type]
    return render(request, "frontend/partnership_switch.html", {"memberships": memberships})


@login_required
@require_POST
def partnership_switch_to(request: HttpRequest, partnership_id: int) -> HttpResponse:
    membership = switch_partnership(request, partnership_id)
    messages.success(request, f"You are now working in {membership.partnership.name}.")
    return redirect("home")


urlpatterns = [
    path("", home, name="home"),
    path("me/", young_person_home, name="young_person_home"),
    path("staff/", staff_home, name="staff_home"),
    path("staff/people/", team_list, name="team_list"),
    path("staff/people/new/", team_member_new, name="team_member_new"),
    path("staff/people/<int:membership_id>/", team_member, name="team_member"),
    path("staff/audit-log/", audit_log, name="audit_log"),
    path("partnerships/", partnership_switch, name="partnership_switch"),
    path("partnerships/<int:partnership_id>/", partnership_switch_to, name="partnership_switch_to"),
]
