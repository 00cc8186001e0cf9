"""Retention per partnership policy (docs/data-rights.md): the daily job and `manage.py apply_retention`.

For each partnership:
- leavers (a young person whose membership was suspended more than `leaver_retention_days` ago) are reduced to
  what must be kept, by the same erasure a request uses (participants.services.data_rights.person_erase);
- withdrawn, declined and unsuccessful applications go after `applicant_retention_days`: the existing job
  (participants.services.recruitment.applications_remove_expired) does it, called from here;
- safeguarding concerns past the young person's 25th birthday are counted for a safeguarding lead to review on
  the concerns review page. They are never deleted by a job, and one on legal hold is kept whatever its date.

A dry run does exactly what the real run does, inside a transaction it then rolls back: what it lists is what
the real run would remove, and nothing changes (no row, no audit entry, no email, no file). Safe to run twice:
an erased leaver is no longer a leaver to erase, and removed applications are gone.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from core.models import AuditEvent
from participants.models import Application, Membership, Partnership, Role
from participants.services.data_rights import person_erase
from participants.services.recruitment import applications_remove_expired


@dataclass
class PartnershipRetention:
    partnership_id: int
    partnership: str
    slug: str
    leaver_retention_days: int
    applicant_retention_days: int
    leavers: list[int] = field(default_factory=list)
    leaver_records: dict[str, int] = field(default_factory=dict)
    applications_removed: int = 0
    concerns_due_for_review: int = 0
    concerns_on_legal_hold: int = 0

    @property
    def changes_anything(self) -> bool:
        return bool(self.leavers or self.applications_removed)


def leavers_due(partnership: Partnership, now: datetime.datetime) -> QuerySet[Membership]:
    """Young people (and nobody with a staff role) whose membership was suspended before the cutoff and whose
    record has not been reduced yet. When they left is when the suspension was recorded in the audit log."""
    cutoff = now - datetime.timedelta(days=partnership.leaver_retention_days)
    suspended_at = (
        AuditEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Membership),
            subject_id=Cast(OuterRef("pk"), output_field=CharField()),
            event_type="membership.status_changed",
            payload__to=Membership.Status.SUSPENDED,
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    staff = Membership.with_any_staff_role()
    return (
        Membership.objects.filter(partnership=partnership, status=Membership.Status.SUSPENDED, erased_at__isnull=True)
        .filter(Membership.with_role(Role.YOUNG_PERSON))
        .exclude(staff)
        .annotate(left_at=Subquery(suspended_at))
        .filter(left_at__lt=cutoff)
        .order_by("pk")
    )


def _applications_by_partnership() -> Counter[int]:
    rows = Application.objects.values("partnership_id").annotate(n=Count("pk"))
    return Counter({row["partnership_id"]: row["n"] for row in rows})


def retention_run(*, dry_run: bool, now: datetime.datetime | None = None) -> list[PartnershipRetention]:
    from safeguarding.selectors.data_rights import concerns_for_review_counts

    now = now or timezone.now()
    today = timezone.localdate(now)
    results: list[PartnershipRetention] = []
    with transaction.atomic():
        for partnership in Partnership.objects.order_by("name"):
            result = PartnershipRetention(
                partnership_id=partnership.pk,
                partnership=partnership.name,
                slug=partnership.slug,
                leaver_retention_days=partnership.leaver_retention_days,
                applicant_retention_days=partnership.applicant_retention_days,
            )
            records: Counter[str] = Counter()
            for leaver in leavers_due(partnership, now):
                report = person_erase(actor=None, membership_id=leaver.pk)
                result.leavers.append(leaver.pk)
                records.update({line.what: line.count for line in report.erased})
            result.leaver_records = dict(sorted(records.items()))
            result.concerns_due_for_review, result.concerns_on_legal_hold = concerns_for_review_counts(
                partnership.pk, today
            )
            results.append(result)
        before = _applications_by_partnership()
        applications_remove_expired(now=now)  # the existing job, not a copy of it
        after = _applications_by_partnership()
        for result in results:
            result.applications_removed = before[result.partnership_id] - after[result.partnership_id]
        if dry_run:
            transaction.set_rollback(True)
    return results
