"""Forms for the staff pages of the feedback loop: recording a recommendation and who made it, the partnership's
response and its changes, timeline entries, evidence, results, the list's filters and the public page's settings.

These check only the shape of what was typed (a real date, a whole number from 0 to 100, a link or a file). The
rules (who may be named as making a recommendation, which status moves are allowed, which decisions need a reason,
an https link, the file's kind) are engagements.services.feedback's; the views show its refusals against the
fields they name (frontend.forms.opportunities.apply_error). Fields render through
frontend/templates/frontend/includes/gds_field.html (selects and the contributor boxes are written out in the
feedback templates), so the error summary's links land on the field's own id.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.uploads import ACCEPT
from engagements.models import Engagement, RecommendationResponse, Result, Section11Standard
from frontend.forms.apply import DateField

YES = "yes"
NO = "no"
NO_RESPONSE = "none"
Decision = RecommendationResponse.Decision
Status = RecommendationResponse.Status
# Where a service's refusal (named by the service's argument or the model's field) goes on these forms.
SERVICE_FIELD_TO_FORM = {"contributors": "contributor_ids", "result_id": "result", "file_kind": "file"}


def _text(label: str, *, max_length: int, what: str, required: bool = True, **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs=attrs),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{what[0].upper()}{what[1:]} must be {max_length} characters or fewer",
        },
    )


def _long_text(
    label: str,
    *,
    what: str,
    name: str,
    required: bool = True,
    help_text: str = "",
    rows: int = 5,
    max_length: int = 10000,
) -> forms.CharField:
    """A textarea; `what` completes "Enter ..." and `name` starts "... must be 10,000 characters or fewer"."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{name} must be {max_length:,} characters or fewer",
        },
    )


def _yes_no(label: str, *, help_text: str = "", what: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=[(YES, "Yes"), (NO, "No")],
        widget=forms.RadioSelect,
        error_messages={"required": f"Choose whether {what}", "invalid_choice": f"Choose whether {what}"},
    )


def _date(label: str, *, name: str, help_text: str) -> DateField:
    """The GOV.UK date input (optional); its errors start with `name`, like "The due date must include a month"."""
    field = DateField(label=label, help_text=help_text)
    field.name_in_errors = name
    return field


class HappenedOnField(DateField):
    """When something happened: a day that cannot be in the future (optional unless required=True: empty is
    today, as the services take it)."""

    def __init__(self, *, label: str, name: str, must_be_given: bool = False, **kwargs: Any) -> None:
        super().__init__(label=label, **kwargs)
        self.name_in_errors = name
        self.must_be_given = must_be_given

    def clean(self, value: Any) -> datetime.date | None:
        day = super().clean(value)
        if day is None and self.must_be_given:
            self.error_parts = set(self.PARTS)
            raise ValidationError(f"Enter {self.name_in_errors[0].lower()}{self.name_in_errors[1:]}", code="required")
        if day is not None and day > timezone.localdate():
            self.error_parts = set(self.PARTS)
            raise ValidationError(f"{self.name_in_errors} must be today or in the past", code="future")
        return day


def _happened_on(label: str, *, name: str = "The date it happened") -> HappenedOnField:
    return HappenedOnField(
        label=label,
        name=name,
        help_text="Leave it empty for today. For example, 27 3 2026. It cannot be in the future.",
    )


# --- The list's filters -------------------------------------------------------------------------------------------


class RecommendationFilterForm(forms.Form):
    engagement = forms.TypedChoiceField(label="Engagement", coerce=int, required=False, empty_value=None)
    theme = forms.ChoiceField(label="Theme", required=False)
    agency = forms.ChoiceField(label="For which agency", required=False)
    decision = forms.ChoiceField(
        label="Decision",
        required=False,
        choices=[("", "Any decision"), (NO_RESPONSE, "No response yet"), *Decision.choices],
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), (NO_RESPONSE, "No response yet"), *Status.choices],
    )
    overdue = forms.ChoiceField(
        label="Due date", required=False, choices=[("", "Any due date"), (YES, "Past its due date")]
    )

    def __init__(
        self,
        *args: Any,
        engagements: Iterable[Engagement],
        themes: Iterable[str],
        agencies: Iterable[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        engagement = self.fields["engagement"]
        assert isinstance(engagement, forms.TypedChoiceField)  # noqa: S101 - declared above
        engagement.choices = [("", "All engagements"), *[(e.pk, e.title) for e in engagements]]
        theme = self.fields["theme"]
        assert isinstance(theme, forms.ChoiceField)  # noqa: S101 - declared above
        theme.choices = [("", "All themes"), *[(name, name) for name in themes]]
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ChoiceField)  # noqa: S101 - declared above
        agency.choices = [("", "All agencies"), *[(name, name) for name in agencies]]

    def filters(self) -> dict[str, Any]:
        """The filters that were chosen and are valid (an unknown value is ignored, not an error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in self.fields if data.get(name) not in (None, "")}


# --- A recommendation ---------------------------------------------------------------------------------------------

CONTRIBUTORS_MESSAGE = "Choose young people who took part in this engagement"
ANONYMOUS_MESSAGE = "Tick the young person as one who made it as well as “anonymous”, or untick “anonymous”"


class RecommendationForm(forms.Form):
    text = _long_text(
        "What did they recommend?",
        what="the recommendation",
        name="The recommendation",
        help_text="In the young people's own words.",
        rows=6,
    )
    theme = _text("Theme", max_length=100, what="the theme", autocomplete="off")
    agency = _text("Which agency or group is it for?", max_length=200, what="the agency or group it is for")
    section_11_standard = forms.ChoiceField(
        label="Which section 11 standard is it about?",
        required=False,
        choices=Section11Standard.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the section 11 standards"},
    )
    contributor_ids = forms.TypedMultipleChoiceField(
        label="Who made it?",
        coerce=int,
        required=False,
        error_messages={"invalid_choice": CONTRIBUTORS_MESSAGE},
    )
    anonymous_ids = forms.TypedMultipleChoiceField(
        label="Anonymous to other young people",
        coerce=int,
        required=False,
        error_messages={"invalid_choice": CONTRIBUTORS_MESSAGE},
    )
    result = forms.TypedChoiceField(
        label="Part of a larger result (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of the results"},
    )
    weight = forms.IntegerField(
        label="How much it counts towards the result",
        help_text="A whole number from 1 to 100. Leave it at 1 unless some recommendations matter more.",
        min_value=1,
        max_value=100,
        initial=1,
        widget=forms.TextInput(attrs={"width": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter how much it counts towards the result, from 1 to 100",
            "invalid": "How much it counts must be a whole number from 1 to 100",
            "min_value": "How much it counts must be a whole number from 1 to 100",
            "max_value": "How much it counts must be a whole number from 1 to 100",
        },
    )
    is_public = _yes_no(
        "Show it on the public “you said, we did” page?",
        help_text="Only what was recommended and the response are shown there, never anyone's name.",
        what="to show it on the public page",
    )

    def __init__(
        self,
        *args: Any,
        candidate_ids: Iterable[int],
        results: Iterable[Result],
        section_11: bool,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {"weight": 1, "is_public": NO, **(kwargs["initial"] or {})}
        super().__init__(*args, **kwargs)
        ids = list(candidate_ids)
        for name in ("contributor_ids", "anonymous_ids"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 - declared above
            field.choices = [(pk, str(pk)) for pk in ids]
        result = self.fields["result"]
        assert isinstance(result, forms.TypedChoiceField)  # noqa: S101 - declared above
        result.choices = [("", "Not part of a result"), *[(r.pk, r.title) for r in results]]
        if not section_11:
            del self.fields["section_11_standard"]
        else:
            self.fields["agency"].help_text = "For a section 11 panel: the agency whose audit it is about."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        anonymous = set(data.get("anonymous_ids") or [])
        if anonymous - set(data.get("contributor_ids") or []):
            self.add_error("contributor_ids", ANONYMOUS_MESSAGE)
        return data

    def _ticked(self, name: str) -> set[int]:
        if self.is_bound:
            raw = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            return {int(value) for value in raw if str(value).isdigit()}
        return {int(value) for value in self.initial.get(name) or []}

    def selected_ids(self) -> set[int]:
        """Who was ticked (to tick the boxes again after a bad submit), valid or not."""
        return self._ticked("contributor_ids")

    def anonymous_selected_ids(self) -> set[int]:
        return self._ticked("anonymous_ids")

    def contributors(self) -> list[tuple[int, bool]]:
        """(membership id, is anonymous) for each young person ticked, in the order of the boxes."""
        anonymous = set(self.cleaned_data.get("anonymous_ids") or [])
        return [(pk, pk in anonymous) for pk in self.cleaned_data.get("contributor_ids") or []]

    def service_fields(self) -> dict[str, Any]:
        """What was typed, named as recommendation_create and recommendation_update take it."""
        data = self.cleaned_data
        return {
            "text": data["text"],
            "theme": data["theme"],
            "agency": data["agency"],
            "section_11_standard": data.get("section_11_standard") or "",
            "contributors": self.contributors(),
            "result_id": data.get("result"),
            "weight": data["weight"],
            "is_public": data["is_public"] == YES,
        }


# --- The response --------------------------------------------------------------------------------------------------


def _decision() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Decision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision", "invalid_choice": "Choose the decision"},
    )


def _due_on() -> DateField:
    return _date(
        "Due date (optional)", name="The due date", help_text="When it should be done by. For example, 27 3 2026."
    )


class ResponseRecordForm(forms.Form):
    """The partnership's first response to a recommendation."""

    owner_agency = _text("Agency that owns the response", max_length=200, what="the agency that owns the response")
    owner_name = _text(
        "Person in that agency who owns it",
        max_length=150,
        what="the name of the person who owns it",
        autocomplete="off",
    )
    owner_email = forms.EmailField(
        label="Their email address (optional)",
        help_text="Young people's ratings of the response are sent here.",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.org",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    decision = _decision()
    decision_reason = _long_text(
        "Why? (needed unless it was accepted)",
        what="why it was decided",
        name="The reason",
        required=False,
        help_text="In plain words: the young people who made it will read this.",
        rows=4,
    )
    due_on = _due_on()
    happened_on = _happened_on("When was this decided? (optional)", name="The date it was decided")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initial"] = {"decision": Decision.PENDING, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)


class ResponseEditForm(ResponseRecordForm):
    """Every field of a response. The status offers only the moves allowed from where it is now."""

    status = forms.ChoiceField(
        label="Status",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status", "invalid_choice": "Choose one of the statuses shown"},
    )
    status_reason = _long_text(
        "Why is it not going ahead? (needed if it is not going ahead)",
        what="why it is not going ahead",
        name="The reason",
        required=False,
        help_text="In plain words: the young people who made it will read this.",
        rows=4,
    )
    progress = forms.IntegerField(
        label="Progress, in per cent",
        help_text="A whole number from 0 to 100. Done is always 100.",
        min_value=0,
        max_value=100,
        widget=forms.TextInput(attrs={"width": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the progress, from 0 to 100",
            "invalid": "Progress must be a whole number from 0 to 100",
            "min_value": "Progress must be a whole number from 0 to 100",
            "max_value": "Progress must be a whole number from 0 to 100",
        },
    )
    note = _long_text(
        "A note for the young people (optional)",
        what="a note",
        name="The note",
        required=False,
        help_text="Added to what they are told about this change. With no other change, they get it as an update.",
        rows=3,
        max_length=2000,
    )
    happened_on = _happened_on("When did this change happen? (optional)", name="The date it changed")

    field_order = [
        "owner_agency",
        "owner_name",
        "owner_email",
        "decision",
        "decision_reason",
        "status",
        "status_reason",
        "progress",
        "due_on",
        "note",
        "happened_on",
    ]

    def __init__(self, *args: Any, current_status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = {current_status, *RecommendationResponse.TRANSITIONS.get(Status(current_status), set())}
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)  # noqa: S101 - declared above
        status.choices = [(value, label) for value, label in Status.choices if value in allowed]


# --- Timeline, evidence, results, settings ---------------------------------------------------------------------------


class TimelineEntryForm(forms.Form):
    text = _long_text(
        "What happened?",
        what="what happened",
        name="What happened",
        help_text="In plain words: the young people who made the recommendation are told.",
        rows=5,
    )
    happened_on = HappenedOnField(
        label="When did it happen?",
        name="The date it happened",
        must_be_given=True,
        help_text="For example, 27 3 2026. It cannot be in the future.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initial"] = {"happened_on": timezone.localdate(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)


LINK_OR_FILE = "Enter a link or choose a file"


class EvidenceForm(forms.Form):
    title = _text("Title", max_length=200, what="a title")
    link = forms.CharField(
        label="Link (optional)",
        help_text="A full https address, like https://www.example.org/new-leaflet.",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "url"}),
        error_messages={"max_length": "Link must be 200 characters or fewer"},
    )
    file = forms.FileField(
        label="File (optional)",
        help_text="A PDF, JPG or PNG, instead of a link.",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"empty": "The file is empty", "invalid": "Choose the file again"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "link" in data and "file" in data and not data["link"] and not data["file"]:
            self.add_error("link", LINK_OR_FILE)
        return data


class ResultForm(forms.Form):
    title = _text("Title", max_length=200, what="a title")
    description = _long_text(
        "Description (optional)", what="a description", name="The description", required=False, rows=4
    )


class FeedbackSettingsForm(forms.Form):
    public_page = _yes_no(
        "Publish a public “you said, we did” page?",
        help_text=(
            "Anyone can see it without signing in. It shows only the recommendations marked to be shown there, "
            "and never anyone's name."
        ),
        what="to publish the page",
    )
    public_intro = _long_text(
        "Introduction (optional)",
        what="an introduction",
        name="The introduction",
        required=False,
        help_text="A few words shown at the top of the public page.",
        rows=4,
        max_length=5000,
    )
