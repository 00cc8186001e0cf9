"""Forms for the staff recruitment pages. They only parse and check what was typed; the services decide.

Rendered with crispy-forms-gds and `form_tag = False`: each template writes its own <form> (several pages hold
more than one form, told apart by an `action` field and a prefix so that field ids stay unique).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Size
from django import forms
from django.utils import timezone

from participants.models import Application, OutreachChannel, PanelScore, RoundQuestion, ScoringCriterion

Status = Application.Status

# The moves staff make, in the pipeline's order (Application.STAFF_MOVES is a set).
STAFF_MOVES: list[str] = [status for status in Status.values if status in Application.STAFF_MOVES]
DIRECT = "direct"


def _date_widget() -> forms.DateInput:
    return forms.DateInput(
        attrs={"type": "date", "class": "govuk-input govuk-input--width-10"},
        format="%Y-%m-%d",
    )


def _time_widget() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "class": "govuk-input govuk-input--width-5"}, format="%H:%M")


def _number_widget(width: int = 3) -> forms.TextInput:
    # GOV.UK asks for a text input with a numeric keyboard rather than type=number.
    return forms.TextInput(attrs={"inputmode": "numeric", "class": f"govuk-input--width-{width}"})


def _date_field(label: str, *, required: bool = True, help_text: str = "", what: str = "") -> forms.DateField:
    what = what or label[0].lower() + label[1:]
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text or "For example, 27/03/2026.",
        widget=_date_widget(),
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"Enter the {what} as a real date",
        },
    )


def _whole_number(label: str, *, minimum: int, maximum: int | None = None, **kwargs: Any) -> forms.IntegerField:
    what = label[0].lower() + label[1:]
    top = f" and {maximum} or fewer" if maximum is not None else ""
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=maximum,
        widget=_number_widget(),
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"Enter the {what} as a whole number, like 10",
            "min_value": f"The {what} must be {minimum} or more{top}",
            "max_value": f"The {what} must be {maximum} or fewer",
        },
        **kwargs,
    )


class GdsForm(forms.Form):
    """A form laid out by crispy-forms-gds without its own <form> tag, with small labels.

    crispy-forms-gds marks only text inputs, selects and textareas as in error; date and time inputs get the
    GOV.UK error border here too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(*self.fields)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            field = self.fields.get(name)
            if field is not None and isinstance(field.widget, forms.DateInput | forms.TimeInput):
                classes = field.widget.attrs.get("class", "")
                if "govuk-input--error" not in classes:
                    field.widget.attrs["class"] = f"{classes} govuk-input--error".strip()


# --- Rounds ------------------------------------------------------------------------------------------------------


class RoundForm(GdsForm):
    title = forms.CharField(
        label="Title",
        max_length=150,
        help_text="For example, Young Scrutineers 2026 intake.",
        error_messages={"required": "Enter a title", "max_length": "Title must be 150 characters or fewer"},
    )
    description = forms.CharField(
        label="What the role is",
        help_text="In plain words. Applicants see this first.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter what the role is"},
    )
    opens_on = _date_field("Opening date", what="date applications open")
    closes_on = _date_field("Closing date", what="date applications close")
    places = _whole_number("Places", minimum=1, help_text="How many young people you will take on.")
    min_age = _whole_number("Youngest age", minimum=13, maximum=30, initial=13)
    max_age = _whole_number("Oldest age", minimum=13, maximum=30, initial=25)
    is_published = forms.BooleanField(
        label="Published: take applications between the opening and closing dates", required=False
    )
    next_round_opens_on = _date_field(
        "Next round opens (optional)",
        required=False,
        help_text="Shown to people who find this round closed. For example, 01/09/2027.",
        what="date the next round opens",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date")
        youngest, oldest = data.get("min_age"), data.get("max_age")
        if youngest is not None and oldest is not None and oldest < youngest:
            self.add_error("max_age", "The oldest age must be the same as or more than the youngest age")
        return data


class QuestionForm(GdsForm):
    text = forms.CharField(
        label="Question",
        max_length=300,
        error_messages={"required": "Enter the question", "max_length": "Question must be 300 characters or fewer"},
    )
    help_text = forms.CharField(
        label="Hint (optional)",
        max_length=300,
        required=False,
        error_messages={"max_length": "Hint must be 300 characters or fewer"},
    )
    kind = forms.ChoiceField(
        label="Type of answer",
        choices=RoundQuestion.Kind.choices,
        initial=RoundQuestion.Kind.LONG_TEXT,
        error_messages={"required": "Choose the type of answer", "invalid_choice": "Choose the type of answer"},
    )
    choices = forms.CharField(
        label="Options (for 'Choose one' questions)",
        help_text="One option on each line.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required = forms.BooleanField(label="People must answer this question", required=False, initial=True)

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("choices", "").splitlines() if line.strip()]


class QuestionRemoveForm(forms.Form):
    """Carries only the question's id; a refusal is shown as an error on the page."""

    question_id = forms.IntegerField(widget=forms.HiddenInput)


class CriterionForm(GdsForm):
    label = forms.CharField(
        label="What the panel scores",
        max_length=150,
        help_text="For example, Ideas and questions.",
        error_messages={"required": "Enter what the panel scores", "max_length": "Must be 150 characters or fewer"},
    )
    max_score = _whole_number("Highest score", minimum=1, maximum=10, initial=5)


class OutreachLinkForm(GdsForm):
    channel = forms.ChoiceField(
        label="Channel",
        choices=[("", "Choose a channel"), *OutreachChannel.choices],
        error_messages={"required": "Choose a channel", "invalid_choice": "Choose a channel"},
    )
    label = forms.CharField(
        label="Where it is sent",
        max_length=150,
        help_text="For example, the school or group. Only staff see this.",
        error_messages={"required": "Enter where the link is sent", "max_length": "Must be 150 characters or fewer"},
    )


class InterviewSlotForm(GdsForm):
    day = _date_field("Date", what="date of the interview")
    starts_at = forms.TimeField(
        label="Start time",
        help_text="For example, 16:30.",
        widget=_time_widget(),
        error_messages={"required": "Enter the start time", "invalid": "Enter the start time like 16:30"},
    )
    ends_at = forms.TimeField(
        label="End time",
        help_text="For example, 17:00.",
        widget=_time_widget(),
        error_messages={"required": "Enter the end time", "invalid": "Enter the end time like 17:00"},
    )
    location = forms.CharField(
        label="Where",
        max_length=200,
        help_text="A place, or 'Online' (send the link later).",
        error_messages={"required": "Enter where the interview is", "max_length": "Must be 200 characters or fewer"},
    )
    capacity = _whole_number("How many people at this time", minimum=1, initial=1)

    def start_and_end(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The date and times as aware datetimes in the site's time zone."""
        day: datetime.date = self.cleaned_data["day"]
        starts = timezone.make_aware(datetime.datetime.combine(day, self.cleaned_data["starts_at"]))
        ends = timezone.make_aware(datetime.datetime.combine(day, self.cleaned_data["ends_at"]))
        return starts, ends


# --- Applications --------------------------------------------------------------------------------------------------


class ApplicationFilterForm(GdsForm):
    search = forms.CharField(label="Name or email", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *[(s.value, s.label) for s in Status if s != Status.DRAFT]],
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
    channel = forms.ChoiceField(
        label="Channel",
        required=False,
        choices=[("", "Any channel"), *OutreachChannel.choices, (DIRECT, "Direct (no link)")],
        error_messages={"invalid_choice": "Choose a channel from the list"},
    )

    def filters(self) -> dict[str, str]:
        """The filters to pass to the selector: none when the form is unbound or has a mistake."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class _IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        try:
            ids = sorted({int(v) for v in values})
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError("Choose applications from the list") from exc
        if any(not 0 < i < 2**63 for i in ids):
            raise forms.ValidationError("Choose applications from the list")
        return ids


class BulkMoveForm(GdsForm):
    applications = _IdListField(
        label="Applications", error_messages={"required": "Choose at least one application to move"}
    )
    to = forms.ChoiceField(
        label="Move selected to",
        choices=[("", "Choose a status"), *[(s, Status(s).label) for s in STAFF_MOVES]],
        error_messages={"required": "Choose where to move them", "invalid_choice": "Choose where to move them"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Needed for 'Unsuccessful'. It is kept with each application.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Reason must be 1000 characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The checkboxes are in the table; the layout holds only the controls under it.
        self.helper.layout = Layout("to", "reason")

    def selected_ids(self) -> set[int]:
        """What was ticked, to tick it again when the page comes back with an error."""
        if not self.is_bound:
            return set()
        ticked = self["applications"].data or []
        return {int(v) for v in ticked if str(v).isascii() and str(v).isdigit() and len(str(v)) < 19}


class MoveForm(GdsForm):
    """One application's move. The buttons carry `to`; the service checks the move is allowed."""

    to = forms.ChoiceField(
        label="Move to",
        choices=[(s, Status(s).label) for s in STAFF_MOVES],
        error_messages={"required": "Choose where to move it", "invalid_choice": "Choose where to move it"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Needed for 'Unsuccessful'. It is kept with the application; the applicant does not see it.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Reason must be 1000 characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("reason")


class ScoreForm(GdsForm):
    """One select per criterion (0 to its highest score) and a comment, prefilled with this worker's scores."""

    def __init__(
        self,
        *args: Any,
        criteria: Iterable[ScoringCriterion],
        mine: Iterable[PanelScore] = (),
        **kwargs: Any,
    ) -> None:
        criteria = list(criteria)
        mine = list(mine)
        initial = {f"criterion_{score.criterion_id}": str(score.score) for score in mine}
        initial["comment"] = next((score.comment for score in mine if score.comment), "")
        kwargs.setdefault("initial", initial)
        self.criteria = criteria
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = {}
        for criterion in criteria:
            fields[f"criterion_{criterion.pk}"] = forms.ChoiceField(
                label=f"{criterion.label} (0 to {criterion.max_score})",
                choices=[("", "Choose a score"), *[(str(n), str(n)) for n in range(criterion.max_score + 1)]],
                error_messages={
                    "required": f"Choose a score for {criterion.label}",
                    "invalid_choice": f"Choose a score for {criterion.label} from 0 to {criterion.max_score}",
                },
            )
        fields["comment"] = forms.CharField(
            label="Comment (optional)",
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={"max_length": "Comment must be 2000 characters or fewer"},
        )
        self.fields = fields
        self.helper.layout = Layout(*fields)

    def scores(self) -> dict[int, int]:
        return {c.pk: int(self.cleaned_data[f"criterion_{c.pk}"]) for c in self.criteria}


# --- Email wording -------------------------------------------------------------------------------------------------


class EmailTemplateForm(GdsForm):
    subject = forms.CharField(
        label="Subject",
        max_length=200,
        error_messages={"required": "Enter a subject", "max_length": "Subject must be 200 characters or fewer"},
    )
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": "Enter the message"},
    )
