"""Forms for the shared library's pages: searching it, drafting an example from the partnership's engagements,
editing it (with a review box for each free-text field), the reasons for sending back and withdrawing, asking a young
person whether they want to be named, questions and answers, and the young person's own answer.

These check only the shape of what was typed (a whole number for an age, an age range the right way round, a choice
from the list). The rules (what stops publication, who may approve, who may be named, which engagements and outputs
may be used) are library.services'; the views show its refusals against the fields they name. Fields render through
frontend/templates/frontend/includes/gds_field.html (selects, checkboxes and the review boxes are written out in the
library templates), so the error summary's links land on the field's own id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from library.models import Example, Method, Outcome

YES = "yes"
NO = "no"
# Where a service's refusal (named by the service's argument or the model's field) goes on these forms.
SERVICE_FIELD_TO_FORM = {
    "engagements": "engagement_ids",
    "outputs": "output_ids",
    "membership": "membership_id",
    "membership_id": "membership_id",
    "credits": "membership_id",
}
REVIEW_LABEL = "I have reviewed this text: it names no one and is fit to share"
ENGAGEMENTS_MESSAGE = "Choose at least one of your partnership's past engagements"
AGE_MESSAGE = "must be a whole number from 1 to 99"


def review_field_name(field: str) -> str:
    """The name of the review box that goes with a text field (review_title for title)."""
    return f"review_{field}"


def _text(label: str, *, max_length: int, what: str, help_text: str = "", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{what[0].upper()}{what[1:]} must be {max_length} characters or fewer",
        },
    )


def _long_text(
    label: str, *, what: str, name: str, help_text: str = "", rows: int = 5, max_length: int = 10000
) -> forms.CharField:
    """A textarea; `what` completes "Enter ..." and `name` starts "... must be 10,000 characters or fewer"."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{name} must be {max_length:,} characters or fewer",
        },
    )


def _whole_number(label: str, *, name: str, minimum: int, maximum: int, help_text: str = "") -> forms.IntegerField:
    message = f"{name} must be a whole number from {minimum} to {maximum}"
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=minimum,
        max_value=maximum,
        widget=forms.TextInput(attrs={"width": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


def _set_choices(form: forms.Form, name: str, choices: Iterable[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared on the form
    field.choices = list(choices)


def ticked(form: forms.Form, name: str) -> set[int]:
    """The ids ticked in a checkbox field (to tick the boxes again after a bad submit), valid or not."""
    if form.is_bound:
        raw = form.data.getlist(name) if hasattr(form.data, "getlist") else []
        return {int(value) for value in raw if str(value).isdigit() and len(str(value)) < 12}
    return {int(value) for value in form.initial.get(name) or []}


# --- Searching the library ----------------------------------------------------------------------------------------


class LibrarySearchForm(forms.Form):
    text = forms.CharField(
        label="Search",
        help_text="Words in the title, topic, what young people recommended or what changed.",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={"max_length": "Search words must be 200 characters or fewer"},
    )
    method = forms.ChoiceField(label="Method", required=False, choices=[("", "Any method"), *Method.choices])
    topic = forms.CharField(
        label="Topic",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={"max_length": "Topic must be 200 characters or fewer"},
    )
    age = forms.IntegerField(
        label="Age of the young people",
        help_text="Examples whose young people's age range includes this age, for example 15.",
        required=False,
        min_value=1,
        max_value=99,
        widget=forms.TextInput(attrs={"width": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "invalid": f"Age {AGE_MESSAGE}",
            "min_value": f"Age {AGE_MESSAGE}",
            "max_value": f"Age {AGE_MESSAGE}",
        },
    )
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "Any outcome"), *Outcome.choices])

    def filters(self) -> dict[str, Any]:
        """The filters that were given and are valid, named as library_search takes them. A bad age is shown as an
        error and left out; an unknown method or outcome (an edited address) is ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        for name in ("method", "outcome"):
            if name in self.errors:
                del self.errors[name]
        return {name: data[name] for name in self.fields if data.get(name) not in (None, "")}


# --- Drafting and editing an example --------------------------------------------------------------------------------


class ExampleNewForm(forms.Form):
    engagement_ids = forms.TypedMultipleChoiceField(
        label="Which engagements is it about?",
        coerce=int,
        error_messages={"required": ENGAGEMENTS_MESSAGE, "invalid_choice": ENGAGEMENTS_MESSAGE},
    )
    method = forms.ChoiceField(
        label="Which method did you use? (if the engagements' type does not say)",
        help_text=(
            "Leave it if the engagements are section 11 panels, scrutiny events, deep dives, focus groups, young "
            "inspector visits or annual report work: it is taken from their type. You can change it later."
        ),
        required=False,
        choices=Method.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the methods"},
    )

    def __init__(self, *args: Any, engagement_ids: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "engagement_ids", [(pk, str(pk)) for pk in engagement_ids])


class ExampleEditForm(forms.Form):
    """Every field a participation worker edits, each free-text field followed by its review box."""

    title = _text("Title", max_length=200, what="a title")
    topic = _text("Topic", max_length=200, what="the topic", help_text="For example, stop and search.")
    recruitment = _long_text(
        "How were young people recruited?",
        what="how young people were recruited",
        name="How young people were recruited",
        help_text="Where you reached them, for example schools, youth councils or a children in care council.",
    )
    support = _long_text(
        "How were they prepared and supported?",
        what="how they were prepared and supported",
        name="How they were supported",
        help_text="Training, briefings, debriefs and emotional support.",
    )
    recommended = _long_text("What did they recommend?", what="what they recommended", name="What they recommended")
    changed = _long_text("What changed as a result?", what="what changed", name="What changed")
    method = forms.ChoiceField(
        label="Method",
        choices=Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the method", "invalid_choice": "Choose one of the methods"},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome", "invalid_choice": "Choose one of the outcomes"},
    )
    age_min = _whole_number(
        "Age of the youngest who took part",
        name="The youngest age",
        minimum=1,
        maximum=99,
        help_text="Only ages are shared, never dates of birth.",
    )
    age_max = _whole_number("Age of the oldest who took part", name="The oldest age", minimum=1, maximum=99)
    young_people_count = _whole_number(
        "How many young people took part? (optional)",
        name="How many took part",
        minimum=1,
        maximum=10000,
        help_text="Only shown when it is 5 or more. Leave it blank if fewer than 5 took part.",
    )
    engagement_ids = forms.TypedMultipleChoiceField(
        label="Which engagements is it about?",
        coerce=int,
        error_messages={"required": ENGAGEMENTS_MESSAGE, "invalid_choice": ENGAGEMENTS_MESSAGE},
    )
    output_ids = forms.TypedMultipleChoiceField(
        label="Outputs to share (optional)",
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Choose outputs made in the engagements this example is about"},
    )

    def __init__(self, *args: Any, engagement_ids: Iterable[int], output_ids: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in Example.TEXT_FIELDS:
            self.fields[review_field_name(field)] = forms.BooleanField(label=REVIEW_LABEL, required=False)
        _set_choices(self, "engagement_ids", [(pk, str(pk)) for pk in engagement_ids])
        _set_choices(self, "output_ids", [(pk, str(pk)) for pk in output_ids])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        youngest, oldest = data.get("age_min"), data.get("age_max")
        if youngest is not None and oldest is not None and oldest < youngest:
            self.add_error("age_max", "The oldest age must be the same as or more than the youngest age")
        return data

    def text_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """Each free-text field with its review box, in the order of the page."""
        return [(self[field], self[review_field_name(field)]) for field in Example.TEXT_FIELDS]

    def reviewed(self) -> list[str]:
        """The text fields whose review box is ticked."""
        return [field for field in Example.TEXT_FIELDS if self.cleaned_data.get(review_field_name(field))]

    def service_fields(self) -> dict[str, Any]:
        """What was typed, named as example_update takes it."""
        data = self.cleaned_data
        names = (*Example.TEXT_FIELDS, "method", "outcome", "age_min", "age_max", "young_people_count")
        return {
            **{name: data[name] for name in names},
            "engagement_ids": sorted(data["engagement_ids"]),
            "output_ids": sorted(data["output_ids"]),
        }


# --- Reasons, credits, questions ----------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = _long_text(
        "Why?",
        what="the reason",
        name="The reason",
        help_text="Do not include anyone's name or personal details.",
        rows=4,
        max_length=2000,
    )

    def __init__(self, *args: Any, label: str = "", help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        if help_text:
            self.fields["reason"].help_text = help_text


class CreditAskForm(forms.Form):
    membership_id = forms.TypedChoiceField(
        label="Who do you want to ask?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a young person who took part",
            "invalid_choice": "Choose one of the young people who took part",
        },
    )

    def __init__(self, *args: Any, people: Iterable[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "membership_id", people)


class QuestionForm(forms.Form):
    text = _long_text(
        "Your question",
        what="your question",
        name="Your question",
        help_text="Do not include anyone's name or personal details. Your partnership's name is shown with it.",
        rows=5,
        max_length=5000,
    )


class AnswerForm(forms.Form):
    answer = _long_text(
        "Your answer",
        what="your answer",
        name="Your answer",
        help_text="The person who asked is emailed your answer. Do not include anyone's name or personal details.",
        rows=6,
        max_length=10000,
    )


# --- The young person's answer ----------------------------------------------------------------------------------


class CreditAnswerForm(forms.Form):
    agree = forms.ChoiceField(
        label="Do you want your name on it?",
        choices=[(YES, "Yes, put my name on it"), (NO, "No, do not put my name on it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no", "invalid_choice": "Choose yes or no"},
    )
    credit_name = forms.CharField(
        label="The name to show (if you said yes)",
        help_text="It can be just your first name, or the name you like to be called.",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        error_messages={"max_length": "Your name must be 100 characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("agree") == YES and not (data.get("credit_name") or "").strip():
            self.add_error("credit_name", "Enter the name you want to show")
        return data
