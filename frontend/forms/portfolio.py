"""Forms for the portfolio pages. Rendered with frontend/includes/gds_field.html."""

from __future__ import annotations

from typing import Any

from django import forms

from participants.models import Skill


class SkillClaimForm(forms.Form):
    skill = forms.ChoiceField(
        label="Which skill have you shown?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a skill", "invalid_choice": "Choose a skill from the list"},
    )
    example = forms.CharField(
        label="When did you show it?",
        help_text="Say what you did, in your own words. For example: I chaired the question time at the panel.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say when you showed this skill, in your own words"},
    )

    def __init__(self, *args: Any, skills: list[Skill], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["skill"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [(str(skill.pk), skill.name) for skill in skills]


class ReferenceRequestForm(forms.Form):
    addressed_to = forms.CharField(
        label="Who is the letter for?",
        help_text="For example: Admissions tutor, Northtown College. Leave empty for 'To whom it may concern'.",
        max_length=200,
        required=False,
    )


class SkillForm(forms.Form):
    name = forms.CharField(label="Skill", max_length=100, error_messages={"required": "Enter the skill"})
    description = forms.CharField(
        label="What it means (optional)",
        help_text="For example: Asks clear, fair questions of senior leaders.",
        max_length=300,
        required=False,
    )


class SkillDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "Confirm"), ("not_confirm", "Not confirmed")])
    reason = forms.CharField(max_length=500, required=False)
