"""The feedback loop: what young people recommended in an engagement and what the partnership did about it.

- A Recommendation is recorded from an engagement, in the young people's own words, with the young people who made
  it (RecommendationContributor: named, or anonymous if they chose). Recommendations can be grouped under a larger
  Result, whose progress is the weighted mean of its recommendations' progress (weight on the recommendation).
- Its RecommendationResponse ("you said, we did") has an owner (agency and person), a decision, a status
  (a workflow: TRANSITIONS), progress 0-100, a due date, evidence (files and links) and a dated timeline.
- Every change to a response, and every update written on it, is one TimelineEntry. Each entry notifies the
  young people who made the recommendation exactly once (Notification, unique per person and entry), in the
  product and by email now or in a daily digest (FeedbackPreference).
- Young people rate a response (ResponseRating, 1-5 and a comment); the rating goes to the owner and the
  scrutiny lead.
- A ResponseImport keeps a spreadsheet's parsed rows and their preview, so what is committed is what was shown.
- FeedbackSettings: the partnership's choice to publish a public "you said, we did" page.

Nothing is hidden because it was not accepted: "not accepted" and "not going ahead" carry a reason and stay visible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.models import TenantModel
from engagements.models.assignments import Engagement, Section11Standard

if TYPE_CHECKING:
    from participants.models import Membership


class Result(TenantModel):
    """A larger result that groups several recommendations. Its progress is the weighted mean of theirs."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class Recommendation(TenantModel):
    """What young people recommended in an engagement, in their own words."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="recommendations")
    text = models.TextField(help_text="The recommendation in the young people's own words.")
    theme = models.CharField(max_length=100, help_text="For example 'Mental health' or 'Being listened to'.")
    agency = models.CharField(max_length=200, help_text="The agency or group the recommendation is for.")
    section_11_standard = models.CharField(
        max_length=40,
        choices=Section11Standard.choices,
        blank=True,
        help_text="For a section 11 panel: the standard it is about.",
    )
    result = models.ForeignKey(Result, null=True, blank=True, on_delete=models.SET_NULL, related_name="recommendations")
    weight = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="How much it counts towards its result's progress (1 to 100).",
    )
    contributors: models.ManyToManyField[Membership, RecommendationContributor] = models.ManyToManyField(
        "participants.Membership", through="RecommendationContributor", related_name="recommendations"
    )
    is_public = models.BooleanField(
        default=False,
        help_text="Shown on the partnership's public 'you said, we did' page (never with names).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partnership", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=1) & models.Q(weight__lte=100), name="recommendation_weight_1_to_100"
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]


class RecommendationContributor(TenantModel):
    """A young person who made a recommendation; named to staff always, anonymous to everyone else if they chose."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="contributions")
    membership = models.ForeignKey(
        "participants.Membership", on_delete=models.CASCADE, related_name="recommendation_contributions"
    )
    is_anonymous = models.BooleanField(default=False, help_text="Not named on pages other young people can see.")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "membership"], name="one_contribution_per_person")
        ]


class RecommendationResponse(TenantModel):
    """The partnership's response to one recommendation ("you said, we did")."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Not decided yet"
        ACCEPTED = "accepted", "Accepted"
        PARTLY_ACCEPTED = "partly_accepted", "Partly accepted"
        NOT_ACCEPTED = "not_accepted", "Not accepted"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        NOT_GOING_AHEAD = "not_going_ahead", "Not going ahead"

    TRANSITIONS = {
        Status.NOT_STARTED: {Status.IN_PROGRESS, Status.DONE, Status.NOT_GOING_AHEAD},
        Status.IN_PROGRESS: {Status.NOT_STARTED, Status.DONE, Status.NOT_GOING_AHEAD},
        Status.DONE: {Status.IN_PROGRESS},
        Status.NOT_GOING_AHEAD: {Status.NOT_STARTED, Status.IN_PROGRESS},
    }
    # A decision or status that needs a reason in plain words.
    DECISIONS_WITH_REASON = (Decision.PARTLY_ACCEPTED, Decision.NOT_ACCEPTED)
    STATUSES_WITH_REASON = (Status.NOT_GOING_AHEAD,)

    recommendation = models.OneToOneField(Recommendation, on_delete=models.CASCADE, related_name="response")
    owner_agency = models.CharField(max_length=200, help_text="The agency that owns the response.")
    owner_name = models.CharField(max_length=150, help_text="The person in that agency who owns it.")
    owner_email = models.EmailField(blank=True, help_text="Where young people's ratings are sent.")
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.TextField(blank=True, help_text="Why, in plain words (needed unless accepted).")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED, db_index=True)
    status_reason = models.TextField(blank=True, help_text="Why it is not going ahead, in plain words.")
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)], help_text="0 to 100 per cent."
    )
    due_on = models.DateField(null=True, blank=True, db_index=True)
    escalated_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was first listed to the scrutiny lead as overdue."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = "response"
        # The partnership's responses, most recently changed first, a page at a time (the responses API).
        indexes = [models.Index(fields=["partnership", "-updated_at", "-id"], name="response_partnership_updated")]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="response_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"Response to {self.recommendation}"


class ResponseEvidence(TenantModel):
    """A file (PDF, PNG or JPG, checked by its content) or an https link that shows what was done."""

    response = models.ForeignKey(RecommendationResponse, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    link = models.URLField(blank=True)
    file = models.FileField(upload_to="evidence/%Y/", blank=True)
    file_kind = models.CharField(max_length=10, blank=True, help_text="pdf, jpg or png")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~(models.Q(link="") & models.Q(file="")), name="evidence_has_link_or_file")
        ]


class TimelineEntry(TenantModel):
    """One dated entry on a response's timeline: an update written by staff, or a change (recorded by the service
    that made it, with what changed). Each entry notifies the recommendation's young people once."""

    class Kind(models.TextChoices):
        RESPONSE = "response", "Response recorded"
        CHANGE = "change", "Change"
        UPDATE = "update", "Update"
        EVIDENCE = "evidence", "Evidence added"

    response = models.ForeignKey(RecommendationResponse, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    happened_on = models.DateField(default=timezone.localdate)
    text = models.TextField(help_text="What happened, in plain words.")
    changes = models.JSONField(
        default=list, blank=True, help_text='What changed: [{"field": ..., "from": ..., "to": ...}].'
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_on", "-created_at", "-pk"]
        verbose_name_plural = "timeline entries"
        indexes = [models.Index(fields=["response", "-happened_on"])]


class ResponseRating(TenantModel):
    """A young person's answer to "did this change anything?" for a response they helped make (1-5)."""

    response = models.ForeignKey(RecommendationResponse, on_delete=models.CASCADE, related_name="ratings")
    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "membership"], name="one_rating_per_person"),
            models.CheckConstraint(condition=models.Q(score__gte=1) & models.Q(score__lte=5), name="rating_1_to_5"),
        ]


class FeedbackPreference(TenantModel):
    """How a young person wants to hear about their recommendations."""

    class Email(models.TextChoices):
        IMMEDIATELY = "immediately", "An email for each change"
        DAILY = "daily", "One email a day with all the changes"
        NEVER = "never", "No emails (I'll look in the product)"

    membership = models.OneToOneField(
        "participants.Membership", on_delete=models.CASCADE, related_name="feedback_preference"
    )
    email = models.CharField(max_length=20, choices=Email.choices, default=Email.IMMEDIATELY)
    after_leaving = models.BooleanField(
        default=False, help_text="Keep telling me what happens to my recommendations after I leave."
    )
    updated_at = models.DateTimeField(default=timezone.now)


class Notification(TenantModel):
    """Something to tell one person in the product (and by email, as they chose).

    Young people get one per timeline entry on a response to a recommendation they made; scrutiny leads get one
    per rating and per response that became overdue. The unique constraints make each notification happen once."""

    class Kind(models.TextChoices):
        FEEDBACK = "feedback", "News about your recommendation"
        RATING = "rating", "A young person rated a response"
        OVERDUE = "overdue", "A response is past its due date"

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    entry = models.ForeignKey(
        TimelineEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    rating = models.ForeignKey(
        ResponseRating, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    response = models.ForeignKey(
        RecommendationResponse, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.TextField(help_text="What to tell them, in plain words (no sensitive data).")
    link = models.CharField(max_length=300, blank=True, help_text="Where in the product to see it.")
    wants_email = models.BooleanField(default=True)
    in_digest = models.BooleanField(default=False, help_text="Emailed in the daily digest rather than at once.")
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["membership", "-created_at"]),
            models.Index(
                fields=["in_digest", "created_at"],
                name="notification_digest_due",
                condition=models.Q(emailed_at__isnull=True, wants_email=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "entry"], condition=models.Q(entry__isnull=False), name="one_notice_per_entry"
            ),
            models.UniqueConstraint(
                fields=["membership", "rating"],
                condition=models.Q(rating__isnull=False),
                name="one_notice_per_rating",
            ),
            models.UniqueConstraint(
                fields=["membership", "response", "kind"],
                condition=models.Q(kind="overdue"),
                name="one_overdue_notice_per_response",
            ),
        ]


class ResponseImport(TenantModel):
    """A spreadsheet of response updates: parsed and previewed, then committed all or nothing (in a Celery task:
    COMMITTING while it is being saved, back to PREVIEWED with `failure` if a row cannot be saved), or discarded."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Waiting to be committed"
        COMMITTING = "committing", "Being saved"
        COMMITTED = "committed", "Committed"
        DISCARDED = "discarded", "Discarded"

    TRANSITIONS = {
        Status.PREVIEWED: {Status.COMMITTING, Status.DISCARDED},
        Status.COMMITTING: {Status.COMMITTED, Status.PREVIEWED},
    }

    file_name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    rows = models.JSONField(
        default=list,
        help_text='Each row as previewed: {"row": n, "recommendation_id": id, "changes": {...}, "errors": [...]}.',
    )
    report = models.JSONField(default=list, blank=True, help_text="What changed, once committed.")
    failure = models.TextField(
        blank=True, help_text="Why the last commit saved nothing (naming the row), until it is committed again."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    committed_at = models.DateTimeField(null=True, blank=True)
    # Who last asked for it to be committed, and when: the task saves the rows as them, and an import still
    # COMMITTING long after this was asked is sent to the task again (engagements.resume_stalled_response_imports).
    commit_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commit_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def error_count(self) -> int:
        return sum(len(row.get("errors", [])) for row in self.rows)


class FeedbackSettings(TenantModel):
    """The partnership's feedback-loop settings: whether its public "you said, we did" page is published."""

    public_page = models.BooleanField(
        default=False, help_text="Publish a public 'you said, we did' page with the recommendations marked public."
    )
    public_intro = models.TextField(blank=True, help_text="A short introduction shown at the top of the public page.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "feedback settings"
        constraints = [models.UniqueConstraint(fields=["partnership"], name="one_feedback_settings_per_partnership")]
