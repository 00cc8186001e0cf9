"""Forms for selection: a young person's interest (with a note) and withdrawal; a worker's decisions on a candidate
(confirm with a load acknowledgement, not selected or cancel with a reason) and inviting someone. They check shape
only; the services decide, and the pages show a refusal against the field it names."""

from __future__ import annotations

from typing import Any

from django import forms

from engagements.services.selection import NOTE_MAX, REASON_MAX
from participants.models import Membership


def _text(label: str, *, maximum: int, required: bool, help_text: str = "", when_missing: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=maximum,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": when_missing or f"Enter {label[0].lower()}{label[1:]}",
            "max_length": f"{label.split(' (')[0]} must be {maximum} characters or fewer",
        },
    )


class InterestForm(forms.Form):
    note = _text(
        "A note for your participation worker (optional)",
        maximum=NOTE_MAX,
        required=False,
        help_text="For example, why you would like to take part, or anything that would help you take part.",
    )


class WithdrawForm(forms.Form):
    reason = _text(
        "Why you are withdrawing (optional)",
        maximum=REASON_MAX,
        required=False,
        help_text="Only your participation workers see this.",
    )


class ConfirmForm(forms.Form):
    acknowledge_load = forms.BooleanField(label="I understand, and want to confirm them anyway", required=False)


class ReasonForm(forms.Form):
    reason = _text(
        "Reason",
        maximum=REASON_MAX,
        required=True,
        help_text="The young person sees this, in the email and on their page. Be kind and clear.",
        when_missing="Enter a reason",
    )


class InviteForm(forms.Form):
    membership_id = forms.TypedChoiceField(
        label="Young person",
        coerce=int,
        error_messages={"required": "Choose a young person", "invalid_choice": "Choose a young person from the list"},
    )
    acknowledge_load = forms.BooleanField(label="I understand, and want to confirm them anyway", required=False)

    def __init__(self, *args: Any, young_people: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership_id"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "Choose a young person"), *[(m.pk, m.user.full_name) for m in young_people]]
