# Encrypt at rest what was still plain: what was agreed in a support session, follow-up descriptions, and the
# equality answers (care experience among them), then encrypt the rows already there. Reversible: going back
# decrypts them first. Written by hand (raw SQL per row, so no model save(), timestamps or audit rows change).

import django.core.validators
from django.db import migrations

import core.fields
from core.crypto import decrypt_existing_rows, encrypt_existing_rows

# (model, field, holds JSON)
FIELDS = [
    ("supportsession", "agreed", False),
    ("supportfollowup", "description", False),
    ("application", "equality_draft", True),
    ("equalityresponse", "answers", True),
]


def encrypt_existing(apps, schema_editor):
    encrypt_existing_rows(apps, schema_editor, "participants", FIELDS)


def decrypt_existing(apps, schema_editor):
    decrypt_existing_rows(apps, schema_editor, "participants", FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0006_partnership_list_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="supportsession",
            name="agreed",
            field=core.fields.EncryptedTextField(blank=True, help_text="What was agreed. The young person sees this."),
        ),
        migrations.AlterField(
            model_name="supportfollowup",
            name="description",
            field=core.fields.EncryptedTextField(
                max_length=300, validators=[django.core.validators.MaxLengthValidator(300)]
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="equality_draft",
            field=core.fields.EncryptedJSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="equalityresponse",
            name="answers",
            field=core.fields.EncryptedJSONField(default=dict),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
