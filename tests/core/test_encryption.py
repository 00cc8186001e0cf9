"""Encryption at rest: the sensitive fields, several keys for rotation, `rotate_encryption_key`, and a dump of the
whole database that holds none of the sensitive values in plain text (core.crypto, core.fields)."""

from __future__ import annotations

import datetime
import os
import subprocess
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from core.crypto import decrypt_text, encrypt_text
from core.fields import EncryptedField, EncryptedJSONField, encrypted_fields
from participants.models import (
    Application,
    EqualityResponse,
    Partnership,
    Role,
    SupportFollowUp,
    SupportSession,
    YoungPersonProfile,
)
from participants.services.support import FollowUpInput, support_session_create
from payments.models import BankExport, Voucher
from payments.services.accounts import bank_details_save
from safeguarding.models import ConcernCategory, FollowUpTask
from safeguarding.services.checks import staff_check_record
from safeguarding.services.concerns import (
    concern_note_add,
    concern_outcome_record,
    concern_raise,
    concern_referral_add,
)
from safeguarding.services.consent import competence_assessment_record, consent_withdraw
from safeguarding.services.wellbeing import care_details_update, checkin_create, followup_complete
from tests.factories import STAFF_TOTP_SECRET
from tests.factories.payments import PayoutFactory
from tests.factories.recruitment import ApplicationFactory, RoundFactory
from tests.factories.safeguarding import ConsentFactory

pytestmark = pytest.mark.django_db

OLD, NEW, STRANGER = (Fernet.generate_key().decode() for _ in range(3))

# What the issue names (and what the design adds) must be encrypted at rest: model label -> field names.
MUST_BE_ENCRYPTED = {
    "participants.YoungPersonProfile": {
        "access_needs",
        "health_information",
        "emergency_contact_name",
        "emergency_contact_relationship",
        "emergency_contact_phone",
    },
    "participants.EqualityResponse": {"answers"},  # care experience is one of the equality questions
    "participants.Application": {"equality_draft", "answers"},
    "participants.SupportSession": {"restricted_notes", "agreed"},
    "participants.SupportFollowUp": {"description"},
    "safeguarding.Concern": {"about_name", "young_persons_words", "what_happened", "outcome"},
    "safeguarding.ConcernEntry": {"text"},
    "safeguarding.StaffCheck": {"certificate_number"},
    "safeguarding.WellbeingCheckIn": {"comment"},
    "safeguarding.FollowUpTask": {"reason", "note"},
    "safeguarding.Consent": {"withdrawal_reason"},
    "safeguarding.CompetenceAssessment": {"reasoning"},
    "payments.Voucher": {"code"},
    "payments.PayeeAccount": {"bank_sort_code", "bank_account_number"},
    "payments.BankExport": {"content"},
}


def raw(model: Any, field: str, pk: Any) -> str:
    """The column as stored, without the field's conversion."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(field)} FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s",  # noqa: S608
            [model._meta.pk.get_db_prep_value(pk, connection)],
        )
        return str(cursor.fetchone()[0])


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_key", *args, stdout=out)
    return out.getvalue()


def line_for(output: str, label: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(f"{label}:"))


# --- Which fields ---------------------------------------------------------------------------------------------


def test_every_sensitive_field_named_by_the_issue_is_encrypted():
    found: dict[str, set[str]] = {}
    for model, field in encrypted_fields():
        found.setdefault(model._meta.label, set()).add(field.name)
    missing = {label: names - found.get(label, set()) for label, names in MUST_BE_ENCRYPTED.items()}
    assert {label: names for label, names in missing.items() if names} == {}


def test_encrypted_fields_cannot_be_searched_or_ordered_in_sql():
    with pytest.raises(TypeError, match="cannot be searched with 'icontains'"):
        SupportSession.objects.filter(agreed__icontains="x")
    with pytest.raises(TypeError):
        EqualityResponse.objects.filter(answers__care_experience="yes")


def test_an_encrypted_field_is_compared_only_with_the_empty_value():
    """Every encryption is different, so `agreed="x"` could never match: it is refused, not silently empty."""
    with pytest.raises(TypeError, match="only be compared with the empty value"):
        SupportSession.objects.filter(agreed="Weekly check-in")
    assert list(SupportSession.objects.filter(agreed="")) == []
    assert list(EqualityResponse.objects.exclude(answers={})) == []
    assert list(SupportSession.objects.filter(agreed__isnull=True)) == []


# --- Several keys ---------------------------------------------------------------------------------------------


@pytest.fixture
def profile(member) -> YoungPersonProfile:
    person = member(Role.YOUNG_PERSON)
    return YoungPersonProfile.objects.create(
        partnership=person.membership.partnership,
        membership=person.membership,
        date_of_birth=datetime.date(2009, 5, 1),
    )


def test_a_value_written_with_an_old_key_still_reads_after_a_new_key_is_put_in_front(profile):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        profile.health_information = "Asthma: inhaler in bag OLDKEY-1"
        profile.save()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        profile.refresh_from_db()
        assert profile.health_information == "Asthma: inhaler in bag OLDKEY-1"
        # and new writes use the new key: it alone opens them
        profile.access_needs = "Step-free access NEWKEY-1"
        profile.save()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert decrypt_text(raw(YoungPersonProfile, "access_needs", profile.pk)) == "Step-free access NEWKEY-1"


def test_a_value_under_a_key_that_is_not_configured_fails_loudly(profile):
    with override_settings(FIELD_ENCRYPTION_KEYS=[STRANGER]):
        profile.health_information = "Written with a key nobody kept"
        profile.save()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]), pytest.raises(InvalidToken):
        profile.refresh_from_db()


def test_no_key_at_all_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(FIELD_ENCRYPTION_KEYS=[]), pytest.raises(ImproperlyConfigured):
        encrypt_text("anything")


# --- rotate_encryption_key ------------------------------------------------------------------------------------


@pytest.fixture
def written_with_old_key(member, partnership):
    """A support session (two encrypted text fields, one left empty), a follow-up, an equality response (JSON,
    uuid key) and a staff member's TOTP secret, all written while OLD was the only key."""
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        worker = member(Role.PARTICIPATION_WORKER)  # comes with a TOTP authenticator
        young = member(Role.YOUNG_PERSON)
        sessions = [
            support_session_create(
                actor=worker,
                membership_id=young.membership.pk,
                kind=SupportSession.Kind.DEBRIEF,
                held_on=timezone.localdate(),
                restricted_notes=f"Talked about home ROTATE-NOTES-{n}",
                agreed="" if n == 0 else f"Weekly check-in ROTATE-AGREED-{n}",
                follow_ups=[FollowUpInput(f"Call back ROTATE-FU-{n}", worker.pk, timezone.localdate())],
            )
            for n in range(3)
        ]
        round_ = RoundFactory(partnership=partnership)
        response = EqualityResponse.objects.create(
            partnership=partnership, round=round_, answers={"care_experience": "yes", "gender": "non_binary"}
        )
    return {"worker": worker, "sessions": sessions, "response": response}


def test_rotation_re_encrypts_everything_so_the_old_key_can_be_removed(written_with_old_key):
    sessions, response = written_with_old_key["sessions"], written_with_old_key["response"]
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        output = rotate("--batch-size", "2")  # several batches per field
    assert line_for(output, "participants.SupportSession.restricted_notes").startswith(
        "participants.SupportSession.restricted_notes: re-encrypted 3, already current 0, unreadable 0"
    )
    # the empty "agreed" is not a value: nothing to encrypt
    assert "re-encrypted 2," in line_for(output, "participants.SupportSession.agreed")
    assert "re-encrypted 3," in line_for(output, "participants.SupportFollowUp.description")
    assert "re-encrypted 1," in line_for(output, "participants.EqualityResponse.answers")
    # the staff member's TOTP secret and recovery codes live in allauth's Authenticator.data
    assert "re-encrypted 0," not in line_for(output, "mfa.Authenticator.data")

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):  # the old key is gone
        for n, session in enumerate(sessions):
            session.refresh_from_db()
            assert session.restricted_notes == f"Talked about home ROTATE-NOTES-{n}"
            assert session.follow_ups.get().description == f"Call back ROTATE-FU-{n}"
        assert EqualityResponse.objects.get(pk=response.pk).answers == {
            "care_experience": "yes",
            "gender": "non_binary",
        }
        totp = Authenticator.objects.get(user=written_with_old_key["worker"], type=Authenticator.Type.TOTP)
        assert decrypt_text(totp.data["secret"]) == STAFF_TOTP_SECRET


def test_rotation_is_idempotent_and_changes_no_timestamp(written_with_old_key):
    session = written_with_old_key["sessions"][1]
    created_at = session.created_at
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        first = rotate()
        stored = raw(SupportSession, "agreed", session.pk)
        again = rotate()
        session.refresh_from_db()
    assert "Total: re-encrypted 0 value(s)" not in first
    assert "Total: re-encrypted 0 value(s) with the newest of 2 key(s)." in again
    assert "re-encrypted 0, already current 3, unreadable 0" in line_for(
        again, "participants.SupportSession.restricted_notes"
    )
    assert raw(SupportSession, "agreed", session.pk) == stored  # a second run rewrites nothing
    assert session.created_at == created_at


def test_a_dry_run_counts_and_changes_nothing(written_with_old_key):
    session = written_with_old_key["sessions"][2]
    before = raw(SupportSession, "restricted_notes", session.pk)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        output = rotate("--dry-run")
    assert "would re-encrypt 3, already current 0" in line_for(output, "participants.SupportSession.restricted_notes")
    assert raw(SupportSession, "restricted_notes", session.pk) == before
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]), pytest.raises(InvalidToken):
        session.refresh_from_db()  # still under the old key only


def test_a_value_no_key_opens_is_named_and_fails_the_command(written_with_old_key):
    follow_up_pk = SupportFollowUp.objects.order_by("pk").values_list("pk", flat=True).first()
    with override_settings(FIELD_ENCRYPTION_KEYS=[STRANGER]):
        SupportFollowUp.objects.filter(pk=follow_up_pk).update(description="Under a key nobody kept")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]), pytest.raises(CommandError) as failed:
        rotate()
    assert f"participants.SupportFollowUp.description pk={follow_up_pk}" in str(failed.value)
    assert "Do not remove any key" in str(failed.value)
    # everything else was still rotated
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert SupportSession.objects.filter(pk=written_with_old_key["sessions"][0].pk).get().restricted_notes


def test_with_one_key_it_says_there_is_nothing_to_rotate(written_with_old_key):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        output = rotate()
    assert "Only one key is configured" in output
    assert "Total: re-encrypted 0 value(s) with the newest of 1 key(s)." in output


def test_a_new_encrypted_field_is_found_without_being_listed():
    labels = {f"{model._meta.label}.{field.name}" for model, field in encrypted_fields()}
    assert labels >= {
        "participants.EqualityResponse.answers",
        "payments.Voucher.code",
        "safeguarding.ConcernEntry.text",
    }
    assert all(isinstance(field, EncryptedField) for _, field in encrypted_fields())
    assert isinstance(EqualityResponse._meta.get_field("answers"), EncryptedJSONField)


# --- The dump -------------------------------------------------------------------------------------------------


def dump_database() -> str:
    """Everything the database holds, as text: pg_dump on PostgreSQL, iterdump on SQLite."""
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        command = ["pg_dump", "--no-owner", "--dbname", settings_dict["NAME"]]
        for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings_dict.get(key):
                command += [option, str(settings_dict[key])]
        env = {**os.environ, "PGPASSWORD": str(settings_dict.get("PASSWORD") or "")}
        return subprocess.run(command, check=True, capture_output=True, text=True, env=env, timeout=120).stdout
    assert connection.vendor == "sqlite", f"No dump for {connection.vendor}"
    connection.ensure_connection()
    return "\n".join(connection.connection.iterdump())


@pytest.mark.django_db(transaction=True)  # committed, so pg_dump (another connection) sees it
def test_a_dump_of_the_database_holds_none_of_the_sensitive_values(member, partnership):
    secrets: dict[str, str] = {}

    def secret(label: str, value: str) -> str:
        secrets[label] = value
        return value

    worker = member(Role.PARTICIPATION_WORKER)  # with a TOTP authenticator (STAFF_TOTP_SECRET)
    secrets["totp secret"] = STAFF_TOTP_SECRET
    lead = member(Role.SAFEGUARDING_LEAD)
    lead.second_factor_this_session = True
    young = member(Role.YOUNG_PERSON)
    YoungPersonProfile.objects.create(
        partnership=partnership,
        membership=young.membership,
        date_of_birth=timezone.localdate() - datetime.timedelta(days=14 * 365 + 100),  # 14: competence applies
    )

    care_details_update(
        actor=young,
        access_needs=secret("access needs", "Needs BSL interpreter ACCESS-a1b2"),
        health_information=secret("health", "Type 1 diabetes HEALTH-c3d4"),
        emergency_contact_name=secret("emergency contact name", "Morwenna Quillfeather"),
        emergency_contact_relationship=secret("emergency contact relationship", "Foster carer RELATION-e5f6"),
        emergency_contact_phone=secret("emergency contact phone", "07700 900461"),
    )
    support_session_create(
        actor=worker,
        membership_id=young.membership.pk,
        kind=SupportSession.Kind.EMOTIONAL_SUPPORT,
        held_on=timezone.localdate(),
        restricted_notes=secret("support notes", "Spoke about self-harm SUPPORTNOTE-g7h8"),
        agreed=secret("support agreed", "Counselling referral AGREED-i9j0"),
        follow_ups=[
            FollowUpInput(secret("support follow-up", "Ring CAMHS FOLLOWUP-k1l2"), worker.pk, timezone.localdate())
        ],
    )
    checkin = checkin_create(
        actor=young, score=1, comment=secret("wellbeing comment", "I feel unsafe at home WELL-m3n4")
    )
    task = FollowUpTask.objects.get(checkin=checkin)
    followup_complete(actor=worker, task_id=task.pk, note=secret("follow-up note", "Made a referral NOTE-o5p6"))
    staff_check_record(
        actor=lead,
        membership_id=worker.membership.pk,
        certificate_number=secret("DBS certificate number", "001987654321"),
        issued_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    concern = concern_raise(
        actor=worker,
        category=ConcernCategory.NEGLECT,
        young_persons_words=secret("concern words", "Mum locks me out WORDS-q7r8"),
        what_happened=secret("concern what happened", "Arrived hungry HAPPENED-s9t0"),
        membership_id=young.membership.pk,
    )
    concern_raise(
        actor=worker,
        category=ConcernCategory.OTHER,
        young_persons_words="Said by a sibling",
        about_name=secret("concern about name", "Tamsin Greyhollow"),
    )
    concern_note_add(actor=lead, concern_id=concern.pk, text=secret("concern entry", "Spoke to school ENTRY-u1v2"))
    concern_referral_add(
        actor=lead, concern_id=concern.pk, agency="front_door", text=secret("referral", "MASH ref REFERRAL-w3x4")
    )
    concern_outcome_record(
        actor=lead, concern_id=concern.pk, text=secret("concern outcome", "Child in need OUTCOME-y5z6")
    )
    consent = ConsentFactory(membership=young.membership, partnership=partnership)
    consent_withdraw(
        actor=worker, consent_id=consent.pk, reason=secret("withdrawal reason", "Moved placement WITHDRAW-a7b8")
    )
    competence_assessment_record(
        actor=worker,
        membership_id=young.membership.pk,
        is_competent=True,
        reasoning=secret("competence reasoning", "Understands risks GILLICK-c9d0"),
    )
    bank_details_save(
        actor=young,
        account_name="Robin Payee",
        sort_code=secret("sort code", "40-47-84"),
        account_number=secret("account number", "71930258"),
    )
    secrets["sort code"] = "404784"
    payout = PayoutFactory(claim__membership=young.membership, claim__partnership=partnership)
    Voucher.objects.create(
        partnership=partnership,
        payout=payout,
        supplier="High street",
        value_pence=1000,
        code=secret("voucher code", "VCHR-8842-ZQXW-1177"),
        issued_on=timezone.localdate(),
    )
    BankExport.objects.create(
        partnership=partnership,
        batch=payout.batch,
        content=secret("bank export", "404784,71930258,Robin Payee,1000 EXPORTLINE-e1f2"),
        line_count=1,
        control_total_pence=1000,
    )
    round_ = RoundFactory(partnership=partnership)
    EqualityResponse.objects.create(partnership=partnership, round=round_, answers={"care_experience": "yes"})
    ApplicationFactory(
        round=round_,
        status=Application.Status.DRAFT,
        equality_draft={"care_experience": "no"},
        answers={"1": secret("application answer", "I look after my little brother ANSWER-k9m8")},
    )
    secrets["equality answers (care experience)"] = "care_experience"
    control = "CONTROL-PARTNERSHIP-NAME-5531"  # not sensitive: it must show, or the dump shows nothing
    Partnership.objects.filter(pk=partnership.pk).update(name=control)

    dump = dump_database()

    assert control in dump
    assert worker.email in dump  # the dump does hold the rows (emails are not encrypted)
    found = {label: value for label, value in secrets.items() if value in dump}
    assert found == {}


# --- Rows written before a field became encrypted ------------------------------------------------------------------


def _set_raw(model: Any, pk: int, field: str, value: str) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {quote(field)} = %s WHERE {quote(model._meta.pk.column)} = %s",  # noqa: S608
            [value, pk],
        )


def test_the_safeguarding_reasons_written_before_0002_are_encrypted_by_0004(member):
    """safeguarding 0002 made three fields encrypted without touching the rows already there, which then could not be
    read (InvalidToken). 0004 encrypts them, leaves values already encrypted alone, and reverses."""
    from importlib import import_module

    from django.apps import apps as registry

    from safeguarding.models import CompetenceAssessment, Consent

    migration = import_module("safeguarding.migrations.0004_encrypt_existing_reasons")
    # The migration's functions use only the schema editor's connection (SQLite will not open a real schema editor
    # inside the test's transaction).
    editor = SimpleNamespace(connection=connection)
    young = member(Role.YOUNG_PERSON).membership
    partnership = young.partnership
    worker = member(Role.PARTICIPATION_WORKER)
    assessment = CompetenceAssessment.objects.create(
        partnership=partnership, membership=young, assessed_by=worker, is_competent=True, reasoning="new"
    )
    consent = ConsentFactory(membership=young, withdrawal_reason="")
    task = FollowUpTask.objects.create(
        partnership=partnership,
        membership=young,
        assigned_to=worker,
        reason="already encrypted",
        due_at=timezone.now(),
    )
    _set_raw(CompetenceAssessment, assessment.pk, "reasoning", "Understands what taking part means")
    _set_raw(Consent, consent.pk, "withdrawal_reason", "Changed their mind")
    untouched = raw(FollowUpTask, "reason", task.pk)
    with pytest.raises(InvalidToken):
        CompetenceAssessment.objects.get(pk=assessment.pk)  # the defect: a plain row does not open

    migration.encrypt_existing(registry, editor)
    assert CompetenceAssessment.objects.get(pk=assessment.pk).reasoning == "Understands what taking part means"
    assert Consent.objects.get(pk=consent.pk).withdrawal_reason == "Changed their mind"
    assert "Understands" not in raw(CompetenceAssessment, "reasoning", assessment.pk)
    assert "Changed" not in raw(Consent, "withdrawal_reason", consent.pk)
    assert raw(FollowUpTask, "reason", task.pk) == untouched  # a token is left as it was

    stored = raw(CompetenceAssessment, "reasoning", assessment.pk)
    migration.encrypt_existing(registry, editor)  # twice: nothing changes
    assert raw(CompetenceAssessment, "reasoning", assessment.pk) == stored

    migration.decrypt_existing(registry, editor)
    assert raw(CompetenceAssessment, "reasoning", assessment.pk) == "Understands what taking part means"
    assert raw(FollowUpTask, "reason", task.pk) == "already encrypted"
    assert raw(Consent, "withdrawal_reason", consent.pk) == "Changed their mind"
