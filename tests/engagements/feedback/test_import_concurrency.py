"""A response import's task sent again (by the resume job, or delivered twice) while another task is saving it does
not wait for it: it finds the import locked, does nothing and frees its worker. Row locks between connections are
what this is about, so it runs on PostgreSQL only."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from engagements.models import RecommendationResponse, ResponseImport
from engagements.services.response_import import response_import_apply
from participants.models import Role
from tests.conftest import require_service
from tests.engagements.feedback.test_import_service import csv_file, make_response, preview

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "row locks between two connections are what this test is about")


def test_a_task_sent_again_while_another_saves_the_import_does_nothing_and_does_not_wait(member, partnership):
    lead = member(Role.SCRUTINY_LEAD)
    response = make_response(partnership)
    response_import = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    # Committed, and its task not run yet (here a commit's task runs as the transaction commits, so set it by hand).
    ResponseImport.objects.filter(pk=response_import.pk).update(
        status=ResponseImport.Status.COMMITTING, commit_requested_by=lead, commit_requested_at=timezone.now()
    )

    locked, release = threading.Event(), threading.Event()

    def first_task_holding_the_import() -> None:
        try:
            with transaction.atomic():
                ResponseImport.objects.select_for_update().get(pk=response_import.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            close_old_connections()
            connection.close()

    holder = threading.Thread(target=first_task_holding_the_import)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        started = time.monotonic()
        assert response_import_apply(import_id=response_import.pk, actor_id=lead.pk) is None
        assert time.monotonic() - started < 5  # it did not wait for the lock
        assert ResponseImport.objects.get(pk=response_import.pk).status == ResponseImport.Status.COMMITTING
    finally:
        release.set()
        holder.join(timeout=30)

    # Once nobody holds it, the task saves it.
    applied = response_import_apply(import_id=response_import.pk, actor_id=lead.pk)
    assert applied is not None and applied.status == ResponseImport.Status.COMMITTED
    assert RecommendationResponse.objects.get(pk=response.pk).progress == 60
