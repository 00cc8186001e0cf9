"""Consent pages.

- /me/consents/: a young person sees each kind of consent, what it means in plain words and where they are, and says
  yes, no, or changes their mind (withdraws) on /me/consents/<kind>/.
- /staff/consents/: workers see every young person with what is missing; /staff/consents/<membership>/ shows one
  person's consents and history, and leads to recording a paper or verbal consent (with the scanned form), emailing
  a parent or carer a link, withdrawing, and recording a competence (Gillick) judgement. The scanned form is served
  only by consent_document, as an attachment, to people who may see consents. /staff/consents/policy/ holds the
  partnership's rule on competence judgements.
- /consent/<token>/: a parent or carer's page (no account): give or refuse consent by a signed link that works once;
  then a confirmation with a link to withdraw (also emailed), and /consent/withdraw/<token>/ to withdraw.

Thin: parse, call a selector or service, render. A link that is not right, has expired or was used shows a page that
says what to do next; nothing is recorded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from core.permissions import require
from core.ratelimit import signed_link
from frontend.forms import consent as consent_forms
from frontend.views.home import acting_user, apply_service_error
from participants.models import Membership, Partnership
from safeguarding.models import Consent, ConsentMethod, ConsentType
from safeguarding.selectors.consent import (
    ConsentSummary,
    competence_assessments_for,
    consent_get_for_actor,
    consent_overview_rows,
    consent_requests_visible_to,
    consent_summary,
    consents_visible_to,
    own_consent_summary,
    policy_get_for_actor,
    young_people_for_consents,
    young_person_get_for_consents,
)
from safeguarding.services.consent import (
    ADULT,
    CONTENT_TYPES,
    EXPIRED,
    EXPLANATIONS,
    MISSING,
    OWN_TYPES,
    RECEIPT,
    REFUSED,
    RENEW,
    SELF,
    WITHDRAW,
    WITHDRAWN,
    ConsentLinkError,
    ConsentState,
    competence_assessment_record,
    consent_from_token,
    consent_give_own,
    consent_record,
    consent_request_answer,
    consent_request_from_token,
    consent_request_send,
    consent_state,
    consent_token_make,
    consent_withdraw,
    consent_withdraw_by_link,
    is_by_parent_or_carer,
    parent_explanation,
    safeguarding_policy_update,
)

ServiceError = (ApplicationError, DjangoValidationError)

# What a young person is asked, kind by kind.
QUESTIONS: dict[str, str] = {
    ConsentType.TAKING_PART: "Do you agree to take part as a young scrutineer?",
    ConsentType.MEDIA: "Can we take and use photos and film of you?",
    ConsentType.DATA_SHARING: "Can we share information about you when the work needs it?",
    ConsentType.EMERGENCY_MEDICAL: "Can staff agree to urgent medical treatment for you in an emergency?",
}
SHORT_LABELS: dict[str, str] = {
    ConsentType.TAKING_PART: "Taking part",
    ConsentType.PARENT_CARER: "Your parent or carer",
    ConsentType.MEDIA: "Photos and film",
    ConsentType.DATA_SHARING: "Sharing information",
    ConsentType.EMERGENCY_MEDICAL: "Emergency medical treatment",
}


@dataclass(frozen=True)
class Tag:
    text: str
    colour: str  # a govuk-tag modifier: green, grey, yellow, blue, red


def _date(moment: datetime.datetime | datetime.date | None) -> str:
    if moment is None:
        return ""
    day = timezone.localdate(moment) if isinstance(moment, datetime.datetime) else moment
    return f"{day:%-d %B %Y}"


# --- The young person's own consents -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnCard:
    consent_type: str
    title: str
    explanation: str
    status: str
    tag: Tag
    action: str
    url: str


def _who(consent: Consent) -> str:
    return "You" if not is_by_parent_or_carer(consent) else f"Your {consent.relationship.lower()}"


def _own_status(state: ConsentState) -> tuple[str, Tag, str]:
    """(what happened, the tag, the link text) for one kind, in words for the young person."""
    latest = state.latest
    if latest is None or state.reason == MISSING:
        return "You have not chosen yet.", Tag("To do", "blue"), "Choose"
    when = _date(latest.given_at)
    if state.counts:
        return f"{_who(latest)} said yes on {when}.", Tag("Yes", "green"), "Change your mind"
    if state.reason == REFUSED:
        return f"{_who(latest)} said no on {when}.", Tag("No", "grey"), "Change your mind"
    if state.reason == WITHDRAWN:
        return (
            f"{_who(latest)} said yes, then changed your mind on {_date(latest.withdrawn_at)}."
            if not is_by_parent_or_carer(latest)
            else f"{_who(latest)} said yes, then withdrew it on {_date(latest.withdrawn_at)}.",
            Tag("No", "grey"),
            "Choose again",
        )
    if state.reason == EXPIRED:
        return (
            f"Your consent ended on {_date(latest.expires_on)}. Please choose again.",
            Tag("Choose again", "yellow"),
            "Choose again",
        )
    if state.reason == RENEW:
        return (
            f"You chose before you turned {state.renewal_age}. Now you are {state.renewal_age}, please choose again.",
            Tag("Choose again", "yellow"),
            "Choose again",
        )
    if state.reason == ADULT:
        return (
            "Your parent or carer chose for you. Now you are 18, please choose for yourself.",
            Tag("Choose again", "yellow"),
            "Choose again",
        )
    return "You have not chosen yet.", Tag("To do", "blue"), "Choose"  # pragma: no cover - every reason is above


@login_required
@require_GET
def own_consents(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    summary = own_consent_summary(user, timezone.localdate())
    cards = []
    for state in summary.states:
        status, tag, action = _own_status(state)
        cards.append(
            OwnCard(
                state.consent_type,
                SHORT_LABELS[state.consent_type],
                EXPLANATIONS[state.consent_type],
                status,
                tag,
                action,
                reverse("consent_own_decide", args=[state.consent_type]),
            )
        )
    parent: tuple[str, Tag] | None = None
    if summary.parent_needed:
        parent_state = consent_state_for(summary, ConsentType.PARENT_CARER)
        if parent_state.counts and parent_state.latest is not None:
            who = parent_state.latest.relationship.lower()
            parent = (f"Your {who} said yes on {_date(parent_state.latest.given_at)}.", Tag("Yes", "green"))
        elif summary.competence_stands_in:
            parent = ("A worker has agreed that you can decide this for yourself.", Tag("Not needed", "green"))
        elif parent_state.reason in {REFUSED, WITHDRAWN}:
            parent = (
                "Your parent or carer has not given their consent. Talk to your participation worker.",
                Tag("No", "grey"),
            )
        else:
            parent = ("We are waiting for your parent or carer. We email them a link.", Tag("Waiting", "blue"))
    return render(
        request,
        "consent/own_list.html",
        {
            "cards": cards,
            "parent": parent,
            "parent_explanation": EXPLANATIONS[ConsentType.PARENT_CARER],
            "partnership": user.partnership,
        },
    )


def consent_state_for(summary: ConsentSummary, consent_type: str) -> ConsentState:
    """The state of one kind from a summary, working it out if the summary was made for other kinds."""
    for state in summary.states:
        if state.consent_type == consent_type:
            return state
    return consent_state(summary.facts, consent_type, summary.on)


@login_required
@require_http_methods(["GET", "POST"])
def own_consent_decide(request: HttpRequest, consent_type: str) -> HttpResponse:
    user = acting_user(request)
    if consent_type not in OWN_TYPES:
        raise Http404("No such consent.")
    summary = own_consent_summary(user, timezone.localdate())
    state = consent_state_for(summary, consent_type)
    withdrawable = state.current if state.current is not None and not is_by_parent_or_carer(state.current) else None
    action = request.POST.get("action") if request.method == "POST" else None
    decide_form = consent_forms.OwnDecisionForm(
        request.POST if action == "decide" else None, question=QUESTIONS[consent_type]
    )
    withdraw_form = consent_forms.OwnWithdrawForm(request.POST if action == "withdraw" else None)
    if action == "decide" and decide_form.is_valid():
        try:
            consent_give_own(
                actor=user, consent_type=consent_type, give=decide_form.cleaned_data["decision"] == consent_forms.YES
            )
        except ServiceError as error:
            apply_service_error(decide_form, error)
        else:
            said = "yes" if decide_form.cleaned_data["decision"] == consent_forms.YES else "no"
            messages.success(request, f"You said {said} to: {SHORT_LABELS[consent_type].lower()}.")
            return redirect("consent_own_list")
    elif action == "withdraw" and withdraw_form.is_valid():
        try:
            consent_id = int(request.POST.get("consent", ""))
        except ValueError:
            raise Http404("No such consent.") from None
        try:
            consent_withdraw(actor=user, consent_id=consent_id, reason=withdraw_form.cleaned_data["reason"])
        except ServiceError as error:
            apply_service_error(withdraw_form, error)
        else:
            messages.success(
                request, f"You have changed your mind about: {SHORT_LABELS[consent_type].lower()}. It stops now."
            )
            return redirect("consent_own_list")
    status, tag, _ = _own_status(state)
    return render(
        request,
        "consent/own_decide.html",
        {
            "consent_type": consent_type,
            "title": SHORT_LABELS[consent_type],
            "question": QUESTIONS[consent_type],
            "explanation": EXPLANATIONS[consent_type],
            "status": status,
            "tag": tag,
            "withdrawable": withdrawable,
            "decide_form": decide_form,
            "withdraw_form": withdraw_form,
            "action": action,
            "filmed_note": consent_type == ConsentType.MEDIA,
        },
    )


# --- Staff: everyone, one person, and the records -----------------------------------------------------------------


@login_required
@require_GET
def consent_overview(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    search = request.GET.get("search", "").strip()[:100]
    memberships = young_people_for_consents(user, search=search or None)
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    rows = consent_overview_rows(list(page.object_list), timezone.localdate())
    return render(
        request,
        "consent/overview.html",
        {
            "page": page,
            "rows": rows,
            "search": search,
            "can_change_policy": user.has_perm("safeguarding.change_policy", user.partnership),
        },
    )


@dataclass(frozen=True)
class StaffRow:
    label: str
    status: str
    tag: Tag
    detail: str


def _staff_row(state: ConsentState) -> StaffRow:
    latest = state.latest
    label = str(ConsentType(state.consent_type).label)
    if latest is None:
        return StaffRow(label, "None recorded", Tag("Missing", "blue"), "")
    who = "the young person" if not is_by_parent_or_carer(latest) else f"{latest.given_by_name} ({latest.relationship})"
    detail = f"{latest.get_status_display()} by {who}, {latest.get_method_display().lower()}, {_date(latest.given_at)}"
    if latest.expires_on:
        detail += f"; expires {_date(latest.expires_on)}"
    words = {
        REFUSED: ("Refused", "grey"),
        WITHDRAWN: (f"Withdrawn on {_date(latest.withdrawn_at)}", "red"),
        EXPIRED: (f"Expired on {_date(latest.expires_on)}", "yellow"),
        RENEW: (f"Given before they turned {state.renewal_age}: ask again", "yellow"),
        ADULT: ("Given by a parent or carer: stopped counting at 18", "yellow"),
    }
    if state.counts:
        return StaffRow(label, "", Tag("Given", "green"), detail)
    text, colour = words.get(state.reason, ("Missing", "blue"))
    return StaffRow(label, text, Tag(text.split(":")[0].split(" on ")[0], colour), detail)


def _history_line(consent: Consent) -> str:
    """Who gave it, how and when, in one sentence."""
    who = consent.given_by_name
    if is_by_parent_or_carer(consent):
        who += f" ({consent.relationship})"
    parts = [f"{_date(consent.given_at)}: {who}", consent.get_method_display().lower()]
    if consent.witness_name:
        parts.append(f"witnessed by {consent.witness_name}")
    if consent.age_when_given is not None:
        parts.append(f"aged {consent.age_when_given}")
    line = ", ".join(parts) + "."
    if consent.recorded_by is not None:
        line += f" Recorded by {consent.recorded_by.full_name}."
    return line


@login_required
@require_GET
def consent_person(request: HttpRequest, membership_id: int) -> HttpResponse:
    user = acting_user(request)
    membership = young_person_get_for_consents(user, membership_id)
    today = timezone.localdate()
    summary = consent_summary(membership, today)
    return render(
        request,
        "consent/person.html",
        {
            "member": membership,
            "summary": summary,
            "rows": [_staff_row(state) for state in summary.states],
            "history": [
                (consent, _history_line(consent)) for consent in consents_visible_to(user, membership_id=membership.pk)
            ],
            "links": list(consent_requests_visible_to(user, membership_id=membership.pk)[:20]),
            "assessments": list(competence_assessments_for(user, membership)[:20]),
            "can_change": user.has_perm("safeguarding.change_consent", membership),
            "now": timezone.now(),
        },
    )


def _person(request: HttpRequest, membership_id: int) -> tuple[Any, Membership]:
    """The acting worker and the young person, for pages that change consent records (403 / 404 as due)."""
    user = acting_user(request)
    membership = young_person_get_for_consents(user, membership_id)
    require(user, "safeguarding.change_consent", membership)
    return user, membership


@login_required
@require_http_methods(["GET", "POST"])
def consent_record_page(request: HttpRequest, membership_id: int) -> HttpResponse:
    user, membership = _person(request, membership_id)
    form = consent_forms.RecordConsentForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_self = data["given_by"] == consent_forms.SELF
        paper = data["method"] == ConsentMethod.PAPER_FORM
        try:
            consent_record(
                actor=user,
                membership_id=membership.pk,
                consent_type=data["consent_type"],
                give=data["decision"] == consent_forms.GIVEN,
                given_by_name="" if by_self else data["given_by_name"],
                relationship=SELF if by_self else data["relationship"],
                method=data["method"],
                witness_name="" if paper else data["witness_name"],
                document=data["document"] if paper else None,
                scope=data["scope"],
                given_on=data["given_on"],
                expires_on=data["expires_on"],
            )
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Consent recorded for {membership.user.full_name}.")
            return redirect("consent_person", membership_id=membership.pk)
    return render(request, "consent/record.html", {"member": membership, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consent_link_page(request: HttpRequest, membership_id: int) -> HttpResponse:
    user, membership = _person(request, membership_id)
    form = consent_forms.ParentLinkForm(
        request.POST if request.method == "POST" else None, initial={"consent_type": ConsentType.PARENT_CARER}
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent_request_send(actor=user, membership_id=membership.pk, **form.cleaned_data)
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request, f"We have emailed {form.cleaned_data['parent_name']} a link. It works once, for 14 days."
            )
            return redirect("consent_person", membership_id=membership.pk)
    return render(request, "consent/link.html", {"member": membership, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def competence_page(request: HttpRequest, membership_id: int) -> HttpResponse:
    user, membership = _person(request, membership_id)
    today = timezone.localdate()
    summary = consent_summary(membership, today, kinds=())
    form = consent_forms.CompetenceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            competence_assessment_record(
                actor=user,
                membership_id=membership.pk,
                is_competent=form.cleaned_data["is_competent"] == consent_forms.YES,
                reasoning=form.cleaned_data["reasoning"],
                review_on=form.cleaned_data["review_on"],
            )
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Competence judgement recorded for {membership.user.full_name}.")
            return redirect("consent_person", membership_id=membership.pk)
    return render(
        request,
        "consent/competence.html",
        {"member": membership, "form": form, "summary": summary, "under_16": summary.parent_needed},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw_page(request: HttpRequest, membership_id: int, consent_id: int) -> HttpResponse:
    user, membership = _person(request, membership_id)
    consent = consent_get_for_actor(user, consent_id, membership_id=membership.pk)
    form = consent_forms.StaffWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_withdraw(actor=user, consent_id=consent.pk, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{consent.get_consent_type_display()}: withdrawn. It stops now.")
            return redirect("consent_person", membership_id=membership.pk)
    return render(request, "consent/withdraw.html", {"member": membership, "consent": consent, "form": form})


@login_required
@require_GET
def consent_document(request: HttpRequest, membership_id: int, consent_id: int) -> FileResponse:
    """The scanned paper form, as a download, only for people who may see consents (never a public address)."""
    user = acting_user(request)
    require(user, "safeguarding.view_consent")
    consent = consent_get_for_actor(user, consent_id, membership_id=membership_id)
    if not consent.document:
        raise Http404("No paper form is attached.")
    kind = consent.document.name.rsplit(".", 1)[-1].lower()
    try:
        handle = consent.document.open("rb")
    except FileNotFoundError:
        raise Http404("The paper form is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"consent-form-{consent.pk}.{kind}",
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def consent_policy(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    policy = policy_get_for_actor(user)
    current = consent_forms.YES if policy.allow_competence_for_parent_consent else consent_forms.NO
    form = consent_forms.PolicyForm(
        request.POST if request.method == "POST" else None,
        initial={"allow_competence_for_parent_consent": current},
    )
    if request.method == "POST" and form.is_valid():
        allow = form.cleaned_data["allow_competence_for_parent_consent"] == consent_forms.YES
        try:
            safeguarding_policy_update(actor=user, allow_competence_for_parent_consent=allow)
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "The consent policy is saved.")
            return redirect("consent_policy")
    return render(request, "consent/policy.html", {"form": form, "policy": policy})


# --- A parent or carer, by signed link (no account) ----------------------------------------------------------------


def _link_problem(request: HttpRequest, error: ConsentLinkError) -> HttpResponse:
    partnership: Partnership | None = error.partnership
    return render(
        request,
        "consent/link_problem.html",
        {"reason": error.reason, "partnership": partnership},
        status=200 if error.reason == "withdrawn" else 400,
    )


@signed_link
@never_cache
@require_http_methods(["GET", "POST"])
def parent_consent(request: HttpRequest, token: str) -> HttpResponse:
    try:
        consent_request = consent_request_from_token(token)
    except ConsentLinkError as error:
        return _link_problem(request, error)
    membership = consent_request.membership
    name = membership.user.get_short_name()
    form = consent_forms.ParentAnswerForm(
        request.POST if request.method == "POST" else None,
        initial={"given_by_name": consent_request.parent_name},
        young_person=name,
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent = consent_request_answer(
                token=token,
                given_by_name=form.cleaned_data["given_by_name"],
                relationship=form.cleaned_data["relationship"],
                give=form.cleaned_data["decision"] == consent_forms.YES,
            )
        except ConsentLinkError as error:
            return _link_problem(request, error)
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            return redirect("consent_parent_answered", token=consent_token_make(RECEIPT, consent.pk))
    return render(
        request,
        "consent/parent.html",
        {
            "form": form,
            "consent_request": consent_request,
            "name": name,
            "partnership": consent_request.partnership,
            "kind": consent_request.consent_type,
            "explanation": parent_explanation(consent_request.consent_type, membership),
        },
    )


@signed_link
@never_cache
@require_GET
def parent_consent_answered(request: HttpRequest, token: str) -> HttpResponse:
    try:
        consent = consent_from_token(RECEIPT, token)
    except ConsentLinkError as error:
        return _link_problem(request, error)
    given = consent.status != Consent.Status.REFUSED
    withdraw_url = reverse("consent_parent_withdraw", args=[consent_token_make(WITHDRAW, consent.pk)]) if given else ""
    return render(
        request,
        "consent/parent_answered.html",
        {
            "consent": consent,
            "given": given,
            "name": consent.membership.user.get_short_name(),
            "partnership": consent.partnership,
            "withdraw_url": withdraw_url,
        },
    )


@signed_link
@never_cache
@require_http_methods(["GET", "POST"])
def parent_consent_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    try:
        consent = consent_from_token(WITHDRAW, token)
    except ConsentLinkError as error:
        return _link_problem(request, error)
    form = consent_forms.ParentWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and consent.status == Consent.Status.GIVEN and form.is_valid():
        try:
            consent_withdraw_by_link(token=token, reason=form.cleaned_data["reason"])
        except ConsentLinkError as error:
            if error.reason != "withdrawn":
                return _link_problem(request, error)
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            return redirect("consent_parent_withdraw", token=token)
        consent.refresh_from_db()
    return render(
        request,
        "consent/parent_withdraw.html",
        {
            "consent": consent,
            "form": form,
            "name": consent.membership.user.get_short_name(),
            "partnership": consent.partnership,
            "withdrawn": consent.status == Consent.Status.WITHDRAWN,
        },
    )


urlpatterns: list[URLPattern] = [
    path("me/consents/", own_consents, name="consent_own_list"),
    path("me/consents/<str:consent_type>/", own_consent_decide, name="consent_own_decide"),
    path("staff/consents/", consent_overview, name="consent_overview"),
    path("staff/consents/policy/", consent_policy, name="consent_policy"),
    path("staff/consents/<int:membership_id>/", consent_person, name="consent_person"),
    path("staff/consents/<int:membership_id>/record/", consent_record_page, name="consent_record"),
    path("staff/consents/<int:membership_id>/link/", consent_link_page, name="consent_link"),
    path("staff/consents/<int:membership_id>/competence/", competence_page, name="consent_competence"),
    path(
        "staff/consents/<int:membership_id>/<int:consent_id>/withdraw/",
        consent_withdraw_page,
        name="consent_withdraw",
    ),
    path("staff/consents/<int:membership_id>/<int:consent_id>/form/", consent_document, name="consent_document"),
    path("consent/answered/<str:token>/", parent_consent_answered, name="consent_parent_answered"),
    path("consent/withdraw/<str:token>/", parent_consent_withdraw, name="consent_parent_withdraw"),
    path("consent/<str:token>/", parent_consent, name="consent_parent"),
]
