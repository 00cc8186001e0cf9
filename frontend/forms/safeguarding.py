"""Forms for checks on adults, risk assessments, wellbeing and care details. They check shape only; the services
check the rules and the pages show a refusal against the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from engagements.models import Engagement
from frontend.forms.recruitment import GdsForm as _GdsForm
from participants.models import Membership
from safeguarding.models import RiskAssessment


class GdsForm(_GdsForm):
    """The shared GOV.UK form layout; the page's own <form> carries the CSRF token, so crispy does not repeat it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.disable_csrf = True


def _date_field(label: str, *, what: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text or "For example, 27/03/2026.",
        widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d"),
        error_messages={"required": f"Enter the {what}", "invalid": f"Enter the {what} as a real date"},
    )


def _count_field(label: str, what: str, maximum: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=maximum,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": f"Enter how many {what}",
            "invalid": f"Enter how many {what} as a whole number, like 4",
            "min_value": f"Enter at least 1 for {what}",
            "max_value": f"Enter {maximum} or fewer for {what}",
        },
    )


def _text(
    label: str,
    *,
    required: bool = False,
    rows: int = 3,
    max_length: int = 5000,
    when_missing: str = "",
    **kwargs: Any,
) -> forms.CharField:
    what = label[0].lower() + label[1:]
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": when_missing or f"Enter the {what}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


# --- Checks on adults ---------------------------------------------------------------------------------------------


class StaffCheckForm(GdsForm):
    certificate_number = forms.CharField(
        label="Certificate number",
        max_length=30,
        help_text="The 12 digits on the certificate.",
        error_messages={"required": "Enter the certificate number"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"}),
    )
    issued_on = _date_field("Date of issue", what="date of issue")
    update_service = forms.BooleanField(label="Subscribed to the DBS update service", required=False)
    last_status_check_on = _date_field(
        "Last status check (optional)",
        what="date of the last status check",
        required=False,
        help_text="If they are on the update service: the last time you checked the certificate online.",
    )
    renewal_due_on = _date_field(
        "Renewal date (optional)",
        what="renewal date",
        required=False,
        help_text="Leave empty for the partnership's renewal period after the date of issue.",
    )

    def __init__(self, *args: Any, renewal_years: int = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "renewal_due_on"
        ].help_text = f"Leave empty for {renewal_years} years after the date of issue (the partnership's policy)."


class StatusCheckForm(GdsForm):
    staff_check_id = forms.IntegerField(widget=forms.HiddenInput)
    checked_on = _date_field("Date of the status check", what="date of the status check")


# --- Risk assessments ---------------------------------------------------------------------------------------------


class TemplateLineForm(GdsForm):
    hazard = forms.CharField(
        label="Hazard",
        max_length=300,
        required=False,
        error_messages={"max_length": "The hazard must be 300 characters or fewer"},
    )
    control = _text("How it is controlled", max_length=2000, rows=2)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hazard, control = (data.get("hazard") or "").strip(), (data.get("control") or "").strip()
        if hazard and not control:
            self.add_error("control", "Enter how the hazard is controlled")
        if control and not hazard:
            self.add_error("hazard", "Enter the hazard")
        return data


TemplateLineFormSet = forms.formset_factory(TemplateLineForm, extra=3, max_num=40, validate_max=True)


class RiskAssessmentForm(GdsForm):
    venue = _text("Venue", help_text="Access, exits, first aid, who else uses the building.")
    travel = _text("Travel", help_text="How young people get there and home, and who pays.")
    online = _text("Online", help_text="If any of it is online: the platform, who lets people in, recording.")
    topic_sensitivity = forms.ChoiceField(
        label="How sensitive is the topic?",
        choices=RiskAssessment.Sensitivity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how sensitive the topic is"},
    )
    content_warning = _text(
        "Content warning",
        help_text="Needed when the topic is medium or high: what young people should know before they agree.",
    )
    staff_count = _count_field("Staff", "members of staff", 1000)
    young_people_count = _count_field("Young people", "young people", 10000)
    lone_working = forms.BooleanField(label="A member of staff works alone at some point", required=False)
    lone_working_plan = _text("Lone working plan", help_text="Who knows where they are, and how they check in.")


class HazardForm(GdsForm):
    hazard = forms.CharField(
        label="Hazard",
        max_length=300,
        error_messages={"required": "Enter the hazard", "max_length": "The hazard must be 300 characters or fewer"},
    )
    control = _text("How it is controlled", required=True, max_length=2000, rows=2)
    owner_id = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, staff: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner_id"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "No owner yet"), *[(str(m.user_id), m.user.full_name) for m in staff]]


class ReturnForm(GdsForm):
    reason = _text(
        "What needs to change",
        required=True,
        when_missing="Say what needs to change",
        max_length=1000,
        help_text="The person who prepared it sees this. Do not include personal or health details.",
    )


# --- Wellbeing ----------------------------------------------------------------------------------------------------

SCORES = [
    (5, "Really good (5)"),
    (4, "Good (4)"),
    (3, "OK (3)"),
    (2, "Not great (2)"),
    (1, "Really bad (1)"),
]


class CheckInForm(GdsForm):
    engagement_id = forms.TypedChoiceField(
        label="Which session is this about?", required=False, coerce=int, empty_value=None
    )
    score = forms.TypedChoiceField(
        label="How are you feeling after the session?",
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you are feeling", "invalid_choice": "Choose how you are feeling"},
    )
    wants_to_talk = forms.BooleanField(
        label="I'd like to talk to someone",
        required=False,
        help_text="A worker will get in touch with you within a day.",
    )
    comment = _text(
        "Anything you want to tell us? (optional)",
        max_length=2000,
        help_text="Only the safeguarding lead and the worker who gets in touch can read this.",
    )

    def __init__(self, *args: Any, engagements: list[Engagement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["engagement_id"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [
            ("", "Not about a particular session"),
            *[(str(e.pk), f"{e.title} ({timezone.localtime(e.starts_at):%-d %B})") for e in engagements],
        ]
        if not engagements:
            del self.fields["engagement_id"]
            self.helper.layout.fields.remove("engagement_id")


class FollowUpDoneForm(GdsForm):
    note = _text(
        "What happened",
        required=True,
        rows=5,
        when_missing="Write what happened",
        help_text="Kept encrypted. Write what was agreed.",
    )
    sensitive = forms.BooleanField(
        label="This note is sensitive",
        required=False,
        help_text="Only safeguarding leads and the worker who holds it can read a sensitive note.",
    )


class DebriefForm(GdsForm):
    membership_id = forms.TypedChoiceField(
        label="Who was the debrief with?",
        coerce=int,
        error_messages={"required": "Choose who the debrief was with", "invalid_choice": "Choose who attended"},
    )
    note = _text("Debrief notes", required=True, rows=6, help_text="Kept encrypted.")
    sensitive = forms.BooleanField(
        label="These notes are sensitive",
        required=False,
        help_text="Only safeguarding leads and you can read sensitive notes.",
    )

    def __init__(self, *args: Any, attendees: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership_id"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "Choose a person"), *[(str(m.pk), m.user.full_name) for m in attendees]]


class CareDetailsForm(GdsForm):
    access_needs = _text(
        "Access needs",
        max_length=2000,
        help_text="Anything that helps you take part: the room, breaks, materials, communication.",
    )
    health_information = _text(
        "Health information",
        max_length=2000,
        help_text="Anything the staff lead should know in an emergency, like allergies or medication.",
    )
    emergency_contact_name = forms.CharField(label="Emergency contact's name", required=False, max_length=150)
    emergency_contact_relationship = forms.CharField(
        label="Their relationship to you", required=False, max_length=150, help_text="For example, mum or foster carer."
    )
    emergency_contact_phone = forms.CharField(
        label="Their phone number",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
