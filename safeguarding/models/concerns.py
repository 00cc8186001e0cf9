"""Safeguarding concerns. Read only by safeguarding leads who passed their second factor in this session; every
read is recorded; entries are never edited or deleted (a correction is a new entry)."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.fields import EncryptedTextField
from core.models import AppendOnlyError, TenantModel


class ConcernCategory(models.TextChoices):
    PHYSICAL = "physical", "Physical abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    SEXUAL = "sexual", "Sexual abuse"
    NEGLECT = "neglect", "Neglect"
    EXPLOITATION = "exploitation", "Exploitation (criminal or sexual)"
    ONLINE = "online", "Online harm"
    SELF_HARM = "self_harm", "Self-harm or suicidal thoughts"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    RADICALISATION = "radicalisation", "Radicalisation"
    ALLEGATION_ADULT = "allegation_adult", "Allegation about an adult (LADO)"
    OTHER = "other", "Something else"


class ConcernQuerySet(models.QuerySet["Concern"]):
    def update(self, **kwargs: Any) -> int:
        if frozen := set(kwargs) & set(Concern.REPORT_FIELDS):
            raise AppendOnlyError(f"What was reported is never changed ({', '.join(sorted(frozen))}): add an entry.")
        return super().update(**kwargs)


class Concern(TenantModel):
    # What the reporter wrote, and about whom: fixed once saved. Corrections are entries in the chronology.
    REPORT_FIELDS: ClassVar[tuple[str, ...]] = (
        "membership_id", "about_name", "raised_by_id", "raised_at", "young_persons_words", "what_happened",
    )  # fmt: skip

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {Status.OPEN: {Status.CLOSED}, Status.CLOSED: {Status.OPEN}}

    membership = models.ForeignKey(
        "participants.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The young person it is about, if it is about one of ours.",
    )
    about_name = EncryptedTextField(blank=True, help_text="Who it is about, when not one of our young people.")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    category = models.CharField(max_length=30, choices=ConcernCategory.choices)
    young_persons_words = EncryptedTextField(help_text="What they said, in their own words.")
    what_happened = EncryptedTextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    outcome = EncryptedTextField(blank=True)
    legal_hold = models.BooleanField(default=False)
    review_due_on = models.DateField(null=True, blank=True, help_text="The young person's 25th birthday.")

    objects = ConcernQuerySet.as_manager()
    _reported: dict[str, Any]

    class Meta:
        ordering = ["-raised_at", "-pk"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"Concern {self.pk}"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Concern:
        instance = super().from_db(db, field_names, values)
        instance._reported = {name: getattr(instance, name) for name in cls.REPORT_FIELDS if name in instance.__dict__}
        return instance

    def save(self, *args: Any, **kwargs: Any) -> None:
        reported: dict[str, Any] = getattr(self, "_reported", {})
        if changed := [name for name, value in reported.items() if getattr(self, name) != value]:
            raise AppendOnlyError(f"What was reported is never changed ({', '.join(changed)}): add an entry.")
        super().save(*args, **kwargs)


class ConcernEntryQuerySet(models.QuerySet["ConcernEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Concern entries are never edited: add a correction.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Concern entries are never deleted.")


class ConcernEntry(TenantModel):
    """One dated entry in a concern's chronology. Append-only."""

    class Kind(models.TextChoices):
        REPORT = "report", "Report"
        NOTE = "note", "Note"
        CORRECTION = "correction", "Correction"
        CATEGORY_CHANGE = "category_change", "Category changed"
        ACTION = "action", "Action"
        ACTION_DONE = "action_done", "Action done"
        REFERRAL = "referral", "Referral"
        OUTCOME = "outcome", "Outcome"
        STATUS_CHANGE = "status_change", "Opened or closed"
        LEGAL_HOLD = "legal_hold", "Legal hold"

    class Agency(models.TextChoices):
        FRONT_DOOR = "front_door", "Children's services front door / MASH"
        LADO = "lado", "LADO"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        OTHER = "other", "Other"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="entries")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = EncryptedTextField(blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    action_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_due_on = models.DateField(null=True, blank=True)
    agency = models.CharField(max_length=20, choices=Agency.choices, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = ConcernEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        base_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("update_fields") or kwargs.get("force_update"):
            raise AppendOnlyError("Concern entries are never edited: add a correction.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Concern entries are never deleted.")


class ConcernViewQuerySet(models.QuerySet["ConcernView"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The viewing log is never edited.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The viewing log is never deleted (except with its concern, after review).")


class ConcernView(TenantModel):
    """Who read a concern, and when. Written on every read, in the same request. Append-only."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=20, default="page")

    objects = ConcernViewQuerySet.as_manager()

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        base_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("update_fields") or kwargs.get("force_update"):
            raise AppendOnlyError("The viewing log is never edited.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The viewing log is never deleted (except with its concern, after review).")


def review_date(date_of_birth: datetime.date, age: int) -> datetime.date:
    from participants.models.profile import birthday_in

    return birthday_in(date_of_birth, date_of_birth.year + age)
