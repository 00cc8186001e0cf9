"""python manage.py seed_demo [--if-empty] — create the demo partnerships and people (docs/demo.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from participants.demo import seed_demo
from participants.models import Partnership


class Command(BaseCommand):
    help = "Create two demo partnerships, each with one person in every role, and sample records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any partnership exists.")

    def handle(self, *args: Any, if_empty: bool, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data has known passwords: it can only be created with local or test settings.")
        if Partnership.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already present; nothing to do.")
                return
            self.stderr.write("Partnerships already exist. Use a fresh database to seed the demo.")
            return
        partnerships = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Created {len(partnerships)} demo partnerships. See docs/demo.md."))
