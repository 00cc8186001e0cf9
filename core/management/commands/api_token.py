"""python manage.py api_token EMAIL — print a new API token for that person (for integrations and scripts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from knox.models import AuthToken

from participants.models import User


class Command(BaseCommand):
    help = "Create an API token for a person and print it. Send it as 'Authorization: Token <token>'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active account has the email {email}.")
        _, token = AuthToken.objects.create(user=user)
        self.stdout.write(token)
