"""Forms for the payments pages: a pay rate, the expenses policy, the claims filter, a young person's payment
choice and a payment nominee.

Money is typed in pounds and pence ("12.71") and handed to the services in whole pence. These forms check only the
shape of what was typed; the rules (the National Minimum Wage, one rate per date, consent for a nominee) are the
services', and the views show their refusals on the fields they name (`SERVICE_FIELDS`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from engagements.models import OpportunityType, PayBasis
from frontend.forms.apply import DateField
from payments.models import AgeBand, Claim, PaymentChoice
from payments.services.setup import CONSENT_NOTE_MAX, NAME_MAX, RELATIONSHIP_MAX

# A service's field name to the box its refusal is shown on.
SERVICE_FIELDS: dict[str, str] = {
    "amount_pence": "amount",
    "food_limit_pence": "food_limit",
    "receipt_required_from_pence": "receipt_required_from",
}
YES_NO = [("yes", "Yes"), ("no", "No")]
MONEY = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


def pence_from_text(text: str, *, label: str, allow_zero: bool = False) -> int:
    """'12.71', '£12.71', '12' or '1,250.00' to whole pence; a ValidationError in plain words otherwise."""
    cleaned = (text or "").strip().lstrip("£").replace(",", "").strip()
    if not MONEY.match(cleaned):
        raise forms.ValidationError(f"{label} must be an amount in pounds and pence, like 12.71")
    try:
        pence = int(Decimal(cleaned) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise forms.ValidationError(f"{label} must be an amount in pounds and pence, like 12.71") from None
    if pence == 0 and not allow_zero:
        raise forms.ValidationError(f"{label} must be more than £0")
    return pence


def _money(label: str, help_text: str, *, name: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "width": "govuk-input--width-5", "spellcheck": "false"}),
        error_messages={"required": f"Enter {name}", "max_length": f"{name[0].upper()}{name[1:]} is too long"},
    )


class PayRateForm(forms.Form):
    opportunity_type = forms.ChoiceField(
        label="Type of opportunity",
        choices=[("", "Choose a type"), *OpportunityType.choices],
        error_messages={
            "required": "Choose the type of opportunity",
            "invalid_choice": "Choose the type of opportunity",
        },
    )
    age_band = forms.ChoiceField(
        label="Age band",
        help_text="The young person's age on the date of the work.",
        choices=AgeBand.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the age band", "invalid_choice": "Choose the age band"},
    )
    basis = forms.ChoiceField(
        label="How is it paid?",
        choices=PayBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose by the hour or a fee for the session"},
    )
    amount = _money(
        "Amount, in pounds",
        "The hourly rate, or the fee for the session. For example, 12.71",
        name="the amount",
    )
    effective_from = DateField(label="Starts on", help_text="The first day of work it is for. For example, 1 4 2026")

    def clean_amount(self) -> int:
        return pence_from_text(self.cleaned_data.get("amount", ""), label="The amount")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "effective_from" not in self.errors and data.get("effective_from") is None:
            self.add_error("effective_from", "Enter the date the rate starts")
        return data


class ExpensesPolicyForm(forms.Form):
    travel_allowed = forms.ChoiceField(
        label="Are travel costs repaid?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether travel costs are repaid"},
    )
    food_allowed = forms.ChoiceField(
        label="Is food and drink repaid?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether food and drink is repaid"},
    )
    food_limit = _money(
        "The most repaid for food and drink for one engagement, in pounds",
        "For example, 10.00",
        name="the most repaid for food and drink",
    )
    receipt_required_from = _money(
        "Expenses of this amount or more need a receipt, in pounds",
        "An expense below this can be repaid without one. For example, 5.00",
        name="the amount that needs a receipt",
    )

    def clean_food_limit(self) -> int:
        return pence_from_text(self.cleaned_data.get("food_limit", ""), label="The food limit", allow_zero=True)

    def clean_receipt_required_from(self) -> int:
        return pence_from_text(
            self.cleaned_data.get("receipt_required_from", ""), label="The amount that needs a receipt", allow_zero=True
        )

    @staticmethod
    def initial_for(policy: Any) -> dict[str, str]:
        return {
            "travel_allowed": "yes" if policy.travel_allowed else "no",
            "food_allowed": "yes" if policy.food_allowed else "no",
            "food_limit": f"{policy.food_limit_pence / 100:.2f}",
            "receipt_required_from": f"{policy.receipt_required_from_pence / 100:.2f}",
        }


CLAIM_FILTERS: list[tuple[str, str]] = [
    ("", "All claims"),
    *[(value, str(label)) for value, label in Claim.Status.choices],
    ("waiting", "Waiting for payment details"),
]


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(label="Show", choices=CLAIM_FILTERS, required=False)


# What each choice means, in plain words, for the young person's page.
CHOICE_HINTS: dict[str, str] = {
    PaymentChoice.MONEY: "Paid into a bank account. This is the usual choice.",
    PaymentChoice.VOUCHERS: "A gift voucher for the same amount instead of money.",
    PaymentChoice.DECLINED: (
        "You are not paid for your time. Choose this if being paid could affect benefits you or your family get. "
        "Money you spent (like bus fares) is still paid back, because it is not pay."
    ),
}
CHOICE_LABELS: dict[str, str] = {
    PaymentChoice.MONEY: "Money",
    PaymentChoice.VOUCHERS: "Gift vouchers",
    PaymentChoice.DECLINED: "No payment for my time",
}


class PaymentChoiceForm(forms.Form):
    choice = forms.ChoiceField(
        label="How do you want to be paid?",
        choices=[(value, CHOICE_LABELS[value]) for value in PaymentChoice.values],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you want to be paid",
            "invalid_choice": "Choose how you want to be paid",
        },
    )
    apply_to_open_claims = forms.BooleanField(
        label="Use this for my claims that are not paid yet too",
        required=False,
    )

    def options(self) -> list[dict[str, str]]:
        return [
            {"value": value, "label": CHOICE_LABELS[value], "hint": CHOICE_HINTS[value]}
            for value in PaymentChoice.values
        ]


class NomineeForm(forms.Form):
    name = forms.CharField(
        label="Their full name",
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the nominee's full name"},
    )
    email = forms.EmailField(
        label="Their email address",
        help_text="Where the link to set up their payment account is sent.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the nominee's email address",
            "invalid": "Enter the nominee's email address in the right format, like name@example.com",
        },
    )
    relationship = forms.CharField(
        label="Their relationship to the young person",
        help_text="For example, mum, foster carer, grandparent.",
        max_length=RELATIONSHIP_MAX,
        widget=forms.TextInput(attrs={"width": "govuk-input--width-20"}),
        error_messages={"required": "Enter their relationship to the young person"},
    )
    consent_note = forms.CharField(
        label="How was consent given?",
        help_text=(
            "How the young person agreed to this adult being paid for them, and a parent or carer too if they are "
            "under 16: who, when and how."
        ),
        max_length=CONSENT_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter how consent was given"},
    )
