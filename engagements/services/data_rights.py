"""Erasure of a young person's engagement data (called by participants.services.data_rights.person_erase).

Kept: work logs that became payment claims, with their expenses and receipts, reduced to the minutes and
amounts (the notes go): payment records are kept for six years for tax and accounting. Erased: expressions of
interest, attendance marks, work logs that were never paid and their receipts, their ratings, notifications,
feedback settings, calendar link and employment permits. Outputs and recommendations belong to the group that
made them: they stay, without this person's name on them.
"""

from __future__ import annotations

from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction

from engagements.models import (
    Attendance,
    CalendarFeed,
    ChildEmploymentPermit,
    Engagement,
    Expense,
    FeedbackPreference,
    Interest,
    Notification,
    Output,
    RecommendationContributor,
    ResponseRating,
    WorkLog,
)
from participants.erasure import ErasureReport, delete_counted, membership_for_erasure
from participants.models import User

PAYMENT_RECORDS_WHY = "Payment records are kept for six years for tax and accounting (amounts and dates only)."


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


@transaction.atomic
def engagements_erase_for_membership(*, actor: User | None, membership_id: int) -> ErasureReport:
    membership = membership_for_erasure(actor, membership_id)
    report = ErasureReport()
    mine = {"partnership_id": membership.partnership_id, "membership": membership}

    report.erase("expressions of interest", delete_counted(Interest.objects.filter(**mine)))
    report.erase("attendance marks", delete_counted(Attendance.objects.filter(**mine)))
    Engagement.attendees.through.objects.filter(membership_id=membership.pk).delete()

    unpaid = WorkLog.objects.filter(**mine, claim__isnull=True)
    receipts = list(Expense.objects.filter(work_log__in=unpaid).exclude(receipt="").values_list("receipt", flat=True))
    report.erase("time and expenses never paid", delete_counted(unpaid))
    if receipts:  # files go only if the erasure commits (a dry run rolls back and keeps them)
        transaction.on_commit(partial(_delete_files, receipts))
    paid = WorkLog.objects.filter(**mine, claim__isnull=False)
    paid.update(note="", decision_reason="")
    report.keep("time and expenses that were paid or are waiting to be paid", paid.count(), PAYMENT_RECORDS_WHY)

    contributions = RecommendationContributor.objects.filter(**mine)
    report.keep(
        "recommendations you helped make",
        contributions.count(),
        "They belong to the group that made them; they stay, without your name.",
    )
    contributions.delete()
    through = Output.contributors.through
    report.keep(
        "things you helped make (films, reports, posters)",
        through.objects.filter(membership_id=membership.pk).count(),
        "They belong to the group that made them; they stay, without your name.",
    )
    through.objects.filter(membership_id=membership.pk).delete()

    report.erase("your ratings of responses", delete_counted(ResponseRating.objects.filter(**mine)))
    report.erase("notifications", delete_counted(Notification.objects.filter(**mine)))
    report.erase("news settings", delete_counted(FeedbackPreference.objects.filter(**mine)))
    report.erase("calendar link", delete_counted(CalendarFeed.objects.filter(**mine)))
    report.erase("child employment permits", delete_counted(ChildEmploymentPermit.objects.filter(**mine)))
    return report
