"""python manage.py rotate_encryption_key [--dry-run] [--batch-size N]

Re-encrypts every value encrypted at rest with the newest key in FIELD_ENCRYPTION_KEYS (the first one), so the
old keys can then be removed. The procedure is in docs/configuration.md (FIELD_ENCRYPTION_KEYS):

1. put the new key in front of the old ones and deploy (new writes use it, old values still read);
2. run this command (as often as you like: it only touches values not yet under the newest key);
3. when it reports 0 to rotate and 0 unreadable, remove the old key and deploy again.

What it covers: every core.fields.EncryptedField (EncryptedTextField, EncryptedJSONField) of every installed
model, found by type (core.fields.encrypted_fields), so a new encrypted field is covered without being listed
here; and the second-factor secrets allauth keeps encrypted in Authenticator.data (TOTP secret, recovery-code
seed, migrated recovery codes). The audit log holds no encrypted values (its payloads never carry sensitive
text), so it has nothing to rotate.

How: rows are read and written in batches of primary keys, each batch in its own transaction with its rows
locked (SELECT ... FOR UPDATE where the database has it), by raw SQL on the column itself. That is deliberate:
the plain value does not change, so no save(), no updated_at, no audit row, and the append-only guards of
concern entries (which forbid editing what was written, not re-wrapping it in a new key) are not in the way.
A run that stops half way leaves every value readable (old key or new), and the next run carries on.

A value that no configured key opens is counted as unreadable, left as it is, and makes the command fail at the
end with the rows named: never drop a key while that number is not 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Model

from core.crypto import InvalidToken, is_current, key_count, rotate_token
from core.fields import encrypted_fields

AUTHENTICATOR_TEXT_KEYS = ("secret", "seed")
AUTHENTICATOR_LIST_KEYS = ("migrated_codes",)


@dataclass
class Tally:
    label: str
    rotated: int = 0
    current: int = 0
    unreadable: list[str] = field(default_factory=list)


class Command(BaseCommand):
    help = "Re-encrypt every value encrypted at rest with the newest key in FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be re-encrypted; change nothing.")
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args: Any, dry_run: bool, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        keys = key_count()
        if keys == 1:
            self.stdout.write(
                "Only one key is configured, so every readable value is already under it: checking that each "
                "one opens. To rotate, put a new key in front of it in FIELD_ENCRYPTION_KEYS first."
            )
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        tallies = [
            *(self._rotate_column(model, column, batch_size, dry_run) for model, column in _columns()),
            self._rotate_authenticators(batch_size, dry_run),
        ]
        for tally in tallies:
            self.stdout.write(
                f"{tally.label}: {verb} {tally.rotated}, already current {tally.current}, "
                f"unreadable {len(tally.unreadable)}"
            )
        total = sum(tally.rotated for tally in tallies)
        self.stdout.write(f"Total: {verb} {total} value(s) with the newest of {keys} key(s).")
        unreadable = [f"{tally.label} pk={pk}" for tally in tallies for pk in tally.unreadable]
        if unreadable:
            shown = ", ".join(unreadable[:20]) + (" ..." if len(unreadable) > 20 else "")
            raise CommandError(
                f"{len(unreadable)} value(s) could not be decrypted with any configured key ({shown}). "
                "Do not remove any key until the key they were written with is back in FIELD_ENCRYPTION_KEYS."
            )

    def _rotate_column(self, model: type[Model], column: str, batch_size: int, dry_run: bool) -> Tally:
        meta = model._meta
        tally = Tally(f"{meta.label}.{column}")
        quote = connection.ops.quote_name
        table, col, pk = quote(meta.db_table), quote(column), quote(meta.pk.column)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        last: Any = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                after = "" if last is None else f" AND {pk} > %s"
                cursor.execute(
                    f"SELECT {pk}, {col} FROM {table} WHERE {col} IS NOT NULL AND {col} <> ''{after} "  # noqa: S608
                    f"ORDER BY {pk} LIMIT %s{lock}",
                    ([] if last is None else [last]) + [batch_size],
                )
                rows = cursor.fetchall()
                updates = []
                for key, token in rows:
                    new = _rotated(token, tally, key)
                    if new is not None:
                        updates.append((new, key))
                if updates and not dry_run:
                    cursor.executemany(f"UPDATE {table} SET {col} = %s WHERE {pk} = %s", updates)  # noqa: S608
            if len(rows) < batch_size:
                return tally
            last = rows[-1][0]

    def _rotate_authenticators(self, batch_size: int, dry_run: bool) -> Tally:
        from allauth.mfa.models import Authenticator

        tally = Tally("mfa.Authenticator.data")
        last = 0
        while True:
            with transaction.atomic():
                batch = list(Authenticator.objects.select_for_update().filter(pk__gt=last).order_by("pk")[:batch_size])
                for authenticator in batch:
                    data = dict(authenticator.data)
                    changed = False
                    for name in AUTHENTICATOR_TEXT_KEYS:
                        if isinstance(data.get(name), str):
                            new = _rotated(data[name], tally, f"{authenticator.pk}:{name}")
                            if new is not None:
                                data[name], changed = new, True
                    for name in AUTHENTICATOR_LIST_KEYS:
                        if isinstance(data.get(name), list):
                            items = list(data[name])
                            for index, item in enumerate(items):
                                new = _rotated(item, tally, f"{authenticator.pk}:{name}[{index}]")
                                if new is not None:
                                    items[index], changed = new, True
                            data[name] = items
                    if changed and not dry_run:
                        Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
            if len(batch) < batch_size:
                return tally
            last = batch[-1].pk


def _columns() -> Iterator[tuple[type[Model], str]]:
    for model, encrypted in encrypted_fields():
        yield model, encrypted.column


def _rotated(token: str, tally: Tally, where: object) -> str | None:
    """The token under the newest key, or None when it already is (or cannot be opened, which is counted)."""
    if is_current(token):
        tally.current += 1
        return None
    try:
        new = rotate_token(token)
    except InvalidToken:
        tally.unreadable.append(str(where))
        return None
    tally.rotated += 1
    return new
