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
