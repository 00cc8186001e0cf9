"""Fields encrypted at rest with the keys in FIELD_ENCRYPTION_KEYS (core/crypto.py).

- EncryptedTextField: text (care details, concerns, support notes, certificate numbers, voucher codes...).
- EncryptedJSONField: a small JSON document (the equality answers, which include care experience).

Both store a Fernet token in a text column; "" (and, for JSON, an empty document) is stored as "" so an empty
value costs nothing and says nothing. Every field of these classes, in every model, is found by
`encrypted_fields()`, which the `rotate_encryption_key` command uses: a new encrypted field is covered by key
rotation without anyone having to list it.

Why not django-fernet-encrypted-fields: it derives its keys from SECRET_KEY, so rotating the signing key (which
should be routine) would make every encrypted record unreadable. Here the data keys are their own setting and
rotate on their own (MultiFernet: new key first, old keys still decrypt). Encrypted values cannot be searched
or ordered by the database, by design: only `isnull` and `exact` lookups are allowed, and since every
encryption is randomised, `exact` is allowed only against the empty value (anything else raises TypeError
rather than silently matching nothing).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.lookups import Exact

from core.crypto import decrypt_text, encrypt_text

ALLOWED_LOOKUPS = frozenset({"isnull", "exact"})


class EmptyOnlyExact(Exact):
    """`field=""` (or an empty JSON document) works; `field="some text"` would never match, since every encryption
    of a value is different, so it is refused instead of silently finding nothing."""

    def get_prep_lookup(self) -> Any:
        if not (self.rhs is None or self.rhs == "" or (isinstance(self.rhs, dict | list) and not self.rhs)):
            raise TypeError(
                f"An encrypted field ({self.lhs.output_field.name}) can only be compared with the empty value: "
                "every encryption is different, so an equal value would never match."
            )
        return super().get_prep_lookup()


class EncryptedField(models.TextField):
    """The base of every encrypted field: a text column that holds a Fernet token (or "" or NULL)."""

    description = "Encrypted at rest"

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ALLOWED_LOOKUPS:
            raise TypeError(f"An encrypted field cannot be searched with '{lookup_name}'.")
        if lookup_name == "exact":
            return EmptyOnlyExact
        return super().get_lookup(lookup_name)


class EncryptedTextField(EncryptedField):
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


class EncryptedJSONField(EncryptedField):
    """A JSON document (dicts, lists, strings, numbers) encrypted as one token. Read it whole, in Python."""

    description = "JSON encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if value == "":
            return self._empty()
        return json.loads(decrypt_text(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if value == "" or (isinstance(value, dict | list) and not value):
            return ""
        return encrypt_text(json.dumps(value, cls=DjangoJSONEncoder))

    def value_to_string(self, obj: models.Model) -> Any:
        # Like JSONField: serializers (dumpdata) get the document itself, and to_python takes it back as is.
        return self.value_from_object(obj)

    def _empty(self) -> Any:
        return self.get_default() if self.has_default() else {}


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedField]]:
    """Every concrete encrypted field of every installed model (proxy and unmanaged models skipped)."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedField):
                yield model, field
