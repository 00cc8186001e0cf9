"""Forms for outputs: adding or changing one, hiding one with a reason, and filtering the list.

These check only the shape of what was typed. The rules (who may be named as making it, their media consent, an
https link, the file's kind and size) are engagements.services.outputs'; the views show its refusals against the
fields they name.
"""

from __future__ import annotations

from typing import Any

from django import forms

from core.uploads import ACCEPT
from engagements.models import Engagement, Output

KIND_MESSAGE = "Choose what kind of output it is"
CONTRIBUTORS_MESSAGE = "Choose at least one young person who made it"


class OutputForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Enter a title", "max_length": "Title must be 200 characters or fewer"},
    )
    kind = forms.ChoiceField(
        label="What kind of output is it?",
        choices=Output.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": KIND_MESSAGE, "invalid_choice": KIND_MESSAGE},
    )
    summary = forms.CharField(
        label="Summary (optional)",
        help_text="What it is about, in plain words.",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Summary must be 10,000 characters or fewer"},
    )
    link = forms.CharField(
        label="Link (optional)",
        help_text="Where it is published, as a full https address, like https://www.example.org/our-film.",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "url"}),
        error_messages={"max_length": "Link must be 200 characters or fewer"},
    )
    file = forms.FileField(
        label="File (optional)",
        help_text="A PDF, JPG or PNG of 25 MB or less. For a film, give a link instead.",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"empty": "The file is empty", "invalid": "Choose the file again"},
    )
    contributor_ids = forms.TypedMultipleChoiceField(
        label="Who made it?",
        coerce=int,
        error_messages={"required": CONTRIBUTORS_MESSAGE, "invalid_choice": CONTRIBUTORS_MESSAGE},
    )

    def __init__(self, *args: Any, candidate_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contributor_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 - declared above
        field.choices = [(pk, str(pk)) for pk in candidate_ids]

    def selected_ids(self) -> set[int]:
        """What was ticked (for showing the boxes again after a bad submit), whether or not it was valid."""
        if self.is_bound:
            raw = self.data.getlist("contributor_ids") if hasattr(self.data, "getlist") else []
            return {int(value) for value in raw if str(value).isdigit()}
        initial = self.initial.get("contributor_ids") or []
        return {int(value) for value in initial}


class HideForm(forms.Form):
    reason = forms.CharField(
        label="Why are you hiding it?",
        help_text="Young people who made it will no longer see it. Do not include personal details.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why you are hiding it",
            "max_length": "Reason must be 1000 characters or fewer",
        },
    )


class OutputFilterForm(forms.Form):
    engagement = forms.TypedChoiceField(label="Engagement", coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "All kinds"), *Output.Kind.choices])

    def __init__(self, *args: Any, engagements: list[Engagement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["engagement"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "All engagements"), *[(e.pk, e.title) for e in engagements]]
