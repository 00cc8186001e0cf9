"""Onboarding: the young person's "what is left before you can take part", everyone's checklists for workers, and
referring a friend."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require
from frontend.forms.onboarding import ReferralForm
from frontend.views.home import acting_user, apply_service_error
from participants.models import OnboardingItem
from participants.selectors.onboarding import onboarding_overview
from participants.selectors.recruitment import open_rounds
from participants.services.onboarding import onboarding_item_complete
from participants.services.recruitment import referral_create


@login_required
def onboarding_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    only_incomplete = request.GET.get("show") != "all"
    memberships = onboarding_overview(user, only_incomplete=only_incomplete)
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "onboarding/overview.html",
        {"page": page, "only_incomplete": only_incomplete, "statuses": OnboardingItem.Status},
    )


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=OnboardingItem.Status.choices)


@login_required
@require_POST
def onboarding_item_update(request: HttpRequest, membership_id: int, key: str) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.change_onboarding")  # 403 before the form is read
    form = ItemStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose done, not needed or to do.")
    else:
        try:
            item = onboarding_item_complete(
                actor=user, membership_id=membership_id, key=key, status=form.cleaned_data["status"]
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{item.label}: {item.get_status_display().lower()}.")
    next_url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(next_url if safe else "onboarding_overview")


@login_required
@require_http_methods(["GET", "POST"])
def refer_friend(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "participants.refer_friend")
    rounds = list(open_rounds(user.partnership))
    form = ReferralForm(request.POST or None, rounds=rounds)
    if request.method == "POST" and form.is_valid():
        try:
            referral_create(
                actor=user,
                round_id=int(form.cleaned_data["round"]),
                friend_name=form.cleaned_data["friend_name"],
                friend_email=form.cleaned_data["friend_email"],
            )
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"We have emailed {form.cleaned_data['friend_name']} an invitation. Thank you!")
            return redirect("young_person_home")
    return render(request, "onboarding/refer.html", {"form": form, "rounds": rounds})


urlpatterns = [
    path("staff/onboarding/", onboarding_list, name="onboarding_overview"),
    path(
        "staff/onboarding/<int:membership_id>/<str:key>/",
        onboarding_item_update,
        name="onboarding_item_update",
    ),
    path("me/refer/", refer_friend, name="refer_friend"),
]
