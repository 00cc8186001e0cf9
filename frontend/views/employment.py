"""Partnership settings for the law on children's working hours: school term dates and child employment permits."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from core.permissions import require
from engagements.models import ChildEmploymentPermit, SchoolTerm
from engagements.services import permit_record, school_term_add
from frontend.views.home import acting_user, apply_service_error
from participants.models import Membership, Role
from participants.selectors import memberships_visible_to

DATE = forms.DateInput(attrs={"type": "date"})


class SchoolTermForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, error_messages={"required": "Enter a name for the term"})
    starts_on = forms.DateField(label="First day", widget=DATE, error_messages={"required": "Enter the first day"})
    ends_on = forms.DateField(label="Last day", widget=DATE, error_messages={"required": "Enter the last day"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout("name", "starts_on", "ends_on", Button.primary("add", "Add term"))


class PermitForm(forms.Form):
    membership_id = forms.TypedChoiceField(label="Young person", coerce=int, error_messages={
        "required": "Choose the young person", "invalid_choice": "Choose the young person"})  # fmt: skip
    reference = forms.CharField(
        label="Permit reference", max_length=60, error_messages={"required": "Enter the reference"}
    )
    issued_by = forms.CharField(label="Issued by (local authority)", max_length=150,
                                error_messages={"required": "Enter who issued it"})  # fmt: skip
    issued_on = forms.DateField(label="Issue date", widget=DATE, error_messages={"required": "Enter the issue date"})
    expires_on = forms.DateField(label="Expiry date (if it has one)", widget=DATE, required=False)

    def __init__(self, *args: Any, young_people: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership_id"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "Choose"), *[(m.pk, m.user.full_name) for m in young_people]]
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            "membership_id", "reference", "issued_by", "issued_on", "expires_on", Button.primary("add", "Record permit")
        )


@login_required
@require_http_methods(["GET", "POST"])
def school_terms(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "engagements.change_schoolterm")
    form = SchoolTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            term = school_term_add(actor=user, **form.cleaned_data)
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{term.name} was added.")
            return redirect("school_terms")
    terms = SchoolTerm.objects.filter(partnership=user.partnership)
    return render(request, "employment/school_terms.html", {"form": form, "terms": terms})


@login_required
@require_http_methods(["GET", "POST"])
def permits(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, "engagements.record_permit")
    young_people = list(memberships_visible_to(user, role=Role.YOUNG_PERSON, status=Membership.Status.ACTIVE))
    form = PermitForm(request.POST or None, young_people=young_people)
    if request.method == "POST" and form.is_valid():
        try:
            permit = permit_record(actor=user, **form.cleaned_data)
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"The permit for {permit.membership.user.full_name} was recorded.")
            return redirect("child_employment_permits")
    recorded = ChildEmploymentPermit.objects.filter(partnership=user.partnership).select_related("membership__user")
    return render(request, "employment/permits.html", {"form": form, "permits": recorded})


urlpatterns = [
    path("staff/school-terms/", school_terms, name="school_terms"),
    path("staff/child-employment-permits/", permits, name="child_employment_permits"),
]
