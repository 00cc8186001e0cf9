"""/api/v1/consents/ and /api/v1/consent-links/: scoped lists, records, withdrawal and parents' links."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants.models import Role, YoungPersonProfile
from participants.models.profile import birthday_in
from safeguarding.models import Consent, ConsentMethod, ConsentRequest, ConsentType
from safeguarding.services.consent import consent_gaps, consent_give_own, consent_request_send
from tests.factories import MembershipFactory
from tests.factories.safeguarding import ConsentFactory

pytestmark = pytest.mark.django_db

T = ConsentType
CONSENTS = "/api/v1/consents/"
LINKS = "/api/v1/consent-links/"


def born(age):
    last = timezone.localdate() - datetime.timedelta(days=30)
    return birthday_in(last, last.year - age)


def young(partnership, age=17):
    membership = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
    YoungPersonProfile.objects.create(membership=membership, partnership=partnership, date_of_birth=born(age))
    from core.tenancy import act_in

    act_in(membership.user, partnership)
    return membership


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def client(worker, api_as):
    return api_as(worker)


def verbal(person, **overrides):
    membership = person
    body = {
        "membership": membership.pk,
        "consent_type": T.TAKING_PART,
        "status": "given",
        "method": ConsentMethod.VERBAL_WITNESSED,
        "relationship": "Self",
        "witness_name": "Sam Witness",
    }
    body.update(overrides)
    return body


# --- Consents -----------------------------------------------------------------------------------------------------


def test_the_list_holds_only_the_partnerships_consents_and_filters(client, partnership, other_partnership):
    one, two = young(partnership), young(partnership)
    mine = ConsentFactory(membership=one, consent_type=T.MEDIA)
    ConsentFactory(membership=two, consent_type=T.TAKING_PART)
    theirs = ConsentFactory(membership=young(other_partnership))

    body = client.get(CONSENTS).json()
    ids = {row["id"] for row in body["results"]}
    assert body["count"] == 2 and theirs.pk not in ids
    filtered = client.get(CONSENTS, {"membership": one.pk, "consent_type": T.MEDIA}).json()
    assert [row["id"] for row in filtered["results"]] == [mine.pk]
    row = filtered["results"][0]
    assert row["young_person_name"] == one.user.full_name and row["has_document"] is False
    assert "document" not in row and "token" not in row


def test_a_malformed_filter_is_a_400_naming_the_field(client):
    response = client.get(CONSENTS, {"consent_type": "everything", "membership": "x"})
    assert response.status_code == 400
    assert {"consent_type", "membership"} <= set(response.json()["extra"]["fields"])


def test_a_worker_records_verbal_consent(client, partnership, worker):
    person = young(partnership)
    response = client.post(CONSENTS, verbal(person), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["method"], body["relationship"]) == ("given", "verbal_witnessed", "Self")
    assert body["given_by_name"] == person.user.full_name and body["age_when_given"] == 17
    assert body["recorded_by_name"] == worker.full_name


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"witness_name": ""}, "witness_name"),
        ({"consent_type": "everything"}, "consent_type"),
        ({"status": "withdrawn"}, "status"),
        ({"method": ConsentMethod.IN_ACCOUNT}, "method"),
        ({"membership": "one"}, "membership"),
        ({"given_on": "31/02/2026"}, "given_on"),
        ({"relationship": "Mum", "given_by_name": "Grace"}, "relationship"),
    ],
)
def test_malformed_or_refused_input_is_a_400_naming_the_field(client, partnership, change, field):
    response = client.post(CONSENTS, verbal(young(partnership), **change), format="json")
    assert response.status_code == 400
    extra = response.json()["extra"]
    assert field in extra.get("fields", {}) or extra.get("field") == field, response.json()
    assert not Consent.objects.exists()


def test_recording_for_another_partnerships_young_person_is_404(client, other_partnership):
    response = client.post(CONSENTS, verbal(young(other_partnership)), format="json")
    assert response.status_code == 404
    assert not Consent.objects.exists()


def test_finance_officers_and_young_people_get_403(member, api_as, partnership):
    person = young(partnership)
    consent = ConsentFactory(membership=person)
    for role in (Role.FINANCE_OFFICER, Role.YOUNG_PERSON):
        client = api_as(member(role))
        assert client.get(CONSENTS).status_code == 403
        assert client.get(f"{CONSENTS}{consent.pk}/").status_code == 403
        assert client.post(CONSENTS, verbal(person), format="json").status_code == 403
        assert client.post(f"{CONSENTS}{consent.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 404
        assert client.get(LINKS).status_code == 403
    assert Consent.objects.get().status == "given"


def test_another_partnerships_consent_is_404(client, other_partnership):
    theirs = ConsentFactory(membership=young(other_partnership))
    assert client.get(f"{CONSENTS}{theirs.pk}/").status_code == 404
    assert client.post(f"{CONSENTS}{theirs.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "given"


def test_withdrawal_takes_effect_at_once(client, partnership):
    person = young(partnership)
    consent = consent_give_own(actor=person.user, consent_type=T.TAKING_PART, give=True)
    today = timezone.localdate()
    assert consent_gaps(person, today, filmed=False, online=True) == []

    missing = client.post(f"{CONSENTS}{consent.pk}/withdraw/", {}, format="json")
    assert missing.status_code == 400 and missing.json()["extra"]["field"] == "reason"

    response = client.post(f"{CONSENTS}{consent.pk}/withdraw/", {"reason": "Asked us to"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn" and response.json()["withdrawn_at"]
    assert consent_gaps(person, today, filmed=False, online=True) == ["Consent to take part was withdrawn"]
    again = client.post(f"{CONSENTS}{consent.pk}/withdraw/", {"reason": "Again"}, format="json")
    assert again.status_code == 400


def test_a_young_person_withdraws_their_own_consent_through_the_api(api_as, partnership):
    person = young(partnership)
    consent = consent_give_own(actor=person.user, consent_type=T.MEDIA, give=True)
    response = api_as(person.user).post(f"{CONSENTS}{consent.pk}/withdraw/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_the_consents_list_query_count_does_not_grow(client, partnership, worker):
    def grow(n):
        for _ in range(n):
            ConsentFactory(membership=young(partnership), recorded_by=worker)

    grow(5)
    client.get(CONSENTS)
    with CaptureQueriesContext(connection) as small:
        client.get(CONSENTS)
    grow(45)
    with CaptureQueriesContext(connection) as large:
        assert client.get(CONSENTS).status_code == 200
    assert len(large) == len(small)


# --- Links to parents and carers ------------------------------------------------------------------------------


def test_a_worker_creates_a_parent_link_and_it_is_emailed_not_returned(
    client, partnership, django_capture_on_commit_callbacks
):
    person = young(partnership, age=14)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LINKS,
            {"membership": person.pk, "parent_name": "Grace Okafor", "parent_email": "grace@example.org"},
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["consent_type"] == T.PARENT_CARER and body["state"] == "waiting"
    assert mail.outbox[-1].to == ["grace@example.org"]
    link = mail.outbox[-1].body.split("/consent/")[1].split("/")[0]
    assert link not in response.content.decode()

    listed = client.get(LINKS).json()
    assert listed["count"] == 1
    assert set(listed["results"][0]) >= {"id", "parent_email", "expires_at", "used_at", "state"}
    assert not {"token", "url", "link"} & set(listed["results"][0])
    assert link not in client.get(LINKS).content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parent_email": "not an email"}, "parent_email"),
        ({"parent_name": ""}, "parent_name"),
        ({"consent_type": T.TAKING_PART}, "consent_type"),
        ({"membership": None}, "membership"),
    ],
)
def test_a_malformed_link_request_is_a_400_naming_the_field(client, partnership, change, field):
    body = {"membership": young(partnership, 14).pk, "parent_name": "Grace", "parent_email": "g@example.org"}
    body.update(change)
    response = client.post(LINKS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]
    assert not ConsentRequest.objects.exists()


def test_links_for_another_partnership_are_404_and_not_listed(client, member, api_as, other_partnership):
    stranger = young(other_partnership, 14)
    response = client.post(
        LINKS, {"membership": stranger.pk, "parent_name": "G", "parent_email": "g@example.org"}, format="json"
    )
    assert response.status_code == 404
    other_worker = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    consent_request_send(actor=other_worker, membership_id=stranger.pk, parent_name="G", parent_email="g@example.org")
    assert client.get(LINKS).json()["count"] == 0
    # another partnership's young person: not found, whoever asks
    assert (
        api_as(member(Role.FINANCE_OFFICER))
        .post(LINKS, {"membership": stranger.pk, "parent_name": "G", "parent_email": "g@example.org"}, format="json")
        .status_code
        == 404
    )


def test_finance_officers_cannot_create_links(member, api_as, partnership):
    person = young(partnership, 14)
    response = api_as(member(Role.FINANCE_OFFICER)).post(
        LINKS, {"membership": person.pk, "parent_name": "G", "parent_email": "g@example.org"}, format="json"
    )
    assert response.status_code == 403
    assert not ConsentRequest.objects.exists()


def test_the_links_list_query_count_does_not_grow(client, partnership, worker):
    def grow(n):
        for _ in range(n):
            consent_request_send(
                actor=worker, membership_id=young(partnership, 14).pk, parent_name="G", parent_email="g@example.org"
            )

    grow(5)
    client.get(LINKS)
    with CaptureQueriesContext(connection) as small:
        client.get(LINKS)
    grow(45)
    with CaptureQueriesContext(connection) as large:
        assert client.get(LINKS).status_code == 200
    assert len(large) == len(small)
