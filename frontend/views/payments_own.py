"""Pages for payments (the young person's own, and the worker's nominee page). Each area keeps its views in its own
section and its own list of URL patterns, joined into `urlpatterns` at the end, so more areas can be added alongside.

Choice and nominee (this section):
- `payment_choice` (/payments/choice/): a young person chooses money, gift vouchers or no payment, with what each
  means in plain words (declining may matter for benefits; money spent, like bus fares, is still paid back).
- `nominee_record` (/staff/people/<membership_id>/payment-nominee/): a participation worker records (or removes) an
  adult to be paid for a young person who cannot hold an account, with how consent was given.

Own payments and the yearly statement (the remittance section):
- `my_payments` (/payments/): the young person's claims, newest first and 20 to a page (`?page=`), each with its
  lines and its status in plain words, the
  remittance details of what was paid (when, how much, how), links to choose how to be paid and to set up their
  account, and their yearly statements.
- `earnings_statement` (/payments/statement/<year>/): the statement of earnings for the tax year 6 April <year> to
  5 April <year + 1> as a PDF (paid payouts only); a year before 2000 or after the current tax year is a 404.
  Young people only, and only their own; the reads live in payments/services/statements.py.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_http_methods, require_safe

from core.exceptions import ApplicationError
from core.permissions import require
from core.web_security import allow_form_redirect
from frontend.forms.payments import CHOICE_LABELS, NomineeForm, PaymentChoiceForm
from frontend.views.home import acting_user
from frontend.views.work_logs import show_error
from payments.models import Claim, PayeeAccount, PaymentChoice, Rail
from payments.selectors.accounts import mask, own_payee_accounts
from payments.selectors.claims import own_claims
from payments.selectors.setup import nominee_for_worker, own_payment_setup
from payments.services.accounts import (
    ACCOUNT_NAME_MAX,
    bank_details_save,
    payee_account_refresh_own,
    stripe_account_start,
    stripe_unavailable_reason,
)
from payments.services.setup import CHANGE_OWN_SETUP, RECORD_NOMINEE, nominee_record, nominee_remove, payment_choice_set
from payments.services.statements import (
    OWN_PAGE_SIZE,
    earnings_statement_for,
    earnings_statement_pdf,
    own_payments,
    statement_year_valid,
)

# --- Payment choice and nominee --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def payment_choice(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, CHANGE_OWN_SETUP)
    setup = own_payment_setup(user)
    current = setup.choice if setup is not None else "money"
    open_claims = own_claims(user).filter(status=Claim.Status.OPEN).count()
    posted = request.method == "POST"
    form = PaymentChoiceForm(request.POST if posted else None, initial={"choice": current})
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            payment_choice_set(
                actor=user, choice=data["choice"], apply_to_open_claims=bool(data.get("apply_to_open_claims"))
            )
        except (ApplicationError, DjangoValidationError) as error:
            show_error(form, error)
        else:
            messages.success(request, f"Saved. You chose: {CHOICE_LABELS[data['choice']].lower()}.")
            return redirect("payment_choice")
    return render(
        request,
        "payments/choice.html",
        {"form": form, "current": current, "current_label": CHOICE_LABELS[current], "open_claims": open_claims},
    )


@login_required
@require_http_methods(["GET", "POST"])
def nominee_record_page(request: HttpRequest, membership_id: int) -> HttpResponse:
    user = acting_user(request)
    if not user.has_perm(RECORD_NOMINEE):
        raise PermissionDenied("Only participation workers can record a payment nominee.")
    found = nominee_for_worker(user, membership_id)
    setup = found.setup
    posted = request.method == "POST"
    if posted and request.POST.get("action") == "remove":
        try:
            nominee_remove(actor=user, membership_id=membership_id)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The payment nominee was removed.")
        return redirect("nominee_record", membership_id=membership_id)
    initial = (
        {
            "name": setup.nominee_name,
            "email": setup.nominee_email,
            "relationship": setup.nominee_relationship,
            "consent_note": setup.nominee_consent_note,
        }
        if setup is not None and setup.has_nominee
        else {}
    )
    form = NomineeForm(request.POST if posted else None, initial=initial)
    if posted and form.is_valid():
        try:
            nominee_record(actor=user, membership_id=membership_id, **form.cleaned_data)
        except (ApplicationError, DjangoValidationError) as error:
            show_error(form, error)
        else:
            messages.success(request, "The payment nominee was recorded.")
            return redirect("nominee_record", membership_id=membership_id)
    return render(
        request,
        "payments/nominee.html",
        {"membership": found.membership, "setup": setup, "form": form},
    )


choice_urlpatterns: list[URLPattern | URLResolver] = [
    path("payments/choice/", payment_choice, name="payment_choice"),
    path("staff/people/<int:membership_id>/payment-nominee/", nominee_record_page, name="nominee_record"),
]


# --- Own payments and the yearly statement --------------------------------------------------------------------------


@login_required
@require_safe
def my_payments(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    payments = own_payments(user, request.GET.get("page"))
    return render(
        request,
        "payments/my_payments.html",
        {"payments": payments, "page": payments.page, "page_size": OWN_PAGE_SIZE},
    )


@login_required
@require_safe
def earnings_statement(request: HttpRequest, year: int) -> HttpResponse:
    user = acting_user(request)
    if not statement_year_valid(year):
        raise Http404("There is no statement for that year.")
    pdf = earnings_statement_pdf(earnings_statement_for(user, year))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-of-earnings-{year}-{year + 1}.pdf"'
    return response


own_urlpatterns: list[URLPattern | URLResolver] = [
    path("payments/", my_payments, name="my_payments"),
    path("payments/statement/<int:year>/", earnings_statement, name="earnings_statement"),
]


# --- Setting up where the money goes (the batches helper) ---------------------------------------------------------
# `payment_account_setup` (/payments/account/): the young person sees how they will be paid; aged 18 or over they can
# set up a Stripe Express account (a Stripe-hosted page; Stripe sends them back here with ?stripe=return, or with
# ?stripe=refresh when the link expired, and a fresh link is made); under 18 (or with no date of birth) they are told
# why not and what happens instead. Anyone can give bank details for a bank transfer (to an account in their name, or
# their nominated adult's). The rules live in payments/services/accounts.py.


class BankDetailsForm(forms.Form):
    account_name = forms.CharField(
        label="Name on the account",
        max_length=ACCOUNT_NAME_MAX,
        error_messages={"required": "Enter the name on the account"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    sort_code = forms.CharField(
        label="Sort code",
        help_text="Must be 6 digits long",
        max_length=20,
        error_messages={"required": "Enter a sort code"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "width": "govuk-input--width-5", "spellcheck": "false"}),
    )
    account_number = forms.CharField(
        label="Account number",
        help_text="Must be 8 digits long",
        max_length=20,
        error_messages={"required": "Enter an account number"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "width": "govuk-input--width-10", "spellcheck": "false"}),
    )
    for_nominee = forms.BooleanField(
        label="This is the account of the adult nominated to be paid for me", required=False
    )


STRIPE_RETURN_MESSAGES: dict[str, str] = {
    PayeeAccount.Status.ACTIVE: "Your Stripe account is ready. We will pay you through Stripe.",
    PayeeAccount.Status.PENDING: "You have not finished setting up your Stripe account. You can carry on below.",
    PayeeAccount.Status.RESTRICTED: "Stripe needs more information from you before it can pay you. Carry on below.",
}


def _start_stripe(request: HttpRequest, user: Any) -> HttpResponse:
    try:
        started = stripe_account_start(actor=user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("payment_account_setup")
    if started.url:
        # Stripe's hosted onboarding page: the form's Content-Security-Policy lets it go there.
        return allow_form_redirect(redirect(started.url), started.url)  # type: ignore[return-value]
    if started.reason:
        messages.error(request, started.reason)
    else:
        messages.success(request, STRIPE_RETURN_MESSAGES[PayeeAccount.Status.ACTIVE])
    return redirect("payment_account_setup")


@login_required
@require_http_methods(["GET", "POST"])
def payment_account_setup(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, CHANGE_OWN_SETUP)
    coming_back = request.GET.get("stripe", "")
    if request.method == "GET" and coming_back == "refresh":  # the onboarding link expired: make a new one
        return _start_stripe(request, user)
    if request.method == "GET" and coming_back == "return":
        try:
            account = payee_account_refresh_own(actor=user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if account is not None and account.status in STRIPE_RETURN_MESSAGES:
                messages.success(request, STRIPE_RETURN_MESSAGES[account.status])
        return redirect("payment_account_setup")
    if request.method == "POST" and request.POST.get("action") == "stripe":
        return _start_stripe(request, user)
    posted = request.method == "POST" and request.POST.get("action") == "bank"
    form = BankDetailsForm(request.POST if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            bank_details_save(
                actor=user,
                account_name=data["account_name"],
                sort_code=data["sort_code"],
                account_number=data["account_number"],
                for_nominee=bool(data.get("for_nominee")),
            )
        except (ApplicationError, DjangoValidationError) as error:
            show_error(form, error)
        else:
            messages.success(request, "Your bank details are saved. We will pay you by bank transfer.")
            return redirect("payment_account_setup")
    setup = own_payment_setup(user)
    accounts = own_payee_accounts(user)
    bank = accounts.get(Rail.BANK)
    return render(
        request,
        "payments/account_setup.html",
        {
            "form": form,
            "setup": setup,
            "choice": setup.choice if setup is not None else PaymentChoice.MONEY,
            "rail": setup.rail if setup is not None else "",
            "stripe_account": accounts.get(Rail.STRIPE),
            "stripe_reason": stripe_unavailable_reason(user.membership),
            "bank": bank,
            "bank_number": mask(bank.bank_account_number) if bank is not None else "",
            "bank_sort_code": mask(bank.bank_sort_code) if bank is not None else "",
            "has_nominee": bool(setup is not None and setup.has_nominee),
        },
        status=400 if form.errors else 200,
    )


account_urlpatterns: list[URLPattern | URLResolver] = [
    path("payments/account/", payment_account_setup, name="payment_account_setup"),
]


urlpatterns: list[URLPattern | URLResolver] = [
    *choice_urlpatterns,
    *own_urlpatterns,
    *account_urlpatterns,
]
