"""/healthz: is the database answering, is the broker answering? And the throughput benchmark's floor view."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

if TYPE_CHECKING:
    from participants.models import User


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # any failure means "not healthy"; say which kind, never the details
        return False, type(exc).__name__


def _broker_ok() -> tuple[bool, str]:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:
        return False, type(exc).__name__


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    # Pages need the database; without the broker they still work (tasks wait in the outbox, core/outbox.py), so a
    # broker outage is "degraded" with 200, not a 503 that would make a load balancer take every web machine out.
    status = "unavailable" if not db_ok else ("ok" if broker_ok else "degraded")
    return JsonResponse(
        {"status": status, "database": db_detail, "broker": broker_detail},
        status=200 if db_ok else 503,
    )


@login_required
@require_GET
def bench_floor(request: HttpRequest) -> HttpResponse:
    """The floor of the throughput benchmark (bench/throughput.py): the least a signed-in page can do. It passes
    through the same middleware as every page, makes one indexed query (the person's membership with its
    partnership, by primary key) and renders a small template, without the context processors (no navigation).
    Routed only when settings.BENCH_FLOOR_VIEW is on (config/urls.py)."""
    from participants.models import Membership

    user = cast("User", request.user)
    if user.membership is None:
        raise Http404("Not acting in any partnership.")
    membership = Membership.objects.select_related("partnership").get(pk=user.membership.pk)
    return HttpResponse(render_to_string("bench_floor.html", {"membership": membership, "person": user}))
