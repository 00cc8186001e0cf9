"""Run as `python -m tests.ops.encrypted_values` with DATABASE_URL and FIELD_ENCRYPTION_KEYS set: prints one JSON
object, for every encrypted field of every model ("app_label.Model.field"), the values as the app reads them
(decrypted) and as the database stores them, each list ordered by primary key. tests/ops/test_backup_restore.py
compares a database with its restored copy this way. Exits non-zero when a value does not decrypt with the keys
given (the wrong keys)."""

from __future__ import annotations

import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.apps import apps
    from django.db import connection

    found: dict[str, dict[str, list[object]]] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if type(field).__module__ != "core.fields" or not type(field).__name__.startswith("Encrypted"):
                continue
            label = f"{model._meta.label}.{field.name}"
            read = list(model._base_manager.order_by("pk").values_list(field.attname, flat=True))
            with connection.cursor() as cursor:
                table, column, pk = (
                    connection.ops.quote_name(model._meta.db_table),
                    connection.ops.quote_name(field.column),
                    connection.ops.quote_name(model._meta.pk.column),
                )
                cursor.execute(f"SELECT {column} FROM {table} ORDER BY {pk}")  # noqa: S608 - names from the models
                stored = [row[0] for row in cursor.fetchall()]
            found[label] = {"read": read, "stored": stored}
    print(json.dumps(found, default=str))


if __name__ == "__main__":
    main()
