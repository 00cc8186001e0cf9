"""python manage.py demo_logins — print the demo logins and each staff account's current TOTP code."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from participants.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_people
from participants.models import Role, User


def current_totp(secret: str) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


class Command(BaseCommand):
    help = "Print the demo logins (docs/demo.md) and the current second-factor code for demo staff."

    def handle(self, *args: Any, **options: Any) -> None:
        known = set(User.objects.filter(email__endswith=".example").values_list("email", flat=True))
        seen: set[str] = set()
        self.stdout.write(f"Demo password for every account: {DEMO_PASSWORD}")
        self.stdout.write(
            f"Staff second factor: TOTP secret {DEMO_TOTP_SECRET} — code now: {current_totp(DEMO_TOTP_SECRET)}"
        )
        self.stdout.write("Young people sign in with 'Email me a sign-in code'; the code is printed in this terminal.")
        for slug, person in demo_people():
            if person.email in seen or person.email not in known:
                continue
            seen.add(person.email)
            roles = ", ".join(Role(r).label for r in person.roles)
            self.stdout.write(f"  {slug:15} {person.email:38} {roles}")
