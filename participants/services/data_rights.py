"""The young person's data rights: requests to see, delete or correct what is held about them, and erasure.

Requests (DataRequest): a young person makes one from their account, or staff record one that came by letter,
email or in person. Each is due one calendar month after it was received (`one_calendar_month_after`). The
workflow is received -> in progress -> completed, or refused with a reason told to the person; every move goes
through core.workflows.transition and leaves an audit row. Participation workers and partnership admins handle
requests; completing an erasure request erases, which only a partnership admin may do.

Erasure (`person_erase`): deletes what can go and keeps what the law and safeguarding require, and says which
is which. Each app erases its own records through its own `*_erase_for_membership` service; this module never
touches another app's models. The membership row stays (marked erased), because the kept records point at it.
The audit log is never changed: the erasure adds one row with counts only.
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tasks import send_email_message
from core.workflows import transition
from participants.erasure import ErasureReport, delete_counted, membership_for_erasure
from participants.models import (
    AnonymousOutcomeCount,
    Application,
    DataRequest,
    Membership,
    OnboardingItem,
    Partnership,
    ReferenceLetter,
    Referral,
    Role,
    SkillClaim,
    SupportSession,
    TrainingBooking,
    TrainingRecord,
    User,
    YoungPersonProfile,
    one_calendar_month_after,
)
from participants.services.recruitment import _channel_name  # the retention job's own rule, not a copy

DETAILS_MAX = 2000
Status = DataRequest.Status
Kind = DataRequest.Kind

ERASED_NAME = "Erased person"
AUDIT_KEPT_WHY = "The record that this erasure happened (it holds counts only, no personal details)."


# --- Requests -----------------------------------------------------------------------------------------------------


def _details(details: str) -> str:
    details = (details or "").strip()
    if len(details) > DETAILS_MAX:
        raise ApplicationError(f"Keep it to {DETAILS_MAX} characters or fewer.", extra={"field": "details"})
    return details


def _kind(kind: str) -> str:
    if kind not in Kind.values:
        raise ApplicationError("Choose what you are asking for.", extra={"field": "kind"})
    return kind


def _create(
    *, actor: User, membership: Membership, kind: str, received_on: datetime.date, details: str, made_by_self: bool
) -> DataRequest:
    if DataRequest.objects.filter(membership=membership, kind=kind, status__in=DataRequest.OPEN).exists():
        raise ApplicationError(
            "There is already an open request of this kind: it will be answered by its due date.",
            extra={"field": "kind"},
        )
    request = DataRequest(
        partnership=membership.partnership,
        membership=membership,
        kind=kind,
        received_on=received_on,
        due_on=one_calendar_month_after(received_on),
        details=details,
        made_by_self=made_by_self,
        recorded_by=actor,
    )
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        partnership=membership.partnership,
        subject=request,
        event_type="datarequest.received",
        payload={"kind": kind, "due_on": request.due_on.isoformat(), "made_by_self": made_by_self},
    )
    transaction.on_commit(partial(_tell_staff, request.pk))
    return request


@transaction.atomic
def data_request_make(*, actor: User, kind: str, details: str = "") -> DataRequest:
    """A young person asks, from their own account, for everything held about them or for it to be deleted."""
    require(actor, "participants.make_datarequest")
    membership = actor.membership
    if membership is None:  # pragma: no cover - the permission needs a membership
        raise ApplicationError("You are not part of any partnership.")
    return _create(
        actor=actor,
        membership=membership,
        kind=_kind(kind),
        received_on=timezone.localdate(),
        details=_details(details),
        made_by_self=True,
    )


@transaction.atomic
def data_request_record(
    *, actor: User, membership_id: int, kind: str, received_on: datetime.date, details: str = ""
) -> DataRequest:
    """Staff record a request that came another way (a letter, an email, in person). The deadline runs from the
    day it was received, not the day it was recorded."""
    require(actor, "participants.change_datarequest")
    membership = get_object_or_404(
        Membership.objects.select_related("partnership", "user").filter(partnership=actor.partnership),
        pk=membership_id,
    )
    if received_on > timezone.localdate():
        raise ApplicationError("The date received cannot be in the future.", extra={"field": "received_on"})
    return _create(
        actor=actor,
        membership=membership,
        kind=_kind(kind),
        received_on=received_on,
        details=_details(details),
        made_by_self=False,
    )


def _lock(actor: User, request_id: int) -> DataRequest:
    """Lock the row; another partnership's request is a 404, exactly like a missing one."""
    locked = DataRequest.objects.select_for_update(of=("self",)).select_related("membership__user", "partnership")
    request = get_object_or_404(locked.filter(partnership=actor.partnership), pk=request_id)
    require(actor, "participants.change_datarequest", request)
    return request


@transaction.atomic
def data_request_start(*, actor: User, request_id: int) -> DataRequest:
    request = _lock(actor, request_id)
    request.handled_by = actor
    transition(request, to=Status.IN_PROGRESS, actor=actor, extra_update_fields=["handled_by"])
    return request


@transaction.atomic
def data_request_complete(*, actor: User, request_id: int, note: str = "") -> DataRequest:
    """Finish a request. For an erasure request this erases (a partnership admin only), and the outcome (what
    was erased, what was kept and why) is stored on the request and told to the person."""
    request = _lock(actor, request_id)
    note = _details(note)
    if request.status != Status.IN_PROGRESS:
        raise ApplicationError("Start working on the request before you complete it.", extra={"field": "status"})
    address = request.membership.user.email  # before an erasure replaces it
    report: ErasureReport | None = None
    if request.kind == Kind.ERASURE:
        report = person_erase(actor=actor, membership_id=request.membership_id)
        request.outcome = report.as_json()
        request.details = ""  # what they wrote goes with the rest; the request itself is kept as proof it was done
    elif not note:
        raise ApplicationError("Say what you did, for example how the information was sent.", extra={"field": "note"})
    request.note = note
    request.handled_by = actor
    request.completed_at = timezone.now()
    payload = {"kind": request.kind, **({"counts": report.counts()} if report else {})}
    transition(
        request,
        to=Status.COMPLETED,
        actor=actor,
        payload=payload,
        extra_update_fields=["note", "handled_by", "completed_at", "outcome", "details"],
    )
    subject, body = completion_message(request)
    transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[address]))
    return request


@transaction.atomic
def data_request_refuse(*, actor: User, request_id: int, reason: str) -> DataRequest:
    """Refuse a request, with the reason the person is told (for example when the law lets the partnership
    keep something: see docs/data-rights.md)."""
    request = _lock(actor, request_id)
    reason = _details(reason)
    if not reason:
        raise ApplicationError("Say why, in words the young person will understand.", extra={"field": "reason"})
    request.note = reason
    request.handled_by = actor
    request.completed_at = timezone.now()
    transition(
        request,
        to=Status.REFUSED,
        actor=actor,
        payload={"kind": request.kind},
        extra_update_fields=["note", "handled_by", "completed_at"],
    )
    subject, body = completion_message(request)
    address = request.membership.user.email
    transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[address]))
    return request


def completion_message(request: DataRequest) -> tuple[str, str]:
    """The email to the person when their request is finished: plain words, no safeguarding counts."""
    what = {
        Kind.ACCESS: "for everything we hold about you",
        Kind.ERASURE: "to delete your information",
        Kind.RECTIFICATION: "to correct your information",
    }[Kind(request.kind)]
    received = f"{request.received_on:%-d %B %Y}"
    if request.status == Status.REFUSED:
        body = (
            f"You asked {what} on {received}. We cannot do it, because:\n\n{request.note}\n\n"
            "If you think we got this wrong, you can complain to the Information Commissioner's Office: "
            "https://ico.org.uk/make-a-complaint/"
        )
        return "Your request about your information", body
    body = f"You asked {what} on {received}. We have done it.\n\n"
    if request.note:
        body += f"{request.note}\n\n"
    if request.kind == Kind.ERASURE:
        body += erasure_words_for_person(request.outcome)
    return "Your request about your information is done", body


def erasure_words_for_person(outcome: dict[str, Any]) -> str:
    """What was deleted and what was kept and why, for the person. Safeguarding records are named as a kind of
    record that is always kept, never counted, so the message does not say whether any exist."""
    erased: list[dict[str, Any]] = outcome.get("erased", [])
    kept: list[dict[str, Any]] = outcome.get("kept", [])
    lines = ["We deleted:"]
    lines += [f"- {line['what']} ({line['count']})" for line in erased] or ["- nothing else was held"]
    lines += ["", "We kept, because we have to:"]
    lines += [f"- {line['what']} ({line['count']}): {line['why']}" for line in kept if line["count_shown_to_person"]]
    lines.append(
        "- any safeguarding records about you (there may be none): they are kept until your 25th birthday and then "
        "reviewed, or longer if they are needed for a legal case."
    )
    return "\n".join(lines) + "\n"


def _tell_staff(request_id: int) -> None:
    """Email the partnership's participation workers and admins that a request arrived (no name, no details)."""
    request = DataRequest.objects.select_related("partnership").get(pk=request_id)
    staff = Membership.objects.filter(partnership=request.partnership, status=Membership.Status.ACTIVE).filter(
        Membership.with_role(Role.PARTICIPATION_WORKER) | Membership.with_role(Role.PARTNERSHIP_ADMIN)
    )
    to = sorted({m.user.email for m in staff.select_related("user")})
    if not to:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("data_request_detail", args=[request.pk])
    body = (
        f"A request about someone's information was received on {request.received_on:%-d %B %Y}. "
        f"It must be answered by {request.due_on:%-d %B %Y}.\n\nSign in to see it: {link}"
    )
    send_email_message.delay(subject="A request about someone's information", body=body, to=to)


@transaction.atomic
def person_data_download_record(*, actor: User, membership: Membership, via: str) -> None:
    """Record that a person's information was downloaded (by themself, or by staff answering a request).
    The caller has already read it through participants.selectors.data_rights, which checked the permission."""
    audit_record(
        actor=actor,
        partnership=membership.partnership,
        subject=membership,
        event_type="person_data.downloaded",
        payload={"via": via},
    )


RETENTION_DAYS_MIN = 30
RETENTION_DAYS_MAX = 7 * 365


@transaction.atomic
def partnership_retention_update(
    *, actor: User, applicant_retention_days: int, leaver_retention_days: int
) -> Partnership:
    """A partnership admin sets how long closed applications and leavers' records are kept (in days)."""
    require(actor, "participants.change_partnership", actor.partnership)
    partnership = Partnership.objects.select_for_update().get(pk=actor.partnership.pk)
    values = {"applicant_retention_days": applicant_retention_days, "leaver_retention_days": leaver_retention_days}
    for name, days in values.items():
        if not RETENTION_DAYS_MIN <= days <= RETENTION_DAYS_MAX:
            raise ApplicationError(
                f"Enter a number of days from {RETENTION_DAYS_MIN} to {RETENTION_DAYS_MAX}.", extra={"field": name}
            )
    before = {name: getattr(partnership, name) for name in values}
    for name, days in values.items():
        setattr(partnership, name, days)
    partnership.full_clean()
    partnership.save(update_fields=list(values))
    audit_record(
        actor=actor,
        partnership=partnership,
        subject=partnership,
        event_type="partnership.retention_changed",
        payload={"from": before, "to": values},
    )
    return partnership


# --- Erasure ------------------------------------------------------------------------------------------------------


def _participants_erase(membership: Membership, report: ErasureReport) -> None:
    mine = {"partnership_id": membership.partnership_id, "membership": membership}
    report.erase(
        "your profile (date of birth, pronouns, health, access needs, emergency contacts)",
        delete_counted(YoungPersonProfile.objects.filter(**mine)),
    )
    application = Application.objects.select_related("outreach_link").filter(**mine).first()
    if application is not None:
        # Reports still count the application, as an anonymous number (like the applicant retention job).
        count, _ = AnonymousOutcomeCount.objects.get_or_create(
            partnership_id=membership.partnership_id,
            round_id=application.round_id,
            outcome=application.status,
            channel=_channel_name(application),
        )
        AnonymousOutcomeCount.objects.filter(pk=count.pk).update(count=F("count") + 1)
        application.delete()
        report.erase("your application", 1)
    report.erase(
        "invitations you sent to friends that were not used",
        delete_counted(Referral.objects.filter(referrer=membership, application__isnull=True)),
    )
    report.erase("your onboarding checklist", delete_counted(OnboardingItem.objects.filter(**mine)))
    report.erase("training records", delete_counted(TrainingRecord.objects.filter(**mine)))
    report.erase("training bookings", delete_counted(TrainingBooking.objects.filter(**mine)))
    report.erase("skills", delete_counted(SkillClaim.objects.filter(**mine)))
    report.erase("reference letters", delete_counted(ReferenceLetter.objects.filter(**mine)))
    report.erase("support sessions and what was agreed", delete_counted(SupportSession.objects.filter(**mine)))
    requests = DataRequest.objects.filter(**mine)
    requests.filter(status__in=[Status.COMPLETED, Status.REFUSED]).update(details="")
    report.keep(
        "your requests about your information",
        requests.count(),
        "The proof that we answered them (without what you wrote).",
    )


def _close_account(membership: Membership, report: ErasureReport) -> None:
    user = membership.user
    elsewhere = Membership.objects.filter(user=user, erased_at__isnull=True).exclude(pk=membership.pk).exists()
    if elsewhere:
        report.keep(
            "your account",
            1,
            "You are also part of another partnership, so your sign-in stays; nothing of this partnership's is left "
            "on it.",
        )
        return
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = ERASED_NAME
    user.preferred_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["email", "full_name", "preferred_name", "is_active", "password"])
    report.erase("your account (name, email address and sign-in)", 1)


@transaction.atomic
def person_erase(*, actor: User | None, membership_id: int) -> ErasureReport:
    """Erase a young person's data in one partnership, keeping what must be kept, and say which is which.

    `actor` is a partnership admin completing an erasure request, or None for the retention job reducing a
    leaver's record. Safe to call again: an erased membership is refused (a request) or skipped (the job).
    """
    from engagements.services.data_rights import engagements_erase_for_membership
    from library.data_rights import credits_erase_for_membership
    from payments.services.data_rights import payments_erase_for_membership
    from safeguarding.services.data_rights import safeguarding_erase_for_membership

    membership = membership_for_erasure(actor, membership_id)
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user", "partnership").get(pk=membership.pk)
    )
    if membership.erased_at is not None:
        raise ApplicationError("This person's information has already been erased.", extra={"field": "membership"})
    if not membership.is_young_person or membership.roles - {Role.YOUNG_PERSON}:
        raise ApplicationError(
            "Only a young person's information can be erased here. Staff records are kept under the partnership's "
            "staff policies.",
            extra={"field": "membership"},
        )

    report = ErasureReport()
    _participants_erase(membership, report)
    for part in (
        safeguarding_erase_for_membership,
        engagements_erase_for_membership,
        payments_erase_for_membership,
        credits_erase_for_membership,
    ):
        other = part(actor=actor, membership_id=membership.pk)
        report.erased += other.erased
        report.kept += other.kept
    _close_account(membership, report)

    if membership.status == Membership.Status.ACTIVE:
        transition(membership, to=Membership.Status.SUSPENDED, actor=actor, payload={"reason": "erased"})
    membership.erased_at = timezone.now()
    membership.job_title = ""
    membership.save(update_fields=["erased_at", "job_title"])
    report.keep("the audit log", 1, AUDIT_KEPT_WHY)
    audit_record(
        actor=actor,
        partnership=membership.partnership,
        subject=membership,
        event_type="person.erased",
        payload={"by": "request" if actor is not None else "retention", **report.counts()},
    )
    return report
