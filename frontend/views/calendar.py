"""The young person's calendar: the secret address of their ICS feed, and the feed itself.

The feed has no sign-in (calendar apps cannot sign in): the long random token in its address is the key. An
unknown token, or one of a suspended young person, is a 404. The middleware still marks the answer no-store. The
feed answers HEAD as well as GET (some calendar apps check with HEAD first).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core.permissions import require
from core.ratelimit import signed_link
from engagements.calendar import build_calendar
from engagements.models import Engagement
from engagements.selectors.opportunities import VIEW_OPPORTUNITY, calendar_engagements, calendar_feed_owner
from engagements.services.opportunities import calendar_feed_get_or_create, calendar_feed_reset
from frontend.views.home import acting_user


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, VIEW_OPPORTUNITY)
    if request.method == "POST":
        calendar_feed_reset(actor=user)
        messages.success(request, "You have a new calendar address. The old one has stopped working.")
        return redirect("calendar_settings")
    feed = calendar_feed_get_or_create(actor=user)
    address = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))
    webcal = "webcal://" + address.split("://", 1)[1]
    return render(request, "calendar/settings.html", {"address": address, "webcal": webcal})


@signed_link
@require_safe  # GET and HEAD: calendar apps ask with HEAD whether the feed has changed
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    membership = calendar_feed_owner(token)
    engagements = calendar_engagements(membership)
    try:
        reverse("opportunity_detail", args=[1])
        has_detail = True
    except NoReverseMatch:
        has_detail = False

    def detail_url(engagement: Engagement) -> str | None:
        if not has_detail:
            return None
        return request.build_absolute_uri(reverse("opportunity_detail", args=[engagement.pk]))

    body = build_calendar(membership, engagements, now=timezone.now(), detail_url=detail_url)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="young-scrutineers.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("calendar/", calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
