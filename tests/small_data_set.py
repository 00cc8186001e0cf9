"""The small bench data set (bench/generate.py SMALL) for a module of tests, inside a transaction rolled back at the
end, so no other test sees it.

The clock is stopped at `now` while the data is made and used: the data set follows the calendar (school terms,
monthly batches, the reporting year), and what a page shows must not change with the day the tests run. A
transactional test before the module empties every table, so the national minimum wage rates a migration adds are
put back first.

    with django_db_blocker.unblock(), small_data_set(NOW) as data:
        ...
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from unittest import mock

from django.db import transaction

if TYPE_CHECKING:
    from bench.generate import BenchData


@contextmanager
def small_data_set(now: datetime.datetime) -> Iterator[BenchData]:
    from bench.generate import SMALL, generate
    from payments.models import MinimumWageRate

    rates = importlib.import_module("payments.migrations.0002_minimum_wage_rates")
    with mock.patch("django.utils.timezone.now", return_value=now), transaction.atomic():
        for band, pence, effective_from in rates.RATES:
            MinimumWageRate.objects.get_or_create(
                band=band, effective_from=effective_from, defaults={"hourly_pence": pence}
            )
        yield generate(SMALL, now=now)
        transaction.set_rollback(True)
