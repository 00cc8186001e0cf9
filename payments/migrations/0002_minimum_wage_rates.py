"""The National Minimum Wage rates, as data with effective dates (GOV.UK's published rates)."""

import datetime

from django.db import migrations

RATES = [
    # band, hourly pence, from
    ("21_plus", 1221, datetime.date(2025, 4, 1)),
    ("18_20", 1000, datetime.date(2025, 4, 1)),
    ("under_18", 755, datetime.date(2025, 4, 1)),
    ("21_plus", 1271, datetime.date(2026, 4, 1)),
    ("18_20", 1085, datetime.date(2026, 4, 1)),
    ("under_18", 800, datetime.date(2026, 4, 1)),
]


def add_rates(apps, schema_editor):
    MinimumWageRate = apps.get_model("payments", "MinimumWageRate")
    for band, pence, effective_from in RATES:
        MinimumWageRate.objects.get_or_create(band=band, effective_from=effective_from, defaults={"hourly_pence": pence})


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(add_rates, migrations.RunPython.noop)]
