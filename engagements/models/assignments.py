"""Engagements: the paid scrutiny work young people take part in.

An Engagement is one opportunity from the day it is drafted: a participation worker publishes it, young people
express interest (Interest), the worker confirms some of them (the gate in safeguarding.services.eligibility
decides who may be confirmed), the staff lead marks attendance, and those who attended log their time and
expenses (WorkLog, Expense) for approval. Outputs are what young people made in it.

`Engagement.attendees` is the confirmed set. It is kept in step with the CONFIRMED interests by the selection
services only (engagements/services/selection.py), so the many reads that ask "who is going?" stay one join.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TenantModel


class OpportunityType(models.TextChoices):
    SECTION_11_PANEL = "section_11_panel", "Section 11 challenge panel"
    SCRUTINY_EVENT = "scrutiny_event", "Scrutiny event"
    DEEP_DIVE = "deep_dive", "Deep dive"
    FOCUS_GROUP = "focus_group", "Focus group"
    YOUNG_INSPECTOR_VISIT = "young_inspector_visit", "Young inspector visit"
    ANNUAL_REPORT = "annual_report", "Annual report contribution"
    INTERVIEW_PANEL = "interview_panel", "Interview panel"
    MEDIA_PRODUCTION = "media_production", "Film or infographic production"
    TRAINING_DELIVERY = "training_delivery", "Training delivery"


class PayBasis(models.TextChoices):
    HOURLY = "hourly", "By the hour"
    SESSION = "session", "A fee for the session"


class Section11Standard(models.TextChoices):
    """The eight standards of a section 11 (Children Act 2004) audit, as LSCPs use them."""

    LEADERSHIP = "leadership", "1. Senior management commitment to safeguarding"
    RESPONSIBILITIES = "responsibilities", "2. A clear statement of responsibilities to children"
    ACCOUNTABILITY = "accountability", "3. A clear line of accountability for safeguarding"
    CHILDRENS_VIEWS = "childrens_views", "4. Services shaped by the views of children and families"
    TRAINING = "training", "5. Safeguarding training for staff"
    SAFER_RECRUITMENT = "safer_recruitment", "6. Safer recruitment"
    INTERAGENCY = "interagency", "7. Effective inter-agency working"
    INFORMATION_SHARING = "information_sharing", "8. Information sharing"


class OpportunityTypeSetting(TenantModel):
    """A partnership's defaults for one type of opportunity. New opportunities of the type start from these.
    The training a type needs (participants TrainingModule.required_for) and its risk template
    (safeguarding RiskAssessmentTemplate) are kept where they belong and shown alongside."""

    opportunity_type = models.CharField(max_length=40, choices=OpportunityType.choices)
    pay_basis = models.CharField(max_length=20, choices=PayBasis.choices, default=PayBasis.HOURLY)
    pay_note = models.CharField(
        max_length=200, blank=True, help_text="What young people are paid, in plain words, for example '£12 an hour'."
    )
    is_filmed = models.BooleanField(default=False, help_text="Photos or film are usually taken.")
    preparation_minutes = models.PositiveIntegerField(default=0, help_text="Preparation time usually allowed.")
    briefing_pack = models.FileField(upload_to="briefing-packs/%Y/", blank=True)
    briefing_notes = models.TextField(blank=True, help_text="What to expect, in plain words.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opportunity_type"]
        constraints = [models.UniqueConstraint(fields=["partnership", "opportunity_type"], name="one_setting_per_type")]

    def __str__(self) -> str:
        return str(OpportunityType(self.opportunity_type).label)


class Engagement(TenantModel):
    """One opportunity and, once people are confirmed, the engagement itself."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
        Status.PUBLISHED: {Status.COMPLETED, Status.CANCELLED},
    }

    title = models.CharField(max_length=200)
    opportunity_type = models.CharField(max_length=40, choices=OpportunityType.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    topic = models.CharField(max_length=200, blank=True)
    commissioned_by = models.CharField(
        max_length=200, blank=True, help_text="The partnership group or scrutiny lead who asked for this work."
    )
    scrutiny_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(blank=True, help_text="What it is about and what young people will do.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    preparation_minutes = models.PositiveIntegerField(default=0, help_text="Preparation time allowed and paid.")
    location = models.CharField(max_length=200, blank=True)
    is_online = models.BooleanField(default=False)
    online_link = models.URLField(blank=True, help_text="Shown only to the young people confirmed.")
    is_filmed = models.BooleanField(default=False, help_text="Photos or film will be taken.")
    places = models.PositiveSmallIntegerField(default=6)
    content_warning = models.TextField(blank=True)
    pay_basis = models.CharField(max_length=20, choices=PayBasis.choices, default=PayBasis.HOURLY)
    pay_note = models.CharField(max_length=200, blank=True)
    agencies_under_review = models.JSONField(default=list, blank=True)
    section_11_standards = models.JSONField(default=list, blank=True)
    staff_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendees = models.ManyToManyField("participants.Membership", blank=True, related_name="engagements")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="engagement_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(places__gte=1), name="engagement_has_places"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Interest(TenantModel):
    """A young person's expression of interest in an opportunity, and what became of it (their place)."""

    class Status(models.TextChoices):
        INTERESTED = "interested", "Interested"
        CONFIRMED = "confirmed", "Confirmed"
        WAITING = "waiting", "On the waiting list"
        NOT_SELECTED = "not_selected", "Not selected this time"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CANCELLED = "cancelled", "Place cancelled"

    TRANSITIONS = {
        Status.INTERESTED: {Status.CONFIRMED, Status.WAITING, Status.NOT_SELECTED, Status.WITHDRAWN},
        Status.WAITING: {Status.CONFIRMED, Status.NOT_SELECTED, Status.WITHDRAWN},
        Status.NOT_SELECTED: {Status.CONFIRMED, Status.WAITING},
        Status.CONFIRMED: {Status.WITHDRAWN, Status.CANCELLED},
        Status.WITHDRAWN: {Status.INTERESTED},
        Status.CANCELLED: {Status.CONFIRMED},
    }
    OPEN = (Status.INTERESTED, Status.WAITING)

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="interests")
    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="interests")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INTERESTED, db_index=True)
    note = models.TextField(blank=True, help_text="The young person's note to the worker.")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="Why they withdrew, were not selected or lost their place.")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reminded_for = models.DateTimeField(
        null=True, blank=True, help_text="The start time the day-before reminder was sent for (so it is sent once)."
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["engagement", "membership"], name="one_interest_per_person")]


class Attendance(TenantModel):
    """Whether a confirmed young person came, marked by the staff lead (from a phone, on the day)."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        LEFT_EARLY = "left_early", "Left early"
        ABSENT = "absent", "Absent"

    ATTENDED = (Status.PRESENT, Status.LATE, Status.LEFT_EARLY)

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=20, choices=Status.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["engagement", "pk"]
        constraints = [models.UniqueConstraint(fields=["engagement", "membership"], name="one_attendance_per_person")]

    @property
    def attended(self) -> bool:
        return self.status in self.ATTENDED


class WorkLog(TenantModel):
    """The time (preparation, session, travel) and expenses a young person claims for an engagement they
    attended. Approved logs are ready to become payment claims (payments/)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Not approved"
        CLAIMED = "claimed", "Claimed for payment"

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.APPROVED, Status.REJECTED, Status.DRAFT},
        Status.REJECTED: {Status.DRAFT},
        Status.APPROVED: {Status.CLAIMED},
    }

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="work_logs")
    membership = models.ForeignKey("participants.Membership", on_delete=models.PROTECT, related_name="work_logs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    preparation_minutes = models.PositiveIntegerField(default=0)
    session_minutes = models.PositiveIntegerField(default=0)
    travel_minutes = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)
    approved_preparation_minutes = models.PositiveIntegerField(null=True, blank=True)
    approved_session_minutes = models.PositiveIntegerField(null=True, blank=True)
    approved_travel_minutes = models.PositiveIntegerField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Why it was adjusted or not approved.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["engagement", "membership"], name="one_work_log_per_person")]
        # The partnership's list, newest first (GET /api/v1/work-logs/): read in index order, not sorted.
        indexes = [models.Index(fields=["partnership", "-created_at", "-id"], name="worklog_partnership_created")]

    # The expense figures come from the log's expenses, prefetched by every list (engagements/selectors/
    # work_logs.py): adding them up in Python costs nothing, where a SUM ... GROUP BY in the list's query made
    # PostgreSQL join and group every log of the partnership before it could take the newest 50.
    @property
    def expenses_total(self) -> Decimal:
        """What the young person claimed in expenses."""
        return sum((expense.amount for expense in self.expenses.all()), Decimal("0.00"))

    @property
    def expense_count(self) -> int:
        return len(self.expenses.all())

    @property
    def expenses_approved_total(self) -> Decimal:
        """What was approved; a line not decided yet counts as claimed."""
        return sum(
            (
                expense.approved_amount if expense.approved_amount is not None else expense.amount
                for expense in self.expenses.all()
            ),
            Decimal("0.00"),
        )

    @property
    def claimed_minutes(self) -> int:
        return self.preparation_minutes + self.session_minutes + self.travel_minutes

    @property
    def approved_minutes(self) -> int | None:
        parts = (self.approved_preparation_minutes, self.approved_session_minutes, self.approved_travel_minutes)
        return None if any(p is None for p in parts) else sum(p or 0 for p in parts)

    @property
    def is_adjusted(self) -> bool:
        return self.approved_minutes is not None and self.approved_minutes != self.claimed_minutes


class Expense(TenantModel):
    """One expense on a work log, with its receipt (a photo or a PDF, stored privately)."""

    class Kind(models.TextChoices):
        TRAVEL = "travel", "Travel"
        FOOD = "food", "Food and drink"
        CARE = "care", "Childcare or care costs"
        OTHER = "other", "Something else"

    work_log = models.ForeignKey(WorkLog, on_delete=models.CASCADE, related_name="expenses")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    approved_amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    receipt = models.FileField(upload_to="receipts/%Y/%m/", blank=True)
    receipt_kind = models.CharField(max_length=10, blank=True, help_text="pdf, jpg or png")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_amount_positive")]


class Output(TenantModel):
    """Something young people made in an engagement: a film, poem, blog, infographic or report, with the media
    consents it rests on. When one of those consents is withdrawn the output is flagged and hidden."""

    class Kind(models.TextChoices):
        FILM = "film", "Film"
        POEM = "poem", "Poem"
        BLOG = "blog", "Blog"
        INFOGRAPHIC = "infographic", "Infographic"
        REPORT = "report", "Report"
        OTHER = "other", "Something else"

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="outputs")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.TextField(blank=True)
    link = models.URLField(blank=True)
    file = models.FileField(upload_to="outputs/%Y/", blank=True)
    contributors = models.ManyToManyField("participants.Membership", related_name="outputs")
    consents = models.ManyToManyField("safeguarding.Consent", blank=True, related_name="outputs")
    is_hidden = models.BooleanField(default=False)
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(TenantModel):
    """The secret address of a young person's calendar (ICS) feed. Calendar apps cannot sign in, so the token
    is the key: long, random, and replaced when the young person asks for a new one."""

    membership = models.OneToOneField("participants.Membership", on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)


class SchoolTerm(TenantModel):
    """A school term in the partnership's area (a partnership setting): the children's working-hours rules differ
    on school days, in term-time weeks and in the holidays."""

    name = models.CharField(max_length=100, help_text="For example 'Autumn term 2026'.")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="term_dates_ordered")
        ]

    def __str__(self) -> str:
        return self.name


class ChildEmploymentPermit(TenantModel):
    """The local authority's permit for employing a child below school leaving age."""

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="permits")
    reference = models.CharField(max_length=60)
    issued_by = models.CharField(max_length=150, help_text="The local authority that issued it.")
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_on", "-pk"]

    def counts_on(self, day: datetime.date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)
