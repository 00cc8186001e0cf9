"""Checks on adults: recording an enhanced DBS check with the barred list, recording an update-service status
check, and the reminders job (60, 30 and 7 days before renewal)."""

from __future__ import annotations

import datetime
import logging
import re
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tasks import send_email_message
from participants.models import STAFF_ROLES, Membership, Partnership, Role, User, role_field
from safeguarding.models import SafeguardingPolicy, StaffCheck, StaffCheckReminder
from safeguarding.selectors.checks import REMINDER_DAYS

logger = logging.getLogger(__name__)

DEFAULT_RENEWAL_YEARS = 3
_CERTIFICATE = re.compile(r"^\d{12}$")


def renewal_years_for(partnership: Partnership) -> int:
    """The partnership's renewal period (its safeguarding policy), else the default of 3 years."""
    years = (
        SafeguardingPolicy.objects.filter(partnership=partnership)
        .values_list("staff_check_renewal_years", flat=True)
        .first()
    )
    return years or DEFAULT_RENEWAL_YEARS


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February (never later than the real anniversary)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def normalise_certificate_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


@transaction.atomic
def staff_check_record(
    *,
    actor: User,
    membership_id: int,
    certificate_number: str,
    issued_on: datetime.date,
    update_service: bool = False,
    last_status_check_on: datetime.date | None = None,
    renewal_due_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> StaffCheck:
    """Record an enhanced DBS check with barred list for a member of staff. The certificate number is encrypted
    at rest and never written to the audit log; the renewal date defaults to the issue date plus the
    partnership's renewal period."""
    require(actor, "safeguarding.change_staffcheck")
    today = today or timezone.localdate()
    membership = get_object_or_404(
        Membership.objects.select_related("user").filter(partnership=actor.partnership), pk=membership_id
    )
    require(actor, "safeguarding.change_staffcheck", membership)
    if not membership.roles & STAFF_ROLES:
        raise ApplicationError(
            "Checks are recorded for members of staff. Choose someone with a staff role.",
            extra={"field": "membership_id"},
        )
    number = normalise_certificate_number(certificate_number)
    if not _CERTIFICATE.match(number):
        raise ApplicationError(
            "Enter the certificate number as it is on the certificate: 12 digits, like 001234567890.",
            extra={"field": "certificate_number"},
        )
    if issued_on > today:
        raise ApplicationError("The date of issue must be today or in the past.", extra={"field": "issued_on"})
    if renewal_due_on is None:
        renewal_due_on = add_years(issued_on, renewal_years_for(membership.partnership))
    elif renewal_due_on <= issued_on:
        raise ApplicationError("The renewal date must be after the date of issue.", extra={"field": "renewal_due_on"})
    if last_status_check_on is not None and not issued_on <= last_status_check_on <= today:
        raise ApplicationError(
            "The last status check must be between the date of issue and today.",
            extra={"field": "last_status_check_on"},
        )
    check = StaffCheck(
        partnership=membership.partnership,
        membership=membership,
        certificate_number=number,
        issued_on=issued_on,
        update_service=update_service,
        last_status_check_on=last_status_check_on,
        renewal_due_on=renewal_due_on,
        recorded_by=actor,
    )
    check.full_clean()
    check.save()
    audit_record(
        actor=actor,
        partnership=check.partnership,
        subject=check,
        event_type="staffcheck.recorded",
        payload={
            "membership": membership.pk,
            "issued_on": issued_on.isoformat(),
            "renewal_due_on": renewal_due_on.isoformat(),
            "update_service": update_service,
        },
    )
    return check


@transaction.atomic
def staff_check_status_checked(
    *, actor: User, staff_check_id: int, checked_on: datetime.date, today: datetime.date | None = None
) -> StaffCheck:
    """Record an online status check through the DBS update service (only for a subscribed certificate)."""
    require(actor, "safeguarding.change_staffcheck")
    today = today or timezone.localdate()
    check = get_object_or_404(
        StaffCheck.objects.select_for_update().filter(partnership=actor.partnership), pk=staff_check_id
    )
    require(actor, "safeguarding.change_staffcheck", check)
    if not check.update_service:
        raise ApplicationError(
            "This certificate is not on the DBS update service, so it cannot have a status check.",
            extra={"field": "checked_on"},
        )
    if not check.issued_on <= checked_on <= today:
        raise ApplicationError(
            "The status check must be between the date of issue and today.", extra={"field": "checked_on"}
        )
    check.last_status_check_on = checked_on
    check.full_clean()
    check.save(update_fields=["last_status_check_on"])
    audit_record(
        actor=actor,
        partnership=check.partnership,
        subject=check,
        event_type="staffcheck.status_checked",
        payload={"checked_on": checked_on.isoformat()},
    )
    return check


# --- Reminders ----------------------------------------------------------------------------------------------------


def lead_time_for(days_left: int) -> int | None:
    """The reminder due with `days_left` to go: the smallest lead time that is not less than it. A job that missed
    a day still sends it, and a check recorded 20 days before renewal gets the 30-day reminder only, not three."""
    due = [lead for lead in REMINDER_DAYS if lead >= days_left]
    return min(due) if due and days_left > 0 else None


def staff_check_reminders_run(today: datetime.date | None = None) -> int:
    """Email each member of staff whose check is due for renewal within 60 days, and their partnership's
    safeguarding leads, once per lead time (60, 30, 7 days). Safe to run twice, or at the same time twice: the
    reminder row's unique key (check, lead time) decides who sends. Each reminder commits on its own, so one
    failure does not hold back the others. Returns how many reminders were sent. Runs for every partnership
    (a scheduled job, no actor)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(REMINDER_DAYS))
    renewed = StaffCheck.objects.filter(
        membership=OuterRef("membership"), renewal_due_on__gt=OuterRef("renewal_due_on")
    )
    checks = (
        StaffCheck.objects.filter(
            renewal_due_on__gt=today,
            renewal_due_on__lte=horizon,
            issued_on__lte=today,
            membership__status=Membership.Status.ACTIVE,
        )
        .exclude(Exists(renewed))  # a renewal is already recorded: nothing to remind about
        .filter(_holds_a_staff_role("membership__"))
        .select_related("membership__user", "partnership")
        .order_by("pk")
    )
    leads_by_partnership: dict[int, list[str]] = {}
    sent = 0
    for check in checks:
        days_left = (check.renewal_due_on - today).days
        lead_time = lead_time_for(days_left)
        if lead_time is None:
            continue
        if check.partnership_id not in leads_by_partnership:
            leads_by_partnership[check.partnership_id] = _safeguarding_lead_emails(check.partnership_id)
        if _send_reminder(check, lead_time, days_left, leads_by_partnership[check.partnership_id]):
            sent += 1
    return sent


def _holds_a_staff_role(prefix: str) -> Q:
    held = Q()
    for role in sorted(STAFF_ROLES):
        held |= Q(**{f"{prefix}{role_field(role)}": True})
    return held


def _safeguarding_lead_emails(partnership_id: int) -> list[str]:
    return list(
        Membership.objects.filter(
            Membership.with_role(Role.SAFEGUARDING_LEAD),
            partnership_id=partnership_id,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
        )
        .order_by("user__full_name")
        .values_list("user__email", flat=True)
    )


def _send_reminder(check: StaffCheck, lead_time: int, days_left: int, lead_emails: list[str]) -> bool:
    try:
        with transaction.atomic():
            _, created = StaffCheckReminder.objects.get_or_create(
                staff_check=check, days_before=lead_time, defaults={"partnership": check.partnership}
            )
            if not created:
                return False
            audit_record(
                actor=None,
                partnership=check.partnership,
                subject=check,
                event_type="staffcheck.reminder_sent",
                payload={"days_before": lead_time},
            )
            _email_reminder(check, days_left, lead_emails)
    except IntegrityError:  # another run made the same reminder at the same moment: it sends, not us
        return False
    return True


def _email_reminder(check: StaffCheck, days_left: int, lead_emails: list[str]) -> None:
    """No certificate number in any email: only the name and the date."""
    person = check.membership.user
    due = check.renewal_due_on.strftime("%-d %B %Y")
    partnership = check.partnership.name
    checks_page = str(settings.SITE_URL).rstrip("/") + reverse("staff_checks")
    days = "1 day" if days_left == 1 else f"{days_left} days"
    to_person = (
        f"Your enhanced DBS check is due for renewal on {due}",
        f"Hi {person.get_short_name()},\n\nYour enhanced DBS check (with the barred list) for {partnership} is due "
        f"for renewal on {due}, in {days}.\n\nPlease start your renewal now and tell your safeguarding lead. After "
        "that date you cannot be the named staff lead of an engagement until a new check is recorded.",
    )
    to_leads = (
        f"{person.full_name}'s enhanced DBS check is due for renewal on {due}",
        f"{person.full_name}'s enhanced DBS check (with the barred list) for {partnership} is due for renewal on "
        f"{due}, in {days}.\n\nSee every member of staff's checks here:\n{checks_page}",
    )
    messages = [(person.email, to_person)] + [(email, to_leads) for email in lead_emails if email != person.email]
    for address, (subject, body) in messages:
        transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[address]))
    logger.info("Staff check reminder sent", extra={"staff_check": check.pk, "days_left": days_left})
