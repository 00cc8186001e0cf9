"""Forms for consent pages: a young person's own choices, a worker's records, and a parent or carer's answer.

These check only the shape of what was typed. The rules (who may give which consent, a witness for verbal consent,
the paper form's type and size, a competence judgement only for under-16s) are the consent services'; the views
show the services' refusals against the fields they name. Fields render through
frontend/templates/consent/includes/field.html as GOV.UK form groups whose first input carries the field's id, so
the error summary links land on them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from frontend.forms.apply import DateField
from safeguarding.models import ConsentMethod, ConsentType
from safeguarding.services.consent import PARENT_LINK_TYPES, STAFF_METHODS, consent_document_problem

YES = "yes"
NO = "no"
GIVEN = "given"
REFUSED = "refused"
SELF = "self"
PARENT = "parent"


def _radios(
    label: str, choices: list[tuple[str, str]], required_message: str, help_text: str = ""
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        help_text=help_text,
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


def _text(label: str, *, max_length: int, required_message: str = "", help_text: str = "", **attrs: str) -> Any:
    name = label.replace(" (optional)", "")
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=bool(required_message),
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
        error_messages={
            "required": required_message,
            "max_length": f"{name} must be {max_length} characters or fewer",
        },
    )


def _textarea(label: str, *, max_length: int, required_message: str = "", help_text: str = "") -> Any:
    name = label.replace(" (optional)", "")
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=bool(required_message),
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": required_message,
            "max_length": f"{name} must be {max_length} characters or fewer",
        },
    )


# --- The young person's own consents -----------------------------------------------------------------------------


class OwnDecisionForm(forms.Form):
    decision = _radios(
        "What do you want to do?",
        [(YES, "Yes, I agree"), (NO, "No, I do not agree")],
        "Choose yes or no",
    )

    def __init__(self, *args: Any, question: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if question:
            self.fields["decision"].label = question


class OwnWithdrawForm(forms.Form):
    reason = _textarea(
        "Why are you changing your mind? (optional)",
        max_length=1000,
        help_text="You do not have to say. It helps us to know.",
    )


# --- A worker's records ------------------------------------------------------------------------------------------


class RecordConsentForm(forms.Form):
    consent_type = _radios("Which consent is this?", list(ConsentType.choices), "Choose which consent this is")
    decision = _radios(
        "What was decided?", [(GIVEN, "Consent given"), (REFUSED, "Consent refused")], "Choose given or refused"
    )
    given_by = _radios(
        "Who decided?",
        [(SELF, "The young person"), (PARENT, "A parent or carer")],
        "Choose who decided",
    )
    given_by_name = _text(
        "Parent or carer's full name (if a parent or carer decided)", max_length=150, autocomplete="off"
    )
    relationship = _text(
        "How they are related to the young person (if a parent or carer decided)",
        max_length=60,
        help_text="For example, mum, dad, foster carer, grandparent.",
    )
    method = _radios(
        "How was it given?",
        [(value, label) for value, label in ConsentMethod.choices if value in STAFF_METHODS],
        "Choose how consent was given",
    )
    witness_name = _text(
        "Witness's full name (for verbal consent)",
        max_length=150,
        help_text="Someone other than you who heard the consent being given.",
    )
    document = forms.FileField(
        label="The signed paper form (for consent on paper)",
        required=False,
        help_text="A PDF, JPG or PNG file, smaller than 5 MB. It is kept privately.",
        error_messages={"invalid": "The consent form must be a PDF, JPG or PNG file"},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    given_on = DateField(
        label="Date consent was given (optional)",
        help_text="Leave empty for today. For example, 27 3 2026",
    )
    expires_on = DateField(
        label="Date it expires (optional)",
        help_text="Only if the form says it ends on a date. For example, 31 8 2027",
    )
    scope = _textarea(
        "What it covers (optional)",
        max_length=2000,
        help_text="In plain words, for example 'All sessions in the 2026 to 2027 programme'.",
    )

    def clean_document(self) -> UploadedFile | None:
        document: UploadedFile | None = self.cleaned_data.get("document")
        if document:
            problem = consent_document_problem(document)
            if problem:
                raise forms.ValidationError(problem)
        return document

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("given_by") == PARENT:
            if not data.get("given_by_name") and "given_by_name" not in self.errors:
                self.add_error("given_by_name", "Enter the parent or carer's full name")
            if not data.get("relationship") and "relationship" not in self.errors:
                self.add_error("relationship", "Enter how the parent or carer is related to the young person")
        method = data.get("method")
        verbal = method == ConsentMethod.VERBAL_WITNESSED
        if verbal and not data.get("witness_name") and "witness_name" not in self.errors:
            self.add_error("witness_name", "Enter the name of the person who witnessed the consent")
        if method == ConsentMethod.PAPER_FORM and not data.get("document") and "document" not in self.errors:
            self.add_error("document", "Choose the signed paper form to upload")
        return data


class ParentLinkForm(forms.Form):
    parent_name = _text(
        "Parent or carer's full name", max_length=150, required_message="Enter the parent or carer's full name"
    )
    parent_email = forms.EmailField(
        label="Their email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "required": "Enter the parent or carer's email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    consent_type = _radios(
        "Which consent are you asking for?",
        [(value, label) for value, label in ConsentType.choices if value in PARENT_LINK_TYPES],
        "Choose which consent to ask for",
    )


class CompetenceForm(forms.Form):
    is_competent = _radios(
        "Is the young person competent to consent for themselves?",
        [(YES, "Yes, they are competent"), (NO, "No, they are not competent")],
        "Choose yes or no",
        help_text="They understand what taking part involves, the risks and the choices, and can weigh them up.",
    )
    reasoning = _textarea(
        "How you reached this judgement",
        max_length=5000,
        required_message="Explain how you reached your judgement",
        help_text="What you discussed, what they understood, and anything that concerned you.",
    )
    review_on = DateField(label="Review date (optional)", help_text="For example, 27 3 2027")


class PolicyForm(forms.Form):
    allow_competence_for_parent_consent = _radios(
        "Can a competence (Gillick) judgement stand in for a parent or carer's consent?",
        [(YES, "Yes"), (NO, "No, always ask a parent or carer")],
        "Choose yes or no",
        help_text=(
            "For young people under 16. If yes, a worker's recorded judgement that the young person is competent "
            "counts instead of a parent or carer's consent to take part."
        ),
    )


class StaffWithdrawForm(forms.Form):
    reason = _textarea(
        "Why is it being withdrawn?",
        max_length=2000,
        required_message="Enter why the consent is being withdrawn",
        help_text="For example, 'Mum phoned on 3 May to withdraw consent'.",
    )


# --- A parent or carer's answer ----------------------------------------------------------------------------------


class ParentAnswerForm(forms.Form):
    given_by_name = _text(
        "Your full name",
        max_length=150,
        required_message="Enter your full name",
        autocomplete="name",
        spellcheck="false",
    )
    relationship = _text(
        "How are you related to them?",
        max_length=60,
        required_message="Enter how you are related to them",
        help_text="For example, mum, dad, foster carer, grandparent.",
        width="govuk-input--width-20",
    )
    decision = _radios(
        "Do you give consent?",
        [(YES, "I give consent"), (NO, "I do not give consent")],
        "Choose whether you give consent",
    )

    def __init__(self, *args: Any, young_person: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if young_person:
            self.fields["relationship"].label = f"How are you related to {young_person}?"
            self.fields["relationship"].error_messages["required"] = f"Enter how you are related to {young_person}"


class ParentWithdrawForm(forms.Form):
    reason = _textarea(
        "Why are you withdrawing consent? (optional)",
        max_length=1000,
        help_text="You do not have to say.",
    )


__all__ = [
    "CompetenceForm",
    "OwnDecisionForm",
    "OwnWithdrawForm",
    "ParentAnswerForm",
    "ParentLinkForm",
    "ParentWithdrawForm",
    "PolicyForm",
    "RecordConsentForm",
    "StaffWithdrawForm",
]
