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
        from tests.conftest import require_service

        require_service("PostgreSQL", "the audit log's database trigger exists on PostgreSQL only")
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


def test_a_new_instance_with_an_existing_pk_cannot_overwrite_a_row(event, partnership):
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - IntegrityError or AppendOnlyError
        AuditEvent(
            pk=event.pk, partnership=partnership, event_type="forged", subject_type=event.subject_type, subject_id="1"
        ).save()
    assert AuditEvent.objects.get(pk=event.pk).event_type == "test.happened"


def test_bulk_upserts_and_the_base_manager_cannot_change_rows(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([event], update_conflicts=True, unique_fields=["id"], update_fields=["payload"])
    with pytest.raises(AppendOnlyError):
        AuditEvent._base_manager.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(partnership):
    with pytest.raises(RuntimeError):
        audit_record(actor=None, partnership=partnership, subject=partnership, event_type="test.outside")


def test_an_operator_without_a_second_factor_is_sent_to_set_one_up(admin_client):
    response = admin_client.get("/django-admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_the_admin_is_read_only(admin_client, admin_user, event):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(admin_user, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    response = admin_client.post(f"/django-admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
