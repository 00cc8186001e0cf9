# Encrypt at rest an application's answers to the round's questions: young applicants answer in their own words,
# often about themselves and their lives. Then encrypt the rows already there (core/crypto.py
# encrypt_existing_rows: raw SQL per row, values already encrypted left alone). Reversible: going back decrypts them
# first.

from django.db import migrations

import core.fields
from core.crypto import decrypt_existing_rows, encrypt_existing_rows

# (model, field, holds JSON)
FIELDS = [("application", "answers", True)]


def encrypt_existing(apps, schema_editor):
    encrypt_existing_rows(apps, schema_editor, "participants", FIELDS)


def decrypt_existing(apps, schema_editor):
    decrypt_existing_rows(apps, schema_editor, "participants", FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0008_data_rights"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="answers",
            field=core.fields.EncryptedJSONField(
                blank=True, default=dict, help_text="Question id (as text) to the answer."
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
