from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from django import forms

from participants.models import RecruitmentRound


class ReferralForm(forms.Form):
    friend_name = forms.CharField(
        label="Your friend's name", max_length=150, error_messages={"required": "Enter your friend's name"}
    )
    friend_email = forms.EmailField(
        label="Your friend's email address",
        help_text="We will send them one email about becoming a young scrutineer, and nothing else.",
        error_messages={
            "required": "Enter your friend's email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    round = forms.ChoiceField(label="Which intake", widget=forms.HiddenInput)

    def __init__(self, *args: Any, rounds: list[RecruitmentRound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(r.pk), r.title) for r in rounds]
        field = self.fields["round"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = choices
        if len(rounds) == 1:
            field.initial = choices[0][0]
        else:
            field.widget = forms.RadioSelect(choices=choices)
            field.error_messages["required"] = "Choose which intake to invite your friend to"
        self.fields["friend_email"].widget.attrs["autocomplete"] = "off"
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout("friend_name", "friend_email", "round", Button.primary("send", "Send invitation"))
