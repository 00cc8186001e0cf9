"""The staff pages of the feedback loop: participation workers write down what young people recommended in an
engagement (and who made it); the scrutiny lead records the partnership's response, changes it, adds dated timeline
entries and evidence, groups recommendations under results, sees the responses past their due date and chooses
whether the public "you said, we did" page is published.

Thin: parse input, call a selector or service, render. The rules live in engagements.services.feedback; its
refusals are shown against the fields they name, keeping what was typed. Another partnership's record is a 404.
The evidence file is also served to the young people who made the recommendation (their impact feed links here).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import IO, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from core.permissions import require
from core.tenancy import scope
from core.uploads import CONTENT_TYPES
from engagements.models import (
    Engagement,
    OpportunityType,
    Recommendation,
    RecommendationResponse,
    ResponseEvidence,
    Result,
)
from engagements.selectors.feedback import (
    evidence_get_for_actor,
    feedback_settings_for,
    is_overdue,
    overdue_q,
    recommendation_candidates,
    recommendation_engagement_get_for_actor,
    recommendation_get_for_actor,
    recommendations_visible_to,
    response_get_for_actor,
    result_get_for_actor,
    result_progress,
    results_visible_to,
)
from engagements.selectors.feedback import (
    overdue_responses as overdue_responses_for,
)
from engagements.services.feedback import (
    RESPONSE_FIELDS,
    evidence_add,
    evidence_remove,
    feedback_settings_update,
    recommendation_create,
    recommendation_update,
    response_record,
    response_update,
    result_create,
    result_update,
    timeline_entry_add,
)
from frontend.forms.feedback import (
    NO_RESPONSE,
    SERVICE_FIELD_TO_FORM,
    YES,
    EvidenceForm,
    FeedbackSettingsForm,
    RecommendationFilterForm,
    RecommendationForm,
    ResponseEditForm,
    ResponseRecordForm,
    ResultForm,
    TimelineEntryForm,
)
from frontend.forms.opportunities import apply_error
from frontend.views.home import acting_user
from participants.models import Membership, User

ServiceError = (ApplicationError, DjangoValidationError)
VIEW_RECOMMENDATION = "engagements.view_recommendation"
CHANGE_RECOMMENDATION = "engagements.change_recommendation"
CHANGE_RESPONSE = "engagements.change_response"
CHANGE_SETTINGS = "engagements.change_feedbacksettings"
Status = RecommendationResponse.Status
PAGE_SIZE = 25


def _staff(request: HttpRequest, perm: str = VIEW_RECOMMENDATION) -> User:
    """Staff of the partnership with `perm` (young people have their own pages: the impact feed)."""
    user: User = acting_user(request)
    if not (user.is_partnership_staff and user.has_perm(perm)):
        raise PermissionDenied("You do not have permission to do that.")
    return user


def response_of(recommendation: Recommendation) -> RecommendationResponse | None:
    """The recommendation's response, or None while the partnership has not responded."""
    return getattr(recommendation, "response", None)


def days_overdue(response: RecommendationResponse | None, today: datetime.date) -> int:
    """How many days past its due date an open response is (0 when it is not overdue)."""
    if response is None or response.due_on is None or not is_overdue(response, today):
        return 0
    return (today - response.due_on).days


def _optional_url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- The list ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    recommendation: Recommendation
    response: RecommendationResponse | None
    days_overdue: int


def _filtered(recommendations: QuerySet[Recommendation], filters: dict[str, Any], today: datetime.date) -> Any:
    if "engagement" in filters:
        recommendations = recommendations.filter(engagement_id=filters["engagement"])
    if "theme" in filters:
        recommendations = recommendations.filter(theme=filters["theme"])
    if "agency" in filters:
        recommendations = recommendations.filter(agency=filters["agency"])
    for name in ("decision", "status"):
        if name in filters:
            value = filters[name]
            if value == NO_RESPONSE:
                recommendations = recommendations.filter(response__isnull=True)
            else:
                recommendations = recommendations.filter(**{f"response__{name}": value})
    if filters.get("overdue") == YES:
        recommendations = recommendations.filter(overdue_q(today, "response__"))
    return recommendations


@login_required
@require_GET
def recommendation_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    today = timezone.localdate()
    everything = recommendations_visible_to(user)
    plain = everything.order_by().prefetch_related(None)
    # The engagements that have recommendations, and the one asked for (from its page) even while it has none.
    asked = request.GET.get("engagement", "")
    wanted = Q(pk__in=plain.values("engagement_id")) | (
        Q(pk=int(asked)) if asked.isdigit() and len(asked) < 10 else Q(pk__in=[])
    )
    engagements = list(scope(Engagement.objects.all(), user).filter(wanted).order_by("-starts_at", "pk"))
    form = RecommendationFilterForm(
        request.GET or None,
        engagements=engagements,
        themes=plain.values_list("theme", flat=True).distinct().order_by("theme"),
        agencies=plain.values_list("agency", flat=True).distinct().order_by("agency"),
    )
    filters = form.filters()
    chosen = _filtered(everything, filters, today)
    counts = chosen.order_by().aggregate(
        total=Count("pk"),
        no_response=Count("pk", filter=Q(response__isnull=True)),
        overdue=Count("pk", filter=overdue_q(today, "response__")),
        **{status: Count("pk", filter=Q(response__status=status)) for status in Status.values},
    )
    page = Paginator(chosen.select_related("engagement", "response", "result"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        Row(recommendation, response_of(recommendation), days_overdue(response_of(recommendation), today))
        for recommendation in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    engagement = next((e for e in engagements if e.pk == filters.get("engagement")), None)
    return render(
        request,
        "feedback/recommendation_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "counts": counts,
            "status_counts": [(label, counts[value]) for value, label in Status.choices],
            "filtered_engagement": engagement,
            "can_add": user.has_perm(CHANGE_RECOMMENDATION),
            "can_respond": user.has_perm(CHANGE_RESPONSE),
        },
    )


# --- A recommendation: new, change, its page ------------------------------------------------------------------------


def _is_section_11(engagement: Engagement) -> bool:
    return bool(engagement.opportunity_type == OpportunityType.SECTION_11_PANEL)


def _recommendation_form(
    request: HttpRequest,
    user: User,
    *,
    engagement: Engagement,
    recommendation: Recommendation | None,
    initial: dict[str, Any] | None,
) -> tuple[RecommendationForm, list[Membership]]:
    candidates = recommendation_candidates(engagement)
    known = {person.pk for person in candidates}
    if recommendation is not None:
        # Anyone already named stays on the list (to be taken off), even if no longer confirmed or marked present.
        current = [c.membership for c in recommendation.contributions.all()]
        candidates += [person for person in current if person.pk not in known]
    form = RecommendationForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        candidate_ids=[person.pk for person in candidates],
        results=list(results_visible_to(user).order_by("title", "pk")),
        section_11=_is_section_11(engagement)
        or bool(recommendation is not None and recommendation.section_11_standard),
    )
    return form, candidates


def _render_recommendation_form(
    request: HttpRequest,
    form: RecommendationForm,
    candidates: list[Membership],
    *,
    engagement: Engagement,
    recommendation: Recommendation | None,
) -> HttpResponse:
    return render(
        request,
        "feedback/recommendation_form.html",
        {
            "form": form,
            "engagement": engagement,
            "recommendation": recommendation,
            "candidates": candidates,
            "selected": form.selected_ids(),
            "anonymous": form.anonymous_selected_ids(),
            "section_11": "section_11_standard" in form.fields,
            "agencies_under_review": engagement.agencies_under_review or [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_new(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = _staff(request, CHANGE_RECOMMENDATION)
    engagement = recommendation_engagement_get_for_actor(user, engagement_id)
    require(user, CHANGE_RECOMMENDATION, engagement)
    form, candidates = _recommendation_form(request, user, engagement=engagement, recommendation=None, initial=None)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = recommendation_create(actor=user, engagement_id=engagement.pk, **form.service_fields())
        except ServiceError as error:
            apply_error(form, error, SERVICE_FIELD_TO_FORM)
        else:
            messages.success(request, "The recommendation was added.")
            return redirect("recommendation_detail", recommendation_id=recommendation.pk)
    return _render_recommendation_form(request, form, candidates, engagement=engagement, recommendation=None)


def _current_fields(recommendation: Recommendation) -> dict[str, Any]:
    return {
        "text": recommendation.text,
        "theme": recommendation.theme,
        "agency": recommendation.agency,
        "section_11_standard": recommendation.section_11_standard,
        "contributors": sorted((c.membership_id, c.is_anonymous) for c in recommendation.contributions.all()),
        "result_id": recommendation.result_id,
        "weight": recommendation.weight,
        "is_public": recommendation.is_public,
    }


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    user = _staff(request, CHANGE_RECOMMENDATION)
    recommendation = recommendation_get_for_actor(user, recommendation_id)
    require(user, CHANGE_RECOMMENDATION, recommendation)
    current = _current_fields(recommendation)
    initial = {
        **{name: current[name] for name in ("text", "theme", "agency", "section_11_standard", "weight")},
        "result": recommendation.result_id,
        "is_public": YES if recommendation.is_public else "no",
        "contributor_ids": [pk for pk, _ in current["contributors"]],
        "anonymous_ids": [pk for pk, anonymous in current["contributors"] if anonymous],
    }
    engagement = recommendation.engagement
    form, candidates = _recommendation_form(
        request, user, engagement=engagement, recommendation=recommendation, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        wanted = form.service_fields()
        if "section_11_standard" not in form.fields:
            wanted.pop("section_11_standard")
        changes = {
            name: value
            for name, value in wanted.items()
            if (sorted(value) if name == "contributors" else value) != current[name]
        }
        try:
            if changes:
                recommendation_update(actor=user, recommendation_id=recommendation.pk, **changes)
        except ServiceError as error:
            apply_error(form, error, SERVICE_FIELD_TO_FORM)
        else:
            messages.success(request, "Your changes were saved." if changes else "Nothing was changed.")
            return redirect("recommendation_detail", recommendation_id=recommendation.pk)
    return _render_recommendation_form(request, form, candidates, engagement=engagement, recommendation=recommendation)


@login_required
@require_GET
def recommendation_detail(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    user = _staff(request)
    today = timezone.localdate()
    recommendation = recommendation_get_for_actor(user, recommendation_id)
    response = response_of(recommendation)
    can_change_response = user.has_perm(CHANGE_RESPONSE, recommendation)
    context: dict[str, Any] = {
        "recommendation": recommendation,
        "contributions": list(recommendation.contributions.all()),
        "response": response,
        "days_overdue": days_overdue(response, today),
        "can_change": user.has_perm(CHANGE_RECOMMENDATION, recommendation),
        "can_change_response": can_change_response,
        "can_see_engagement": user.has_perm("engagements.view_engagement", recommendation.engagement),
        "result_progress": result_progress(recommendation.result) if recommendation.result is not None else None,
    }
    if response is not None:
        context["evidence"] = list(response.evidence.all())
        context["timeline"] = list(
            response.timeline.select_related("created_by").order_by("-happened_on", "-created_at", "-pk")
        )
        context["ratings"] = list(response.ratings.select_related("membership__user").order_by("-updated_at", "-pk"))
    return render(request, "feedback/recommendation_detail.html", context)


# --- The response -------------------------------------------------------------------------------------------------


def _service_error(form: Any, error: ApplicationError | DjangoValidationError) -> None:
    apply_error(form, error, SERVICE_FIELD_TO_FORM)


@login_required
@require_http_methods(["GET", "POST"])
def response_record_page(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    user = _staff(request, CHANGE_RESPONSE)
    recommendation = recommendation_get_for_actor(user, recommendation_id)
    require(user, CHANGE_RESPONSE, recommendation)
    existing = response_of(recommendation)
    if existing is not None:
        return redirect("response_edit", response_id=existing.pk)
    form = ResponseRecordForm(
        request.POST if request.method == "POST" else None, initial={"owner_agency": recommendation.agency}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            response_record(
                actor=user,
                recommendation_id=recommendation.pk,
                owner_agency=data["owner_agency"],
                owner_name=data["owner_name"],
                owner_email=data["owner_email"],
                decision=data["decision"],
                decision_reason=data["decision_reason"],
                due_on=data["due_on"],
                happened_on=data["happened_on"],
            )
        except ServiceError as error:
            _service_error(form, error)
        else:
            messages.success(request, "The response was recorded. The young people who made it are told.")
            return redirect("recommendation_detail", recommendation_id=recommendation.pk)
    return render(request, "feedback/response_form.html", {"form": form, "recommendation": recommendation})


NOTHING_CHANGED = "Change at least one answer, or write a note for the young people"


@login_required
@require_http_methods(["GET", "POST"])
def response_edit(request: HttpRequest, response_id: int) -> HttpResponse:
    user = _staff(request, CHANGE_RESPONSE)
    response = response_get_for_actor(user, response_id)
    require(user, CHANGE_RESPONSE, response)
    current = {name: getattr(response, name) for name in RESPONSE_FIELDS}
    form = ResponseEditForm(
        request.POST if request.method == "POST" else None, initial=current, current_status=response.status
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {name: data[name] for name in RESPONSE_FIELDS if data[name] != current[name]}
        if not changes and not data["note"]:
            form.add_error(None, NOTHING_CHANGED)
        else:
            try:
                response_update(
                    actor=user,
                    response_id=response.pk,
                    changes=changes,
                    happened_on=data["happened_on"],
                    note=data["note"],
                )
            except ServiceError as error:
                _service_error(form, error)
            else:
                messages.success(request, "Your changes were saved.")
                return redirect("recommendation_detail", recommendation_id=response.recommendation_id)
    return render(
        request,
        "feedback/response_form.html",
        {"form": form, "recommendation": response.recommendation, "response": response},
    )


@login_required
@require_http_methods(["GET", "POST"])
def timeline_entry_new(request: HttpRequest, response_id: int) -> HttpResponse:
    user = _staff(request, CHANGE_RESPONSE)
    response = response_get_for_actor(user, response_id)
    require(user, CHANGE_RESPONSE, response)
    form = TimelineEntryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            timeline_entry_add(
                actor=user,
                response_id=response.pk,
                text=form.cleaned_data["text"],
                happened_on=form.cleaned_data["happened_on"],
            )
        except ServiceError as error:
            _service_error(form, error)
        else:
            messages.success(request, "The entry was added. The young people who made it are told.")
            return redirect("recommendation_detail", recommendation_id=response.recommendation_id)
    return render(
        request,
        "feedback/timeline_entry_form.html",
        {"form": form, "response": response, "recommendation": response.recommendation},
    )


# --- Evidence -----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evidence_new(request: HttpRequest, response_id: int) -> HttpResponse:
    user = _staff(request, CHANGE_RESPONSE)
    response = response_get_for_actor(user, response_id)
    require(user, CHANGE_RESPONSE, response)
    posted = request.method == "POST"
    form = EvidenceForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            evidence_add(
                actor=user,
                response_id=response.pk,
                title=data["title"],
                link=data["link"],
                file=cast("IO[bytes] | None", data["file"] or None),
            )
        except ServiceError as error:
            _service_error(form, error)
        else:
            messages.success(request, "The evidence was added. The young people who made it are told.")
            return redirect("recommendation_detail", recommendation_id=response.recommendation_id)
    return render(
        request,
        "feedback/evidence_form.html",
        {
            "form": form,
            "response": response,
            "recommendation": response.recommendation,
            "file_was_chosen": posted and bool(request.FILES.get("file")),
        },
    )


def _evidence_for(user: User, evidence_id: int) -> tuple[ResponseEvidence, Recommendation]:
    """Evidence of the actor's partnership whose recommendation they may see (staff, or a young person who made
    it); a 404 for anyone else, exactly like evidence that does not exist."""
    evidence = evidence_get_for_actor(user, evidence_id)
    recommendation = recommendation_get_for_actor(user, evidence.response.recommendation_id)
    if not user.has_perm(VIEW_RECOMMENDATION, recommendation):
        raise Http404("No such evidence.")
    return evidence, recommendation


@login_required
@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    """The evidence's file, as a download."""
    user: User = acting_user(request)
    evidence, _ = _evidence_for(user, evidence_id)
    if not evidence.file:
        raise Http404("No file is attached.")
    kind = evidence.file_kind or evidence.file.name.rsplit(".", 1)[-1].lower()
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"evidence-{evidence.pk}.{kind}",
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def evidence_remove_page(request: HttpRequest, evidence_id: int) -> HttpResponse:
    user = _staff(request, CHANGE_RESPONSE)
    evidence, recommendation = _evidence_for(user, evidence_id)
    require(user, CHANGE_RESPONSE, evidence.response)
    error = ""
    if request.method == "POST":
        try:
            evidence_remove(actor=user, evidence_id=evidence.pk)
        except ApplicationError as refusal:
            error = refusal.message
        except DjangoValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, f"“{evidence.title}” was removed.")
            return redirect("recommendation_detail", recommendation_id=recommendation.pk)
    return render(
        request,
        "feedback/evidence_remove.html",
        {"evidence": evidence, "recommendation": recommendation, "error": error},
    )


# --- Results ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    result: Result
    progress: int | None
    recommendations: list[Recommendation]


@login_required
@require_GET
def result_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    page = Paginator(results_visible_to(user).order_by("title", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    results = list(page.object_list)
    grouped: dict[int, list[Recommendation]] = {result.pk: [] for result in results}
    for recommendation in (
        recommendations_visible_to(user).filter(result__in=results).select_related("response").order_by("pk")
    ):
        grouped[cast(int, recommendation.result_id)].append(recommendation)
    rows = [ResultRow(result, result_progress(result), grouped[result.pk]) for result in results]
    return render(
        request,
        "feedback/result_list.html",
        {"page": page, "rows": rows, "can_change": user.has_perm(CHANGE_RESPONSE)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_new(request: HttpRequest) -> HttpResponse:
    user = _staff(request, CHANGE_RESPONSE)
    form = ResultForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = result_create(actor=user, **form.cleaned_data)
        except ServiceError as error:
            _service_error(form, error)
        else:
            messages.success(
                request, f"“{result.title}” was added. Choose it on each recommendation that is part of it."
            )
            return redirect(f"{reverse('result_list')}#result-{result.pk}")
    return render(request, "feedback/result_form.html", {"form": form, "result": None})


@login_required
@require_http_methods(["GET", "POST"])
def result_edit(request: HttpRequest, result_id: int) -> HttpResponse:
    user = _staff(request, CHANGE_RESPONSE)
    result = result_get_for_actor(user, result_id)
    require(user, CHANGE_RESPONSE, result)
    form = ResultForm(
        request.POST if request.method == "POST" else None,
        initial={"title": result.title, "description": result.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            result_update(actor=user, result_id=result.pk, **form.cleaned_data)
        except ServiceError as error:
            _service_error(form, error)
        else:
            messages.success(request, "Your changes were saved.")
            return redirect(f"{reverse('result_list')}#result-{result.pk}")
    return render(request, "feedback/result_form.html", {"form": form, "result": result})


# --- Overdue responses and the public page's settings ----------------------------------------------------------------


@login_required
@require_GET
def overdue_responses(request: HttpRequest) -> HttpResponse:
    user = _staff(request, CHANGE_RESPONSE)
    today = timezone.localdate()
    responses = overdue_responses_for(user, today).select_related("recommendation__engagement")
    page = Paginator(responses.order_by("due_on", "pk"), 50).get_page(request.GET.get("page"))
    rows = [(response, days_overdue(response, today)) for response in page.object_list]
    return render(request, "feedback/overdue_responses.html", {"page": page, "rows": rows, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def feedback_settings(request: HttpRequest) -> HttpResponse:
    user = _staff(request, CHANGE_SETTINGS)
    partnership = user.partnership
    require(user, CHANGE_SETTINGS, partnership)
    current = feedback_settings_for(partnership)
    initial = {"public_page": YES if current.public_page else "no", "public_intro": current.public_intro}
    form = FeedbackSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_settings_update(
                actor=user,
                public_page=form.cleaned_data["public_page"] == YES,
                public_intro=form.cleaned_data["public_intro"],
            )
        except ServiceError as error:
            _service_error(form, error)
        else:
            published = form.cleaned_data["public_page"] == YES
            messages.success(
                request, "The public page is published." if published else "The public page is not published."
            )
            return redirect("feedback_settings")
    public_path = _optional_url("public_feedback", partnership.slug)
    return render(
        request,
        "feedback/settings.html",
        {
            "form": form,
            "current": current,
            "public_url": request.build_absolute_uri(public_path) if public_path else "",
        },
    )


urlpatterns: list[URLPattern] = [
    path("recommendations/", recommendation_list, name="recommendation_list"),
    path(
        "engagements/<int:engagement_id>/recommendations/new/",
        recommendation_new,
        name="recommendation_new",
    ),
    path("recommendations/<int:recommendation_id>/", recommendation_detail, name="recommendation_detail"),
    path("recommendations/<int:recommendation_id>/edit/", recommendation_edit, name="recommendation_edit"),
    path("recommendations/<int:recommendation_id>/response/", response_record_page, name="response_record"),
    path("responses/<int:response_id>/edit/", response_edit, name="response_edit"),
    path("responses/<int:response_id>/timeline/new/", timeline_entry_new, name="timeline_entry_new"),
    path("responses/<int:response_id>/evidence/new/", evidence_new, name="evidence_new"),
    path("responses/overdue/", overdue_responses, name="overdue_responses"),
    path("evidence/<int:evidence_id>/file/", evidence_file, name="evidence_file"),
    path("evidence/<int:evidence_id>/remove/", evidence_remove_page, name="evidence_remove"),
    path("results/", result_list, name="result_list"),
    path("results/new/", result_new, name="result_new"),
    path("results/<int:result_id>/edit/", result_edit, name="result_edit"),
    path("settings/feedback/", feedback_settings, name="feedback_settings"),
]
