"""Pages for selection: the worker's selection page for an engagement (candidates, eligibility, load, the fair pick,
and the decisions; a refusal shows on the candidate's card, linked from the one error summary), and the young
person's opportunity page (interest, withdrawal, where they stand in words from the engagement's status and their
own, "Log your time" once they took part, the briefing pack) and "Your sessions" (`my_engagements`). Thin: parse,
call a selector or service, render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from engagements.models import Engagement, Interest, WorkLog
from engagements.selectors.attendance import marking_opens_at
from engagements.selectors.opportunities import may_read_briefing_pack
from engagements.selectors.selection import (
    OPEN_FOR_SELECTION,
    CandidateRow,
    MySession,
    OpportunityView,
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
    not_eligible_lead,
    place_cancel,
    place_confirm,
    place_decline,
    place_invite,
    place_waitlist,
    when,
)
from frontend.forms.selection import ConfirmForm, InterestForm, InviteForm, ReasonForm, WithdrawForm
from frontend.views.home import acting_user, apply_service_error
from frontend.views.work_logs import STATUS_TAGS as WORK_LOG_TAGS

SERVICE_ERRORS = (ApplicationError, DjangoValidationError)
Status = Interest.Status
ROW_ACTIONS = {"confirm", "waitlist", "decline", "cancel"}


def _posted_id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


def _message(error: ApplicationError | DjangoValidationError) -> str:
    return error.message if isinstance(error, ApplicationError) else " ".join(error.messages)


def _field(error: ApplicationError | DjangoValidationError) -> str | None:
    """The field a service's refusal names, if any."""
    if isinstance(error, ApplicationError):
        named = error.extra.get("field")
        return named if isinstance(named, str) else None
    return next(iter(error.error_dict), None) if hasattr(error, "error_dict") else None


@dataclass(frozen=True)
class Refusal:
    """A refusal as a page shows it: the message, or (for the gate) its start with every reason as a list."""

    text: str
    reasons: list[str]

    @classmethod
    def of(cls, error: ApplicationError | DjangoValidationError, name: str) -> Refusal:
        reasons = error.extra.get("reasons") if isinstance(error, ApplicationError) else None
        if isinstance(reasons, list) and reasons:
            return cls(text=f"{not_eligible_lead(name)}:", reasons=[str(reason) for reason in reasons])
        return cls(text=_message(error), reasons=[])


@dataclass(frozen=True)
class SummaryItem:
    """One line of the selection page's error summary, linking to where the problem is shown."""

    text: str
    href: str
    reasons: list[str]


# --- The worker's selection page -----------------------------------------------------------------------------------


@dataclass
class Card:
    """One candidate on the selection page, with the forms for the moves open to them."""

    row: CandidateRow
    confirm_form: ConfirmForm
    decline_form: ReasonForm
    cancel_form: ReasonForm
    error: str = ""  # a refusal that names no field of the card's forms (full, ratio, overlap, the gate)
    error_reasons: list[str] = field(default_factory=list)

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
    def forms(self) -> list[Form]:
        return [self.confirm_form, self.decline_form, self.cancel_form]

    @property
    def anchor(self) -> str:
        return f"#candidate-{self.interest.pk}"

    def form_for(self, action: str | None) -> Form | None:
        return {"confirm": self.confirm_form, "decline": self.decline_form, "cancel": self.cancel_form}.get(
            action or ""
        )

    def refuse(self, action: str | None, error: ApplicationError | DjangoValidationError) -> None:
        """Show the refusal on the field it names (the load acknowledgement, a reason), or on the card."""
        form = self.form_for(action)
        name = _field(error)
        if form is not None and form.is_bound and name is not None and name in form.fields:
            form.add_error(name, _message(error))
            return
        refusal = Refusal.of(error, self.row.name)
        self.error, self.error_reasons = refusal.text, refusal.reasons

    def summary(self) -> list[SummaryItem]:
        items = [SummaryItem(self.error, self.anchor, self.error_reasons)] if self.error else []
        for form in self.forms:
            items += _form_summary(form, self.anchor)
        return items


def _form_summary(form: Form, anchor: str, reasons: list[str] | None = None) -> list[SummaryItem]:
    """A form's errors for the summary: each field's links to the field; the form's own to `anchor`."""
    items = [SummaryItem(str(error), anchor, []) for error in form.non_field_errors()]
    for bound in form:
        items += [SummaryItem(str(error), f"#{bound.auto_id}", reasons or []) for error in bound.errors]
    return items


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
    invite_reasons: list[str] = []
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
        if action in ROW_ACTIONS:
            cards[interest_id].refuse(action, error)
        else:  # inviting: shown on the field it names (the young person, or the load acknowledgement)
            chosen = {m.pk: m.user.full_name for m in young_people}.get(invite_form.cleaned_data["membership_id"], "")
            refusal = Refusal.of(error, chosen)
            named = _field(error)
            invite_form.add_error(named if named in invite_form.fields else None, refusal.text)
            invite_reasons = refusal.reasons
    if done:
        messages.success(request, done)
        return redirect("engagement_selection", engagement_id=engagement.pk)

    confirmed = sum(1 for row in rows if row.status == Status.CONFIRMED)
    free = places_left(engagement, engagement.attendees.count())
    suggested = {row.interest.pk for row in fair_pick(rows, free)}
    for row in rows:
        row.suggested = row.interest.pk in suggested
    all_cards = list(cards.values())
    summary = [item for card in all_cards for item in card.summary()]
    summary += _form_summary(invite_form, "#invite", invite_reasons)
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
            "error_summary": summary,
            "invite_reasons": invite_reasons,
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
CALLED_OFF = "This is not happening any more. You do not need to do anything."
# Once it has started, for those without a place.
STARTED_WORDS: dict[str | None, str] = {
    None: "This has already started.",
    Status.INTERESTED: "You did not get a place this time.",
    Status.WAITING: "You did not get a place this time.",
    Status.WITHDRAWN: "You withdrew.",
}
# Once it is over, for those who held a place: by what the staff lead marked.
TOOK_PART = "You took part. Thank you for coming."
MARKED_ABSENT = "You were marked absent. If that is not right, talk to your participation worker."
HAD_A_PLACE = "You had a place on this."
# Work logs the young person still has to write or send again: the link says "Log your time".
LOG_TO_WRITE = (None, WorkLog.Status.DRAFT, WorkLog.Status.REJECTED)


def _status_words(view: OpportunityView) -> tuple[str, str]:
    """What the page says about where the young person stands, from the engagement's status and their own: the
    words, and the reason they are given (the worker's, or why it was cancelled), if any."""
    engagement, interest = view.engagement, view.interest
    status = interest.status if interest is not None else None
    if view.is_cancelled:
        return CALLED_OFF, engagement.cancelled_reason
    reason = interest.reason if interest is not None and status in (Status.NOT_SELECTED, Status.CANCELLED) else ""
    if status == Status.CONFIRMED and view.is_over:
        return (TOOK_PART if view.attended else MARKED_ABSENT if view.marked_absent else HAD_A_PLACE), ""
    if view.has_started and status in STARTED_WORDS:
        return ("This has finished." if status is None and view.is_over else STARTED_WORDS[status]), ""
    return STATUS_WORDS[status], reason


@dataclass(frozen=True)
class LogLink:
    """The link to a young person's work log for an engagement they attended, with the log's status if any."""

    url: str
    text: str
    status: str  # WorkLog.Status value, "" with no log yet
    status_label: str
    tag: str


def _log_link(user: Any, engagement_id: int, work_log_status: str | None) -> LogLink | None:
    if not user.has_perm("engagements.add_worklog"):
        return None
    status = work_log_status or ""
    return LogLink(
        url=reverse("work_log_edit", args=[engagement_id]),
        text="Log your time" if work_log_status in LOG_TO_WRITE else "See the time you logged",
        status=status,
        status_label=WorkLog.Status(status).label if status else "",
        tag=WORK_LOG_TAGS.get(status, "govuk-tag--grey"),
    )


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
    engagement = view.engagement
    words, reason = _status_words(view)
    work_log = view.work_log
    log_link = (
        _log_link(user, engagement.pk, work_log.status if work_log else None)
        if view.confirmed and view.is_over and view.attended and not view.is_cancelled
        else None
    )
    briefing = view.briefing
    has_pack = bool(
        briefing is not None
        and briefing.briefing_pack
        and not view.is_cancelled
        and may_read_briefing_pack(user, engagement.opportunity_type)
    )
    return render(
        request,
        "selection/opportunity_detail.html",
        {
            "view": view,
            "engagement": engagement,
            "when": when(engagement),
            "status_words": words,
            "status_reason": reason,
            "log_link": log_link,
            "briefing_pack_url": reverse("briefing_pack", args=[engagement.opportunity_type]) if has_pack else "",
            "interest_form": interest_form,
            "withdraw_form": withdraw_form,
            "forms_with_errors": [form for form in (interest_form, withdraw_form) if form.errors],
            "Status": Status,
            "is_cancelled": view.is_cancelled,
        },
    )


@dataclass(frozen=True)
class SessionCard:
    """One of the young person's sessions on their page: a tag saying what became of it, the words that go with
    it (a worker's reason, or why it was cancelled) and, once they took part, the link to log their time."""

    session: MySession
    when: str
    tag: str = ""
    tag_class: str = ""
    words: str = ""
    log_link: LogLink | None = None

    @property
    def engagement(self) -> Engagement:
        return self.session.engagement


OUTCOME_TAGS: dict[str, tuple[str, str]] = {
    "not_selected": ("Not this time", "govuk-tag--grey"),
    "cancelled": ("Cancelled", "govuk-tag--red"),
    "withdrawn": ("Withdrawn", "govuk-tag--grey"),
}
OPEN_TAGS: dict[str, str] = {
    Status.CONFIRMED: "govuk-tag--green",
    Status.WAITING: "govuk-tag--yellow",
    Status.INTERESTED: "govuk-tag--light-blue",
}


def _open_card(session: MySession) -> SessionCard:
    interest = session.interest
    return SessionCard(
        session=session,
        when=when(session.engagement),
        tag=interest.get_status_display(),
        tag_class=OPEN_TAGS.get(interest.status, "govuk-tag--grey"),
    )


def _outcome_card(session: MySession) -> SessionCard:
    tag, tag_class = OUTCOME_TAGS[session.outcome]
    words = session.reason
    if not words and session.outcome == "cancelled" and session.engagement.status == Engagement.Status.CANCELLED:
        words = "This is not happening any more."
    return SessionCard(session=session, when=when(session.engagement), tag=tag, tag_class=tag_class, words=words)


def _done_card(user: Any, session: MySession) -> SessionCard:
    if session.attended:
        tag, tag_class = "You were there", "govuk-tag--green"
    elif session.marked_absent:
        tag, tag_class = "Marked absent", "govuk-tag--grey"
    else:
        tag, tag_class = "", ""
    log_link = _log_link(user, session.engagement.pk, session.work_log_status) if session.attended else None
    return SessionCard(session=session, when=when(session.engagement), tag=tag, tag_class=tag_class, log_link=log_link)


@login_required
def my_engagements(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    mine = my_engagements_for(user)
    sections = [
        ("Coming up", "You have no places coming up.", [_open_card(s) for s in mine.upcoming]),
        ("Waiting for a decision", "Nothing is waiting for a decision.", [_open_card(s) for s in mine.waiting]),
    ]
    if mine.recent:
        sections.append(("Recent news", "", [_outcome_card(s) for s in mine.recent]))
    sections.append(("Done", "Nothing yet.", [_done_card(user, s) for s in mine.past]))
    return render(request, "selection/my_engagements.html", {"sections": sections})


urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/engagements/<int:engagement_id>/selection/", engagement_selection, name="engagement_selection"),
    path("opportunities/<int:engagement_id>/", opportunity_detail, name="opportunity_detail"),
    path("my-engagements/", my_engagements, name="my_engagements"),
]
