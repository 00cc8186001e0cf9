"""/api/v1/outputs/: staff see all (hidden ones too) with who made it and the consents it rests on; a young person
only what they made that is not hidden, with nobody else's name; create (JSON or multipart), hide and show again;
another partnership's output is a 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements.models import Output
from engagements.services.outputs import output_hide
from participants.models import Role
from safeguarding.models import Consent
from safeguarding.services.consent import consent_withdraw
from tests.engagements.test_outputs import PDF, engagement_with, make_output, young

pytestmark = pytest.mark.django_db

URL = "/api/v1/outputs/"


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-address/"},
        },
    }


def test_staff_list_outputs_with_makers_and_consents_and_filter(partnership, worker, member, api_as):
    sam, ada = young(partnership), young(partnership, age=15, by_parent=True)
    engagement = engagement_with(partnership, sam, ada)
    film = make_output(worker, engagement, [sam, ada], title="The film")
    make_output(worker, engagement_with(partnership, ada), [ada], title="Poem", kind=Output.Kind.POEM)
    consent_withdraw(actor=sam.user, consent_id=Consent.objects.get(membership=sam).pk)

    body = api_as(member(Role.SCRUTINY_LEAD)).get(URL, {"engagement": engagement.pk}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == film.pk and row["is_hidden"] is True and row["flagged_at"]
    assert {c["full_name"] for c in row["contributors"]} == {sam.user.full_name, ada.user.full_name}
    consents = {c["membership_id"]: c for c in row["consents"]}
    assert consents[sam.pk]["status"] == "withdrawn" and consents[sam.pk]["given_by"] == "self"
    assert consents[sam.pk]["given_by_label"] == "Given by them"
    assert consents[ada.pk]["given_by"] == "parent_or_carer"
    assert consents[ada.pk]["given_by_label"] == "Given by a parent or carer"
    assert consents[ada.pk]["consent_type"] == "media" and consents[ada.pk]["given_at"]
    assert "document" not in consents[ada.pk]

    poems = api_as(worker).get(URL, {"kind": "poem"}).json()
    assert [r["title"] for r in poems["results"]] == ["Poem"]


def test_a_parent_or_carers_name_and_relationship_are_never_in_the_answer(partnership, worker, member, api_as):
    ada = young(partnership, age=15, by_parent=True)
    film = make_output(worker, engagement_with(partnership, ada), [ada], title="The film")
    client = api_as(member(Role.SCRUTINY_LEAD))
    for address in (URL, f"{URL}{film.pk}/"):
        response = client.get(address)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Grace Okafor" not in text and "Mother" not in text
        assert "given_by_name" not in text and "relationship" not in text


def test_a_young_person_sees_only_what_they_made_and_not_hidden_with_nobody_elses_name(partnership, worker, api_as):
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada)
    ours = make_output(worker, engagement, [sam, ada], title="Ours")
    hidden = make_output(worker, engagement, [sam], title="Hidden")
    make_output(worker, engagement, [ada], title="Ada's")
    output_hide(actor=worker, output_id=hidden.pk, reason="Checking")
    client = api_as(sam.user)
    body = client.get(URL).json()
    assert [r["title"] for r in body["results"]] == ["Ours"]
    assert "contributors" not in body["results"][0] and ada.user.full_name not in str(body)
    assert client.get(f"{URL}{ours.pk}/").status_code == 200
    assert client.get(f"{URL}{hidden.pk}/").status_code == 404


def test_a_young_person_who_did_not_make_it_gets_a_404(partnership, worker, api_as):
    sam, ada = young(partnership), young(partnership)
    output = make_output(worker, engagement_with(partnership, sam, ada), [sam])
    client = api_as(ada.user)
    assert client.get(f"{URL}{output.pk}/").status_code == 404
    assert client.post(f"{URL}{output.pk}/hide/", {"reason": "x"}, format="json").status_code == 404


def test_another_partnerships_output_is_a_404(partnership, other_partnership, worker, member, api_as):
    theirs = young(other_partnership)
    output = make_output(
        member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership),
        engagement_with(other_partnership, theirs),
        [theirs],
    )
    client = api_as(worker)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{output.pk}/").status_code == 404
    assert client.patch(f"{URL}{output.pk}/", {"title": "x"}, format="json").status_code == 404
    assert client.post(f"{URL}{output.pk}/hide/", {"reason": "x"}, format="json").status_code == 404
    assert client.post(f"{URL}{output.pk}/restore/").status_code == 404
    assert Output.objects.get().title != "x" and not Output.objects.get().is_hidden


def test_finance_officers_cannot_list_outputs(member, api_as):
    assert api_as(member(Role.FINANCE_OFFICER)).get(URL).status_code == 403


def test_the_list_makes_the_same_number_of_queries_however_many_outputs(partnership, worker, api_as):
    def add(count):
        for _ in range(count):
            makers = [young(partnership) for _ in range(3)]
            make_output(worker, engagement_with(partnership, *makers), makers)

    def measure(client):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    add(3)
    client = api_as(worker)
    client.get(URL)
    few = measure(client)
    add(12)
    assert Output.objects.count() == 15
    assert measure(client) == few


def test_the_young_persons_list_makes_the_same_number_of_queries(partnership, worker, api_as):
    sam = young(partnership)

    def add(count):
        for _ in range(count):
            others = [young(partnership) for _ in range(2)]
            make_output(worker, engagement_with(partnership, sam, *others), [sam, *others])

    add(2)
    client = api_as(sam.user)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    add(10)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(URL).json()["results"]) == 12
    assert len(many) == len(few)


def test_a_worker_creates_an_output_by_json(partnership, worker, api_as):
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada)
    response = api_as(worker).post(
        URL,
        {
            "engagement": engagement.pk,
            "title": "Infographic",
            "kind": "infographic",
            "link": "https://example.org/i",
            "contributor_ids": [sam.pk, ada.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Infographic" and len(body["consents"]) == 2 and body["file_url"] is None


def test_a_worker_creates_an_output_with_a_file_by_multipart(partnership, worker, api_as):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    response = api_as(worker).post(
        URL,
        {
            "engagement": engagement.pk,
            "title": "Report",
            "kind": "report",
            "contributor_ids": [sam.pk],
            "file": SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    output = Output.objects.get()
    assert response.json()["file_url"] == f"/api/v1/outputs/{output.pk}/file/"
    assert output.file.name.endswith(".pdf")


def test_a_refusal_names_the_field_and_the_people(partnership, worker, api_as):
    no_consent = young(partnership, media=False)
    engagement = engagement_with(partnership, no_consent)
    response = api_as(worker).post(
        URL,
        {"engagement": engagement.pk, "title": "T", "kind": "film", "contributor_ids": [no_consent.pk]},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["extra"]["field"] == "contributor_ids" and no_consent.user.full_name in body["message"]
    assert body["extra"]["people"] == [{"membership_id": no_consent.pk, "reason": "no media consent (photos, "
                                        "film and media) recorded"}]  # fmt: skip


def test_a_bad_link_is_a_400_naming_link(partnership, worker, api_as):
    sam = young(partnership)
    response = api_as(worker).post(
        URL,
        {
            "engagement": engagement_with(partnership, sam).pk,
            "title": "T",
            "kind": "blog",
            "link": "http://x.org",
            "contributor_ids": [sam.pk],
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["extra"] == {"field": "link"}


def test_a_young_person_cannot_create_hide_or_restore(partnership, worker, api_as):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    output = make_output(worker, engagement, [sam])
    client = api_as(sam.user)
    created = client.post(
        URL, {"engagement": engagement.pk, "title": "T", "kind": "blog", "contributor_ids": [sam.pk]}, format="json"
    )
    assert created.status_code == 403
    assert client.post(f"{URL}{output.pk}/hide/", {"reason": "mine"}, format="json").status_code == 403
    assert Output.objects.count() == 1 and not Output.objects.get().is_hidden


def test_hide_and_restore(partnership, worker, api_as):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    client = api_as(worker)
    assert client.post(f"{URL}{output.pk}/hide/", {}, format="json").status_code == 400
    hidden = client.post(f"{URL}{output.pk}/hide/", {"reason": "Checking"}, format="json")
    assert hidden.status_code == 200 and hidden.json()["is_hidden"] is True
    shown = client.post(f"{URL}{output.pk}/restore/")
    assert shown.status_code == 200 and shown.json()["is_hidden"] is False


def test_restore_is_refused_while_a_makers_consent_is_withdrawn(partnership, worker, api_as):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    consent_withdraw(actor=sam.user, consent_id=output.consents.get().pk)
    response = api_as(worker).post(f"{URL}{output.pk}/restore/")
    assert response.status_code == 400
    assert response.json()["extra"]["people"][0]["membership_id"] == sam.pk
    assert Output.objects.get().is_hidden


def test_patch_changes_fields_and_checks_new_makers(partnership, worker, api_as):
    sam, no_consent = young(partnership), young(partnership, media=False)
    output = make_output(worker, engagement_with(partnership, sam, no_consent), [sam])
    client = api_as(worker)
    changed = client.patch(f"{URL}{output.pk}/", {"title": "New title"}, format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "New title"
    refused = client.patch(f"{URL}{output.pk}/", {"contributor_ids": [sam.pk, no_consent.pk]}, format="json")
    assert refused.status_code == 400 and refused.json()["extra"]["field"] == "contributor_ids"
    assert client.patch(f"{URL}{output.pk}/", {}, format="json").status_code == 400


def test_the_schema_includes_the_outputs_endpoints(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"})
    if schema.status_code == 404:
        pytest.skip("no schema endpoint at this address")
    paths = schema.json()["paths"]
    assert "/api/v1/outputs/" in paths and "/api/v1/outputs/{output_id}/restore/" in paths


def test_engagement_is_the_field_name_and_engagement_id_is_a_deprecated_alias(partnership, worker, api_as):
    sam = young(partnership)
    engagement, other = engagement_with(partnership, sam), engagement_with(partnership, sam)
    client = api_as(worker)
    base = {"title": "T", "kind": "blog", "contributor_ids": [sam.pk]}

    assert client.post(URL, {**base, "engagement": engagement.pk}, format="json").json()["engagement_id"] == (
        engagement.pk
    )
    old = client.post(URL, {**base, "engagement_id": engagement.pk}, format="json")  # older clients still work
    assert old.status_code == 201 and old.json()["engagement_id"] == engagement.pk
    same = client.post(URL, {**base, "engagement": engagement.pk, "engagement_id": engagement.pk}, format="json")
    assert same.status_code == 201

    missing = client.post(URL, base, format="json")
    assert missing.status_code == 400 and "engagement" in missing.json()["extra"]["fields"]
    both = client.post(URL, {**base, "engagement": engagement.pk, "engagement_id": other.pk}, format="json")
    assert both.status_code == 400 and "engagement" in both.json()["extra"]["fields"]
    assert Output.objects.count() == 3


def test_the_schema_names_engagement_and_marks_engagement_id_deprecated(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"})
    if schema.status_code == 404:
        pytest.skip("no schema endpoint at this address")
    body = schema.json()
    schemas = body["components"]["schemas"]
    fields = (schemas.get("OutputCreateInputRequest") or schemas["OutputCreateInput"])["properties"]
    assert "engagement" in fields and fields["engagement_id"].get("deprecated") is True
    assert "/api/v1/outputs/{output_id}/file/" in body["paths"]


def test_the_detail_makes_the_same_number_of_queries_however_many_makers(partnership, worker, member, api_as):
    one = young(partnership)
    few = make_output(worker, engagement_with(partnership, one), [one])
    people = [young(partnership) for _ in range(12)]
    many = make_output(worker, engagement_with(partnership, *people), people)

    def count(client, output):
        client.get(f"{URL}{output.pk}/")
        with CaptureQueriesContext(connection) as captured:
            body = client.get(f"{URL}{output.pk}/").json()
        return len(captured), body

    client = api_as(member(Role.SCRUTINY_LEAD))
    (small, _), (large, body) = count(client, few), count(client, many)
    assert len(body["contributors"]) == 12 and len(body["consents"]) == 12
    assert large == small


def test_the_file_downloads_from_the_api_for_those_who_may_see_the_output(
    partnership, other_partnership, worker, member, api_as
):
    from django.core.files.base import ContentFile

    sam, ada = young(partnership), young(partnership)
    output = make_output(
        worker, engagement_with(partnership, sam, ada), [sam], file=ContentFile(PDF, "a.pdf"), title="Report"
    )
    address = f"/api/v1/outputs/{output.pk}/file/"
    assert api_as(worker).get(f"{URL}{output.pk}/").json()["file_url"] == address
    assert api_as(sam.user).get(f"{URL}{output.pk}/").json()["file_url"] == address

    for allowed in (worker, member(Role.SCRUTINY_LEAD), sam.user):
        response = api_as(allowed).get(address, headers={"Accept": "application/pdf"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PDF

    for refused in (ada.user, member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)):
        assert api_as(refused).get(address).status_code == 404
    assert api_as(member(Role.FINANCE_OFFICER)).get(address).status_code == 403  # may not see outputs at all
    output_hide(actor=worker, output_id=output.pk, reason="Checking")
    assert api_as(sam.user).get(address).status_code == 404  # hidden from the young people who made it
    assert api_as(worker).get(address).status_code == 200
    no_file = make_output(worker, engagement_with(partnership, sam), [sam])
    assert api_as(worker).get(f"/api/v1/outputs/{no_file.pk}/file/").status_code == 404
