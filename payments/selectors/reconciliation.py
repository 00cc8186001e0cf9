"""Reads for the reconciliation page: the partnership's runs, newest first (finance officers only)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.permissions import require
from core.tenancy import scope
from participants.models import User
from payments.models import ReconciliationRun

VIEW_RECONCILIATION = "payments.view_reconciliation"


def reconciliation_runs(actor: User) -> QuerySet[ReconciliationRun]:
    require(actor, VIEW_RECONCILIATION)
    return scope(ReconciliationRun.objects.all(), actor).order_by("-ran_at", "-pk")


def latest_reconciliation_run(actor: User) -> ReconciliationRun | None:
    return reconciliation_runs(actor).first()
