"""Consent rules and services: each test names one rule and fails when it breaks."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from core.models import AuditEvent
from participants.models import OnboardingItem, Role, YoungPersonProfile
from participants.models.profile import birthday_in
from participants.services.onboarding import onboarding_create_for
from safeguarding.models import (
    CompetenceAssessment,
    Consent,
    ConsentMethod,
    ConsentRequest,
    ConsentType,
    SafeguardingPolicy,
)
from safeguarding.services.consent import (
    GIVE,
    RECEIPT,
    WITHDRAW,
    ConsentLinkError,
    competence_assessment_record,
    consent_gaps,
    consent_give_own,
    consent_record,
    consent_renewal_run,
    consent_request_answer,
    consent_request_from_token,
    consent_request_send,
    consent_token_make,
    consent_withdraw,
    consent_withdraw_by_link,
    consents_due_for_renewal,
    current_consent,
    safeguarding_policy_update,
)
from tests.factories import MembershipFactory
from tests.factories.safeguarding import ConsentFactory

pytestmark = pytest.mark.django_db

T = ConsentType
Item = OnboardingItem.Status
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-address/"},
        },
    }
    return tmp_path / "private"


def today():
    return timezone.localdate()


def born(age, *, days_since_birthday=30, on=None):
    """A date of birth that makes someone `age` on `on` (today), their birthday `days_since_birthday` days ago."""
    last = (on or today()) - datetime.timedelta(days=days_since_birthday)
    return birthday_in(last, last.year - age)


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def young(partnership, *, age=None, dob=None, checklist=True):
    membership = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
    dob = dob or (born(age) if age is not None else None)
    if dob is not None:
        YoungPersonProfile.objects.create(membership=membership, partnership=partnership, date_of_birth=dob)
    if checklist:
        under_16 = dob is not None and YoungPersonProfile(date_of_birth=dob).age_on(today()) < 16
        onboarding_create_for(membership=membership, under_16=under_16)
    from core.tenancy import act_in

    act_in(membership.user, partnership)
    return membership


def item(membership, key):
    return OnboardingItem.objects.get(membership=membership, key=key).status


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


def give(membership, kind, **kwargs):
    return consent_give_own(actor=membership.user, consent_type=kind, give=kwargs.pop("yes", True), **kwargs)


def given_everything(membership):
    for kind in (T.TAKING_PART, T.MEDIA, T.EMERGENCY_MEDICAL):
        give(membership, kind)


# --- Giving one's own consent -----------------------------------------------------------------------------------


def test_own_consent_is_recorded_with_age_when_given_and_ticks_taking_part(partnership):
    person = young(partnership, age=17)
    consent = give(person, T.TAKING_PART)
    assert (consent.status, consent.method, consent.relationship) == ("given", ConsentMethod.IN_ACCOUNT, "Self")
    assert consent.age_when_given == 17
    assert consent.given_by_name == person.user.full_name
    assert consent.scope  # what they agreed to, in the words they saw
    assert item(person, "consent.taking_part") == Item.DONE
    event = AuditEvent.objects.get(event_type="consent.recorded")
    assert event.actor == person.user and event.payload["by"] == "self"


def test_saying_yes_twice_is_refused_naming_the_field(partnership):
    person = young(partnership, age=17)
    give(person, T.TAKING_PART)
    with pytest.raises(Exception) as refused:
        give(person, T.TAKING_PART, yes=False)
    assert refused.value.extra["field"] == "decision"
    assert Consent.objects.count() == 1


def test_a_media_decision_either_way_ticks_the_media_item(partnership):
    person = young(partnership, age=17)
    give(person, T.MEDIA, yes=False)
    assert item(person, "consent.media") == Item.DONE
    assert current_consent(person, T.MEDIA, today()) is None


def test_staff_cannot_give_a_young_persons_own_consent_in_their_account(worker):
    with pytest.raises(PermissionDenied):
        consent_give_own(actor=worker, consent_type=T.TAKING_PART, give=True)


def test_a_young_person_cannot_give_a_parents_consent_themselves(partnership):
    person = young(partnership, age=14)
    with pytest.raises(Exception) as refused:
        give(person, T.PARENT_CARER)
    assert refused.value.extra["field"] == "consent_type"


# --- consent_gaps and current_consent ------------------------------------------------------------------------------


def test_nothing_given_means_no_consent_to_take_part(partnership):
    person = young(partnership, age=17)
    assert consent_gaps(person, today(), filmed=False, online=True) == ["No consent to take part"]


def test_an_over_16_with_their_own_consents_has_no_gaps(partnership):
    person = young(partnership, age=17)
    given_everything(person)
    assert consent_gaps(person, today(), filmed=True, online=False) == []


def test_a_filmed_engagement_needs_media_consent_and_an_in_person_one_emergency_medical(partnership):
    person = young(partnership, age=17)
    give(person, T.TAKING_PART)
    assert consent_gaps(person, today(), filmed=False, online=True) == []
    assert consent_gaps(person, today(), filmed=True, online=True) == ["Media consent needed for a filmed engagement"]
    assert consent_gaps(person, today(), filmed=False, online=False) == [
        "Emergency medical consent needed for an in-person engagement"
    ]


def test_an_under_16_needs_a_parent_or_carers_consent(partnership, worker):
    person = young(partnership, age=14)
    given_everything(person)
    assert consent_gaps(person, today(), filmed=False, online=True) == ["Needs a parent or carer's consent (under 16)"]
    consent_record(
        actor=worker,
        membership_id=person.pk,
        consent_type=T.PARENT_CARER,
        give=True,
        given_by_name="Grace Okafor",
        relationship="Mum",
        method=ConsentMethod.VERBAL_WITNESSED,
        witness_name="Sam Witness",
    )
    assert consent_gaps(person, today(), filmed=False, online=True) == []
    assert item(person, "consent.parent_carer") == Item.DONE
    # Under 16, being filmed and emergency treatment are also the parent's or carer's decision.
    assert consent_gaps(person, today(), filmed=True, online=False) == [
        "Photo and film consent must come from a parent or carer (under 16)",
        "Emergency medical consent must come from a parent or carer (under 16)",
    ]


def test_withdrawal_changes_consent_gaps_at_once(partnership, worker):
    person = young(partnership, age=17)
    given_everything(person)
    consent = current_consent(person, T.TAKING_PART, today())
    assert consent_gaps(person, today(), filmed=False, online=True) == []

    consent_withdraw(actor=person.user, consent_id=consent.pk, reason="")

    assert consent_gaps(person, today(), filmed=False, online=True) == ["Consent to take part was withdrawn"]
    assert current_consent(person, T.TAKING_PART, today()) is None
    consent.refresh_from_db()
    assert consent.status == Consent.Status.WITHDRAWN and consent.withdrawn_at is not None
    assert item(person, "consent.taking_part") == Item.TO_DO
    event = AuditEvent.objects.get(event_type="consent.status_changed")
    assert (event.payload["from"], event.payload["to"], event.payload["by"]) == ("given", "withdrawn", "self")


def test_an_expired_consent_does_not_count(partnership, worker):
    person = young(partnership, age=17)
    ConsentFactory(membership=person, consent_type=T.TAKING_PART, expires_on=today() - datetime.timedelta(days=1))
    assert consent_gaps(person, today(), filmed=False, online=True) == ["Consent to take part has expired: ask again"]
    ConsentFactory(membership=person, consent_type=T.EMERGENCY_MEDICAL, expires_on=today())
    assert current_consent(person, T.EMERGENCY_MEDICAL, today()) is not None


def test_a_refusal_after_a_yes_is_the_decision_that_counts(partnership, worker):
    person = young(partnership, age=17)
    ConsentFactory(
        membership=person,
        consent_type=T.MEDIA,
        relationship="Dad",
        given_by_name="Ade",
        given_at=timezone.now() - datetime.timedelta(days=3),
    )
    assert current_consent(person, T.MEDIA, today()) is not None
    give(person, T.MEDIA, yes=False)
    assert current_consent(person, T.MEDIA, today()) is None


def test_a_withdrawal_is_newer_than_an_older_consent_of_the_same_kind(partnership, worker):
    person = young(partnership, age=15)
    parents = ConsentFactory(
        membership=person,
        consent_type=T.MEDIA,
        relationship="Mum",
        given_by_name="Grace",
        given_at=timezone.now() - datetime.timedelta(days=5),
    )
    own = ConsentFactory(membership=person, consent_type=T.MEDIA, given_at=timezone.now() - datetime.timedelta(days=9))
    assert current_consent(person, T.MEDIA, today()) == parents
    consent_withdraw(actor=person.user, consent_id=own.pk)
    assert current_consent(person, T.MEDIA, today()) is None


# --- Under 16: competence (Gillick) judgements and the partnership's policy ------------------------------------------


def judge(worker, person, *, competent=True, review_on=None):
    return competence_assessment_record(
        actor=worker,
        membership_id=person.pk,
        is_competent=competent,
        reasoning="We talked through what taking part involves; she explained the risks back in her own words.",
        review_on=review_on,
    )


def test_a_competence_judgement_stands_in_only_where_the_policy_allows(partnership, worker, member):
    person = young(partnership, age=14)
    give(person, T.TAKING_PART)
    assessment = judge(worker, person)
    assert assessment.assessed_by == worker and assessment.assessed_on == today()
    parent_gap = "Needs a parent or carer's consent (under 16)"
    assert parent_gap in consent_gaps(person, today(), filmed=False, online=True)
    assert item(person, "consent.parent_carer") == Item.TO_DO

    lead = member(Role.SAFEGUARDING_LEAD)
    safeguarding_policy_update(actor=lead, allow_competence_for_parent_consent=True)
    assert consent_gaps(person, today(), filmed=False, online=True) == []

    judge(worker, person, competent=True)
    assert item(person, "consent.parent_carer") == Item.DONE


def test_a_newer_judgement_of_not_competent_or_a_passed_review_date_stops_it_standing_in(partnership, worker):
    SafeguardingPolicy.objects.create(partnership=partnership, allow_competence_for_parent_consent=True)
    person = young(partnership, age=14)
    give(person, T.TAKING_PART)
    judge(worker, person, review_on=today() + datetime.timedelta(days=30))
    assert consent_gaps(person, today(), filmed=False, online=True) == []
    later = today() + datetime.timedelta(days=31)
    assert "Needs a parent or carer's consent (under 16)" in consent_gaps(person, later, filmed=False, online=True)

    judge(worker, person, competent=False)
    assert "Needs a parent or carer's consent (under 16)" in consent_gaps(person, today(), filmed=False, online=True)
    assert item(person, "consent.parent_carer") == Item.TO_DO


def test_a_competence_judgement_is_only_for_under_16s(partnership, worker):
    person = young(partnership, age=16)
    with pytest.raises(Exception) as refused:
        judge(worker, person)
    assert refused.value.extra["field"] == "is_competent"
    assert not CompetenceAssessment.objects.exists()


def test_only_safeguarding_leads_and_admins_change_the_policy(partnership, worker, member):
    with pytest.raises(PermissionDenied):
        safeguarding_policy_update(actor=worker, allow_competence_for_parent_consent=True)
    admin = member(Role.PARTNERSHIP_ADMIN)
    policy = safeguarding_policy_update(actor=admin, allow_competence_for_parent_consent=True)
    assert policy.allow_competence_for_parent_consent
    event = AuditEvent.objects.get(event_type="safeguardingpolicy.changed")
    assert (event.payload["from"], event.payload["to"]) == (False, True)


# --- Turning 16 and 18 --------------------------------------------------------------------------------------------


def test_a_parents_consent_stops_counting_when_the_young_person_turns_18(partnership):
    dob = born(17, days_since_birthday=300)
    person = young(partnership, dob=dob)
    ConsentFactory(membership=person, consent_type=T.EMERGENCY_MEDICAL, relationship="Mum", given_by_name="Grace")
    eighteenth = birthday_in(dob, dob.year + 18)
    assert current_consent(person, T.EMERGENCY_MEDICAL, eighteenth - datetime.timedelta(days=1)) is not None
    assert current_consent(person, T.EMERGENCY_MEDICAL, eighteenth) is None
    assert "stopped counting when they turned 18" in " ".join(
        consent_gaps(person, eighteenth, filmed=False, online=False)
    )


@pytest.mark.parametrize("age", [16, 18])
def test_consent_given_before_the_16th_or_18th_birthday_no_longer_counts_for_taking_part_or_media(partnership, age):
    dob = born(age, days_since_birthday=10)
    person = young(partnership, dob=dob)
    birthday = birthday_in(dob, dob.year + age)
    before = at(birthday - datetime.timedelta(days=20))
    for kind in (T.TAKING_PART, T.MEDIA, T.EMERGENCY_MEDICAL):
        ConsentFactory(membership=person, consent_type=kind, given_at=before)

    gaps = consent_gaps(person, today(), filmed=True, online=False)

    assert gaps == [
        f"Consent to take part was given before they turned {age}: ask again",
        f"Media consent was given before they turned {age}: ask again",
        f"Emergency medical consent was given before they turned {age}: ask again",
    ]
    assert current_consent(person, T.TAKING_PART, birthday - datetime.timedelta(days=1)) is not None
    assert current_consent(person, T.EMERGENCY_MEDICAL, today()) is None  # asked again too
    give(person, T.TAKING_PART)
    assert current_consent(person, T.TAKING_PART, today()) is not None


def test_consents_due_for_renewal_lists_who_needs_asking_again(partnership, other_partnership):
    due = young(partnership, dob=born(16, days_since_birthday=5))
    ConsentFactory(membership=due, consent_type=T.TAKING_PART, given_at=at(today() - datetime.timedelta(days=40)))
    asked_since = young(partnership, dob=born(16, days_since_birthday=5))
    ConsentFactory(membership=asked_since, consent_type=T.TAKING_PART)
    too_young = young(partnership, age=15)
    ConsentFactory(membership=too_young, consent_type=T.TAKING_PART, given_at=at(today() - datetime.timedelta(days=40)))
    elsewhere = young(other_partnership, dob=born(18, days_since_birthday=5))
    ConsentFactory(membership=elsewhere, consent_type=T.MEDIA, given_at=at(today() - datetime.timedelta(days=40)))

    assert consents_due_for_renewal(partnership, today()) == [due]
    assert consents_due_for_renewal(other_partnership, today()) == [elsewhere]


def test_the_renewal_run_resets_the_checklist_and_emails_workers_once(
    partnership, member, django_capture_on_commit_callbacks
):
    workers = [member(Role.PARTICIPATION_WORKER), member(Role.PARTICIPATION_WORKER)]
    member(Role.FINANCE_OFFICER)
    due = young(partnership, dob=born(18, days_since_birthday=3))
    before = at(today() - datetime.timedelta(days=10))
    ConsentFactory(membership=due, consent_type=T.TAKING_PART, given_at=before)
    ConsentFactory(membership=due, consent_type=T.MEDIA, given_at=before)
    OnboardingItem.objects.filter(membership=due).update(status=Item.DONE)

    with django_capture_on_commit_callbacks(execute=True):
        assert consent_renewal_run(today()) == 1

    assert item(due, "consent.taking_part") == Item.TO_DO
    assert item(due, "consent.media") == Item.TO_DO
    assert item(due, "training.what_is_scrutiny") == Item.DONE
    assert sorted(message.to[0] for message in mail.outbox) == sorted(w.email for w in workers)
    assert due.user.full_name in mail.outbox[0].body and "turned 18" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert consent_renewal_run(today()) == 0
    assert mail.outbox == []
    assert AuditEvent.objects.filter(event_type="consent.renewal_due").count() == 1


# --- Recorded by a worker -----------------------------------------------------------------------------------------


def record(worker, person, **overrides):
    fields = {
        "actor": worker,
        "membership_id": person.pk,
        "consent_type": T.TAKING_PART,
        "give": True,
        "given_by_name": "",
        "relationship": "Self",
        "method": ConsentMethod.VERBAL_WITNESSED,
        "witness_name": "Sam Witness",
    }
    fields.update(overrides)
    return consent_record(**fields)


def test_verbal_consent_needs_a_named_witness(partnership, worker):
    person = young(partnership, age=17)
    with pytest.raises(Exception) as refused:
        record(worker, person, witness_name=" ")
    assert refused.value.extra["field"] == "witness_name"
    consent = record(worker, person)
    assert consent.witness_name == "Sam Witness" and consent.recorded_by == worker
    assert consent.given_by_name == person.user.full_name


@pytest.mark.parametrize(("content", "kind"), [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpg")])
def test_a_paper_form_is_kept_privately_under_a_name_of_its_own(partnership, worker, content, kind, private_storage):
    person = young(partnership, age=17)
    upload = SimpleUploadedFile("Amara Okafor consent.exe", content, content_type="application/x-msdownload")
    consent = record(worker, person, method=ConsentMethod.PAPER_FORM, witness_name="", document=upload)
    assert consent.document.name.endswith(f".{kind}")
    assert "Amara" not in consent.document.name
    assert (private_storage / consent.document.name).read_bytes() == content
    assert consent.document.url.startswith("/no-public-address/")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 this is a program", "must be a PDF, JPG or PNG file"),
        (b"<html><script>alert(1)</script>", "must be a PDF, JPG or PNG file"),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024), "smaller than 5 MB"),
    ],
)
def test_a_paper_form_that_is_not_a_pdf_or_image_or_too_big_is_refused(partnership, worker, content, message):
    person = young(partnership, age=17)
    upload = SimpleUploadedFile("form.pdf", content, content_type="application/pdf")
    with pytest.raises(Exception) as refused:
        record(worker, person, method=ConsentMethod.PAPER_FORM, witness_name="", document=upload)
    assert refused.value.extra["field"] == "document"
    assert message in refused.value.message
    assert not Consent.objects.exists()


def test_consent_to_take_part_is_the_young_persons_own_and_a_parents_is_a_parents(partnership, worker):
    person = young(partnership, age=14)
    with pytest.raises(Exception) as refused:
        record(worker, person, relationship="Mum", given_by_name="Grace")
    assert refused.value.extra["field"] == "relationship"
    with pytest.raises(Exception) as refused:
        record(worker, person, consent_type=T.PARENT_CARER)
    assert refused.value.extra["field"] == "relationship"


def test_dates_given_in_the_future_or_expiring_before_they_start_are_refused(partnership, worker):
    person = young(partnership, age=17)
    with pytest.raises(Exception) as refused:
        record(worker, person, given_on=today() + datetime.timedelta(days=1))
    assert refused.value.extra["field"] == "given_on"
    with pytest.raises(Exception) as refused:
        record(worker, person, expires_on=today())
    assert refused.value.extra["field"] == "expires_on"
    backdated = record(worker, person, given_on=today() - datetime.timedelta(days=3))
    assert timezone.localdate(backdated.given_at) == today() - datetime.timedelta(days=3)


def test_only_workers_and_leads_record_consent_and_only_in_their_partnership(partnership, member, other_partnership):
    person = young(partnership, age=17)
    for role in (Role.FINANCE_OFFICER, Role.PARTNERSHIP_ADMIN, Role.SCRUTINY_LEAD):
        with pytest.raises(PermissionDenied):
            record(member(role), person)
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    with pytest.raises(Http404):
        record(stranger, person)
    record(member(Role.SAFEGUARDING_LEAD), person)
    assert Consent.objects.count() == 1


def test_a_worker_withdraws_with_a_reason_and_another_partnerships_worker_cannot(
    partnership, member, other_partnership
):
    worker = member(Role.PARTICIPATION_WORKER)
    person = young(partnership, age=17)
    consent = record(worker, person)
    with pytest.raises(Exception) as refused:
        consent_withdraw(actor=worker, consent_id=consent.pk, reason="")
    assert refused.value.extra["field"] == "reason"
    with pytest.raises(Http404):
        consent_withdraw(
            actor=member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership),
            consent_id=consent.pk,
            reason="x",
        )
    with pytest.raises(Http404):  # a finance officer sees no consents at all: not even that this one exists
        consent_withdraw(actor=member(Role.FINANCE_OFFICER), consent_id=consent.pk, reason="x")
    consent_withdraw(actor=worker, consent_id=consent.pk, reason="Phoned to say she is stopping")
    consent.refresh_from_db()
    assert consent.withdrawal_reason == "Phoned to say she is stopping"
    with pytest.raises(Exception) as twice:
        consent_withdraw(actor=worker, consent_id=consent.pk, reason="again")
    assert "withdrawn" in twice.value.message


def test_a_young_person_cannot_withdraw_their_parents_consent(partnership, worker):
    person = young(partnership, age=14)
    parents = record(worker, person, consent_type=T.PARENT_CARER, relationship="Mum", given_by_name="Grace")
    with pytest.raises(PermissionDenied):
        consent_withdraw(actor=person.user, consent_id=parents.pk)


def test_withdrawn_media_consent_tells_the_participation_workers(
    partnership, member, django_capture_on_commit_callbacks
):
    workers = [member(Role.PARTICIPATION_WORKER), member(Role.PARTICIPATION_WORKER)]
    member(Role.FINANCE_OFFICER)
    person = young(partnership, age=17)
    media = give(person, T.MEDIA)
    assert item(person, "consent.media") == Item.DONE

    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(actor=person.user, consent_id=media.pk, reason="I don't want to be in the film any more")

    assert sorted(message.to[0] for message in mail.outbox) == sorted(w.email for w in workers)
    message = mail.outbox[0]
    assert person.user.full_name in message.subject
    assert "do not use" in message.body
    assert "film any more" not in message.body  # the reason stays on the record, not in email
    assert item(person, "consent.media") == Item.TO_DO


def test_withdrawing_other_consents_sends_no_email(partnership, member, django_capture_on_commit_callbacks):
    member(Role.PARTICIPATION_WORKER)
    person = young(partnership, age=17)
    consent = give(person, T.TAKING_PART)
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(actor=person.user, consent_id=consent.pk)
    assert mail.outbox == []


# --- A parent or carer's link ------------------------------------------------------------------------------------


def send_link(worker, person, **overrides):
    fields = {
        "actor": worker,
        "membership_id": person.pk,
        "parent_name": "Grace Okafor",
        "parent_email": "grace@example.org",
    }
    fields.update(overrides)
    return consent_request_send(**fields)


def emailed_token(outbox, path="/consent/"):
    import re

    found = re.search(rf"{re.escape(path)}([^/\s]+)/", outbox[-1].body)
    assert found, outbox[-1].body
    return found.group(1)


def test_a_parent_gives_consent_by_the_emailed_link_once(partnership, worker, django_capture_on_commit_callbacks):
    person = young(partnership, age=14)
    with django_capture_on_commit_callbacks(execute=True):
        request = send_link(worker, person)
    assert mail.outbox[-1].to == ["grace@example.org"]
    assert person.user.get_short_name() in mail.outbox[-1].body
    assert request.expires_at - request.created_at == datetime.timedelta(days=14)
    token = emailed_token(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        consent = consent_request_answer(token=token, given_by_name="Grace Okafor", relationship="Mum", give=True)

    assert (consent.consent_type, consent.method, consent.relationship) == (
        T.PARENT_CARER,
        ConsentMethod.SIGNED_LINK,
        "Mum",
    )
    assert consent.age_when_given == 14 and consent.recorded_by is None
    request.refresh_from_db()
    assert request.used_at is not None and request.consent == consent
    assert item(person, "consent.parent_carer") == Item.DONE
    assert "/consent/withdraw/" in mail.outbox[-1].body  # the withdraw link, emailed

    with pytest.raises(ConsentLinkError) as reused:
        consent_request_answer(token=token, given_by_name="Someone else", relationship="Dad", give=False)
    assert reused.value.reason == "used" and reused.value.partnership == partnership
    assert Consent.objects.count() == 1


def test_an_expired_link_records_nothing(partnership, worker):
    person = young(partnership, age=14)
    request = send_link(worker, person)
    token = consent_token_make(GIVE, request.pk)
    ConsentRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ConsentLinkError) as expired:
        consent_request_answer(token=token, given_by_name="Grace", relationship="Mum", give=True)
    assert expired.value.reason == "expired" and expired.value.partnership == partnership
    assert not Consent.objects.exists()


def test_a_link_older_than_14_days_by_its_signature_records_nothing(partnership, worker, monkeypatch):
    person = young(partnership, age=14)
    request = send_link(worker, person)
    ConsentRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() + datetime.timedelta(days=30))
    import time

    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() - 15 * 86400)
    token = consent_token_make(GIVE, request.pk)
    monkeypatch.setattr(signing.time, "time", real)
    with pytest.raises(ConsentLinkError) as expired:
        consent_request_answer(token=token, given_by_name="Grace", relationship="Mum", give=True)
    assert expired.value.reason == "expired" and expired.value.partnership == partnership
    assert not Consent.objects.exists()


def test_a_tampered_link_or_one_made_for_another_purpose_records_nothing(partnership, worker):
    person = young(partnership, age=14)
    request = send_link(worker, person)
    token = consent_token_make(GIVE, request.pk)
    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        consent_token_make(WITHDRAW, request.pk),
        consent_token_make(RECEIPT, request.pk),
        "not-a-token",
        signing.dumps(request.pk, salt="someone.else"),
    ):
        with pytest.raises(ConsentLinkError) as invalid:
            consent_request_answer(token=bad, given_by_name="Grace", relationship="Mum", give=True)
        assert invalid.value.reason == "invalid"
    assert consent_request_from_token(token) == request
    assert not Consent.objects.exists()


def test_a_parent_must_give_their_name_and_relationship(partnership, worker):
    person = young(partnership, age=14)
    token = consent_token_make(GIVE, send_link(worker, person).pk)
    with pytest.raises(Exception) as refused:
        consent_request_answer(token=token, given_by_name="Grace", relationship="self", give=True)
    assert refused.value.extra["field"] == "relationship"
    consent_request_from_token(token)  # still usable: nothing was recorded


def test_a_parent_withdraws_by_the_second_link(partnership, worker, django_capture_on_commit_callbacks):
    person = young(partnership, age=14)
    give(person, T.TAKING_PART)
    with django_capture_on_commit_callbacks(execute=True):
        token = consent_token_make(GIVE, send_link(worker, person).pk)
        consent = consent_request_answer(token=token, given_by_name="Grace", relationship="Mum", give=True)
    withdraw_token = emailed_token(mail.outbox, "/consent/withdraw/")
    assert consent_gaps(person, today(), filmed=False, online=True) == []

    consent_withdraw_by_link(token=withdraw_token, reason="Changed my mind")

    consent.refresh_from_db()
    assert consent.status == Consent.Status.WITHDRAWN
    assert consent_gaps(person, today(), filmed=False, online=True) == [
        "Needs a parent or carer's consent (under 16): it was withdrawn"
    ]
    assert item(person, "consent.parent_carer") == Item.TO_DO
    with pytest.raises(ConsentLinkError) as twice:
        consent_withdraw_by_link(token=withdraw_token)
    assert twice.value.reason == "withdrawn"


def test_a_refusal_by_link_sends_no_withdraw_link(partnership, worker, django_capture_on_commit_callbacks):
    person = young(partnership, age=14)
    with django_capture_on_commit_callbacks(execute=True):
        token = consent_token_make(GIVE, send_link(worker, person).pk)
        consent_request_answer(token=token, given_by_name="Grace", relationship="Mum", give=False)
    assert len(mail.outbox) == 1  # the request only
    assert item(person, "consent.parent_carer") == Item.TO_DO


def test_only_workers_of_the_partnership_send_links(partnership, member, other_partnership):
    person = young(partnership, age=14)
    with pytest.raises(PermissionDenied):
        send_link(member(Role.FINANCE_OFFICER), person)
    with pytest.raises(Http404):
        send_link(member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership), person)
    with pytest.raises(Exception) as refused:
        send_link(member(Role.PARTICIPATION_WORKER), person, parent_email="not an email")
    assert refused.value.extra["field"] == "parent_email"
    with pytest.raises(Exception) as refused:
        send_link(member(Role.PARTICIPATION_WORKER), person, consent_type=T.TAKING_PART)
    assert refused.value.extra["field"] == "consent_type"
    assert not ConsentRequest.objects.exists()


def test_a_document_check_reads_content_not_the_name(partnership):
    from safeguarding.services.consent import consent_document_kind

    assert consent_document_kind(io.BytesIO(PDF)) == "pdf"
    assert consent_document_kind(io.BytesIO(b"GIF89a")) is None
