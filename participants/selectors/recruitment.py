"""Reads for recruitment, scoped to the actor's partnership; and the few public reads applicants make."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.permissions import require
from core.tenancy import scope
from participants import equality
from participants.models import (
    AnonymousOutcomeCount,
    Application,
    ApplicationEvent,
    EmailTemplate,
    EqualityResponse,
    OutreachChannel,
    OutreachLink,
    PanelScore,
    Partnership,
    RecruitmentRound,
    Referral,
    User,
)

Status = Application.Status


def rounds_visible_to(actor: User) -> QuerySet[RecruitmentRound]:
    require(actor, "participants.view_recruitmentround")
    sent = ~Q(applications__status=Status.DRAFT)
    return (
        scope(RecruitmentRound.objects.all(), actor)
        .annotate(
            applications_count=Count("applications", filter=sent),
            accepted_count=Count("applications", filter=Q(applications__status=Status.ACCEPTED)),
        )
        .order_by("-opens_on", "pk")
    )


def email_templates_for(actor: User) -> dict[str, EmailTemplate]:
    """The partnership's own email wording, by key (keys without one use the defaults in participants/emails.py)."""
    require(actor, "participants.change_emailtemplate")
    return {template.key: template for template in scope(EmailTemplate.objects.all(), actor)}


def round_get_for_actor(actor: User, round_id: int) -> RecruitmentRound:
    return get_object_or_404(
        rounds_visible_to(actor).prefetch_related("questions", "criteria", "outreach_links", "interview_slots"),
        pk=round_id,
    )


# What a list of applications never shows: the applicant's answers and their unsent equality answers (encrypted).
LIST_LEAVES_OUT = ("answers", "equality_draft")


def applications_visible_to(
    actor: User,
    *,
    round_id: int | None = None,
    status: str | None = None,
    search: str | None = None,
    channel: str | None = None,
    include_drafts: bool = False,
    answers: bool = True,
) -> QuerySet[Application]:
    """`answers=False` for lists, which show neither the answers nor the equality draft: they are then not read,
    so not decrypted (50 decryptions a page of the API)."""
    require(actor, "participants.view_application")
    applications = scope(Application.objects.all(), actor).select_related("round", "outreach_link", "referral")
    if not answers:
        applications = applications.defer(*LIST_LEAVES_OUT)
    if not include_drafts:
        applications = applications.exclude(status=Status.DRAFT)
    if round_id:
        applications = applications.filter(round_id=round_id)
    if status:
        applications = applications.filter(status=status)
    if search:
        applications = applications.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if channel == "peer_referral":
        applications = applications.filter(referral__isnull=False)
    elif channel == "direct":
        applications = applications.filter(referral__isnull=True, outreach_link__isnull=True)
    elif channel:
        applications = applications.filter(outreach_link__channel=channel)
    return applications.annotate(
        average_score=Avg("scores__score"), scorers=Count("scores__scorer", distinct=True)
    ).order_by("-submitted_at", "pk")


def application_get_for_actor(actor: User, application_id: int) -> Application:
    # Drafts are the applicant's until they press Send: staff never read them.
    applications = applications_visible_to(actor).prefetch_related(
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
        Prefetch("scores", queryset=PanelScore.objects.select_related("scorer", "criterion")),
        "round__questions",
        "round__criteria",
    )
    return get_object_or_404(
        applications.select_related("interview_slot", "referral__referrer__user"), pk=application_id
    )


def board_for_round(actor: User, round_id: int) -> dict[str, list[Application]]:
    """The pipeline as columns, in one query."""
    columns: dict[str, list[Application]] = {s: [] for s in Status.values if s != Status.DRAFT}
    for application in applications_visible_to(actor, round_id=round_id, answers=False):
        columns[application.status].append(application)
    return columns


def open_rounds(partnership: Partnership) -> QuerySet[RecruitmentRound]:
    """The partnership's rounds taking applications today, closing soonest first."""
    today = timezone.localdate()
    return RecruitmentRound.objects.filter(
        partnership=partnership, is_published=True, opens_on__lte=today, closes_on__gte=today
    ).order_by("closes_on", "pk")


def open_rounds_exist(partnership: Partnership) -> bool:
    return open_rounds(partnership).exists()


def round_get_public(public_id: uuid.UUID) -> RecruitmentRound:
    return get_object_or_404(
        RecruitmentRound.objects.select_related("partnership").prefetch_related("questions"),
        public_id=public_id,
        is_published=True,
    )


def outreach_link_get_public(code: str) -> OutreachLink | None:
    return OutreachLink.objects.select_related("round").filter(code=code, round__is_published=True).first()


def referral_get_public(token: str) -> Referral | None:
    return Referral.objects.select_related("round").filter(token=token).first()


def application_get_public(public_id: uuid.UUID) -> Application:
    return get_object_or_404(
        Application.objects.select_related("round", "partnership").prefetch_related("round__questions"),
        public_id=public_id,
    )


@dataclass
class EqualityRow:
    question: str
    counts: list[tuple[str, str]] = field(default_factory=list)  # (option label, count or "fewer than 5")


def equality_report(actor: User, round_id: int) -> tuple[int | None, list[EqualityRow]]:
    """Counts of each answer to each equality question; any count below five is shown as 'fewer than 5'."""
    require(actor, "participants.view_equality_report")
    round_ = round_get_for_actor(actor, round_id)
    if timezone.localdate() <= round_.closes_on:
        # While applications still arrive, a count that moves by one would give away the newest applicant.
        return None, []
    # answers is an EncryptedJSONField (a dict once read), typed by the stubs as the text column it is stored in.
    responses: list[dict[str, str]] = list(
        EqualityResponse.objects.filter(round=round_).values_list("answers", flat=True)  # type: ignore[arg-type]
    )
    rows = []
    for question in equality.QUESTIONS:
        tally = Counter(answers.get(question.key) for answers in responses if answers.get(question.key))
        row = EqualityRow(question=question.text)
        for option, label in question.options:
            n = tally.get(option, 0)
            shown = str(n) if n >= equality.SMALLEST_COUNT_SHOWN else ("0" if n == 0 else "fewer than 5")
            row.counts.append((label, shown))
        rows.append(row)
    total = len(responses)
    return (total if total >= equality.SMALLEST_COUNT_SHOWN else 0), rows


def channel_report(actor: User, round_id: int) -> list[tuple[str, int]]:
    """How many sent applications each outreach channel brought, including deleted ones (anonymous counts)."""
    round_ = round_get_for_actor(actor, round_id)
    tally: Counter[str] = Counter()
    labels = dict(OutreachChannel.choices)
    rows = (
        scope(Application.objects.filter(round=round_).exclude(status=Status.DRAFT), actor)
        .values("referral_id", "outreach_link__channel")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        if row["referral_id"]:
            channel = str(OutreachChannel.PEER_REFERRAL.label)
        elif row["outreach_link__channel"]:
            channel = str(labels[row["outreach_link__channel"]])
        else:
            channel = "Direct"
        tally[channel] += row["n"]
    for kept in AnonymousOutcomeCount.objects.filter(round=round_):
        tally[kept.channel] += kept.count
    return sorted(tally.items(), key=lambda item: (-item[1], item[0]))
