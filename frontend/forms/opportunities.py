"""Forms for opportunities: the defaults per type, an engagement (new and edit), the list's filters and the
cancellation reason. They only parse what was typed; the services decide (engagements/services/opportunities.py).

The defaults per type and the cancellation reason are rendered with crispy-forms-gds. The engagement form is
written out by hand (opportunities/engagement_form.html and opportunities/_field.html): no GOV.UK conditional
reveal (its JavaScript puts aria-expanded on radios, which WCAG checkers reject, and crispy-forms-gds points
aria-controls at ids that are not there), so the section 11 questions and the online link are always shown, each
with a hint saying when it applies; what is typed under an option not chosen is ignored (service_kwargs). The date
is the GOV.UK date input (day, month and year boxes) and the times are text boxes like 16:30.

`error_links` gives each error with the id of the input it belongs to (for radios, checkboxes and dates the first
one), so the error summary's links land.
"""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import ApplicationError
from engagements.models import Engagement, OpportunityType, PayBasis, Section11Standard
from engagements.selectors.opportunities import TypeDefaults
from frontend.forms.apply import DateField, DateInputWidget
from frontend.forms.recruitment import GdsForm, _whole_number
from participants.models import Membership

USUAL = "usual"
YES = "yes"
NO = "no"
YES_NO = [(YES, "Yes"), (NO, "No")]
SECTION_11_LABEL = str(OpportunityType.SECTION_11_PANEL.label)
# Where a service's refusal (named by the model's field) goes on the engagement form.
SERVICE_FIELD_TO_FORM = {"starts_at": "starts", "ends_at": "ends"}


# Times typed in a text box: 16:30 (as the hint says), and also 16.30, 4:30pm or 4pm.
TIME_FORMATS = ["%H:%M", "%H.%M", "%I:%M%p", "%I.%M%p", "%I:%M %p", "%I%p", "%I %p"]


def _time(label: str, what: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        help_text="Use the 24-hour clock, for example 16:30.",
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(
            format="%H:%M", attrs={"class": "govuk-input--width-5", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": f"Enter the {what}", "invalid": f"Enter the {what} like 16:30"},
    )


class DayField(DateField):
    """The GOV.UK date input (day, month and year boxes) for a date that must be given."""

    def clean(self, value: Any) -> datetime.date:
        try:
            day = super().clean(value)
        except ValidationError as error:
            if error.code == "invalid":  # the shared field's example is a date of birth
                raise ValidationError(
                    f"{self.name_in_errors} must be a real date, like {_example_day()}", code="invalid"
                ) from None
            raise
        if day is None:
            self.error_parts = set(self.PARTS)
            raise ValidationError(f"Enter the {self.name_in_errors.lower()}", code="required")
        return day


def _example_day() -> str:
    example = timezone.localdate() + datetime.timedelta(days=30)
    return f"{example.day} {example.month} {example.year}"


class ErrorLinksMixin:
    """Errors with the id of the input each belongs to (radios and checkboxes: their first input)."""

    # True for forms written out by hand (opportunities/_field.html): the first radio, checkbox or date box carries
    # the field's own id. crispy-forms-gds numbers radios and checkboxes from 1.
    HAND_RENDERED = False

    def error_links(self) -> list[tuple[str, str]]:
        form: forms.Form = self  # type: ignore[assignment]
        links: list[tuple[str, str]] = []
        for error in form.non_field_errors():
            links.append(("", str(error)))
        for name, field in form.fields.items():
            bound = form[name]
            if not bound.errors:
                continue
            anchor = bound.auto_id
            if not self.HAND_RENDERED and isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                anchor = f"id_{bound.html_name}_1"
            links.extend((anchor, str(error)) for error in bound.errors)
        return links


def apply_error(form: forms.Form, error: ApplicationError | ValidationError, mapping: dict[str, str]) -> None:
    """Put a service's refusal against the field it names (or the form as a whole)."""
    if isinstance(error, ApplicationError):
        field = error.extra.get("field")
        field = mapping.get(field, field) if isinstance(field, str) else None
        form.add_error(field if field in form.fields else None, error.message)
        return
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            field = mapping.get(name, name)
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


# --- Defaults per type --------------------------------------------------------------------------------------------


class OpportunityTypeSettingForm(ErrorLinksMixin, GdsForm):
    pay_basis = forms.ChoiceField(
        label="How it is usually paid",
        choices=PayBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how it is usually paid"},
    )
    pay_note = forms.CharField(
        label="Pay, in plain words (optional)",
        max_length=200,
        required=False,
        help_text="Young people see this, for example '£12.21 an hour' or '£40 for the session'.",
        error_messages={"max_length": "Pay must be 200 characters or fewer"},
    )
    is_filmed = forms.ChoiceField(
        label="Are photos or film usually taken?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="Young people need media consent to take part in one that is filmed.",
        error_messages={"required": "Choose yes if photos or film are usually taken"},
    )
    preparation_minutes = _whole_number(
        "Preparation time usually allowed (minutes)", minimum=0, maximum=24 * 60, initial=0
    )
    briefing_notes = forms.CharField(
        label="What to expect (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="In plain words, for young people and the staff lead.",
    )
    briefing_pack = forms.FileField(
        label="Briefing pack (optional)",
        required=False,
        help_text="A PDF, up to 10 MB. It replaces the one there now.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    remove_briefing_pack = forms.BooleanField(label="Take away the briefing pack", required=False)

    def __init__(self, *args: Any, has_pack: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_pack:
            del self.fields["remove_briefing_pack"]
        self.helper.layout = Layout(
            Field.radios("pay_basis", legend_size=Size.SMALL),
            "pay_note",
            Field.radios("is_filmed", legend_size=Size.SMALL, inline=True),
            "preparation_minutes",
            "briefing_notes",
            "briefing_pack",
            *(["remove_briefing_pack"] if has_pack else []),
        )

    @staticmethod
    def initial_from(defaults: TypeDefaults) -> dict[str, Any]:
        return {
            "pay_basis": defaults.pay_basis,
            "pay_note": defaults.pay_note,
            "is_filmed": YES if defaults.is_filmed else NO,
            "preparation_minutes": defaults.preparation_minutes,
            "briefing_notes": defaults.briefing_notes,
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "pay_basis": data["pay_basis"],
            "pay_note": data["pay_note"],
            "is_filmed": data["is_filmed"] == YES,
            "preparation_minutes": data["preparation_minutes"],
            "briefing_notes": data["briefing_notes"],
            "briefing_pack": data.get("briefing_pack") or None,
            "remove_briefing_pack": bool(data.get("remove_briefing_pack")),
        }


# --- An engagement ------------------------------------------------------------------------------------------------


class EngagementForm(ErrorLinksMixin, GdsForm):
    """New (`creating=True`: pay, filming and preparation may be left to the type's usual settings) or edit."""

    HAND_RENDERED = True

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Short and clear, for example 'Section 11 challenge panel: North Shire Police'.",
        error_messages={"required": "Enter a title", "max_length": "Title must be 200 characters or fewer"},
    )
    opportunity_type = forms.ChoiceField(
        label="Type of opportunity",
        choices=OpportunityType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of opportunity"},
    )
    agencies_under_review = forms.CharField(
        label="Agencies under review",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Only for a section 11 challenge panel. One agency per line: it needs at least one before it is published."
        ),
    )
    section_11_standards = forms.MultipleChoiceField(
        label="Section 11 standards discussed",
        choices=Section11Standard.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only for a section 11 challenge panel. Choose at least one before it is published.",
    )
    topic = forms.CharField(
        label="Topic (optional)",
        max_length=200,
        required=False,
        help_text="For example, 'Exploitation outside the home'.",
        error_messages={"max_length": "Topic must be 200 characters or fewer"},
    )
    description = forms.CharField(
        label="What it is about (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="In plain words: what it is about and what young people will do.",
    )
    commissioned_by = forms.CharField(
        label="Commissioned by (optional)",
        max_length=200,
        required=False,
        help_text="The partnership group that asked for this work.",
        error_messages={"max_length": "Commissioned by must be 200 characters or fewer"},
    )
    scrutiny_lead = forms.ChoiceField(label="Scrutiny lead (optional)", required=False)
    day = DayField(label="Date", widget=DateInputWidget)
    starts = _time("Start time", "start time")
    ends = _time("End time", "end time")
    location = forms.CharField(
        label="Place",
        max_length=200,
        required=False,
        help_text="The building and room. Leave empty if it is only online.",
        error_messages={"max_length": "Place must be 200 characters or fewer"},
    )
    is_online = forms.ChoiceField(
        label="Is it online?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial=NO,
        error_messages={"required": "Choose yes if it is online"},
    )
    online_link = forms.CharField(
        label="Online link",
        max_length=200,
        required=False,
        help_text="Only if it is online. Starting https://. Only the young people confirmed will see it.",
        error_messages={"max_length": "Online link must be 200 characters or fewer"},
    )
    places = _whole_number("Places", minimum=1, maximum=500, initial=6)
    staff_lead = forms.ChoiceField(
        label="Staff lead",
        required=False,
        help_text="Needed before it is published. They need a current enhanced DBS check on the day.",
    )
    preparation_minutes = _whole_number("Preparation time (minutes)", minimum=0, maximum=24 * 60, required=False)
    is_filmed = forms.ChoiceField(
        label="Will photos or film be taken?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="Young people need media consent to take part in one that is filmed.",
        error_messages={"required": "Choose yes if photos or film will be taken"},
    )
    content_warning = forms.CharField(
        label="Content warning (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Topics that may be upsetting. Young people see this before they say they are interested.",
    )
    pay_basis = forms.ChoiceField(
        label="How it is paid",
        choices=PayBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how it is paid"},
    )
    pay_note = forms.CharField(
        label="Pay, in plain words (optional)",
        max_length=200,
        required=False,
        help_text="For example, '£12.21 an hour'.",
        error_messages={"max_length": "Pay must be 200 characters or fewer"},
    )

    def __init__(
        self,
        *args: Any,
        creating: bool,
        staff: list[Membership],
        scrutiny_leads: list[Membership],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        self._choices("staff_lead", [("", "Not named yet")] + [(str(m.user_id), m.user.full_name) for m in staff])
        self._choices("scrutiny_lead", [("", "None")] + [(str(m.user_id), m.user.full_name) for m in scrutiny_leads])
        if creating:
            usual = (USUAL, "As usual for this type")
            self._choices("is_filmed", [usual, *YES_NO])
            self._choices("pay_basis", [usual, *PayBasis.choices])
            self.fields["is_filmed"].initial = USUAL
            self.fields["pay_basis"].initial = USUAL
            self.fields["preparation_minutes"].help_text = "Leave empty for the usual time for this type."
            self.fields["pay_note"].help_text = "Leave empty for the usual note for this type."
        else:
            preparation = self.fields["preparation_minutes"]
            preparation.required = True
        self.fields["day"].help_text = f"For example, {_example_day()}"
        # Written out by hand in opportunities/engagement_form.html, section by section.
        self.sections: list[tuple[str, list[forms.BoundField]]] = [
            ("", [self[name] for name in ("title", "opportunity_type")]),
            (
                "If it is a section 11 challenge panel",
                [self[name] for name in ("agencies_under_review", "section_11_standards")],
            ),
            ("About it", [self[name] for name in ("topic", "description", "commissioned_by", "scrutiny_lead")]),
            ("When", [self[name] for name in ("day", "starts", "ends")]),
            (
                "Where and who",
                [self[name] for name in ("location", "is_online", "online_link", "places", "staff_lead")],
            ),
            (
                "Preparation, filming and pay",
                [
                    self[name]
                    for name in ("preparation_minutes", "is_filmed", "content_warning", "pay_basis", "pay_note")
                ],
            ),
        ]

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = choices

    @staticmethod
    def initial_for(engagement: Engagement) -> dict[str, Any]:
        starts = timezone.localtime(engagement.starts_at)
        ends = timezone.localtime(engagement.ends_at)
        return {
            "title": engagement.title,
            "opportunity_type": engagement.opportunity_type,
            "agencies_under_review": "\n".join(engagement.agencies_under_review or []),
            "section_11_standards": list(engagement.section_11_standards or []),
            "topic": engagement.topic,
            "description": engagement.description,
            "commissioned_by": engagement.commissioned_by,
            "scrutiny_lead": str(engagement.scrutiny_lead_id or ""),
            "day": starts.date(),
            "starts": starts.time().replace(second=0, microsecond=0),
            "ends": ends.time().replace(second=0, microsecond=0),
            "location": engagement.location,
            "is_online": YES if engagement.is_online else NO,
            "online_link": engagement.online_link,
            "places": engagement.places,
            "staff_lead": str(engagement.staff_lead_id or ""),
            "preparation_minutes": engagement.preparation_minutes,
            "is_filmed": YES if engagement.is_filmed else NO,
            "content_warning": engagement.content_warning,
            "pay_basis": engagement.pay_basis,
            "pay_note": engagement.pay_note,
        }

    @staticmethod
    def initial_for_type(opportunity_type: str, defaults: TypeDefaults) -> dict[str, Any]:
        return {
            "opportunity_type": opportunity_type,
            "is_filmed": YES if defaults.is_filmed else NO,
            "preparation_minutes": defaults.preparation_minutes,
            "pay_basis": defaults.pay_basis,
            "pay_note": defaults.pay_note,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", "The end time must be after the start time")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """What engagement_create or engagement_update takes (the model's names; None for "as usual")."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        day: datetime.date = data["day"]
        agencies = [line.strip() for line in (data.get("agencies_under_review") or "").splitlines() if line.strip()]
        kwargs: dict[str, Any] = {
            "title": data["title"],
            "opportunity_type": data["opportunity_type"],
            "agencies_under_review": agencies,
            "section_11_standards": list(data.get("section_11_standards") or []),
            "topic": data["topic"],
            "description": data["description"],
            "commissioned_by": data["commissioned_by"],
            "scrutiny_lead_id": int(data["scrutiny_lead"]) if data.get("scrutiny_lead") else None,
            "starts_at": datetime.datetime.combine(day, data["starts"], tzinfo=zone),
            "ends_at": datetime.datetime.combine(day, data["ends"], tzinfo=zone),
            "location": data["location"],
            "is_online": data["is_online"] == YES,
            "online_link": data["online_link"],
            "places": data["places"],
            "staff_lead_id": int(data["staff_lead"]) if data.get("staff_lead") else None,
            "preparation_minutes": data.get("preparation_minutes"),
            "is_filmed": None if data["is_filmed"] == USUAL else data["is_filmed"] == YES,
            "content_warning": data["content_warning"],
            "pay_basis": None if data["pay_basis"] == USUAL else data["pay_basis"],
            "pay_note": data["pay_note"] or (None if self.creating else ""),
        }
        # The section 11 questions and the link are always shown: what was typed there counts only when the type is
        # a section 11 panel, or it is online.
        if kwargs["opportunity_type"] != OpportunityType.SECTION_11_PANEL:
            kwargs["agencies_under_review"], kwargs["section_11_standards"] = [], []
        if not kwargs["is_online"]:
            kwargs["online_link"] = ""
        if not self.creating and not {"day", "starts", "ends"} & set(self.changed_data):
            # Unchanged to the minute: keep the stored times (an engagement made through the API may have seconds).
            del kwargs["starts_at"], kwargs["ends_at"]
        return kwargs


# --- The list's filters, and cancelling ---------------------------------------------------------------------------


class EngagementFilterForm(GdsForm):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any"), *Engagement.Status.choices])
    when = forms.ChoiceField(
        label="When", required=False, choices=[("", "Any time"), ("upcoming", "Upcoming"), ("past", "Past")]
    )
    search = forms.CharField(label="Title, topic or group", required=False, max_length=100)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        when = data.get("when")
        return {
            "status": data.get("status") or None,
            "upcoming": True if when == "upcoming" else False if when == "past" else None,
            "search": data.get("search") or None,
        }


class CancelForm(ErrorLinksMixin, GdsForm):
    reason = forms.CharField(
        label="Why is it cancelled?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The young people with a confirmed place and the staff lead are emailed this. No personal details.",
        error_messages={"required": "Enter why it is cancelled", "max_length": "Must be 2000 characters or fewer"},
    )
