"""Forms for the safeguarding concern pages. They only parse what was typed; safeguarding.services.concerns decides.

Field names match the services' and the API's (`membership_id`, `text`, `owner`, `due_on`, ...), so a refusal
from a service lands against the right field. Rendered with crispy-forms-gds, `form_tag = False`: each template
writes its own <form>.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Size
from django import forms

from safeguarding.models import Concern, ConcernCategory, ConcernEntry

TEXT_MAX = 20_000
ABOUT_YOUNG_PERSON = "young_person"
ABOUT_SOMEONE_ELSE = "someone_else"


def _textarea(label: str, *, required: str | None, help_text: str = "", rows: int = 5) -> forms.CharField:
    what = label[0].lower() + label[1:]
    return forms.CharField(
        label=label,
        required=required is not None,
        help_text=help_text,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": required or "",
            "max_length": f"The {what} must be {TEXT_MAX:,} characters or fewer",
        },
    )


class ConcernForm(forms.Form):
    """Laid out by crispy-forms-gds without its own <form> tag; date inputs get the error border too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has the token
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(*self.fields)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            field = self.fields.get(name)
            if field is not None and isinstance(field.widget, forms.DateInput):
                classes = field.widget.attrs.get("class", "")
                if "govuk-input--error" not in classes:
                    field.widget.attrs["class"] = f"{classes} govuk-input--error".strip()


class RaiseConcernForm(ConcernForm):
    about = forms.ChoiceField(
        label="Who is the concern about?",
        choices=[(ABOUT_YOUNG_PERSON, "One of our young people"), (ABOUT_SOMEONE_ELSE, "Someone else")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the concern is about"},
    )
    membership_id = forms.TypedChoiceField(
        label="Young person",
        coerce=int,
        required=False,
        help_text="If the concern is about one of our young people.",
        error_messages={"invalid_choice": "Choose a young person from the list"},
    )
    about_name = forms.CharField(
        label="Their name",
        required=False,
        max_length=200,
        help_text="If the concern is about someone else.",
        error_messages={"max_length": "The name must be 200 characters or fewer"},
    )
    category = forms.ChoiceField(
        label="What kind of concern is it?",
        choices=[("", "Choose a category"), *ConcernCategory.choices],
        error_messages={"required": "Choose what kind of concern it is", "invalid_choice": "Choose a category"},
    )
    young_persons_words = _textarea(
        "What the young person said",
        required="Enter what the young person said, in their own words",
        help_text="Write down exactly what they said, in their words, even if it does not seem to make sense.",
    )
    what_happened = _textarea(
        "What happened",
        required=None,
        help_text="What you saw or heard, when and where, and anything you did straight away.",
    )

    def __init__(self, *args: Any, young_people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership_id"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "Choose a young person"), *young_people]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        about = data.get("about")
        if about == ABOUT_YOUNG_PERSON:
            data["about_name"] = ""
            if not data.get("membership_id") and "membership_id" not in self.errors:
                self.add_error("membership_id", "Choose the young person the concern is about")
        elif about == ABOUT_SOMEONE_ELSE:
            data["membership_id"] = None
            if not (data.get("about_name") or "").strip() and "about_name" not in self.errors:
                self.add_error("about_name", "Enter the name of the person the concern is about")
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "membership_id": data.get("membership_id") or None,
            "about_name": data.get("about_name") or "",
            "category": data["category"],
            "young_persons_words": data["young_persons_words"],
            "what_happened": data.get("what_happened") or "",
        }


class ConcernFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Open and closed"), *Concern.Status.choices]
    )
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "Any category"), *ConcernCategory.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # a GET form: no token in the address bar
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout("status", "category")


class NoteForm(ConcernForm):
    text = _textarea("Note", required="Enter the note")


class CorrectionForm(ConcernForm):
    text = _textarea(
        "Correction",
        required="Enter the correction",
        help_text="Say what was wrong and what is right. The original entry stays, marked as corrected.",
    )


class CategoryForm(ConcernForm):
    category = forms.ChoiceField(
        label="New category",
        choices=ConcernCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the new category", "invalid_choice": "Choose a category"},
    )
    text = _textarea("Why the category is changing", required="Say why the category is changing", rows=3)


class ActionForm(ConcernForm):
    text = _textarea("What needs to be done", required="Enter what needs to be done", rows=3)
    owner = forms.TypedChoiceField(
        label="Who will do it",
        coerce=int,
        error_messages={
            "required": "Choose who will do it",
            "invalid_choice": "Choose a member of staff from the list",
        },
    )
    due_on = forms.DateField(
        label="Due date",
        help_text="For example, 27/03/2026.",
        widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the due date", "invalid": "Enter the due date as a real date"},
    )

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "Choose a member of staff"), *staff]


class ActionDoneForm(ConcernForm):
    text = _textarea("What was done (optional)", required=None, rows=3)


class ReferralForm(ConcernForm):
    agency = forms.ChoiceField(
        label="Who was the referral made to?",
        choices=ConcernEntry.Agency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the referral was made to"},
    )
    text = _textarea(
        "Details of the referral",
        required="Enter the details of the referral",
        help_text="When you referred, who you spoke to, any reference number, and what they said would happen.",
    )


class OutcomeForm(ConcernForm):
    text = _textarea("Outcome", required="Enter the outcome")


class CloseForm(ConcernForm):
    text = _textarea("Anything to add when closing (optional)", required=None, rows=3)


class ReopenForm(ConcernForm):
    text = _textarea("Why the concern is being reopened", required="Say why the concern is being reopened", rows=3)


class LegalHoldForm(ConcernForm):
    """Says which move it asks for, so a resubmitted "put on hold" is refused, never turned into "lift"."""

    legal_hold = forms.ChoiceField(choices=[("on", "On"), ("off", "Off")], widget=forms.HiddenInput)
    text = _textarea("Reason", required="Enter the reason", rows=3)

    def __init__(self, *args: Any, on: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["legal_hold"].initial = "on" if on else "off"
        self.fields["text"].label = "Why the concern must be kept" if on else "Why the legal hold can be lifted"


class DeleteForm(ConcernForm):
    confirm = forms.BooleanField(
        label="I have reviewed this concern and it no longer needs to be kept",
        error_messages={"required": "Confirm that you have reviewed this concern"},
    )
