"""Forms for work logs: the young person's time (hours and minutes for each part) and a new expense with its
receipt; the worker's review (approve as claimed, adjust with a reason, or reject with a reason).

Time is typed as hours and minutes ("Preparation: hours [1] minutes [30]"): easier on a phone than a number of
minutes. The services take minutes; `SERVICE_FIELDS` maps a service's field to the box an error links to.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from core.uploads import ACCEPT
from engagements.models import Expense, WorkLog
from engagements.services.work_logs import MAX_DRAFT_MINUTES, NOTE_MAX, REASON_MAX

PARTS: tuple[tuple[str, str, str], ...] = (
    ("preparation", "Preparation", "Reading papers and getting ready before the session."),
    ("session", "The session", "The time you were at the session itself."),
    ("travel", "Travel", "Getting there and back."),
)
# A service names `<part>_minutes`; the page shows that error on the part's hours box (the first of the pair).
SERVICE_FIELDS: dict[str, str] = {f"{part}_minutes": f"{part}_hours" for part, _, _ in PARTS}


def _hours(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=f"{label}: hours",
        required=False,
        min_value=0,
        max_value=MAX_DRAFT_MINUTES // 60,
        error_messages={
            "invalid": f"{label}: enter hours as a whole number, like 2",
            "min_value": f"{label}: hours cannot be less than 0",
            "max_value": f"{label}: hours must be {MAX_DRAFT_MINUTES // 60} or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


def _minutes(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=f"{label}: minutes",
        required=False,
        min_value=0,
        max_value=MAX_DRAFT_MINUTES,
        error_messages={
            "invalid": f"{label}: enter minutes as a whole number, like 30",
            "min_value": f"{label}: minutes cannot be less than 0",
            "max_value": f"{label}: that is too many minutes",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


def split_minutes(total: int | None) -> tuple[int | None, int | None]:
    if total is None:
        return None, None
    hours, minutes = divmod(int(total), 60)
    return hours, minutes


class _TimeParts(forms.Form):
    """Hours and minutes boxes for preparation, session and travel; cleaned_data gains `<part>_total`."""

    preparation_hours = _hours("Preparation")
    preparation_minutes = _minutes("Preparation")
    session_hours = _hours("The session")
    session_minutes = _minutes("The session")
    travel_hours = _hours("Travel")
    travel_minutes = _minutes("Travel")

    def time_parts(self) -> list[dict[str, Any]]:
        """For the template: each part's label, hint and its two bound boxes."""
        return [
            {
                "name": part,
                "label": label,
                "hint": hint,
                "hours": self[f"{part}_hours"],
                "minutes": self[f"{part}_minutes"],
                "errors": [*self[f"{part}_hours"].errors, *self[f"{part}_minutes"].errors],
            }
            for part, label, hint in PARTS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for part, label, _ in PARTS:
            hours, minutes = data.get(f"{part}_hours"), data.get(f"{part}_minutes")
            if f"{part}_hours" in self.errors or f"{part}_minutes" in self.errors:
                continue
            total = (hours or 0) * 60 + (minutes or 0)
            if total > MAX_DRAFT_MINUTES:
                self.add_error(f"{part}_hours", f"{label}: that is more than {MAX_DRAFT_MINUTES // 60} hours")
                continue
            data[f"{part}_total"] = total
        return data

    @classmethod
    def initial_for(cls, figures: dict[str, int | None]) -> dict[str, int | None]:
        initial: dict[str, int | None] = {}
        for part, _, _ in PARTS:
            initial[f"{part}_hours"], initial[f"{part}_minutes"] = split_minutes(figures.get(part))
        return initial


class WorkLogTimeForm(_TimeParts):
    note = forms.CharField(
        label="Anything the worker should know (optional)",
        help_text="For example, why your travel took longer than usual.",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"The note must be {NOTE_MAX} characters or fewer"},
    )

    @classmethod
    def for_log(cls, log: WorkLog | None) -> dict[str, Any]:
        if log is None:
            return {}
        return {
            **cls.initial_for(
                {
                    "preparation": log.preparation_minutes,
                    "session": log.session_minutes,
                    "travel": log.travel_minutes,
                }
            ),
            "note": log.note,
        }


class ExpenseForm(forms.Form):
    """An optional new expense line. Left empty, it adds nothing; partly filled, it says what is missing."""

    kind = forms.ChoiceField(
        label="What was it for?",
        choices=Expense.Kind.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose what the expense was for"},
    )
    description = forms.CharField(
        label="What did you pay for?",
        help_text="For example, 'Bus fare to the town hall and back'.",
        required=False,
        max_length=200,
        error_messages={"max_length": "The description must be 200 characters or fewer"},
    )
    amount = forms.CharField(
        label="How much did it cost, in pounds?",
        help_text="For example, 4.50",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "width": "govuk-input--width-5"}),
    )
    receipt = forms.FileField(
        label="Photo or PDF of the receipt",
        help_text=(
            "Take a photo of the receipt or choose a PDF, smaller than 10 MB. A travel fare under £5 does not need "
            "one. If you see an error, choose the file again."
        ),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"invalid": "The receipt must be a photo (JPG or PNG) or a PDF"},
    )

    def has_expense(self) -> bool:
        """Whether anything was typed or chosen for a new expense."""
        if not self.is_bound:
            return False
        data = self.data
        return bool(
            (data.get(self.add_prefix("description")) or "").strip()
            or (data.get(self.add_prefix("amount")) or "").strip()
            or self.files.get(self.add_prefix("receipt"))
        )

    def clean_amount(self) -> Decimal | None:
        text = (self.cleaned_data.get("amount") or "").strip().lstrip("£").replace(",", "")
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError("Enter the amount in pounds and pence, like 4.50") from None
        if not amount.is_finite():
            raise forms.ValidationError("Enter the amount in pounds and pence, like 4.50")
        return amount

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_expense():
            return data
        if not data.get("kind") and "kind" not in self.errors:
            self.add_error("kind", "Choose what the expense was for")
        if not data.get("description") and "description" not in self.errors:
            self.add_error("description", "Say what you paid for")
        if data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Enter how much it cost")
        return data


class ReviewForm(_TimeParts):
    """The worker's decision. Approve as claimed ignores the boxes; adjust uses them and needs a reason; reject
    needs a reason."""

    APPROVE = "approve"
    ADJUST = "adjust"
    REJECT = "reject"

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (APPROVE, "Approve as claimed"),
            (ADJUST, "Approve with changes"),
            (REJECT, "Do not approve"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve, approve with changes, or do not approve"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Needed for changes and for not approving. The young person will see it, so use plain words.",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"The reason must be {REASON_MAX} characters or fewer"},
    )

    def __init__(self, *args: Any, log: WorkLog, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                **self.initial_for(
                    {
                        "preparation": log.preparation_minutes,
                        "session": log.session_minutes,
                        "travel": log.travel_minutes,
                    }
                ),
                **{f"expense_{e.pk}": f"{e.amount:.2f}" for e in log.expenses.all()},
            },
        )
        super().__init__(*args, **kwargs)
        self.expenses = list(log.expenses.all())
        for expense in self.expenses:
            self.fields[f"expense_{expense.pk}"] = forms.CharField(
                label=f"Approved for {expense.description}, in pounds",
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "width": "govuk-input--width-5"}),
            )

    def expense_fields(self) -> list[tuple[Expense, forms.BoundField]]:
        return [(e, self[f"expense_{e.pk}"]) for e in self.expenses]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        amounts: dict[int, Decimal] = {}
        if data.get("decision") == self.ADJUST:
            for expense in self.expenses:
                name = f"expense_{expense.pk}"
                text = (data.get(name) or "").strip().lstrip("£").replace(",", "")
                if not text:
                    self.add_error(name, f"Enter the amount approved for {expense.description}, or 0")
                    continue
                try:
                    amounts[expense.pk] = Decimal(text)
                except InvalidOperation:
                    self.add_error(name, f"Enter the amount approved for {expense.description} in pounds and pence")
        data["expense_amounts"] = amounts
        if data.get("decision") == self.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give a reason. The young person will see it, so they know what to change")
        return data
