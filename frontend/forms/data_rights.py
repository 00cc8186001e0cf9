"""Forms for the data rights pages: a young person's request, and staff recording and handling requests."""

from __future__ import annotations

from typing import Any

from django import forms

from frontend.forms.apply import DateField
from participants.models import DataRequest

ASK_CHOICES = [
    (DataRequest.Kind.ACCESS, "Ask for everything you hold about me"),
    (DataRequest.Kind.ERASURE, "Ask you to delete my information"),
    (DataRequest.Kind.RECTIFICATION, "Ask you to correct something that is wrong"),
]


class AskForm(forms.Form):
    kind = forms.ChoiceField(
        label="What do you want to ask for?",
        choices=ASK_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you want to ask for"},
    )
    details = forms.CharField(
        label="Anything you want to tell us (optional)",
        help_text="For example, what is wrong, or which information you mean.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RecordRequestForm(forms.Form):
    membership = forms.ChoiceField(label="Young person", error_messages={"required": "Choose the young person"})
    kind = forms.ChoiceField(
        label="What they asked for",
        choices=DataRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what they asked for"},
    )
    received_on = DateField(label="Date received", help_text="The deadline runs from this day. For example, 27 3 2026")
    details = forms.CharField(
        label="What they asked (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [("", "Choose a young person"), *people]  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = forms.CharField(
        label="What you did",
        help_text="The young person is told this. For an access request, say how you sent the information.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="Why you cannot do it",
        help_text="The young person is told this, with how to complain to the Information Commissioner's Office.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why, in words the young person will understand"},
    )


class RetentionForm(forms.Form):
    applicant_retention_days = forms.IntegerField(
        label="Keep withdrawn, declined and unsuccessful applications for (days)",
        help_text="Then they are deleted; only anonymous counts stay for reports.",
        error_messages={"required": "Enter a number of days", "invalid": "Enter a whole number of days"},
    )
    leaver_retention_days = forms.IntegerField(
        label="Keep a leaver's record for (days after they leave)",
        help_text=(
            "Then it is reduced to what must be kept: safeguarding records until their 25th birthday, payment "
            "records for six years."
        ),
        error_messages={"required": "Enter a number of days", "invalid": "Enter a whole number of days"},
    )
