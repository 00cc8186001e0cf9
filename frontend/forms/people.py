from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from django import forms

from participants.models import Membership, Role


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        help_text="Say why in a sentence. It is kept in the audit log.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter a reason",
            "max_length": "Reason must be 500 characters or fewer",
        },
    )

    action = forms.ChoiceField(choices=[("suspend", "Suspend"), ("reactivate", "Reactivate")], widget=forms.HiddenInput)

    def __init__(
        self,
        *args: object,
        submit_label: str = "Save",
        warning: bool = False,
        action: str = "suspend",
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["action"].initial = action
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "action",
            "reason",
            Button.warning("submit", submit_label) if warning else Button.primary("submit", submit_label),
        )
        self.helper.label_size = Size.SMALL


class TeamFilterForm(forms.Form):
    search = forms.CharField(label="Name or email", required=False, max_length=100)
    role = forms.ChoiceField(label="Role", required=False, choices=[("", "Any role"), *Role.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Membership.Status.choices])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout("search", "role", "status", Button.secondary("filter", "Filter"))
        self.helper.label_size = Size.SMALL


class NewMemberForm(forms.Form):
    """A partnership admin adds a person: a new member of staff, or an existing account to this partnership."""

    full_name = forms.CharField(label="Full name", max_length=150, error_messages={"required": "Enter their full name"})
    email = forms.EmailField(
        label="Email address",
        help_text="They will get an email to set their password (staff) or can sign in with an emailed code.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=120, required=False)
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout("full_name", "email", "job_title", "roles", Button.primary("add", "Add person"))
