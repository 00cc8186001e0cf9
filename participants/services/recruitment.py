"""Recruitment: rounds, the public application, the pipeline, panel scores, interview slots, referrals and
retention. Applicants act through signed links (participants.tokens), so their moves have no staff actor; the
audit log records them with `by: applicant`, and the application's own timeline keeps any reason."""

from __future__ import annotations

import datetime
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.workflows import transition
from participants import emails, tokens
from participants.equality import clean_answers
from participants.models import (
    AnonymousOutcomeCount,
    Application,
    ApplicationEvent,
    EmailTemplate,
    EqualityResponse,
    InterviewSlot,
    Membership,
    OutreachChannel,
    OutreachLink,
    PanelScore,
    Partnership,
    RecruitmentRound,
    Referral,
    Role,
    RoundQuestion,
    ScoringCriterion,
    User,
    YoungPersonProfile,
)
from participants.models.recruitment import MINIMUM_AGE, age_on
from participants.services.onboarding import onboarding_create_for
from participants.services.people import membership_create

PARENT_CONSENT_AGE = 16
Status = Application.Status

# --- Rounds ------------------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    actor: User,
    title: str,
    description: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    places: int,
    min_age: int = 13,
    max_age: int = 25,
    is_published: bool = False,
    next_round_opens_on: datetime.date | None = None,
    criteria: Iterable[str] = ("Interest in keeping children safe", "Ideas and questions", "Working with others"),
) -> RecruitmentRound:
    require(actor, "participants.change_recruitmentround")
    if closes_on < opens_on:
        raise ValidationError({"closes_on": "The closing date must be on or after the opening date."})
    if max_age < min_age:
        raise ValidationError({"max_age": "The oldest age must be the same as or more than the youngest age."})
    round_ = RecruitmentRound(
        partnership=actor.partnership,
        title=title,
        description=description,
        opens_on=opens_on,
        closes_on=closes_on,
        places=places,
        min_age=min_age,
        max_age=max_age,
        is_published=is_published,
        next_round_opens_on=next_round_opens_on,
        created_by=actor,
    )
    round_.full_clean()
    round_.save()
    for order, label in enumerate(criteria):
        ScoringCriterion.objects.create(partnership=round_.partnership, round=round_, label=label, order=order)
    audit_record(actor=actor, partnership=round_.partnership, subject=round_, event_type="round.created")
    return round_


ROUND_FIELDS = {
    "title", "description", "opens_on", "closes_on", "places", "min_age", "max_age", "is_published",
    "next_round_opens_on",
}  # fmt: skip


def _round_for_actor(actor: User, round_id: int, *, lock: bool = False) -> RecruitmentRound:
    rounds = RecruitmentRound.objects.filter(partnership=actor.partnership)
    if lock:
        rounds = rounds.select_for_update()
    return get_object_or_404(rounds, pk=round_id)


@transaction.atomic
def round_update(*, actor: User, round_id: int, **changes: Any) -> RecruitmentRound:
    require(actor, "participants.change_recruitmentround")
    round_ = _round_for_actor(actor, round_id, lock=True)
    if unknown := set(changes) - ROUND_FIELDS:
        raise ApplicationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(round_, name, value)
    if round_.closes_on < round_.opens_on:
        raise ValidationError({"closes_on": "The closing date must be on or after the opening date."})
    if round_.max_age < round_.min_age:
        raise ValidationError({"max_age": "The oldest age must be the same as or more than the youngest age."})
    round_.full_clean()
    round_.save()
    audit_record(
        actor=actor,
        partnership=round_.partnership,
        subject=round_,
        event_type="round.updated",
        payload={"fields": sorted(changes)},
    )
    return round_


@transaction.atomic
def round_question_add(
    *,
    actor: User,
    round_id: int,
    text: str,
    kind: str = RoundQuestion.Kind.LONG_TEXT,
    required: bool = True,
    choices: list[str] | None = None,
    help_text: str = "",
) -> RoundQuestion:
    require(actor, "participants.change_recruitmentround")
    round_ = _round_for_actor(actor, round_id, lock=True)
    choices = [c.strip() for c in (choices or []) if c.strip()]
    if kind == RoundQuestion.Kind.CHOICE and len(choices) < 2:
        raise ValidationError({"choices": "Give at least two options, one on each line."})
    question = RoundQuestion(
        partnership=round_.partnership,
        round=round_,
        text=text,
        kind=kind,
        required=required,
        choices=choices if kind == RoundQuestion.Kind.CHOICE else [],
        help_text=help_text,
        order=round_.questions.count(),
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def round_question_remove(*, actor: User, question_id: int) -> None:
    require(actor, "participants.change_recruitmentround")
    question = get_object_or_404(RoundQuestion.objects.filter(partnership=actor.partnership), pk=question_id)
    if question.round.applications.exclude(status=Status.DRAFT).exists():
        raise ApplicationError("People have already answered this question, so it cannot be removed.")
    question.delete()


@transaction.atomic
def criterion_add(*, actor: User, round_id: int, label: str, max_score: int = 5) -> ScoringCriterion:
    require(actor, "participants.change_recruitmentround")
    round_ = _round_for_actor(actor, round_id)
    criterion = ScoringCriterion(
        partnership=round_.partnership, round=round_, label=label, max_score=max_score, order=round_.criteria.count()
    )
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def outreach_link_create(*, actor: User, round_id: int, channel: str, label: str) -> OutreachLink:
    require(actor, "participants.change_recruitmentround")
    round_ = _round_for_actor(actor, round_id)
    link = OutreachLink(
        partnership=round_.partnership, round=round_, channel=channel, label=label, code=secrets.token_urlsafe(6)
    )
    link.full_clean()
    link.save()
    return link


def outreach_url(link: OutreachLink) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("apply_via", args=[link.code])


@transaction.atomic
def interview_slot_add(
    *,
    actor: User,
    round_id: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    location: str,
    capacity: int = 1,
) -> InterviewSlot:
    require(actor, "participants.change_recruitmentround")
    round_ = _round_for_actor(actor, round_id)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end time must be after the start time."})
    slot = InterviewSlot(
        partnership=round_.partnership,
        round=round_,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        capacity=capacity,
    )
    slot.full_clean()
    slot.save()
    return slot


# --- The public application -------------------------------------------------------------------------------------


def round_closed_message(round_: RecruitmentRound, today: datetime.date) -> str:
    if round_.is_published and today < round_.opens_on:
        return f"Applications for {round_.title} open on {round_.opens_on:%-d %B %Y}."
    message = f"Applications for {round_.title} are closed."
    if round_.next_round_opens_on and round_.next_round_opens_on > today:
        message += f" The next round opens on {round_.next_round_opens_on:%-d %B %Y}."
    return message


def _require_open(round_: RecruitmentRound, today: datetime.date) -> None:
    if not round_.is_open_on(today):
        raise ApplicationError(round_closed_message(round_, today), extra={"reason": "closed"})


def _places_left(round_: RecruitmentRound, *, exclude: Application | None = None) -> int:
    taken = round_.applications.filter(status__in=[Status.ACCEPTED, Status.OFFERED])
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    return round_.places - taken.count()


@transaction.atomic
def application_start(
    *,
    round_public_id: uuid.UUID,
    full_name: str,
    email: str,
    outreach_code: str | None = None,
    referral_token: str | None = None,
    today: datetime.date | None = None,
) -> Application:
    """Create a draft application (the applicant's first page). No account is needed."""
    today = today or timezone.localdate()
    round_ = get_object_or_404(RecruitmentRound, public_id=round_public_id)
    _require_open(round_, today)
    outreach = OutreachLink.objects.filter(round=round_, code=outreach_code).first() if outreach_code else None
    referral = Referral.objects.filter(round=round_, token=referral_token).first() if referral_token else None
    application = Application(
        partnership=round_.partnership,
        round=round_,
        full_name=full_name.strip(),
        email=email.strip().lower(),
        outreach_link=outreach,
        referral=referral,
    )
    application.full_clean()
    application.save()
    return application


APPLICANT_FIELDS = {
    "full_name", "preferred_name", "pronouns", "email", "phone", "date_of_birth", "parent_carer_name",
    "parent_carer_relationship", "parent_carer_email", "parent_carer_phone",
}  # fmt: skip


def _draft(public_id: uuid.UUID, *, lock: bool = True) -> Application:
    applications = Application.objects.select_related("round", "partnership")
    if lock:
        applications = applications.select_for_update(of=("self",))
    application = get_object_or_404(applications, public_id=public_id)
    if application.status != Status.DRAFT:
        raise ApplicationError("This application has already been sent, so it cannot be changed.")
    return application


@transaction.atomic
def application_update(
    *,
    application_public_id: uuid.UUID,
    fields: dict[str, Any] | None = None,
    answers: dict[str, Any] | None = None,
    equality: dict[str, str] | None = None,
    today: datetime.date | None = None,
) -> Application:
    """Save part of a draft. Saved parts are kept even if a later part has a mistake."""
    today = today or timezone.localdate()
    application = _draft(application_public_id)
    fields = fields or {}
    if unknown := set(fields) - APPLICANT_FIELDS:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(application, name, value.strip() if isinstance(value, str) else value)
    if "email" in fields:
        application.email = application.email.lower()
    dob = application.date_of_birth
    if "date_of_birth" in fields and dob is not None:
        if dob >= today:
            raise ValidationError({"date_of_birth": "Date of birth must be in the past."})
        if age_on(dob, today) < MINIMUM_AGE:
            raise ValidationError(
                {"date_of_birth": "Your date of birth shows you are under 13. You need to be 13 or older to apply."}
            )
    if answers is not None:
        valid_ids = {str(pk) for pk in application.round.questions.values_list("pk", flat=True)}
        application.answers = {
            **application.answers,
            **{key: value for key, value in answers.items() if key in valid_ids},
        }
    if equality is not None:
        # Only known questions and options are ever stored (participants/equality.py).
        application.equality_draft = clean_answers(equality)
    application.updated_at = timezone.now()
    application.full_clean()
    application.save()
    return application


def needs_parent_carer(application: Application, today: datetime.date) -> bool:
    age = application.age_on(today)
    return age is not None and age < PARENT_CONSENT_AGE


def application_problems(application: Application, today: datetime.date) -> dict[str, str]:
    """Everything that stops a draft being sent, by field. Empty when it can be sent."""
    problems: dict[str, str] = {}
    round_ = application.round
    dob = application.date_of_birth
    if dob is None:
        problems["date_of_birth"] = "Enter your date of birth."
    else:
        if age_on(dob, today) < MINIMUM_AGE or age_on(dob, round_.closes_on) < round_.min_age:
            problems["date_of_birth"] = f"You need to be {max(round_.min_age, MINIMUM_AGE)} or older to apply."
        elif age_on(dob, round_.opens_on) > round_.max_age:
            problems["date_of_birth"] = f"This round is for young people aged up to {round_.max_age}."
        if needs_parent_carer(application, today):
            if not application.parent_carer_name:
                problems["parent_carer_name"] = "Enter the name of your parent or carer."
            if not (application.parent_carer_email or application.parent_carer_phone):
                problems["parent_carer_email"] = "Enter an email address or phone number for your parent or carer."
    for question in round_.questions.all():
        answer = application.answers.get(str(question.pk))
        if question.required and (answer is None or str(answer).strip() == ""):
            problems[f"question_{question.pk}"] = f"Answer the question: {question.text}"
        elif question.kind == RoundQuestion.Kind.CHOICE and answer and answer not in question.choices:
            problems[f"question_{question.pk}"] = f"Choose one of the options for: {question.text}"
        elif question.kind == RoundQuestion.Kind.YES_NO and answer and answer not in ("yes", "no"):
            problems[f"question_{question.pk}"] = f"Choose yes or no for: {question.text}"
    return problems


def _move(
    application: Application,
    *,
    to: str,
    actor: User | None,
    reason: str = "",
    by_applicant: bool = False,
) -> Application:
    """Every status change of an application: the transition map, the audit row, the timeline entry."""
    from_status = application.status
    application.updated_at = timezone.now()
    update = ["updated_at"]
    if to in Application.CLOSED:
        application.closed_at = timezone.now()
        update.append("closed_at")
    if to == Status.SUBMITTED:
        application.submitted_at = timezone.now()
        update.append("submitted_at")
    transition(
        application,
        to=to,
        actor=actor,
        payload={"by": "applicant"} if by_applicant else {},
        extra_update_fields=update,
    )
    ApplicationEvent.objects.create(
        partnership=application.partnership,
        application=application,
        actor=actor,
        by_applicant=by_applicant,
        from_status=from_status,
        to_status=to,
        reason=reason,
    )
    return application


def _applicant_context(application: Application) -> dict[str, str]:
    return {
        "name": application.preferred_name or application.full_name.split(" ")[0],
        "round": application.round.title,
    }


@transaction.atomic
def application_send_resume_link(*, application_public_id: uuid.UUID) -> Application:
    """Email the carry-on link. Limited (per application and per address) so the form cannot be used to send
    a stranger lots of email."""
    application = _draft(application_public_id, lock=False)
    for key, limit in ((f"resume-link:{application.public_id}", 3), (f"resume-email:{application.email}", 5)):
        sent = cache.get(key, 0)
        if sent >= limit:
            raise ApplicationError(
                "We have already emailed you a link several times. Check your inbox and spam folder.",
                extra={"reason": "rate_limited"},
            )
        cache.set(key, sent + 1, timeout=60 * 60)
    emails.send(
        application.partnership,
        EmailTemplate.Key.RESUME,
        application.email,
        {**_applicant_context(application), "resume_link": tokens.link("resume", application.public_id)},
    )
    return application


@transaction.atomic
def application_submit(*, application_public_id: uuid.UUID, today: datetime.date | None = None) -> Application:
    today = today or timezone.localdate()
    application = _draft(application_public_id)
    round_ = application.round
    _require_open(round_, today)
    RecruitmentRound.objects.select_for_update().filter(pk=round_.pk).first()
    if round_.applications.filter(status=Status.ACCEPTED).count() >= round_.places:
        places = "The place" if round_.places == 1 else f"All {round_.places} places"
        raise ApplicationError(
            f"{places} in {round_.title} {'is' if round_.places == 1 else 'are'} filled.", extra={"reason": "full"}
        )
    if problems := application_problems(application, today):
        raise ValidationError(problems)
    if application.equality_draft:
        EqualityResponse.objects.create(
            partnership=application.partnership, round=round_, answers=application.equality_draft
        )
        application.equality_draft = {}
        application.save(update_fields=["equality_draft"])
    _move(application, to=Status.SUBMITTED, actor=None, by_applicant=True)
    emails.send(
        application.partnership,
        EmailTemplate.Key.ACKNOWLEDGEMENT,
        application.email,
        {**_applicant_context(application), "withdraw_link": tokens.link("withdraw", application.public_id)},
    )
    return application


def _by_token(purpose: str, token: str) -> Application:
    public_id = tokens.read_token(purpose, token)
    applications = Application.objects.select_related("round", "partnership").select_for_update(of=("self",))
    return get_object_or_404(applications, public_id=public_id)


@transaction.atomic
def application_withdraw(*, token: str, reason: str = "") -> Application:
    """The applicant withdraws, at any stage before the outcome, by the link in their acknowledgement."""
    application = _by_token("withdraw", token)
    if application.status in Application.CLOSED:
        raise ApplicationError(
            f"This application is already closed ({application.get_status_display().lower()}).",
            extra={"reason": "closed"},
        )
    _move(application, to=Status.WITHDRAWN, actor=None, reason=reason.strip(), by_applicant=True)
    emails.send(
        application.partnership, EmailTemplate.Key.WITHDRAWN, application.email, _applicant_context(application)
    )
    return application


def available_slots(application: Application) -> list[InterviewSlot]:
    slots = (
        InterviewSlot.objects.filter(round=application.round, starts_at__gt=timezone.now())
        .annotate(taken=Count("applications", filter=Q(applications__status=Status.INTERVIEW)))
        .order_by("starts_at")
    )
    return [s for s in slots if s.taken < s.capacity or s.pk == application.interview_slot_id]


@transaction.atomic
def application_choose_slot(*, token: str, slot_id: int) -> Application:
    application = _by_token("interview", token)
    if application.status != Status.INTERVIEW:
        raise ApplicationError("You do not need to choose an interview time for this application.")
    slot = get_object_or_404(InterviewSlot.objects.select_for_update(), pk=slot_id, round=application.round)
    if slot.starts_at <= timezone.now():
        raise ValidationError({"slot": "That time has passed. Choose another."})
    taken = slot.applications.filter(status=Status.INTERVIEW).exclude(pk=application.pk).count()
    if taken >= slot.capacity:
        raise ValidationError({"slot": "Someone has just taken that time. Choose another."})
    application.interview_slot = slot
    application.updated_at = timezone.now()
    application.save(update_fields=["interview_slot", "updated_at"])
    audit_record(
        actor=None,
        partnership=application.partnership,
        subject=application,
        event_type="application.slot_chosen",
        payload={"slot": slot.pk, "by": "applicant"},
    )
    return application


@transaction.atomic
def application_respond_to_offer(*, token: str, accept: bool, today: datetime.date | None = None) -> Application:
    """Accepting creates the young person's account (sign-in by emailed code) and onboarding checklist."""
    today = today or timezone.localdate()
    application = _by_token("offer", token)
    if application.status != Status.OFFERED:
        raise ApplicationError(
            f"This offer can no longer be answered: the application is {application.get_status_display().lower()}."
        )
    if not accept:
        return _move(application, to=Status.DECLINED, actor=None, by_applicant=True)
    _move(application, to=Status.ACCEPTED, actor=None, by_applicant=True)
    membership = _young_person_membership_for(application)
    application.membership = membership
    application.save(update_fields=["membership"])
    if application.date_of_birth is not None:
        YoungPersonProfile.objects.update_or_create(
            membership=membership,
            defaults={
                "partnership": application.partnership,
                "date_of_birth": application.date_of_birth,
                "pronouns": application.pronouns,
            },
        )
    onboarding_create_for(membership=membership, under_16=needs_parent_carer(application, today))
    return application


def _young_person_membership_for(application: Application) -> Membership:
    """The accepted applicant's membership: a new account, or (a returning leaver, a member of staff, someone
    accepted before) their existing membership with the young person role added and, if suspended, reactivated."""
    existing = (
        Membership.objects.select_for_update()
        .filter(partnership=application.partnership, user__email=application.email.lower())
        .first()
    )
    if existing is None:
        return membership_create(
            actor=None,
            partnership=application.partnership,
            email=application.email,
            full_name=application.full_name,
            preferred_name=application.preferred_name,
            roles=[Role.YOUNG_PERSON],
        )
    if not existing.is_young_person:
        existing.is_young_person = True
        existing.save(update_fields=["is_young_person"])
        audit_record(
            actor=None,
            partnership=existing.partnership,
            subject=existing,
            event_type="membership.role_added",
            payload={"role": Role.YOUNG_PERSON, "because": "accepted a place"},
        )
    if existing.status == Membership.Status.SUSPENDED:
        transition(existing, to=Membership.Status.ACTIVE, actor=None, payload={"because": "accepted a place"})
    return existing


# --- The pipeline (participation workers) ------------------------------------------------------------------------


def _staff_move(actor: User, application: Application, to: str, reason: str) -> Application:
    if to not in Application.STAFF_MOVES:
        raise ApplicationError(
            f"Only the applicant can move an application to {Status(to).label.lower()}.", extra={"field": "to"}
        )
    if application.status == Status.DRAFT:
        raise ApplicationError(f"{application.full_name} has not sent their application yet.")
    if to == Status.UNSUCCESSFUL and not reason:
        raise ApplicationError("Give a reason: it is kept with the application.", extra={"field": "reason"})
    if to == Status.OFFERED:
        # Lock the round so two offers made at the same moment cannot both take the last place.
        RecruitmentRound.objects.select_for_update().filter(pk=application.round_id).first()
    if to == Status.OFFERED and _places_left(application.round, exclude=application) <= 0:
        raise ApplicationError(
            f"All {application.round.places} places are already offered or accepted.", extra={"field": "to"}
        )
    if to == Status.INTERVIEW and not application.round.interview_slots.exists():
        raise ApplicationError("Add interview times to this round first.", extra={"field": "to"})
    _move(application, to=to, actor=actor, reason=reason)
    context = _applicant_context(application)
    if to == Status.INTERVIEW:
        context["slot_link"] = tokens.link("interview", application.public_id)
        emails.send(application.partnership, EmailTemplate.Key.INTERVIEW_INVITATION, application.email, context)
    elif to == Status.OFFERED:
        context["offer_link"] = tokens.link("offer", application.public_id)
        emails.send(application.partnership, EmailTemplate.Key.OFFER, application.email, context)
    elif to == Status.UNSUCCESSFUL:
        emails.send(application.partnership, EmailTemplate.Key.UNSUCCESSFUL, application.email, context)
    return application


def _locked_applications(actor: User, ids: Iterable[int]) -> list[Application]:
    return list(
        Application.objects.select_for_update(of=("self",))
        .select_related("round", "partnership")
        .filter(partnership=actor.partnership, pk__in=list(ids))
        .order_by("pk")
    )


@transaction.atomic
def application_move(*, actor: User, application_id: int, to: str, reason: str = "") -> Application:
    """A participation worker moves one application on: screening, interview, offer or unsuccessful."""
    require(actor, "participants.change_application")
    locked = _locked_applications(actor, [application_id])
    if not locked:
        raise Http404("No such application.")
    return _staff_move(actor, locked[0], to, reason.strip())


@dataclass(frozen=True)
class BulkMoveResult:
    moved: list[Application]


@transaction.atomic
def applications_bulk_move(*, actor: User, application_ids: Iterable[int], to: str, reason: str = "") -> BulkMoveResult:
    """Move many at once, all or nothing: if any cannot move, none do, and the message says which and why."""
    require(actor, "participants.change_application")
    ids = sorted(set(application_ids))
    if not ids:
        raise ApplicationError("Choose at least one application.", extra={"field": "applications"})
    locked = _locked_applications(actor, ids)
    if len(locked) != len(ids):
        raise Http404("No such application.")
    refused: list[str] = []
    moved: list[Application] = []
    for application in locked:
        try:
            with transaction.atomic():
                moved.append(_staff_move(actor, application, to, reason.strip()))
        except ApplicationError as error:
            refused.append(f"{application.full_name}: {error.message}")
    if refused:
        raise ApplicationError(
            "Nothing was moved. " + " ".join(refused), extra={"field": "applications", "refused": refused}
        )
    return BulkMoveResult(moved=moved)


@transaction.atomic
def panel_score_set(*, actor: User, application_id: int, scores: dict[int, int], comment: str = "") -> list[PanelScore]:
    """One worker's scores for one application (each worker scores separately; the page shows them all)."""
    require(actor, "participants.score_application")
    application = get_object_or_404(Application.objects.filter(partnership=actor.partnership), pk=application_id)
    if application.status == Status.DRAFT:
        raise ApplicationError("This application has not been sent yet.")
    criteria = {c.pk: c for c in application.round.criteria.all()}
    errors: dict[str, str] = {}
    for criterion_id, score in scores.items():
        criterion = criteria.get(int(criterion_id))
        if criterion is None:
            errors[f"criterion_{criterion_id}"] = "This is not one of the round's criteria."
        elif not 0 <= int(score) <= criterion.max_score:
            errors[f"criterion_{criterion_id}"] = f"Score {criterion.label} from 0 to {criterion.max_score}."
    if errors:
        raise ValidationError(errors)
    saved = []
    for criterion_id, score in scores.items():
        row, _ = PanelScore.objects.update_or_create(
            application=application,
            criterion_id=int(criterion_id),
            scorer=actor,
            defaults={
                "partnership": application.partnership,
                "score": int(score),
                "comment": comment.strip(),
                "updated_at": timezone.now(),
            },
        )
        saved.append(row)
    audit_record(
        actor=actor,
        partnership=application.partnership,
        subject=application,
        event_type="application.scored",
        payload={"criteria": sorted(int(c) for c in scores)},
    )
    return saved


# --- Referrals ---------------------------------------------------------------------------------------------------


@transaction.atomic
def referral_create(*, actor: User, round_id: int, friend_name: str, friend_email: str) -> Referral:
    require(actor, "participants.refer_friend")
    round_ = get_object_or_404(RecruitmentRound.objects.filter(partnership=actor.partnership), pk=round_id)
    _require_open(round_, timezone.localdate())
    if actor.membership is None:
        raise PermissionDenied("You are not acting in any partnership.")
    referral = Referral(
        partnership=round_.partnership,
        round=round_,
        referrer=actor.membership,
        friend_name=friend_name.strip(),
        friend_email=friend_email.strip().lower(),
        token=secrets.token_urlsafe(12),
    )
    referral.full_clean()
    referral.save()
    emails.send(
        round_.partnership,
        EmailTemplate.Key.REFERRAL,
        referral.friend_email,
        {
            "name": referral.friend_name.split(" ")[0],
            "round": round_.title,
            "referrer": actor.get_short_name(),
            "apply_link": settings.SITE_URL.rstrip("/") + reverse("apply_referral", args=[referral.token]),
        },
    )
    audit_record(actor=actor, partnership=round_.partnership, subject=referral, event_type="referral.created")
    return referral


@transaction.atomic
def applications_export_record(*, actor: User, round_id: int, filters: dict[str, Any]) -> None:
    """Record that someone downloaded applicants' personal data (the CSV export)."""
    require(actor, "participants.view_application")
    round_ = _round_for_actor(actor, round_id)
    audit_record(
        actor=actor,
        partnership=round_.partnership,
        subject=round_,
        event_type="applications.exported",
        # Which filters were used, never what was searched for: a name typed into the search box must not end up
        # in a log that is never deleted.
        payload={"filters": sorted(key for key, value in filters.items() if value)},
    )


# --- Email wording -------------------------------------------------------------------------------------------------


@transaction.atomic
def email_template_save(*, actor: User, key: str, subject: str, body: str) -> EmailTemplate:
    require(actor, "participants.change_emailtemplate")
    if key not in EmailTemplate.Key.values:
        raise ValidationError({"key": "Choose one of the emails."})
    template, _ = EmailTemplate.objects.update_or_create(
        partnership=actor.partnership,
        key=key,
        defaults={"subject": subject.strip(), "body": body.strip(), "updated_at": timezone.now()},
    )
    template.full_clean()
    audit_record(actor=actor, partnership=actor.partnership, subject=template, event_type="email_template.saved")
    return template


# --- Retention -----------------------------------------------------------------------------------------------------


def _channel_name(application: Application) -> str:
    if application.referral_id:
        return str(OutreachChannel.PEER_REFERRAL.label)
    if application.outreach_link_id and application.outreach_link is not None:
        return str(application.outreach_link.get_channel_display())
    return "Direct"


@transaction.atomic
def applications_remove_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete withdrawn, declined and unsuccessful applications older than each partnership's retention period,
    keeping only anonymous counts by round, outcome and channel. Safe to run twice."""
    now = now or timezone.now()
    removed = 0
    for partnership in Partnership.objects.all():
        cutoff = now - datetime.timedelta(days=partnership.applicant_retention_days)
        expired = (
            Application.objects.select_for_update(of=("self",))
            .select_related("outreach_link")
            .filter(partnership=partnership, status__in=Application.REMOVABLE, closed_at__lt=cutoff)
        )
        for application in expired:
            referral_id = application.referral_id
            count, _ = AnonymousOutcomeCount.objects.get_or_create(
                partnership=partnership,
                round_id=application.round_id,
                outcome=application.status,
                channel=_channel_name(application),
            )
            AnonymousOutcomeCount.objects.filter(pk=count.pk).update(count=F("count") + 1)
            application.delete()
            if referral_id:  # the referral holds this applicant's own name and email
                Referral.objects.filter(pk=referral_id).delete()
            removed += 1
        # Invitations nobody used: the friend's name and email go after the same period.
        Referral.objects.filter(partnership=partnership, created_at__lt=cutoff, application__isnull=True).delete()
        # Drafts never sent go once their carry-on link has expired: nobody can finish them after that.
        draft_cutoff = now - datetime.timedelta(days=tokens.MAX_AGE_DAYS["resume"])
        stale_drafts = Application.objects.filter(
            partnership=partnership, status=Status.DRAFT, updated_at__lt=draft_cutoff
        )
        _, deleted = stale_drafts.delete()
        removed += deleted.get(Application._meta.label, 0)
    return removed
