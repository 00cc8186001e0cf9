"""The young person's side of the feedback loop, and the public "you said, we did" page.

- impact_feed: "You said, we did" cards for the recommendations the young person made, newest news first, with
  the decision (and why, when it was not accepted), the status and progress, the due date, the evidence and the
  timeline, and a form to rate each response. Visiting the feed marks the news on the cards it shows as read:
  those cards are tagged "New" on that visit, and not on the next one.
- impact_rate: the rating form on its own page (where errors are shown; the feed's cards post here too).
- feedback_preferences: how often they want emails, and whether to keep hearing after they leave.
- notification_list and notifications_mark_read: anyone's own notifications.
- public_feedback: no sign-in. Only when the partnership publishes its page, only recommendations marked public,
  and no personal data: no young person's name, no owner's name or email, no rating, no evidence file.

Thin: parse input, call a selector or service, render. The rules live in engagements.services.feedback.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.db.models.expressions import Combinable
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from engagements.models import (
    FeedbackPreference,
    FeedbackSettings,
    Notification,
    Recommendation,
    RecommendationResponse,
    ResponseEvidence,
    ResponseRating,
    TimelineEntry,
)
from engagements.selectors.feedback import (
    OWN_RATINGS,
    impact_feed_for,
    notifications_for,
    public_recommendations,
    response_get_for_actor,
)
from engagements.services.feedback import feedback_preference_update, notifications_mark_read, response_rate
from frontend.forms.impact import RATING_WORDS, FeedbackPreferenceForm, RatingForm
from frontend.views.home import acting_user

ServiceError = (ApplicationError, DjangoValidationError)
FEED_PAGE_SIZE = 20
NOTIFICATIONS_PAGE_SIZE = 50
PUBLIC_CACHE_SECONDS = 300
OPEN_STATUSES = (RecommendationResponse.Status.NOT_STARTED, RecommendationResponse.Status.IN_PROGRESS)


def _young_person(request: HttpRequest) -> Any:
    user = acting_user(request)
    if not user.has_perm("engagements.view_impact_feed"):
        raise PermissionDenied("This page is for young scrutineers.")
    return user


def _show_error(form: forms.Form, error: ApplicationError | DjangoValidationError) -> None:
    """A service's refusal, against the field it names when the form has it (else at the top of the form)."""
    if isinstance(error, ApplicationError):
        name = error.extra.get("field")
        form.add_error(name if name in form.fields else None, error.message)
        return
    if hasattr(error, "error_dict"):
        for name, problems in error.error_dict.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
        return
    form.add_error(None, error)


def _response_of(recommendation: Recommendation) -> RecommendationResponse | None:
    try:
        return recommendation.response
    except ObjectDoesNotExist:
        return None


def _own_rating(response: RecommendationResponse, membership_id: int) -> ResponseRating | None:
    """The young person's own rating: what the feed's selector prefetched (OWN_RATINGS), else one query."""
    prefetched: list[ResponseRating] | None = getattr(response, OWN_RATINGS, None)
    if prefetched is not None:
        return next((rating for rating in prefetched if rating.membership_id == membership_id), None)
    return response.ratings.filter(membership_id=membership_id).first()


def _page_number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and int(value) > 0 else None


def _feed_url(response_id: int, page: int | None = None) -> str:
    query = f"?page={page}" if page and page > 1 else ""
    return f"{reverse('impact_feed')}{query}#response-{response_id}"


def _is_late(response: RecommendationResponse | None, today: datetime.date) -> bool:
    return bool(response and response.due_on and response.due_on < today and response.status in OPEN_STATUSES)


@dataclass
class Card:
    """One "you said, we did" card: a recommendation, and what became of it (if anything yet)."""

    recommendation: Recommendation
    response: RecommendationResponse | None
    timeline: list[TimelineEntry] = field(default_factory=list)
    evidence: list[ResponseEvidence] = field(default_factory=list)
    rating: ResponseRating | None = None
    rating_words: str = ""
    form: RatingForm | None = None
    is_new: bool = False
    is_late: bool = False
    made_with: str = ""  # the other young people who made it: names of those who chose to be named, else a count


def _made_with(recommendation: Recommendation, membership_id: int) -> str:
    """ "Ada Lovelace, Sam Hill and 2 other young people": the others who made it, never naming the anonymous."""
    others = [c for c in recommendation.contributions.all() if c.membership_id != membership_id]
    parts = [c.membership.user.full_name for c in others if not c.is_anonymous]
    unnamed = sum(1 for c in others if c.is_anonymous)
    if unnamed:
        parts.append(f"{unnamed} other young {'person' if unnamed == 1 else 'people'}")
    return parts[0] if len(parts) == 1 else (", ".join(parts[:-1]) + f" and {parts[-1]}" if parts else "")


def _rating_form(response: RecommendationResponse, rating: ResponseRating | None, data: Any = None) -> RatingForm:
    initial = {"score": rating.score, "comment": rating.comment} if rating else None
    return RatingForm(data, prefix=f"rate-{response.pk}", initial=initial)


def _cards(recommendations: Iterable[Recommendation], membership_id: int, new_ids: set[int]) -> list[Card]:
    today = timezone.localdate()
    cards = []
    for recommendation in recommendations:
        response = _response_of(recommendation)
        card = Card(recommendation=recommendation, response=response, is_late=_is_late(response, today))
        card.made_with = _made_with(recommendation, membership_id)
        if response is not None:
            card.timeline = list(response.timeline.all())
            card.evidence = list(response.evidence.all())
            card.rating = _own_rating(response, membership_id)
            card.rating_words = RATING_WORDS.get(card.rating.score, "") if card.rating else ""
            card.form = _rating_form(response, card.rating)
            card.is_new = response.pk in new_ids
        cards.append(card)
    return cards


def _mark_news_read(user: Any, response_ids: set[int]) -> set[int]:
    """Mark read the young person's unread news about the responses on this page; returns those responses' ids."""
    if not response_ids:
        return set()
    unread = list(
        notifications_for(user)
        .filter(kind=Notification.Kind.FEEDBACK, read_at__isnull=True, response_id__in=response_ids)
        .values_list("pk", "response_id")
    )
    if not unread:
        return set()
    notifications_mark_read(actor=user, notification_ids=[pk for pk, _ in unread])
    return {response_id for _, response_id in unread}


@login_required
@require_GET
def impact_feed(request: HttpRequest) -> HttpResponse:
    user = _young_person(request)
    page = Paginator(impact_feed_for(user), FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    recommendations = list(page.object_list)
    response_ids = {response.pk for response in map(_response_of, recommendations) if response is not None}
    new_ids = _mark_news_read(user, response_ids)
    cards = _cards(recommendations, user.membership.pk, new_ids)
    cards.sort(key=lambda card: not card.is_new)  # stable: the new ones first, each group still newest first
    return render(request, "impact/feed.html", {"page": page, "cards": cards, "new_count": len(new_ids)})


@login_required
@require_http_methods(["GET", "POST"])
def impact_rate(request: HttpRequest, response_id: int) -> HttpResponse:
    user = _young_person(request)
    response = response_get_for_actor(user, response_id)
    # Only the young people who made the recommendation rate its response; for anyone else it is not there.
    if not user.has_perm("engagements.rate_response", response):
        raise Http404("No such response.")
    page = _page_number(request.GET.get("page"))
    rating = _own_rating(response, user.membership.pk)
    form = _rating_form(response, rating, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            response_rate(
                actor=user,
                response_id=response.pk,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ServiceError as error:
            _show_error(form, error)
        else:
            messages.success(
                request,
                f"Thank you. Your rating was sent to {response.owner_agency} and your scrutiny lead.",
            )
            return redirect(_feed_url(response.pk, page))
    return render(
        request,
        "impact/rate.html",
        {
            "response": response,
            "recommendation": response.recommendation,
            "rating": rating,
            "rating_words": RATING_WORDS.get(rating.score, "") if rating else "",
            "form": form,
            "page_number": page,
            "back_url": _feed_url(response.pk, page),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def feedback_preferences(request: HttpRequest) -> HttpResponse:
    user = _young_person(request)
    try:
        current: FeedbackPreference | None = user.membership.feedback_preference
    except ObjectDoesNotExist:
        current = None
    initial = {
        "email": current.email if current else FeedbackPreference.Email.IMMEDIATELY,
        "after_leaving": current.after_leaving if current else False,
    }
    form = FeedbackPreferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_preference_update(
                actor=user, email=form.cleaned_data["email"], after_leaving=form.cleaned_data["after_leaving"]
            )
        except ServiceError as error:
            _show_error(form, error)
        else:
            messages.success(request, "Your choices were saved.")
            return redirect("feedback_preferences")
    return render(request, "impact/preferences.html", {"form": form})


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = Paginator(notifications_for(user), NOTIFICATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    notifications = list(page.object_list)
    return render(
        request,
        "impact/notifications.html",
        {
            "page": page,
            "notifications": notifications,
            "has_unread": any(notification.read_at is None for notification in notifications),
        },
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark the notifications named (notification_id, repeated) read, or all of one's own when none are named."""
    user = acting_user(request)
    named = request.POST.getlist("notification_id")
    if any(not value.isdigit() for value in named):
        raise Http404("No such notification.")
    count = notifications_mark_read(actor=user, notification_ids=[int(value) for value in named] or None)
    messages.success(request, "Marked as read." if count else "There was nothing new to mark as read.")
    return redirect("notification_list")


# --- The public page ------------------------------------------------------------------------------------------

GROUP_BY_THEME = "theme"
GROUP_BY_RESULT = "result"
NO_RESULT = "Other recommendations"
PUBLIC_PAGE_SIZE = 50  # recommendations a page: the page does the same work however many a partnership publishes


@dataclass
class PublicItem:
    recommendation: Recommendation
    response: RecommendationResponse | None
    timeline: list[TimelineEntry]
    links: list[ResponseEvidence]
    is_late: bool


@dataclass
class PublicGroup:
    title: str
    items: list[PublicItem]


def _public_groups(recommendations: Iterable[Recommendation], by: str) -> list[PublicGroup]:
    today = timezone.localdate()
    groups: dict[str, list[PublicItem]] = {}
    for recommendation in recommendations:
        response = _response_of(recommendation)
        item = PublicItem(
            recommendation=recommendation,
            response=response,
            timeline=list(response.timeline.all()) if response else [],
            links=[evidence for evidence in response.evidence.all() if evidence.link] if response else [],
            is_late=_is_late(response, today),
        )
        if by == GROUP_BY_RESULT:
            title = recommendation.result.title if recommendation.result_id and recommendation.result else NO_RESULT
        else:
            title = recommendation.theme
        groups.setdefault(title, []).append(item)
    ordered = sorted(groups, key=lambda title: (title == NO_RESULT, title.casefold()))
    return [PublicGroup(title=title, items=groups[title]) for title in ordered]


@require_GET
@cache_control(public=True, max_age=PUBLIC_CACHE_SECONDS)
def public_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """No sign-in, and the same page for everyone (so a browser or proxy may keep it for a few minutes): it shows
    nothing about who is looking, sets no cookie and has no form."""
    published = get_object_or_404(
        FeedbackSettings.objects.select_related("partnership"), partnership__slug=slug, public_page=True
    )
    by = GROUP_BY_RESULT if request.GET.get("by") == GROUP_BY_RESULT else GROUP_BY_THEME
    # In the order of the groups, so that a page holds whole groups or continues the last one: by theme, or by
    # result with the recommendations that are part of none last; newest first within a group.
    group_order: list[str | Combinable] = (
        [Lower("theme"), "-created_at", "-pk"]
        if by == GROUP_BY_THEME
        else [Lower("result__title").asc(nulls_last=True), "-created_at", "-pk"]
    )
    listed = (
        public_recommendations(published.partnership)
        .order_by(*group_order)
        .select_related("result")
        .prefetch_related(
            # Not the "response recorded" entry: its words name the owner, a person. The changes and updates stay.
            Prefetch(
                "response__timeline",
                queryset=TimelineEntry.objects.exclude(kind=TimelineEntry.Kind.RESPONSE).order_by(
                    "-happened_on", "-created_at", "-pk"
                ),
            ),
            # Links only: evidence files stay inside the product.
            Prefetch(
                "response__evidence", queryset=ResponseEvidence.objects.exclude(link="").order_by("added_at", "pk")
            ),
        )
    )
    page = Paginator(listed, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    recommendations = list(page.object_list)
    # Rendered without the request: no context processor runs, so nothing about the visitor can reach the page.
    html = render_to_string(
        "impact/public.html",
        {
            "partnership": published.partnership,
            "intro": published.public_intro,
            "groups": _public_groups(recommendations, by),
            "count": page.paginator.count,
            "by": by,
            "page": page,
            "query": f"by={by}",
        },
    )
    return HttpResponse(html)


urlpatterns = [
    path("your-impact/", impact_feed, name="impact_feed"),
    path("your-impact/<int:response_id>/rate/", impact_rate, name="impact_rate"),
    path("your-impact/settings/", feedback_preferences, name="feedback_preferences"),
    path("notifications/", notification_list, name="notification_list"),
    path("notifications/read/", notifications_read, name="notifications_mark_read"),
    path("you-said-we-did/<slug:slug>/", public_feedback, name="public_feedback"),
]
