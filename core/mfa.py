"""Staff must have a second factor (TOTP) before any staff page or API; young people are never asked.

The middleware covers pages; the API base class (core.api) applies the same rule to token-authenticated
requests. Staff cannot remove their last authenticator (core.allauth.MFAAdapter).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

if TYPE_CHECKING:
    from participants.models import User

# Paths a staff member without a second factor may still reach: setting it up, signing out, static files.
# Paths a signed-in member of staff may use before setting up the second factor: signing in, assets, the health
# check, the API (which checks it itself) and the public "you said, we did" pages, which show nothing private.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/", "/you-said-we-did/")


def has_second_factor(user: User) -> bool:
    cached = getattr(user, "_has_totp", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._has_totp = cached  # type: ignore[attr-defined]
    return bool(cached)


def needs_second_factor(user: User) -> bool:
    """True when the person holds a staff role in the partnership they act in, or operates the deployment
    (Django admin access), and has no TOTP yet."""
    if not user.is_authenticated:
        return False
    must_have = user.is_partnership_staff or user.is_staff or user.is_superuser
    return bool(must_have and not has_second_factor(user))


def passed_second_factor_this_session(request: HttpRequest) -> bool:
    """Whether this browser session's sign-in included the second factor (allauth records each method used)."""
    from allauth.account.internal.flows.login import get_authentication_records

    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class NoStoreMiddleware:
    """Pages and API answers hold children's personal data: never keep them in a browser or proxy cache (a shared
    computer's back button must not show a concern after sign-out). Static files are served before this runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class RequireStaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            # Read by the safeguarding rules: concerns are only for leads who passed their second factor in this
            # very session. API tokens never set it.
            user.second_factor_this_session = passed_second_factor_this_session(request)
        if user.is_authenticated and not request.path.startswith(ALLOWED_PREFIXES) and needs_second_factor(user):
            messages.warning(
                request,
                "Staff accounts must use two-factor authentication. Set up an authenticator app to continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
