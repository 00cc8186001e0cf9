"""Forms for the training pages. They only parse and check what was typed; the services decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from engagements.models import OpportunityType
from frontend.forms.recruitment import GdsForm, _date_field, _time_widget, _whole_number
from participants.models import Membership, TrainingModule


class ModuleForm(GdsForm):
    title = forms.CharField(
        label="Title",
        max_length=150,
        error_messages={"required": "Enter a title", "max_length": "Title must be 150 characters or fewer"},
    )
    description = forms.CharField(label="Description (optional)", required=False, widget=forms.Textarea({"rows": 3}))
    delivery_mode = forms.ChoiceField(
        label="How it is delivered",
        choices=TrainingModule.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how it is delivered"},
    )
    duration_minutes = _whole_number("Length in minutes", minimum=1)
    validity_months = _whole_number(
        "Counts for (months)",
        minimum=1,
        required=False,
        help_text="For example, 24 for safeguarding basics. Leave empty if it does not expire.",
    )
    required_for = forms.MultipleChoiceField(
        label="Needed for these opportunities",
        choices=OpportunityType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    onboarding_key = forms.CharField(
        label="Onboarding item it ticks (optional)",
        max_length=60,
        required=False,
        help_text="For example, training.safeguarding_basics",
    )
    is_active = forms.BooleanField(label="Active: people can book it and it shows on the matrix", required=False)


class SessionForm(GdsForm):
    day = _date_field("Date", what="date of the session")
    starts = forms.TimeField(
        label="Start time", widget=_time_widget(), error_messages={"required": "Enter the start time"}
    )
    ends = forms.TimeField(label="End time", widget=_time_widget(), error_messages={"required": "Enter the end time"})
    location = forms.CharField(
        label="Place", max_length=200, help_text="A place, or Online.", error_messages={"required": "Enter the place"}
    )
    places = _whole_number("Places", minimum=1, initial=12)
    trainer = forms.CharField(label="Trainer (optional)", max_length=150, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", "The end time must be after the start time")
        return data

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        day = self.cleaned_data["day"]
        zone = timezone.get_current_timezone()
        starts = datetime.datetime.combine(day, self.cleaned_data["starts"], tzinfo=zone)
        return starts, datetime.datetime.combine(day, self.cleaned_data["ends"], tzinfo=zone)


class RecordForm(GdsForm):
    membership = forms.ChoiceField(label="Young person", error_messages={"required": "Choose the young person"})
    module = forms.ChoiceField(label="Module", error_messages={"required": "Choose the module"})
    completed_on = _date_field("Date completed", what="date they completed it")

    def __init__(self, *args: Any, people: list[Membership], modules: list[TrainingModule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people_field = self.fields["membership"]
        module_field = self.fields["module"]
        assert isinstance(people_field, forms.ChoiceField)  # noqa: S101 - declared above
        assert isinstance(module_field, forms.ChoiceField)  # noqa: S101 - declared above
        people_field.choices = [("", "Choose")] + [(str(m.pk), m.user.full_name) for m in people]
        module_field.choices = [("", "Choose")] + [(str(m.pk), m.title) for m in modules]
