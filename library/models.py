"""The shared library: participation examples that one partnership publishes for every partnership to learn from.

An Example is drafted from a partnership's own records (engagements, their recommendations and responses) and
edited by a participation worker. It is the only record in the product that other partnerships can read, so it
holds nothing personal: no names unless the young person agreed to be credited (ExampleCredit), no dates of birth
(only an age range), counts of five or more (a smaller count is left blank and shown as "fewer than 5"), outputs
only where every maker's media consent counts, and free text only once a person has reviewed it (the review is
kept per field as a hash of the text reviewed, so any later edit needs a fresh review).

Publication: a participation worker submits it; a different member of staff of the same partnership approves it.
It can be withdrawn at any time and then disappears everywhere at once: every read of the library asks for
status PUBLISHED. Withdrawing a consent it rests on withdraws it too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TenantModel


class Method(models.TextChoices):
    SECTION_11_PANEL = "section_11_panel", "Section 11 challenge panel"
    SCRUTINY_EVENT = "scrutiny_event", "Scrutiny event"
    DEEP_DIVE = "deep_dive", "Deep dive"
    FOCUS_GROUP = "focus_group", "Focus group"
    YOUNG_INSPECTORS = "young_inspectors", "Young inspectors"
    ANNUAL_REPORT = "annual_report", "Annual report"


class Outcome(models.TextChoices):
    POLICY_CHANGED = "policy_changed", "A policy or procedure changed"
    PRACTICE_CHANGED = "practice_changed", "Practice changed"
    UNDER_WAY = "under_way", "Changes are under way"
    NOT_YET = "not_yet", "Nothing has changed yet"


class Example(TenantModel):
    """A participation example, owned by the partnership that publishes it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for approval"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.DRAFT, Status.PUBLISHED},
        Status.PUBLISHED: {Status.WITHDRAWN},
        Status.WITHDRAWN: {Status.DRAFT},
    }
    # Free-text fields: each must be reviewed by a person, after its last change, before publication.
    TEXT_FIELDS = ("title", "topic", "recruitment", "support", "recommended", "changed")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    title = models.CharField(max_length=200)
    method = models.CharField(max_length=30, choices=Method.choices, db_index=True)
    topic = models.CharField(max_length=200)
    recruitment = models.TextField(help_text="How young people were recruited.")
    support = models.TextField(help_text="How they were prepared and supported.")
    recommended = models.TextField(help_text="What they recommended.")
    changed = models.TextField(help_text="What changed as a result.")
    outcome = models.CharField(max_length=30, choices=Outcome.choices, db_index=True)
    age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    young_people_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many young people took part (5 or more; leave blank to hide)."
    )
    engagements = models.ManyToManyField("engagements.Engagement", related_name="library_examples")
    outputs = models.ManyToManyField("engagements.Output", blank=True, related_name="library_examples")
    reviewed = models.JSONField(
        default=dict, blank=True, help_text="For each reviewed text field, a hash of the text as it was reviewed."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_max__gte=models.F("age_min")),
                name="example_age_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ExampleCredit(TenantModel):
    """A young person who could be named on an example, and their answer. Named only once they agree."""

    class Status(models.TextChoices):
        ASKED = "asked", "Asked"
        AGREED = "agreed", "Agreed to be named"
        DECLINED = "declined", "Said no"
        REMOVED = "removed", "Not named"
        WITHDRAWN = "withdrawn", "Took back their agreement"

    TRANSITIONS = {
        Status.ASKED: {Status.AGREED, Status.DECLINED, Status.REMOVED},
        Status.AGREED: {Status.WITHDRAWN, Status.REMOVED},
        Status.DECLINED: {Status.ASKED, Status.REMOVED},
        Status.REMOVED: {Status.ASKED},
        Status.WITHDRAWN: {Status.ASKED, Status.REMOVED},
    }

    example = models.ForeignKey(Example, on_delete=models.CASCADE, related_name="credits")
    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="library_credits")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ASKED)
    credit_name = models.CharField(max_length=100, blank=True, help_text="The name they agreed to be shown as.")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["example", "membership"], name="one_credit_per_person")]


class ExampleQuestion(TenantModel):
    """A question from another partnership's staff to the partnership that published an example.

    `partnership` is the asking partnership (whose staff see the question and its answer); the publishing
    partnership's staff see it through the example."""

    example = models.ForeignKey(Example, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
