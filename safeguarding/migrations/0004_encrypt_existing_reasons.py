# 0002_encrypt_reasons made three fields encrypted without encrypting the rows already there: a competence
# assessment's reasoning, a consent's withdrawal reason and a follow-up task's reason written before it would not
# open (reading one raised InvalidToken). This encrypts them (core/crypto.py encrypt_existing_rows: raw SQL per row,
# values already encrypted left alone, so on a database made after 0002 it changes nothing). Reversible.

from django.db import migrations

from core.crypto import decrypt_existing_rows, encrypt_existing_rows

# (model, field, holds JSON)
FIELDS = [
    ("competenceassessment", "reasoning", False),
    ("consent", "withdrawal_reason", False),
    ("followuptask", "reason", False),
]


def encrypt_existing(apps, schema_editor):
    encrypt_existing_rows(apps, schema_editor, "safeguarding", FIELDS)


def decrypt_existing(apps, schema_editor):
    decrypt_existing_rows(apps, schema_editor, "safeguarding", FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0003_partnership_list_indexes"),
    ]

    operations = [
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
