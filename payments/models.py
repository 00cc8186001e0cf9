"""Paying young people: rates, claims, two-person batches, payouts on three rails, webhooks and reconciliation.

Money is always an integer number of pence. The flow:

    WorkLog APPROVED ──claim_create_from_work_log──▶ Claim OPEN ──batch──▶ BATCHED ──▶ PAID / FAILED
    PaymentBatch DRAFT ──approve (a different finance officer)──▶ APPROVED ──submit (Celery)──▶ SUBMITTING ──▶ SUBMITTED
    Payout PENDING ──▶ SENDING ──▶ SENT ──(webhook / bank confirmation)──▶ PAID   (or FAILED / REVERSED)

Nothing is ever sent twice for one claim: a claim has at most one live payout (a partial unique constraint), a
Stripe transfer is created with an idempotency key derived from the payout's id, and a payout's state only
moves forward.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.fields import EncryptedTextField
from core.models import TenantModel
from engagements.models import OpportunityType, PayBasis


class AgeBand(models.TextChoices):
    """The partnership's own pay bands (age on the date of the work)."""

    UNDER_16 = "under_16", "Under 16"
    AGE_16_17 = "16_17", "16 to 17"
    AGE_18_20 = "18_20", "18 to 20"
    AGE_21_PLUS = "21_plus", "21 and over"


class WageBand(models.TextChoices):
    """The National Minimum Wage bands (under 18 also covers apprentices)."""

    AGE_21_PLUS = "21_plus", "21 and over (National Living Wage)"
    AGE_18_20 = "18_20", "18 to 20"
    UNDER_18 = "under_18", "Under 18 and apprentices"


class MinimumWageRate(models.Model):
    """National data, not a partnership's: the hourly minimum for a band from a date (kept with effective dates so
    work is checked against the rate on the day it was done). Seeded by a data migration."""

    band = models.CharField(max_length=20, choices=WageBand.choices)
    hourly_pence = models.PositiveIntegerField()
    effective_from = models.DateField()

    class Meta:
        ordering = ["-effective_from", "band"]
        constraints = [models.UniqueConstraint(fields=["band", "effective_from"], name="one_wage_rate_per_band_date")]

    def __str__(self) -> str:
        return f"{self.get_band_display()} from {self.effective_from}: {self.hourly_pence}p"


class PayRate(TenantModel):
    """What the partnership pays for a type of opportunity and an age band, from a date (by the hour, or a fee
    for the session)."""

    opportunity_type = models.CharField(max_length=40, choices=OpportunityType.choices)
    age_band = models.CharField(max_length=20, choices=AgeBand.choices)
    basis = models.CharField(max_length=20, choices=PayBasis.choices, default=PayBasis.HOURLY)
    amount_pence = models.PositiveIntegerField(help_text="The hourly rate or the session fee, in pence.")
    effective_from = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opportunity_type", "age_band", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "opportunity_type", "age_band", "effective_from"], name="one_rate_per_day"
            ),
            models.CheckConstraint(condition=models.Q(amount_pence__gt=0), name="rate_above_zero"),
        ]


class ExpensesPolicy(TenantModel):
    """The partnership's expenses policy (one per partnership)."""

    travel_allowed = models.BooleanField(default=True)
    food_allowed = models.BooleanField(default=True)
    food_limit_pence = models.PositiveIntegerField(default=1000, help_text="The most paid for food per engagement.")
    receipt_required_from_pence = models.PositiveIntegerField(
        default=500, help_text="Expenses of this amount or more need a receipt."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership"], name="one_expenses_policy")]


class PaymentChoice(models.TextChoices):
    MONEY = "money", "Money"
    VOUCHERS = "vouchers", "Gift vouchers"
    DECLINED = "declined", "No payment (declined)"


class Rail(models.TextChoices):
    STRIPE = "stripe", "Stripe (to a bank account)"
    BANK = "bank", "Bank transfer (payroll export)"
    VOUCHER = "voucher", "Gift voucher"


class PaymentSetup(TenantModel):
    """A young person's standing choice (money, vouchers or no payment), the rail their money goes by, and an
    adult nominated to receive it (recorded with consent) when they cannot hold an account themselves."""

    membership = models.OneToOneField("participants.Membership", on_delete=models.CASCADE, related_name="payment_setup")
    choice = models.CharField(max_length=20, choices=PaymentChoice.choices, default=PaymentChoice.MONEY)
    rail = models.CharField(max_length=20, choices=Rail.choices, blank=True)
    nominee_name = models.CharField(max_length=150, blank=True)
    nominee_email = models.EmailField(blank=True)
    nominee_relationship = models.CharField(max_length=80, blank=True)
    nominee_consent_note = models.TextField(
        blank=True, help_text="How the young person (and a parent or carer if under 16) agreed to the nominee."
    )
    nominee_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominee_recorded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    @property
    def has_nominee(self) -> bool:
        return bool(self.nominee_name)


class PayeeAccount(TenantModel):
    """Where a payee's money goes on one rail: a Stripe Express connected account, or bank details for the
    payroll export. The holder is the young person or their nominee."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for payment details"
        ACTIVE = "active", "Ready to be paid"
        RESTRICTED = "restricted", "Stripe needs more information"
        UNAVAILABLE = "unavailable", "Cannot be used"

    membership = models.ForeignKey("participants.Membership", on_delete=models.PROTECT, related_name="payee_accounts")
    rail = models.CharField(max_length=20, choices=Rail.choices)
    holder_name = models.CharField(max_length=150)
    for_nominee = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    unavailable_reason = models.TextField(blank=True)
    stripe_account_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    details_submitted = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    bank_account_name = models.CharField(max_length=150, blank=True)
    bank_sort_code = EncryptedTextField(blank=True)
    bank_account_number = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["membership", "rail"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "rail"], name="one_account_per_rail"),
        ]


class Claim(TenantModel):
    """What a young person is owed for one approved work log: pay and receipted expenses, each line explained."""

    class Status(models.TextChoices):
        OPEN = "open", "Ready to pay"
        BATCHED = "batched", "In a payment batch"
        PAID = "paid", "Paid"
        FAILED = "failed", "Payment failed"
        DECLINED = "declined", "Not paid (declined)"

    TRANSITIONS = {
        Status.OPEN: {Status.BATCHED, Status.DECLINED},
        Status.BATCHED: {Status.PAID, Status.FAILED, Status.OPEN},
        Status.FAILED: {Status.BATCHED, Status.OPEN},
        Status.PAID: {Status.FAILED},  # a reversed payment goes back to finance
    }

    membership = models.ForeignKey("participants.Membership", on_delete=models.PROTECT, related_name="claims")
    work_log = models.OneToOneField("engagements.WorkLog", on_delete=models.PROTECT, related_name="claim")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    work_date = models.DateField()
    age_band = models.CharField(max_length=20, choices=AgeBand.choices)
    choice = models.CharField(max_length=20, choices=PaymentChoice.choices, default=PaymentChoice.MONEY)
    rate = models.ForeignKey(PayRate, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    pay_pence = models.PositiveIntegerField(default=0)
    expenses_pence = models.PositiveIntegerField(default=0)
    total_pence = models.PositiveIntegerField(default=0)
    batch = models.ForeignKey("PaymentBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="claims")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The partnership's claims newest first, a page at a time (the claims API): no sort of all of them.
        indexes = [models.Index(fields=["partnership", "-created_at", "-id"], name="claim_partnership_newest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_pence=models.F("pay_pence") + models.F("expenses_pence")),
                name="claim_total_adds_up",
            )
        ]


class ClaimLine(TenantModel):
    class Kind(models.TextChoices):
        PAY = "pay", "Pay"
        EXPENSE = "expense", "Expense"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=200)
    explanation = models.CharField(max_length=300, help_text="How the amount was worked out, in plain words.")
    amount_pence = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]


class PaymentBatch(TenantModel):
    """Claims gathered by one finance officer and approved by another (never the same person). Approval locks
    it; submission runs in Celery and reports its progress."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SUBMITTING = "submitting", "Sending payments"
        SUBMITTED = "submitted", "Sent"

    TRANSITIONS = {
        Status.DRAFT: {Status.APPROVED},
        Status.APPROVED: {Status.SUBMITTING},
        Status.SUBMITTING: {Status.SUBMITTED},
    }

    reference = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "payment batches"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="unique_batch_reference"),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("created_by")),
                name="batch_approved_by_someone_else",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Payout(TenantModel):
    """One attempt to pay one claim on one rail. A claim has at most one live payout; a failed or reversed one
    can be followed by another (on the same or another rail) without a second transfer for the same claim."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        REVERSED = "reversed", "Reversed"

    TRANSITIONS = {
        Status.PENDING: {Status.SENDING, Status.FAILED},
        Status.SENDING: {Status.SENT, Status.PAID, Status.FAILED},
        Status.SENT: {Status.PAID, Status.FAILED, Status.REVERSED},
        Status.PAID: {Status.REVERSED},
        Status.FAILED: {Status.REVERSED},  # its transfer stood (payout.failed): reversed before paying again
    }
    LIVE = (Status.PENDING, Status.SENDING, Status.SENT, Status.PAID)

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="payouts")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payouts")
    rail = models.CharField(max_length=20, choices=Rail.choices)
    payee_account = models.ForeignKey(
        PayeeAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts"
    )
    payee_name = models.CharField(max_length=150)
    amount_pence = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    stripe_transfer_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    stripe_payout_id = models.CharField(max_length=64, blank=True)
    failure_reason = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    remittance_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(status__in=["pending", "sending", "sent", "paid"]),
                name="one_live_payout_per_claim",
            ),
            models.CheckConstraint(condition=models.Q(amount_pence__gt=0), name="payout_above_zero"),
        ]

    @property
    def idempotency_key(self) -> str:
        """The same key on every try of this payout, so Stripe creates its transfer at most once."""
        return f"young-scrutineers-payout-{self.pk}"


class Voucher(TenantModel):
    payout = models.OneToOneField(Payout, on_delete=models.PROTECT, related_name="voucher")
    supplier = models.CharField(max_length=100)
    value_pence = models.PositiveIntegerField()
    code = EncryptedTextField()
    issued_on = models.DateField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class BankExport(TenantModel):
    """A payroll / bank transfer file for a batch: one line per payee, with a control total."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="bank_exports")
    content = EncryptedTextField(help_text="The CSV (it holds bank details, so it is encrypted at rest).")
    line_count = models.PositiveIntegerField()
    control_total_pence = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)


class StripeEvent(models.Model):
    """A verified Stripe webhook event. The unique event id, saved in the same transaction as the event's effect,
    makes a repeat delivery a no-op."""

    event_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=80)
    account = models.CharField(max_length=64, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    partnership = models.ForeignKey(
        "participants.Partnership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class ReconciliationRun(TenantModel):
    """One comparison of what the system recorded with what Stripe reports."""

    ran_at = models.DateTimeField(default=timezone.now)
    checked = models.PositiveIntegerField(default=0)
    mismatches = models.JSONField(default=list, blank=True)
