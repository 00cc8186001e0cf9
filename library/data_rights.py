"""The library's part of a young person's data rights: their credits on examples, for their download, and the
erasure that makes them anonymous (called by participants.services.data_rights)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from core.workflows import transition
from library.models import ExampleCredit
from participants.erasure import ErasureReport, membership_for_erasure
from participants.models import Membership, User


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def library_data_for_membership(membership: Membership) -> list[dict[str, Any]]:
    """Every example they were asked to be named on, and their answer (one query)."""
    credits = (
        ExampleCredit.objects.filter(partnership_id=membership.partnership_id, membership=membership)
        .select_related("example")
        .order_by("pk")
    )
    return [
        {
            "example": credit.example.title,
            "status": credit.get_status_display(),
            "name_shown": credit.credit_name or None,
            "answered_at": _iso(credit.answered_at),
        }
        for credit in credits
    ]


@transaction.atomic
def credits_erase_for_membership(*, actor: User | None, membership_id: int) -> ErasureReport:
    """Every credit becomes anonymous: the name goes and they are no longer named on the example (which stays,
    since it describes the group's work). Each change goes through the credit's workflow, with its audit row."""
    membership = membership_for_erasure(actor, membership_id)
    report = ErasureReport()
    credits = ExampleCredit.objects.select_for_update().filter(
        partnership_id=membership.partnership_id, membership=membership
    )
    named = 0
    for credit in credits:
        if credit.status == ExampleCredit.Status.AGREED or credit.credit_name:
            named += 1
        credit.credit_name = ""
        if credit.status != ExampleCredit.Status.REMOVED:
            transition(credit, to=ExampleCredit.Status.REMOVED, actor=actor, extra_update_fields=["credit_name"])
        else:
            credit.save(update_fields=["credit_name"])
    report.erase("your name on library examples", named)
    return report
