"""core.uploads: a document's kind comes from its first bytes, never its name; plain messages for bad ones."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import document_kind, document_problem, is_heif

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 16
MB = 1024 * 1024


@pytest.mark.parametrize(("content", "kind"), [(PDF, "pdf"), (PNG, "png"), (JPG, "jpg")])
def test_pdf_png_and_jpg_are_recognised_by_their_first_bytes(content, kind):
    upload = SimpleUploadedFile("anything.exe", content, content_type="application/x-msdownload")
    assert document_kind(upload) == kind
    assert upload.tell() == 0  # read from the start again by whoever stores it


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03 this is a Windows program",
        b"just some text renamed receipt.pdf",
        b"GIF89a\x01\x00",
        b"<html><script>alert(1)</script>",
        b" %PDF-1.4 with something in front",
        HEIC,
    ],
)
def test_anything_else_is_not_a_document_whatever_its_name(content):
    upload = SimpleUploadedFile("receipt.pdf", content, content_type="application/pdf")
    assert document_kind(upload) is None
    assert document_problem(upload, max_bytes=10 * MB, name="The receipt").startswith(
        "The receipt must be a photo (JPG or PNG) or a PDF"
    )


def test_an_iphone_heic_photo_is_refused_with_a_way_to_send_a_jpg():
    upload = SimpleUploadedFile("IMG_0001.HEIC", HEIC, content_type="image/heic")
    assert is_heif(upload)
    problem = document_problem(upload, max_bytes=10 * MB, name="The receipt")
    assert problem is not None and "HEIC" in problem and "Most Compatible" in problem
    assert not is_heif(SimpleUploadedFile("x.mp4", b"\x00\x00\x00\x18ftypisom" + b"\x00" * 16))


def test_size_limits_are_in_plain_words_and_empty_files_are_refused():
    at_limit = SimpleUploadedFile("r.pdf", b"%PDF-" + b"0" * (10 * MB - 5))
    over = SimpleUploadedFile("r.pdf", b"%PDF-" + b"0" * (10 * MB - 4))
    assert document_problem(at_limit, max_bytes=10 * MB, name="The receipt") is None
    assert document_problem(over, max_bytes=10 * MB, name="The receipt") == "The receipt must be smaller than 10 MB"
    assert document_problem(SimpleUploadedFile("r.pdf", b""), max_bytes=MB, name="The receipt") == (
        "The receipt is empty"
    )


def test_a_text_stream_is_never_a_document():
    assert document_kind(io.StringIO("%PDF-1.4")) is None  # type: ignore[arg-type]


def test_consent_forms_keep_their_own_words():
    from safeguarding.services.consent import consent_document_kind, consent_document_problem

    assert consent_document_kind(io.BytesIO(PDF)) == "pdf"
    bad = SimpleUploadedFile("form.pdf", b"MZ\x90\x00", content_type="application/pdf")
    assert consent_document_problem(bad) == "The consent form must be a PDF, JPG or PNG file"
    big = SimpleUploadedFile("form.pdf", b"%PDF-" + b"0" * (5 * MB))
    assert consent_document_problem(big) == "The consent form must be smaller than 5 MB"


# --- The ceiling: settings.MAX_UPLOAD_BYTES -------------------------------------------------------------------------


def test_the_ceiling_caps_every_kinds_own_limit(settings):
    settings.MAX_UPLOAD_BYTES = MB
    just_over = SimpleUploadedFile("r.pdf", b"%PDF-" + b"0" * MB)
    assert document_problem(just_over, max_bytes=10 * MB, name="The receipt") == "The receipt must be smaller than 1 MB"
    assert document_problem(SimpleUploadedFile("r.pdf", PDF), max_bytes=10 * MB, name="The receipt") is None


@pytest.mark.django_db
def test_a_page_upload_over_the_ceiling_names_the_field(settings, tmp_path, partnership, login, member):
    """Under the request ceiling but over MAX_UPLOAD_BYTES: the page's own form says which field, and keeps the rest."""
    from participants.models import Role
    from safeguarding.models import Consent, ConsentMethod, ConsentType
    from tests.safeguarding.test_consent_pages import young

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/no-public-address/"},
        },
    }
    settings.MAX_UPLOAD_BYTES = MB
    person = young(partnership)
    response = login(member(Role.PARTICIPATION_WORKER)).post(
        f"/staff/consents/{person.pk}/record/",
        {
            "consent_type": ConsentType.TAKING_PART,
            "decision": "given",
            "given_by": "self",
            "method": ConsentMethod.PAPER_FORM,
            "scope": "All of 2026",
            "document": SimpleUploadedFile("signed.pdf", b"%PDF-" + b"0" * MB, content_type="application/pdf"),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_document"' in body and "smaller than 1 MB" in body and "All of 2026" in body
    assert not Consent.objects.exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


@pytest.mark.django_db
def test_a_request_bigger_than_the_ceiling_is_refused_before_it_is_read(settings, client, monkeypatch):
    settings.MAX_UPLOAD_BYTES = MB
    settings.UPLOAD_FORM_ALLOWANCE_BYTES = 1000
    parsed = []
    with monkeypatch.context() as patched:
        patched.setattr("django.http.request.HttpRequest._load_post_and_files", lambda self: parsed.append(self))
        for address in ("/accounts/login/", "/api/v1/me/"):
            big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (MB + 1000), content_type="application/pdf")
            refused = client.post(address, {"file": big})
            assert refused.status_code == 413, address
            if address.startswith("/api/"):
                assert refused.json() == {
                    "message": "The file you chose is too big. Files must be smaller than 1 MB.",
                    "extra": {"max_bytes": MB},
                }
            else:
                text = refused.content.decode()
                assert "The file is too big" in text and "Files must be smaller than 1 MB." in text
    assert parsed == []  # nothing read the body
    # Just under the ceiling, the request goes on to the page as usual.
    fits = SimpleUploadedFile("fits.pdf", b"%PDF-" + b"0" * (MB - 5), content_type="application/pdf")
    assert client.post("/accounts/login/", {"login": "x@example.org", "password": "y", "f": fits}).status_code == 200


# --- Served only by views that check who is asking ------------------------------------------------------------------
# Receipts and paper consent forms have theirs beside their pages (docs/security.md lists them): in
# tests/engagements/test_work_logs_pages.py and tests/safeguarding/test_consent_pages.py.


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/no-public-address/"},
        },
    }
    return tmp_path


def refused_everywhere_else(client, address, member, other_partnership, *, without_permission, second_factor):
    """Signed out: to sign in. Staff of another partnership (even with the right role): 404. A role of this
    partnership without permission: 403 or 404. The file's stored name never works as an address."""
    from participants.models import Role

    client.logout()
    signed_out = client.get(address)
    assert signed_out.status_code == 302 and "/accounts/login/" in signed_out["Location"]
    for role in (Role.PARTICIPATION_WORKER, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN):
        second_factor(member(role, in_partnership=other_partnership))
        assert client.get(address).status_code == 404, (address, role)
        client.logout()
    second_factor(without_permission)
    assert client.get(address).status_code in {403, 404}, address
    client.logout()


@pytest.mark.django_db
def test_an_outputs_file_is_refused_to_everyone_else(
    partnership, other_partnership, member, client, login_with_second_factor, private_storage
):
    from django.core.files.base import ContentFile

    from participants.models import Role
    from tests.engagements.test_outputs import PDF as OUTPUT_PDF
    from tests.engagements.test_outputs import engagement_with, make_output, young

    worker = member(Role.PARTICIPATION_WORKER)
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam], file=ContentFile(OUTPUT_PDF, "a.pdf"))
    address = f"/staff/outputs/{output.pk}/file/"
    assert login_with_second_factor(worker).get(address).status_code == 200
    refused_everywhere_else(
        client,
        address,
        member,
        other_partnership,
        without_permission=member(Role.FINANCE_OFFICER),
        second_factor=login_with_second_factor,
    )
    assert client.get(f"/no-public-address/{output.file.name}").status_code in {302, 404}


@pytest.mark.django_db
def test_an_evidence_file_is_refused_to_everyone_else(
    partnership, other_partnership, member, client, login_with_second_factor, private_storage
):
    from django.core.files.base import ContentFile

    from engagements.services.feedback import evidence_add
    from participants.models import Role
    from tests.engagements.feedback.test_staff_pages_responses import responded

    worker, lead = member(Role.PARTICIPATION_WORKER), member(Role.SCRUTINY_LEAD)
    response = responded(partnership, worker, lead)
    evidence = evidence_add(actor=lead, response_id=response.pk, title="Minutes", file=ContentFile(PDF, name="m.pdf"))
    address = f"/evidence/{evidence.pk}/file/"
    assert login_with_second_factor(lead).get(address).status_code == 200
    refused_everywhere_else(
        client,
        address,
        member,
        other_partnership,
        without_permission=member(Role.YOUNG_PERSON),  # not one of the young people who made it
        second_factor=login_with_second_factor,
    )
    assert client.get(f"/no-public-address/{evidence.file.name}").status_code in {302, 404}
