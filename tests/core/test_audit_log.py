import pytest
from django.db import DatabaseError, connection, transaction

from core.audit import audit_record
from core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(partnership):
    with transaction.atomic():
        return audit_record(actor=None, partnership=partnership, subject=partnership, event_type="test.happened")


def test_an_event_cannot_be_changed_through_the_orm(event):
    event.event_type = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(event_type="tampered")
    assert AuditEvent.objects.get(pk=event.pk).event_type == "test.happened"


def test_an_event_cannot_be_deleted_through_the_orm(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_raw_updates_on_postgresql(event):
    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only; SQLite relies on the ORM guard")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET event_type = 'x' WHERE id = %s", [event.pk])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(partnership):
    with pytest.raises(RuntimeError):
        audit_record(actor=None, partnership=partnership, subject=partnership, event_type="test.outside")


def test_the_admin_is_read_only(admin_client, event):
    response = admin_client.post(f"/django-admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
