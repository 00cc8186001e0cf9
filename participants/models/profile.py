"""A young person's profile: date of birth (ages drive consent rules), and sensitive details encrypted at rest.

Access needs, health information and emergency contacts are shown to the staff lead of an engagement only for
the people attending it and only around its date (safeguarding.selectors.care_details_for_engagement).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

from core.fields import EncryptedTextField
from core.models import TenantModel


def birthday_in(date_of_birth: datetime.date, year: int) -> datetime.date:
    """The birthday in `year` (29 February counts as 1 March in other years)."""
    try:
        return date_of_birth.replace(year=year)
    except ValueError:
        return datetime.date(year, 3, 1)


class YoungPersonProfile(TenantModel):
    membership = models.OneToOneField("participants.Membership", on_delete=models.CASCADE, related_name="profile")
    date_of_birth = models.DateField()
    pronouns = models.CharField(max_length=40, blank=True)
    access_needs = EncryptedTextField(blank=True)
    health_information = EncryptedTextField(blank=True)
    emergency_contact_name = EncryptedTextField(blank=True)
    emergency_contact_relationship = EncryptedTextField(blank=True)
    emergency_contact_phone = EncryptedTextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Profile of {self.membership}"

    def age_on(self, day: datetime.date) -> int:
        years = day.year - self.date_of_birth.year
        if day < birthday_in(self.date_of_birth, day.year):
            years -= 1
        return years

    def birthday_at(self, age: int) -> datetime.date:
        return birthday_in(self.date_of_birth, self.date_of_birth.year + age)
