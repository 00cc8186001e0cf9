# Encrypt at rest what was still plain: what was agreed in a support session, follow-up descriptions, and the
# equality answers (care experience among them), then encrypt the rows already there. Reversible: going back
# decrypts them first. Written by hand (raw SQL per row, so no model save(), timestamps or audit rows change).

import json

import django.core.validators
from django.db import migrations

import core.fields
from core.crypto import InvalidToken, decrypt_text, encrypt_text

# (model, field, holds JSON)
FIELDS = [
    ("supportsession", "agreed", False),
    ("supportfollowup", "description", False),
    ("application", "equality_draft", True),
    ("equalityresponse", "answers", True),
]


def _is_token(value):
    try:
        decrypt_text(value)
    except (InvalidToken, ValueError, TypeError):
        return False
    return True


def _rewrite(apps, schema_editor, convert):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for model_name, field_name, is_json in FIELDS:
        model = apps.get_model("participants", model_name)
        table, column = quote(model._meta.db_table), quote(model._meta.get_field(field_name).column)
        pk = quote(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
            rows = cursor.fetchall()
        updates = []
        for key, value in rows:
            new = convert(value, is_json)
            if new != value:
                updates.append((new, key))
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", updates)  # noqa: S608


def _encrypt(value, is_json):
    if value == "" or _is_token(value):
        return value
    if is_json:
        document = json.loads(value) if isinstance(value, str) else value
        return encrypt_text(json.dumps(document)) if document else ""
    return encrypt_text(value)


def _decrypt(value, is_json):
    if is_json and value == "":
        return "{}"
    if value == "" or not _is_token(value):
        return value
    return decrypt_text(value)


def encrypt_existing(apps, schema_editor):
    _rewrite(apps, schema_editor, _encrypt)


def decrypt_existing(apps, schema_editor):
    _rewrite(apps, schema_editor, _decrypt)


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
