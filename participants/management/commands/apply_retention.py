"""`python manage.py apply_retention [--dry-run]`: apply each partnership's retention rules (docs/data-rights.md).

With --dry-run it lists, per partnership, what would go and why, and changes nothing. It prints numbers and
membership ids only, never names: the output may end up in a log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from participants.services.retention import PartnershipRetention, retention_run


class Command(BaseCommand):
    help = "Apply each partnership's retention rules. With --dry-run, list what would go and change nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would go; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        results = retention_run(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. A real run would do this:")
        for result in results:
            self.stdout.write(describe(result, dry_run=dry_run))


def describe(result: PartnershipRetention, *, dry_run: bool) -> str:
    verb = "would be" if dry_run else "were"
    lines = [f"{result.partnership} ({result.slug})"]
    if result.leavers:
        ids = ", ".join(str(pk) for pk in result.leavers)
        lines.append(
            f"  Leavers {verb} reduced to what must be kept (left more than {result.leaver_retention_days} days "
            f"ago): {len(result.leavers)} (membership {ids})"
        )
        lines += [f"    - {what}: {count}" for what, count in result.leaver_records.items()]
    else:
        lines.append(f"  No leavers past {result.leaver_retention_days} days.")
    lines.append(
        f"  Withdrawn, declined, unsuccessful and abandoned applications {verb} deleted (closed more than "
        f"{result.applicant_retention_days} days ago; anonymous counts kept): {result.applications_removed}"
    )
    lines.append(
        f"  Safeguarding concerns past the 25th birthday, for a safeguarding lead to review (never deleted by this "
        f"job): {result.concerns_due_for_review}"
    )
    lines.append(f"  Concerns past the 25th birthday on legal hold (kept): {result.concerns_on_legal_hold}")
    return "\n".join(lines)
