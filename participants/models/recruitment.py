"""Recruitment: yearly rounds, the public application, the pipeline, panel scores and interview slots.

Equality answers are kept apart from applications (EqualityResponse has no link to one) and are reported only
in counts of five or more. Withdrawn and unsuccessful applications are deleted after the partnership's
retention period, leaving only AnonymousOutcomeCount rows.
"""

from __future__ import annotations

import datetime
import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.fields import EncryptedJSONField
from core.models import TenantModel

MINIMUM_AGE = 13


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Whole years of age on `day` (a 29 February birthday counts from 1 March in other years)."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


class OutreachChannel(models.TextChoices):
    SCHOOLS_COLLEGES = "schools_colleges", "Schools and colleges"
    YOUTH_COUNCIL = "youth_council", "Youth council"
    CHILDREN_IN_CARE_COUNCIL = "children_in_care_council", "Children in care council"
    YOUTH_JUSTICE = "youth_justice", "Youth justice peer advocates"
    YOUNG_CARERS = "young_carers", "Young carers"
    LGBTQ = "lgbtq", "LGBTQ+ groups"
    PEER_REFERRAL = "peer_referral", "Referred by a friend"
    OTHER = "other", "Other"


class RecruitmentRound(TenantModel):
    """One intake of young scrutineers: when it is open, how many places, who can apply, what is asked."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=150)
    description = models.TextField(help_text="What the role is, in plain words. Shown on the first page.")
    opens_on = models.DateField()
    closes_on = models.DateField()
    places = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    min_age = models.PositiveIntegerField(default=13, validators=[MinValueValidator(MINIMUM_AGE)])
    max_age = models.PositiveIntegerField(default=25, validators=[MaxValueValidator(30)])
    is_published = models.BooleanField(default=False, help_text="Only published rounds take applications.")
    next_round_opens_on = models.DateField(null=True, blank=True, help_text="Shown when this round is closed.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="round_dates_ordered"),
            models.CheckConstraint(condition=models.Q(max_age__gte=models.F("min_age")), name="round_ages_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day: datetime.date) -> bool:
        return self.is_published and self.opens_on <= day <= self.closes_on


class RoundQuestion(TenantModel):
    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", "Short text"
        LONG_TEXT = "long_text", "Long text"
        CHOICE = "choice", "Choose one"
        YES_NO = "yes_no", "Yes or no"

    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LONG_TEXT)
    choices = models.JSONField(default=list, blank=True, help_text="The options, for 'choose one' questions.")
    required = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["round", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class ScoringCriterion(TenantModel):
    """What the panel scores each application against, 0 to max_score."""

    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField(max_length=150)
    max_score = models.PositiveIntegerField(default=5, validators=[MinValueValidator(1), MaxValueValidator(10)])
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["round", "order", "pk"]

    def __str__(self) -> str:
        return self.label


class OutreachLink(TenantModel):
    """A tracked link per outreach channel, so workers see which channel brings whom."""

    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="outreach_links")
    channel = models.CharField(max_length=40, choices=OutreachChannel.choices)
    label = models.CharField(max_length=150, help_text="For example the school or group it was sent to.")
    code = models.CharField(max_length=16, unique=True)

    class Meta:
        ordering = ["round", "channel", "label"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.label}"


class InterviewSlot(TenantModel):
    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="interview_slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, help_text="A place, or 'Online' with the link sent later.")
    capacity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%a %d %b %Y, %H:%M} at {self.location}"


class Referral(TenantModel):
    """A young scrutineer invites a friend; the friend's application records who referred them."""

    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="referrals")
    referrer = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="referrals")
    friend_name = models.CharField(max_length=150)
    friend_email = models.EmailField()
    token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class Application(TenantModel):
    """One young person's application to a round, from first save to the outcome."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Not sent yet"
        SUBMITTED = "submitted", "Submitted"
        SCREENING = "screening", "Screening"
        INTERVIEW = "interview", "Interview"
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        UNSUCCESSFUL = "unsuccessful", "Unsuccessful"

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.SCREENING, Status.UNSUCCESSFUL, Status.WITHDRAWN},
        Status.SCREENING: {Status.INTERVIEW, Status.OFFERED, Status.UNSUCCESSFUL, Status.WITHDRAWN},
        Status.INTERVIEW: {Status.OFFERED, Status.UNSUCCESSFUL, Status.WITHDRAWN},
        # Staff can close an offer nobody answered (unsuccessful, with a reason) so it stops holding a place.
        Status.OFFERED: {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN, Status.UNSUCCESSFUL},
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.WITHDRAWN: set(),
        Status.UNSUCCESSFUL: set(),
    }
    # The moves a participation worker makes; the applicant makes the others by link.
    STAFF_MOVES: ClassVar[set[str]] = {Status.SCREENING, Status.INTERVIEW, Status.OFFERED, Status.UNSUCCESSFUL}
    CLOSED: ClassVar[set[str]] = {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN, Status.UNSUCCESSFUL}
    # Closed applications the retention job deletes after the partnership's period.
    REMOVABLE: ClassVar[set[str]] = {Status.WITHDRAWN, Status.UNSUCCESSFUL, Status.DECLINED}

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(RecruitmentRound, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    full_name = models.CharField(max_length=150)
    preferred_name = models.CharField(max_length=60, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    parent_carer_name = models.CharField(max_length=150, blank=True)
    parent_carer_relationship = models.CharField(max_length=60, blank=True)
    parent_carer_email = models.EmailField(blank=True)
    parent_carer_phone = models.CharField(max_length=30, blank=True)
    # Encrypted at rest: young applicants answer in their own words, often about themselves and their lives.
    answers = EncryptedJSONField(default=dict, blank=True, help_text="Question id (as text) to the answer.")
    # Held only until submission, then moved to an unlinked EqualityResponse and cleared.
    # Encrypted at rest: the answers include care experience, disability and sexual orientation.
    equality_draft = EncryptedJSONField(default=dict, blank=True)
    outreach_link = models.ForeignKey(OutreachLink, null=True, blank=True, on_delete=models.SET_NULL)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL)
    interview_slot = models.ForeignKey(
        InterviewSlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    membership = models.OneToOneField(
        "participants.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-created_at", "pk"]
        indexes = [models.Index(fields=["partnership", "round", "status"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.round})"

    @property
    def channel(self) -> str:
        if self.referral_id:
            return OutreachChannel.PEER_REFERRAL.label
        if self.outreach_link_id and self.outreach_link is not None:
            return self.outreach_link.get_channel_display()
        return "Direct"

    def age_on(self, day: datetime.date) -> int | None:
        return age_on(self.date_of_birth, day) if self.date_of_birth else None


class ApplicationEvent(TenantModel):
    """The application's own timeline: each move, who made it and why. Deleted with the application, so
    reasons (which may hold personal details) do not outlive the retention period; the audit log keeps only
    the move itself."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    by_applicant = models.BooleanField(default=False)
    from_status = models.CharField(max_length=20, choices=Application.Status.choices)
    to_status = models.CharField(max_length=20, choices=Application.Status.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class PanelScore(TenantModel):
    """One worker's score of one application against one criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ScoringCriterion, on_delete=models.CASCADE, related_name="scores")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveIntegerField()
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion", "scorer"], name="one_score_per_scorer")
        ]


class EqualityResponse(TenantModel):
    """Optional equality answers. Deliberately not linked to the application or the person."""

    # A random key and no date: the order rows were written in cannot be matched to the order of applications.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="equality_responses")
    # Encrypted at rest (care experience among them); reports decrypt and count in Python, never in SQL.
    answers = EncryptedJSONField(default=dict)


class AnonymousOutcomeCount(TenantModel):
    """What is left of deleted applications: how many, by round, outcome and channel. No personal data."""

    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="anonymous_counts")
    outcome = models.CharField(max_length=20, choices=Application.Status.choices)
    channel = models.CharField(max_length=80)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "outcome", "channel"], name="one_count_per_outcome_channel")
        ]


class EmailTemplate(TenantModel):
    """A partnership's own wording of a recruitment email. Placeholders like {name} are filled in; the
    defaults live in participants/emails.py and are used when a partnership has not written its own."""

    class Key(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", "Application received"
        RESUME = "resume", "Link to carry on with an application"
        INTERVIEW_INVITATION = "interview_invitation", "Invitation to choose an interview time"
        OFFER = "offer", "Offer of a place"
        UNSUCCESSFUL = "unsuccessful", "Outcome: not this time"
        WITHDRAWN = "withdrawn", "Withdrawal confirmed"
        REFERRAL = "referral", "Invitation from a friend"

    key = models.CharField(max_length=40, choices=Key.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "key"], name="one_template_per_key")]
