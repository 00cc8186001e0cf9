"""The portfolio: the young person's own page (what they have done, skills, reference letters), the workers' view
of anyone's portfolio (confirm skills, sign off letters), the partnership's skill list, and the letter PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require
from frontend.forms.portfolio import ReferenceRequestForm, SkillClaimForm, SkillDecisionForm, SkillForm
from frontend.views.home import acting_user, apply_service_error
from participants.reference_letters import reference_letter_pdf
from participants.selectors.portfolio import (
    own_membership,
    portfolio_for,
    portfolio_membership_get_for_actor,
    reference_get_for_download,
    skills_for,
)
from participants.services.portfolio import (
    reference_request,
    reference_sign_off,
    skill_claim_confirm,
    skill_claim_create,
    skill_claim_not_confirm,
    skill_create,
    skill_set_active,
)


@login_required
def my_portfolio(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.view_young_person_home")
    portfolio = portfolio_for(user, own_membership(user).pk)
    return render(request, "portfolio/mine.html", {"portfolio": portfolio})


@login_required
@require_http_methods(["GET", "POST"])
def claim_skill(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.claim_skill")
    portfolio = portfolio_for(user, own_membership(user).pk)
    claimed = {claim.skill_id for claim in portfolio.skill_claims}
    skills = [skill for skill in skills_for(user, active_only=True) if skill.pk not in claimed]
    form = SkillClaimForm(request.POST or None, skills=skills)
    if request.method == "POST" and form.is_valid():
        try:
            claim = skill_claim_create(
                actor=user, skill_id=int(form.cleaned_data["skill"]), example=form.cleaned_data["example"]
            )
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"You added {claim.skill.name}. A participation worker will check it.")
            return redirect("my_portfolio")
    return render(request, "portfolio/claim_skill.html", {"form": form, "skills": skills})


@login_required
@require_http_methods(["GET", "POST"])
def request_reference(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.request_reference")
    portfolio = portfolio_for(user, own_membership(user).pk)
    form = ReferenceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reference_request(actor=user, addressed_to=form.cleaned_data["addressed_to"])
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "You asked for a reference letter. A participation worker will check it.")
            return redirect("my_portfolio")
    return render(request, "portfolio/request_reference.html", {"form": form, "portfolio": portfolio})


@login_required
def staff_portfolio(request: HttpRequest, membership_id: int) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.view_staff_home")
    portfolio = portfolio_for(user, membership_id)
    return render(
        request,
        "portfolio/staff.html",
        {
            "portfolio": portfolio,
            "can_confirm": user.has_perm("participants.confirm_skill", portfolio.membership),
            "can_sign_off": user.has_perm("participants.sign_off_reference", portfolio.membership),
        },
    )


@login_required
@require_POST
def decide_skill_claim(request: HttpRequest, membership_id: int, claim_id: int) -> HttpResponse:
    user = acting_user(request)
    portfolio_membership_get_for_actor(user, membership_id)
    form = SkillDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose confirm or not confirmed.")
    else:
        try:
            if form.cleaned_data["decision"] == "confirm":
                claim = skill_claim_confirm(actor=user, claim_id=claim_id)
            else:
                claim = skill_claim_not_confirm(actor=user, claim_id=claim_id, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{claim.skill.name}: {claim.get_status_display().lower()}.")
    return redirect("staff_portfolio", membership_id=membership_id)


@login_required
@require_POST
def sign_off_reference(request: HttpRequest, membership_id: int, reference_id: int) -> HttpResponse:
    user = acting_user(request)
    portfolio_membership_get_for_actor(user, membership_id)
    try:
        reference_sign_off(actor=user, reference_id=reference_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "You signed off the letter. They can now download it.")
    return redirect("staff_portfolio", membership_id=membership_id)


@login_required
@require_http_methods(["GET", "POST"])
def skill_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.change_skill")
    form = SkillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            skill = skill_create(
                actor=user, name=form.cleaned_data["name"], description=form.cleaned_data["description"]
            )
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"You added {skill.name} to the list.")
            return redirect("skill_list")
    return render(request, "portfolio/skills.html", {"form": form, "skills": list(skills_for(user))})


@login_required
@require_POST
def skill_toggle(request: HttpRequest, skill_id: int) -> HttpResponse:
    user = acting_user(request)
    is_active = request.POST.get("is_active") == "true"
    skill = skill_set_active(actor=user, skill_id=skill_id, is_active=is_active)
    messages.success(request, f"{skill.name} is {'back on' if is_active else 'off'} the list.")
    return redirect("skill_list")


@login_required
def reference_pdf(request: HttpRequest, reference_id: int) -> HttpResponse:
    user = acting_user(request)
    letter = reference_get_for_download(user, reference_id)
    response = HttpResponse(reference_letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="reference-{letter.pk}.pdf"'
    return response


urlpatterns = [
    path("me/portfolio/", my_portfolio, name="my_portfolio"),
    path("me/portfolio/skills/add/", claim_skill, name="portfolio_claim_skill"),
    path("me/portfolio/references/request/", request_reference, name="portfolio_request_reference"),
    path("staff/portfolio/<int:membership_id>/", staff_portfolio, name="staff_portfolio"),
    path(
        "staff/portfolio/<int:membership_id>/skills/<int:claim_id>/",
        decide_skill_claim,
        name="portfolio_decide_skill_claim",
    ),
    path(
        "staff/portfolio/<int:membership_id>/references/<int:reference_id>/sign-off/",
        sign_off_reference,
        name="portfolio_sign_off_reference",
    ),
    path("staff/skills/", skill_list, name="skill_list"),
    path("staff/skills/<int:skill_id>/", skill_toggle, name="skill_toggle"),
    path("portfolio/references/<int:reference_id>.pdf", reference_pdf, name="reference_pdf"),
]
