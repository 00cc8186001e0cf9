"""Forms for the support log: recording a session, with one optional follow-up."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from frontend.forms.apply import DateField
from participants.models import SupportSession, User


class SupportSessionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of session",
        choices=SupportSession.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of session"},
    )
    held_on = DateField(label="Date of the session", help_text="For example, 27 3 2026")
    restricted_notes = forms.CharField(
        label="What was discussed (restricted)",
        help_text="Only participation workers and safeguarding leads can read this. The young person cannot.",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    agreed = forms.CharField(
        label="What was agreed",
        help_text="The young person can read this.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    follow_up_description = forms.CharField(
        label="Follow-up (optional)",
        help_text="Something someone will do after the session.",
        required=False,
        max_length=300,
    )
    follow_up_owner = forms.ChoiceField(label="Who will do it", required=False, widget=forms.RadioSelect)
    follow_up_due_on = DateField(label="Follow-up due date", help_text="For example, 27 4 2026")

    def __init__(self, *args: Any, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["follow_up_owner"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [(str(owner.pk), owner.full_name) for owner in owners]
        field.error_messages["invalid_choice"] = "Choose who will do the follow-up"

    def clean_held_on(self) -> datetime.date:
        held_on: datetime.date | None = self.cleaned_data.get("held_on")
        if held_on is None:
            raise forms.ValidationError("Enter the date of the session")
        return held_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        description = data.get("follow_up_description")
        owner = data.get("follow_up_owner")
        due_on = data.get("follow_up_due_on")
        if (owner or due_on) and not description and "follow_up_description" not in self.errors:
            self.add_error("follow_up_description", "Enter what the follow-up is")
        if description:
            if not owner and "follow_up_owner" not in self.errors:
                self.add_error("follow_up_owner", "Choose who will do the follow-up")
            if not due_on and "follow_up_due_on" not in self.errors:
                self.add_error("follow_up_due_on", "Enter the date the follow-up is due")
        return data
