"""Encryption at rest for sensitive values (core.fields.EncryptedTextField / EncryptedJSONField, TOTP secrets).

Keys come from FIELD_ENCRYPTION_KEYS: Fernet keys, newest first. New values are always encrypted with the first
key; decryption tries every key, so a key is rotated by putting a new one in front, deploying, running
`python manage.py rotate_encryption_key` (which re-encrypts every stored value with the newest key), and only
then removing the old key (docs/configuration.md, FIELD_ENCRYPTION_KEYS). A value that no configured key opens
raises cryptography.fernet.InvalidToken: it is never read as empty. Generate a key with
`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
"""

import json
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "InvalidToken",
    "decrypt_existing_rows",
    "decrypt_text",
    "encrypt_existing_rows",
    "encrypt_text",
    "is_current",
    "key_count",
    "rotate_token",
]


@cache
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: sensitive data cannot be encrypted.")
    fernets = [Fernet(key.encode()) for key in keys]
    return MultiFernet(fernets), fernets[0]


def _keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def key_count() -> int:
    return len(_keys())


def encrypt_text(plain: str) -> str:
    return _fernets(_keys())[0].encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    return _fernets(_keys())[0].decrypt(token.encode()).decode()


def is_current(token: str) -> bool:
    """True when the newest key opens the token (nothing to rotate)."""
    try:
        _fernets(_keys())[1].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate_token(token: str) -> str:
    """The same plain value, encrypted again with the newest key. Raises InvalidToken if no key opens it."""
    return _fernets(_keys())[0].rotate(token.encode()).decode()


# --- Data migrations: encrypting the rows already there when a field becomes encrypted ---------------------------
# A migration that turns a plain field into an EncryptedTextField / EncryptedJSONField must also encrypt the rows it
# already holds (a plain value would not open: reading it raises InvalidToken). These rewrite the column by raw SQL,
# row by row, so no model save(), timestamp or audit row changes; a value that already is a token (or is empty) is
# left alone, so running one twice changes nothing. `fields` is [(model name, field name, holds JSON)].


def _is_token(value: str) -> bool:
    try:
        decrypt_text(value)
    except (InvalidToken, ValueError, TypeError):
        return False
    return True


def _encrypted(value: Any, is_json: bool) -> Any:
    if value == "" or _is_token(value):
        return value
    if is_json:
        document = json.loads(value) if isinstance(value, str) else value
        return encrypt_text(json.dumps(document)) if document else ""
    return encrypt_text(value)


def _plain(value: Any, is_json: bool) -> Any:
    if is_json and value == "":
        return "{}"
    if value == "" or not _is_token(value):
        return value
    return decrypt_text(value)


def _rewrite(
    apps: Any, schema_editor: Any, app_label: str, fields: Iterable[tuple[str, str, bool]], convert: Callable[..., Any]
) -> None:
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for model_name, field_name, is_json in fields:
        model = apps.get_model(app_label, model_name)
        table, column = quote(model._meta.db_table), quote(model._meta.get_field(field_name).column)
        pk = quote(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
            rows = cursor.fetchall()
        updates = [(new, key) for key, value in rows if (new := convert(value, is_json)) != value]
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", updates)  # noqa: S608


def encrypt_existing_rows(
    apps: Any, schema_editor: Any, app_label: str, fields: Iterable[tuple[str, str, bool]]
) -> None:
    """Encrypt every plain value of the fields (a migration's RunPython forwards)."""
    _rewrite(apps, schema_editor, app_label, fields, _encrypted)


def decrypt_existing_rows(
    apps: Any, schema_editor: Any, app_label: str, fields: Iterable[tuple[str, str, bool]]
) -> None:
    """Decrypt them again (the migration's backwards step)."""
    _rewrite(apps, schema_editor, app_label, fields, _plain)
