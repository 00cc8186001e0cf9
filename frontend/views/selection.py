"""Pages for selection: the worker's selection page for an engagement (candidates, eligibility, load, the fair pick,
and the decisions), and the young person's opportunity page (interest, withdrawal, their status) and their
engagements. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from engagements.models import Engagement, Interest
from engagements.selectors.attendance import marking_opens_at
from engagements.selectors.selection import (
    OPEN_FOR_SELECTION,
    CandidateRow,
    can_move,
    candidates_for,
    engagement_get_for_selection,
    fair_pick,
    invitable_young_people,
    my_engagements_for,
    opportunity_for_young_person,
    places_left,
    ratio_cap,
)
from engagements.services.selection import (
    interest_express,
    interest_withdraw,
    place_cancel,
    place_confirm,
    place_decline,
    place_invite,
    place_waitlist,
    when,
)
from frontend.forms.selection import ConfirmForm, InterestForm, InviteForm, ReasonForm, WithdrawForm
from frontend.views.home import acting_user, apply_service_error

SERVICE_ERRORS = (ApplicationError, DjangoValidationError)
Status = Interest.Status
ROW_ACTIONS = {"confirm", "waitlist", "decline", "cancel"}


def _posted_id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


def _message(error: ApplicationError | DjangoValidationError) -> str:
    return error.message if isinstance(error, ApplicationError) else " ".join(error.messages)


# --- The worker's selection page -----------------------------------------------------------------------------------


@dataclass
class Card:
    """One candidate on the selection page, with the forms for the moves open to them."""

    row: CandidateRow
    confirm_form: ConfirmForm
    decline_form: ReasonForm
    cancel_form: ReasonForm
    error: str = ""

    @property
    def interest(self) -> Interest:
        return self.row.interest

    @property
    def can_confirm(self) -> bool:
        return self.row.eligible and can_move(self.interest, Status.CONFIRMED)

    @property
    def can_waitlist(self) -> bool:
        return can_move(self.interest, Status.WAITING)

    @property
    def can_decline(self) -> bool:
        return can_move(self.interest, Status.NOT_SELECTED)

    @property
    def can_cancel(self) -> bool:
        return self.interest.status == Status.CONFIRMED

    @property
    def show_load_warning(self) -> bool:
        return self.interest.status != Status.CONFIRMED and (
            self.row.would_pass_load or "acknowledge_load" in self.confirm_form.errors
        )

    @property
    def forms(self) -> list[forms.Form]:
        return [self.confirm_form, self.decline_form, self.cancel_form]


def _card(row: CandidateRow, posted: Any, action: str | None, interest_id: int) -> Card:
    pk = row.interest.pk
    mine = interest_id == pk
    return Card(
        row=row,
        confirm_form=ConfirmForm(posted if mine and action == "confirm" else None, prefix=f"confirm-{pk}"),
        decline_form=ReasonForm(posted if mine and action == "decline" else None, prefix=f"decline-{pk}"),
        cancel_form=ReasonForm(posted if mine and action == "cancel" else None, prefix=f"cancel-{pk}"),
    )


DONE = {
    "confirm": "{name} is confirmed. We have emailed them the details.",
    "waitlist": "{name} is on the waiting list.",
    "decline": "{name} was not selected. We have emailed them.",
    "cancel": "{name}'s place was cancelled. We have emailed them.",
}


@login_required
@require_http_methods(["GET", "POST"])
def engagement_selection(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = engagement_get_for_selection(user, engagement_id)
    action = request.POST.get("action") if request.method == "POST" else None
    if action not in (*ROW_ACTIONS, "invite"):
        action = None
    interest_id = _posted_id(request, "interest_id") if action in ROW_ACTIONS else 0
    posted = request.POST if action else None
    rows = candidates_for(user, engagement)
    cards = {row.interest.pk: _card(row, posted, action, interest_id) for row in rows}
    young_people = list(invitable_young_people(user, engagement))
    invite_form = InviteForm(posted if action == "invite" else None, young_people=young_people, prefix="invite")
    page_errors: list[str] = []
    done = ""
    if action in ROW_ACTIONS and interest_id not in cards:
        raise Http404("No such candidate for this engagement.")  # another engagement's, or partnership's
    try:
        if action in ROW_ACTIONS:
            card = cards[interest_id]
            name = card.row.name
            if action == "confirm" and card.confirm_form.is_valid():
                acknowledged = bool(card.confirm_form.cleaned_data["acknowledge_load"])
                place_confirm(actor=user, interest_id=interest_id, acknowledge_load=acknowledged)
                done = DONE["confirm"].format(name=name)
            elif action == "waitlist":
                place_waitlist(actor=user, interest_id=interest_id)
                done = DONE["waitlist"].format(name=name)
            elif action == "decline" and card.decline_form.is_valid():
                place_decline(actor=user, interest_id=interest_id, reason=card.decline_form.cleaned_data["reason"])
                done = DONE["decline"].format(name=name)
            elif action == "cancel" and card.cancel_form.is_valid():
                place_cancel(actor=user, interest_id=interest_id, reason=card.cancel_form.cleaned_data["reason"])
                done = DONE["cancel"].format(name=name)
        elif action == "invite" and invite_form.is_valid():
            interest = place_invite(
                actor=user,
                engagement_id=engagement.pk,
                membership_id=invite_form.cleaned_data["membership_id"],
                acknowledge_load=bool(invite_form.cleaned_data["acknowledge_load"]),
            )
            done = DONE["confirm"].format(name=interest.membership.user.full_name)
    except SERVICE_ERRORS as error:
        acted_on = cards.get(interest_id)
        bound = {
            "confirm": acted_on.confirm_form if acted_on else None,
            "decline": acted_on.decline_form if acted_on else None,
            "cancel": acted_on.cancel_form if acted_on else None,
            "invite": invite_form,
        }.get(action or "")
        if bound is not None and bound.is_bound:
            apply_service_error(bound, error)
        else:
            page_errors.append(_message(error))
    if done:
        messages.success(request, done)
        return redirect("engagement_selection", engagement_id=engagement.pk)

    confirmed = sum(1 for row in rows if row.status == Status.CONFIRMED)
    free = places_left(engagement, engagement.attendees.count())
    suggested = {row.interest.pk for row in fair_pick(rows, free)}
    for row in rows:
        row.suggested = row.interest.pk in suggested
    all_cards = list(cards.values())
    forms_with_errors = [form for card in all_cards for form in card.forms if form.errors]
    if invite_form.errors:
        forms_with_errors.append(invite_form)
    return render(
        request,
        "selection/engagement_selection.html",
        {
            "engagement": engagement,
            "when": when(engagement),
            "cards": all_cards,
            "suggested_cards": [card for card in all_cards if card.row.suggested],
            "confirmed_count": confirmed,
            "places_left": free,
            "ratio_cap": ratio_cap(engagement),
            "is_open": engagement.status in OPEN_FOR_SELECTION and engagement.starts_at > timezone.now(),
            "marking_has_opened": timezone.now() >= marking_opens_at(engagement),
            "invite_form": invite_form,
            "young_people": young_people,
            "forms_with_errors": forms_with_errors,
            "page_errors": page_errors,
            "Status": Status,
        },
    )


# --- The young person's pages --------------------------------------------------------------------------------------

STATUS_WORDS: dict[str | None, str] = {
    None: "You have not said you are interested yet.",
    Status.INTERESTED: "You said you are interested. A participation worker will let you know if you have a place.",
    Status.WAITING: (
        "You are on the waiting list. If a place comes up and you can take part, it is yours: we will email you."
    ),
    Status.CONFIRMED: "You have a place. We have emailed you the details.",
    Status.NOT_SELECTED: "You were not selected this time.",
    Status.WITHDRAWN: "You withdrew. You can say you are interested again if you change your mind.",
    Status.CANCELLED: "Your place was cancelled.",
}


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_detail(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    view = opportunity_for_young_person(user, engagement_id)
    action = request.POST.get("action") if request.method == "POST" else None
    interest_form = InterestForm(request.POST if action == "express" else None)
    withdraw_form = WithdrawForm(request.POST if action == "withdraw" else None)
    try:
        if action == "express" and interest_form.is_valid():
            interest_express(actor=user, engagement_id=engagement_id, note=interest_form.cleaned_data["note"])
            messages.success(request, "Thank you. You said you are interested: we will let you know.")
            return redirect("opportunity_detail", engagement_id=engagement_id)
        if action == "withdraw" and withdraw_form.is_valid() and view.interest is not None:
            interest_withdraw(actor=user, interest_id=view.interest.pk, reason=withdraw_form.cleaned_data["reason"])
            messages.success(request, "You have withdrawn. Thank you for letting us know.")
            return redirect("opportunity_detail", engagement_id=engagement_id)
    except SERVICE_ERRORS as error:
        apply_service_error(interest_form if action == "express" else withdraw_form, error)
    status = view.interest.status if view.interest else None
    return render(
        request,
        "selection/opportunity_detail.html",
        {
            "view": view,
            "engagement": view.engagement,
            "when": when(view.engagement),
            "status_words": STATUS_WORDS[status],
            "interest_form": interest_form,
            "withdraw_form": withdraw_form,
            "forms_with_errors": [form for form in (interest_form, withdraw_form) if form.errors],
            "Status": Status,
            "is_cancelled": view.engagement.status == Engagement.Status.CANCELLED,
        },
    )


@login_required
def my_engagements(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    mine = my_engagements_for(user)
    sections = [
        ("Coming up", "You have no places coming up.", mine.upcoming),
        ("Waiting for a decision", "Nothing is waiting for a decision.", mine.waiting),
        ("Done", "Nothing yet.", mine.past),
    ]
    return render(
        request,
        "selection/my_engagements.html",
        {
            "sections": [
                (title, empty, [(interest, when(interest.engagement)) for interest in interests])
                for title, empty, interests in sections
            ]
        },
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/engagements/<int:engagement_id>/selection/", engagement_selection, name="engagement_selection"),
    path("opportunities/<int:engagement_id>/", opportunity_detail, name="opportunity_detail"),
    path("my-engagements/", my_engagements, name="my_engagements"),
]
