"""Forms for the public application journey (no account needed).

These forms check only the shape of what was typed (a real date, an email address, not too long). Whether an
application is complete enough to send, and who must give a parent or carer's details, are the recruitment
services' rules (participants.services.recruitment.application_problems); the views show those problems against
these fields. Fields render through frontend/templates/apply/includes/field.html as GOV.UK form groups, with the
first box of a date and the first radio carrying the field's own id, so the error summary links land on them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from participants import equality
from participants.models import InterviewSlot, RoundQuestion

CONTINUE = "continue"
LATER = "later"

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input). Rendered by apply/includes/field.html."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateField(forms.MultiValueField):
    """A date typed as day, month and year, with GOV.UK error messages that name the field ("Date of birth must
    include a month"). All three boxes empty is None: whether a date is needed is for the service to say."""

    widget = DateInputWidget
    PARTS = ("day", "month", "year")

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        self.name_in_errors = label
        self.error_parts: set[str] = set(self.PARTS)
        parts = (forms.CharField(required=False), forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields=parts, require_all_fields=False, required=False, label=label, **kwargs)

    def clean(self, value: Any) -> datetime.date | None:
        self.error_parts = set(self.PARTS)  # which boxes to highlight when there is an error
        day, month, year = (str(part or "").strip() for part in [*(value or []), "", "", ""][:3])
        if not (day or month or year):
            return None
        missing = [name for name, part in zip(self.PARTS, (day, month, year), strict=True) if not part]
        if missing:
            self.error_parts = set(missing)
            raise ValidationError(f"{self.name_in_errors} must include a {' and '.join(missing)}", code="incomplete")

        def number(text: str) -> int | None:
            return int(text) if re.fullmatch(r"[0-9]{1,4}", text) else None

        month_number = MONTHS.get(month.lower(), number(month))
        if number(day) is None or number(year) is None or not month_number:
            raise ValidationError(f"{self.name_in_errors} must be a real date, like 27 3 2010", code="invalid")
        if len(year) != 4:
            self.error_parts = {"year"}
            raise ValidationError("Year must include 4 numbers, like 2010", code="invalid_year")
        try:
            return datetime.date(int(year), month_number, int(day))
        except (ValueError, OverflowError):
            raise ValidationError(
                f"{self.name_in_errors} must be a real date, like 27 3 2010", code="invalid"
            ) from None

    def compress(self, data_list: Sequence[Any]) -> datetime.date | None:  # pragma: no cover - clean() does it
        return None


def _text(
    label: str,
    *,
    required: bool = False,
    max_length: int,
    help_text: str = "",
    name_in_errors: str = "",
    **attrs: str,
) -> forms.CharField:
    name = name_in_errors or label.replace(" (optional)", "")
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
        error_messages={
            "required": f"Enter your {name[0].lower()}{name[1:]}",
            "max_length": f"{name} must be {max_length} characters or fewer",
        },
    )


def _phone(value: str, *, label: str) -> str:
    value = value.strip()
    if value and not PHONE.match(value):
        raise ValidationError(f"Enter {label} in the right format, like 07700 900 982 or +44 7700 900 982")
    return value


class SectionForm(forms.Form):
    """A section of the application: "Save and continue" or "Save and come back later"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = (self.data.get("action") if self.is_bound else None) or CONTINUE

    @property
    def later(self) -> bool:
        return self.action == LATER


class AboutYouForm(SectionForm):
    full_name = _text(
        "Full name",
        required=True,
        max_length=150,
        help_text="Your first name and last name.",
        autocomplete="name",
        spellcheck="false",
    )
    preferred_name = _text(
        "What should we call you? (optional)",
        max_length=60,
        help_text="If you like to be called something different from your first name.",
        name_in_errors="The name we should call you",
        autocomplete="nickname",
        spellcheck="false",
    )
    pronouns = _text(
        "Your pronouns (optional)",
        max_length=40,
        help_text="For example, she/her, he/him or they/them.",
        name_in_errors="Pronouns",
        width="govuk-input--width-10",
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will email you about your application, and send a link if you want to finish it later.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    phone = _text(
        "Phone number (optional)",
        max_length=30,
        help_text="In case we need to call you. For example, 07700 900 982.",
        name_in_errors="Phone number",
        autocomplete="tel",
        type="tel",
        width="govuk-input--width-20",
    )
    date_of_birth = DateField(
        label="Date of birth",
        help_text="For example, 27 3 2010",
        widget=DateInputWidget(attrs={"autocomplete": "bday"}),
    )

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"], label="your phone number")


class ParentCarerForm(SectionForm):
    parent_carer_name = _text("Their full name", max_length=150, name_in_errors="Your parent or carer's name")
    parent_carer_relationship = _text(
        "How are they related to you? (optional)",
        max_length=60,
        help_text="For example, mum, dad, foster carer, grandparent.",
        name_in_errors="How they are related to you",
        width="govuk-input--width-20",
    )
    parent_carer_email = forms.EmailField(
        label="Their email address",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
        error_messages={
            "invalid": "Enter your parent or carer's email address in the right format, like name@example.com",
            "max_length": "Your parent or carer's email address must be 254 characters or fewer",
        },
    )
    parent_carer_phone = _text(
        "Their phone number",
        max_length=30,
        name_in_errors="Your parent or carer's phone number",
        type="tel",
        width="govuk-input--width-20",
    )

    def clean_parent_carer_phone(self) -> str:
        return _phone(self.cleaned_data["parent_carer_phone"], label="your parent or carer's phone number")


YES_NO = [("yes", "Yes"), ("no", "No")]
SHORT_ANSWER_MAX = 300
LONG_ANSWER_MAX = 5000


class AnswersForm(SectionForm):
    """The round's own questions, one field each, named question_<id> (the name the service's problems use)."""

    def __init__(self, *args: Any, questions: Iterable[RoundQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = self._field_for(question)

    @staticmethod
    def _field_for(question: RoundQuestion) -> forms.Field:
        label = question.text if question.required else f"{question.text} (optional)"
        common: dict[str, Any] = {"label": label, "required": False, "help_text": question.help_text}
        Kind = RoundQuestion.Kind
        if question.kind in (Kind.CHOICE, Kind.YES_NO):
            choices = YES_NO if question.kind == Kind.YES_NO else [(choice, choice) for choice in question.choices]
            return forms.ChoiceField(
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Choose one of the options for: {question.text}"},
                **common,
            )
        limit = SHORT_ANSWER_MAX if question.kind == Kind.SHORT_TEXT else LONG_ANSWER_MAX
        widget: forms.Widget = forms.TextInput() if question.kind == Kind.SHORT_TEXT else forms.Textarea()
        return forms.CharField(
            max_length=limit,
            widget=widget,
            error_messages={"max_length": f"Your answer must be {limit} characters or fewer. Make it a bit shorter."},
            **common,
        )

    def answers(self) -> dict[str, str]:
        return {str(q.pk): self.cleaned_data.get(f"question_{q.pk}") or "" for q in self.questions}


class EqualityForm(SectionForm):
    """Every question is optional and has "Prefer not to say"; the answers are kept apart from the application."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in equality.QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=f"{question.text} (optional)",
                choices=list(question.options),
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Choose one of the options for: {question.text}"},
            )

    def answers(self) -> dict[str, str]:
        return equality.clean_answers({key: value for key, value in self.cleaned_data.items() if value})


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        help_text="You do not have to tell us. If you do, it helps us make things better.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Your reason must be 500 characters or fewer"},
    )


def _time(moment: datetime.datetime) -> str:
    return moment.strftime("%-I:%M%p").lower().replace(":00", "")


def slot_label(slot: InterviewSlot) -> str:
    """For example "Tuesday 12 May 2026, 4pm to 4:30pm, at Youth centre, room 2"."""
    starts, ends = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    return f"{starts:%A %-d %B %Y}, {_time(starts)} to {_time(ends)}, at {slot.location}"


class SlotForm(forms.Form):
    slot = forms.TypedChoiceField(
        label="Which time works for you?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a time for your interview",
            "invalid_choice": "That time is no longer free. Choose another time",
        },
    )

    def __init__(self, *args: Any, slots: Iterable[InterviewSlot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["slot"])
        field.choices = [(slot.pk, slot_label(slot)) for slot in slots]


class OfferForm(forms.Form):
    accept = forms.ChoiceField(
        label="Do you want to accept the place?",
        choices=[("yes", "Yes, I accept the place"), ("no", "No thanks")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes if you want to accept the place, or no thanks if you do not"},
    )
