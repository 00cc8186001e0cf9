"""Consent pages: the young person's own, the worker's, the parent's by link, and the paper form download."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants.models import OnboardingItem, Role, YoungPersonProfile
from participants.models.profile import birthday_in
from participants.services.onboarding import onboarding_create_for
from safeguarding.models import CompetenceAssessment, Consent, ConsentMethod, ConsentRequest, ConsentType
from safeguarding.services.consent import (
    GIVE,
    consent_give_own,
    consent_record,
    consent_request_send,
    consent_token_make,
)
from tests.factories import MembershipFactory
from tests.factories.safeguarding import ConsentFactory

pytestmark = pytest.mark.django_db

T = ConsentType
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-address/"},
        },
    }


def born(age, days_since_birthday=30):
    last = timezone.localdate() - datetime.timedelta(days=days_since_birthday)
    return birthday_in(last, last.year - age)


def young(partnership, *, age=17, checklist=True):
    membership = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
    YoungPersonProfile.objects.create(membership=membership, partnership=partnership, date_of_birth=born(age))
    if checklist:
        onboarding_create_for(membership=membership, under_16=age < 16)
    from core.tenancy import act_in

    act_in(membership.user, partnership)
    return membership


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


def paper(worker, person, content=PDF):
    return consent_record(
        actor=worker,
        membership_id=person.pk,
        consent_type=T.TAKING_PART,
        give=True,
        given_by_name="",
        relationship="Self",
        method=ConsentMethod.PAPER_FORM,
        document=SimpleUploadedFile("scan.pdf", content),
    )


def words(response):
    """The page's text with runs of whitespace made single spaces (templates wrap long sentences)."""
    return re.sub(r"\s+", " ", response.content.decode())


def errors_link_to(body, field_id):
    return f'href="#{field_id}"' in body and "govuk-error-summary" in body


# --- The young person's own consents -----------------------------------------------------------------------------


def test_a_young_person_sees_each_consent_in_plain_words(partnership, login):
    person = young(partnership, age=14)
    body = words(login(person.user).get("/me/consents/"))
    for title in ("Taking part", "Photos and film", "Sharing information", "Emergency medical treatment"):
        assert title in body
    assert "You have not chosen yet." in body
    assert "We are waiting for your parent or carer" in body
    assert "You can change your mind at any time" in body


def test_a_young_person_says_yes_then_takes_it_back(partnership, login):
    person = young(partnership)
    client = login(person.user)
    page = client.get("/me/consents/taking_part/").content.decode()
    assert "Do you agree to take part as a young scrutineer?" in page

    response = client.post("/me/consents/taking_part/", {"action": "decide", "decision": "yes"}, follow=True)
    assert "You said yes on" in response.content.decode()
    consent = Consent.objects.get(membership=person)
    assert consent.method == ConsentMethod.IN_ACCOUNT and consent.status == "given"
    assert OnboardingItem.objects.get(membership=person, key="consent.taking_part").status == "done"

    page = client.get("/me/consents/taking_part/").content.decode()
    assert "Take back my yes" in page
    client.post("/me/consents/taking_part/", {"action": "withdraw", "consent": consent.pk, "reason": ""})
    consent.refresh_from_db()
    assert consent.status == "withdrawn"
    assert "changed your mind" in client.get("/me/consents/").content.decode()


def test_a_choice_must_be_made_and_the_error_names_the_field(partnership, login):
    person = young(partnership)
    response = login(person.user).post("/me/consents/media/", {"action": "decide"})
    body = response.content.decode()
    assert response.status_code == 200
    assert errors_link_to(body, "id_decision") and "Choose yes or no" in body
    assert not Consent.objects.exists()


def test_a_young_person_cannot_withdraw_someone_elses_consent_through_the_form(partnership, login, other_partnership):
    person = young(partnership)
    other = young(partnership)
    theirs = consent_give_own(actor=other.user, consent_type=T.TAKING_PART, give=True)
    elsewhere = young(other_partnership)
    elsewheres = consent_give_own(actor=elsewhere.user, consent_type=T.TAKING_PART, give=True)
    client = login(person.user)
    assert client.post("/me/consents/taking_part/", {"action": "withdraw", "consent": theirs.pk}).status_code == 404
    assert client.post("/me/consents/taking_part/", {"action": "withdraw", "consent": elsewheres.pk}).status_code == 404
    assert Consent.objects.filter(status="withdrawn").count() == 0


def test_staff_have_no_own_consent_pages_and_unknown_kinds_are_404(partnership, login, worker):
    assert login(worker).get("/me/consents/").status_code == 403
    person = young(partnership)
    assert login(person.user).get("/me/consents/parent_carer/").status_code == 404
    assert login(person.user).get("/me/consents/nonsense/").status_code == 404


def test_the_own_consents_page_query_count_does_not_grow_with_history(partnership, login):
    person = young(partnership)
    client = login(person.user)
    for _ in range(3):
        ConsentFactory(membership=person, consent_type=T.MEDIA)
    client.get("/me/consents/")
    with CaptureQueriesContext(connection) as small:
        client.get("/me/consents/")
    for _ in range(40):
        ConsentFactory(membership=person, consent_type=T.DATA_SHARING)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/me/consents/").status_code == 200
    assert len(large) == len(small)


# --- Workers' pages ---------------------------------------------------------------------------------------------


def test_the_overview_lists_young_people_with_what_is_missing(partnership, login, worker, other_partnership):
    under_16 = young(partnership, age=14)
    ready = young(partnership)
    for kind in (T.TAKING_PART, T.MEDIA, T.EMERGENCY_MEDICAL):
        consent_give_own(actor=ready.user, consent_type=kind, give=True)
    stranger = young(other_partnership)
    body = login(worker).get("/staff/consents/").content.decode()
    assert under_16.user.full_name in body and ready.user.full_name in body
    assert stranger.user.full_name not in body
    assert "Needs a parent or carer&#x27;s consent (under 16)" in body
    assert "Nothing missing" in body


def test_the_overview_query_count_does_not_grow(partnership, login, worker):
    client = login(worker)

    def grow(n):
        for _ in range(n):
            person = young(partnership, age=15, checklist=False)
            ConsentFactory(membership=person, consent_type=T.TAKING_PART)
            CompetenceAssessment.objects.create(
                partnership=partnership, membership=person, assessed_by=worker, is_competent=True, reasoning="ok"
            )

    grow(5)
    client.get("/staff/consents/")
    with CaptureQueriesContext(connection) as small:
        client.get("/staff/consents/")
    grow(45)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/staff/consents/").status_code == 200
    assert len(large) == len(small)


def test_the_person_page_query_count_does_not_grow_with_history(partnership, login, worker):
    person = young(partnership, age=14)
    client = login(worker)
    url = f"/staff/consents/{person.pk}/"

    def grow(n):
        for _ in range(n):
            ConsentFactory(membership=person, consent_type=T.MEDIA, recorded_by=worker)

    grow(5)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(45)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_who_sees_the_staff_pages(partnership, member, login, other_partnership):
    person = young(partnership)
    stranger = young(other_partnership)
    for role, expected in (
        (Role.PARTICIPATION_WORKER, 200),
        (Role.SAFEGUARDING_LEAD, 200),
        (Role.PARTNERSHIP_ADMIN, 200),
        (Role.FINANCE_OFFICER, 403),
        (Role.SCRUTINY_LEAD, 403),
    ):
        client = login(member(role))
        assert client.get("/staff/consents/").status_code == expected, role
        assert client.get(f"/staff/consents/{person.pk}/").status_code == expected, role
        assert client.get(f"/staff/consents/{stranger.pk}/").status_code in {403, 404}
        if expected == 200:
            assert client.get(f"/staff/consents/{stranger.pk}/").status_code == 404
    assert login(person.user).get(f"/staff/consents/{person.pk}/").status_code == 403


def test_a_partnership_admin_sees_consents_but_cannot_record_them(partnership, member, login):
    person = young(partnership)
    client = login(member(Role.PARTNERSHIP_ADMIN))
    assert "Record consent given on paper" not in client.get(f"/staff/consents/{person.pk}/").content.decode()
    assert client.get(f"/staff/consents/{person.pk}/record/").status_code == 403


def test_a_worker_records_a_paper_form_and_downloads_it_as_an_attachment(partnership, login, worker):
    person = young(partnership)
    client = login(worker)
    response = client.post(
        f"/staff/consents/{person.pk}/record/",
        {
            "consent_type": T.TAKING_PART,
            "decision": "given",
            "given_by": "self",
            "method": ConsentMethod.PAPER_FORM,
            "document": SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(membership=person)
    assert consent.document and consent.method == ConsentMethod.PAPER_FORM

    page = client.get(f"/staff/consents/{person.pk}/").content.decode()
    url = f"/staff/consents/{person.pk}/{consent.pk}/form/"
    assert url in page
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"#!/bin/sh\nrm -rf /\n", "The consent form must be a PDF, JPG or PNG file"),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024 + 1), "The consent form must be smaller than 5 MB"),
    ],
)
def test_an_upload_that_is_not_a_pdf_or_image_or_too_big_is_refused_naming_the_field(
    partnership, login, worker, content, message
):
    person = young(partnership)
    response = login(worker).post(
        f"/staff/consents/{person.pk}/record/",
        {
            "consent_type": T.TAKING_PART,
            "decision": "given",
            "given_by": "self",
            "method": ConsentMethod.PAPER_FORM,
            "scope": "All of 2026",
            "document": SimpleUploadedFile("signed.pdf", content, content_type="application/pdf"),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert errors_link_to(body, "id_document") and message in body
    assert "All of 2026" in body  # what was typed is kept
    assert not Consent.objects.exists()


def test_verbal_consent_without_a_witness_is_refused_naming_the_field(partnership, login, worker):
    person = young(partnership)
    response = login(worker).post(
        f"/staff/consents/{person.pk}/record/",
        {"consent_type": T.MEDIA, "decision": "given", "given_by": "self", "method": ConsentMethod.VERBAL_WITNESSED},
    )
    body = response.content.decode()
    assert errors_link_to(body, "id_witness_name")
    assert not Consent.objects.exists()


def test_the_paper_form_is_never_reachable_without_permission(partnership, member, login, other_partnership):
    worker = member(Role.PARTICIPATION_WORKER)
    person = young(partnership)
    consent = paper(worker, person)
    url = f"/staff/consents/{person.pk}/{consent.pk}/form/"

    assert Client().get(url).status_code == 302  # to sign in
    assert login(member(Role.FINANCE_OFFICER)).get(url).status_code == 403
    assert login(person.user).get(url).status_code == 403
    assert login(member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)).get(url).status_code == 404
    lead_elsewhere = member(Role.SAFEGUARDING_LEAD, in_partnership=other_partnership)
    assert login(lead_elsewhere).get(url).status_code == 404
    # No public address: the storage's URL serves nothing.
    assert consent.document.url.startswith("/no-public-address/")
    assert login(worker).get(consent.document.url).status_code == 404
    # The consent id must belong to the person in the address.
    other = young(partnership)
    assert login(worker).get(f"/staff/consents/{other.pk}/{consent.pk}/form/").status_code == 404


def test_a_worker_emails_a_parent_a_link(partnership, login, worker, django_capture_on_commit_callbacks):
    person = young(partnership, age=14)
    client = login(worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/consents/{person.pk}/link/",
            {"parent_name": "Grace Okafor", "parent_email": "grace@example.org", "consent_type": T.PARENT_CARER},
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["grace@example.org"]
    assert ConsentRequest.objects.filter(membership=person, used_at=None).count() == 1
    bad = client.post(f"/staff/consents/{person.pk}/link/", {"parent_name": "Grace", "parent_email": "nope"})
    assert errors_link_to(bad.content.decode(), "id_parent_email")


def test_a_worker_records_a_competence_judgement_as_themselves(partnership, login, worker):
    person = young(partnership, age=14)
    client = login(worker)
    response = client.post(
        f"/staff/consents/{person.pk}/competence/",
        {"is_competent": "yes", "reasoning": "She understood the risks and explained them back."},
    )
    assert response.status_code == 302
    assessment = CompetenceAssessment.objects.get(membership=person)
    assert assessment.assessed_by == worker and assessment.is_competent
    missing = client.post(f"/staff/consents/{person.pk}/competence/", {"is_competent": "yes"})
    assert errors_link_to(missing.content.decode(), "id_reasoning")


def test_a_worker_withdraws_with_a_reason(partnership, login, worker):
    person = young(partnership)
    consent = consent_give_own(actor=person.user, consent_type=T.TAKING_PART, give=True)
    client = login(worker)
    url = f"/staff/consents/{person.pk}/{consent.pk}/withdraw/"
    assert errors_link_to(client.post(url, {"reason": ""}).content.decode(), "id_reason")
    assert client.post(url, {"reason": "Told me in person she is stopping"}).status_code == 302
    consent.refresh_from_db()
    assert consent.status == "withdrawn"


def test_the_policy_page_is_for_safeguarding_leads_and_admins(partnership, member, login):
    assert login(member(Role.PARTICIPATION_WORKER)).get("/staff/consents/policy/").status_code == 403
    client = login(member(Role.SAFEGUARDING_LEAD))
    assert "Gillick" in client.get("/staff/consents/policy/").content.decode()
    assert client.post("/staff/consents/policy/", {"allow_competence_for_parent_consent": "yes"}).status_code == 302
    from safeguarding.models import SafeguardingPolicy

    assert SafeguardingPolicy.objects.get(partnership=partnership).allow_competence_for_parent_consent
    wrong = client.post("/staff/consents/policy/", {"allow_competence_for_parent_consent": "maybe"})
    assert errors_link_to(wrong.content.decode(), "id_allow_competence_for_parent_consent")


# --- A parent or carer's pages ----------------------------------------------------------------------------------


def link_for(worker, person, **kwargs):
    request = consent_request_send(
        actor=worker,
        membership_id=person.pk,
        parent_name="Grace Okafor",
        parent_email="grace@example.org",
        **kwargs,
    )
    return request, f"/consent/{consent_token_make(GIVE, request.pk)}/"


def test_the_parent_page_says_who_what_and_for_whom(partnership, worker):
    person = young(partnership, age=14)
    _, url = link_for(worker, person)
    response = Client().get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert person.user.get_short_name() in body
    assert person.user.full_name not in body or person.user.get_short_name() == person.user.full_name
    assert partnership.name in body
    assert "What you are agreeing to" in body
    assert "I give consent" in body and "I do not give consent" in body
    assert 'value="Grace Okafor"' in body
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_parent_gives_consent_and_is_offered_the_withdraw_link(
    partnership, worker, django_capture_on_commit_callbacks
):
    person = young(partnership, age=14)
    _, url = link_for(worker, person)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"given_by_name": "Grace Okafor", "relationship": "Mum", "decision": "yes"}, follow=True
        )
    body = response.content.decode()
    assert "Consent given" in body
    withdraw = re.search(r'href="(/consent/withdraw/[^"]+/)"', body)
    assert withdraw
    # The page and the email each sign the link when they are made (their timestamps may differ by a second): both
    # sign the same consent, the part before the first colon.
    assert withdraw.group(1).split(":")[0] + ":" in mail.outbox[-1].body
    consent = Consent.objects.get(membership=person)
    assert (consent.given_by_name, consent.relationship, consent.status) == ("Grace Okafor", "Mum", "given")

    # The link works once: a second visit says so and records nothing.
    again = client.get(url)
    assert again.status_code == 400 and "This link has already been used" in again.content.decode()
    assert partnership.contact_email in again.content.decode()
    client.post(url, {"given_by_name": "X", "relationship": "Dad", "decision": "no"})
    assert Consent.objects.count() == 1

    # The withdraw link withdraws it.
    page = client.get(withdraw.group(1)).content.decode()
    assert "Withdraw your consent" in page
    done = client.post(withdraw.group(1), {"reason": ""}, follow=True).content.decode()
    assert "Consent withdrawn" in done
    consent.refresh_from_db()
    assert consent.status == "withdrawn"


def test_a_parent_who_says_no_is_thanked_and_it_is_recorded(partnership, worker):
    person = young(partnership, age=14)
    _, url = link_for(worker, person)
    body = (
        Client()
        .post(url, {"given_by_name": "Grace", "relationship": "Mum", "decision": "no"}, follow=True)
        .content.decode()
    )
    assert "You did not give consent" in body and "/consent/withdraw/" not in body
    assert Consent.objects.get(membership=person).status == "refused"


def test_missing_answers_are_named_and_nothing_is_recorded(partnership, worker):
    person = young(partnership, age=14)
    request, url = link_for(worker, person)
    body = Client().post(url, {"given_by_name": "", "relationship": ""}).content.decode()
    assert errors_link_to(body, "id_given_by_name")
    assert 'href="#id_relationship"' in body and 'href="#id_decision"' in body
    request.refresh_from_db()
    assert request.used_at is None and not Consent.objects.exists()


def test_an_expired_link_shows_what_to_do_next_and_records_nothing(partnership, worker):
    person = young(partnership, age=14)
    request, url = link_for(worker, person)
    ConsentRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    for response in (
        Client().get(url),
        Client().post(url, {"given_by_name": "Grace", "relationship": "Mum", "decision": "yes"}),
    ):
        body = response.content.decode()
        assert response.status_code == 400
        assert "This link has expired" in body and "What to do next" in body
        assert partnership.contact_email in body
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJhIjoxfQ:1u2v3w:abcdefghijklmnopqrstuvwxyz", ".eJyrVkrOzytJzSvRMdQx0DFUslIqLs3PTgUAKXgFVA:x:y"],
)
def test_a_tampered_link_shows_a_clear_page_never_an_error(partnership, token):
    for response in (
        Client().get(f"/consent/{token}/"),
        Client().post(f"/consent/{token}/", {"decision": "yes"}),
        Client().get(f"/consent/withdraw/{token}/"),
        Client().post(f"/consent/withdraw/{token}/", {}),
        Client().get(f"/consent/answered/{token}/"),
    ):
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_link_whose_request_was_removed_shows_a_clear_page(partnership, worker):
    person = young(partnership, age=14)
    request, url = link_for(worker, person)
    ConsentRequest.objects.filter(pk=request.pk).delete()
    response = Client().get(url)
    assert response.status_code == 400 and "This link does not work" in response.content.decode()
