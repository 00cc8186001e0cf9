"""EncryptedTextField: text encrypted at rest with the keys in FIELD_ENCRYPTION_KEYS (core/crypto.py).

Why not django-fernet-encrypted-fields: it derives its keys from SECRET_KEY, so rotating the signing key (which
should be routine) would make every encrypted record unreadable. Here the data keys are their own setting and
rotate on their own (MultiFernet: new key first, old keys still decrypt). Encrypted values cannot be searched
or ordered by the database, by design.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from core.crypto import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull", "exact"}:
            raise TypeError(f"An encrypted field cannot be searched with '{lookup_name}'.")
        return super().get_lookup(lookup_name)
