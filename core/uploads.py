"""Checking uploaded documents (paper consent forms, receipts): what a file is, from its first bytes only.

A file is a PDF, a JPG or a PNG when it starts with that format's signature; its name and the type the browser
sent are never trusted (a program renamed `receipt.pdf` is refused). Callers store what passes under a random
name ending in the detected kind, and serve it back with `CONTENT_TYPES[kind]` as a download.

iPhone photos (HEIC/HEIF): not accepted. They can be recognised reliably (an ISO media `ftyp` box whose brand is
heic, heix, hevc, hevx, heim, heis, mif1 or msf1), but most of the computers finance officers and workers use
cannot open them, and nothing here can convert them. iPhones already send a JPG when a web page asks for a photo
(`accept="image/*"`), so a HEIC file only arrives when someone picks it from Files; it gets its own message,
which says how to send a JPG instead.

Sizes: each kind of upload has its own limit, named in its message ("The receipt must be smaller than 10 MB"), and
none may exceed settings.MAX_UPLOAD_BYTES. RequestSizeLimitMiddleware refuses a request whose body is bigger than
that (plus room for the form's other fields) before anything reads it, so an enormous upload never reaches the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

PDF = "pdf"
JPG = "jpg"
PNG = "png"
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPG),
)
CONTENT_TYPES: dict[str, str] = {PDF: "application/pdf", PNG: "image/png", JPG: "image/jpeg"}
# What a file input should offer: photos (the camera on a phone) and PDFs.
ACCEPT = "image/jpeg,image/png,image/*,application/pdf,.pdf,.jpg,.jpeg,.png"
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})

_HEAD = 16


def _head(file: IO[bytes] | File[Any]) -> bytes | None:
    file.seek(0)
    head = file.read(_HEAD)
    file.seek(0)
    return head if isinstance(head, bytes) else None


def document_kind(file: IO[bytes] | File[Any]) -> str | None:
    """'pdf', 'jpg' or 'png' from the file's first bytes; None for anything else (HEIC included)."""
    head = _head(file)
    if head is None:
        return None
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def is_heif(file: IO[bytes] | File[Any]) -> bool:
    """An iPhone photo (HEIC/HEIF): bytes 4-8 are the ISO media 'ftyp' box and bytes 8-12 a HEIF brand."""
    head = _head(file)
    return head is not None and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def _megabytes(max_bytes: int) -> str:
    return f"{max_bytes / (1024 * 1024):g} MB"


def document_problem(
    file: File[Any],
    *,
    max_bytes: int,
    name: str = "The file",
    wrong_kind: str | None = None,
) -> str | None:
    """Why this upload cannot be kept (None if it can), in plain words that start with `name`, for example
    "The receipt must be smaller than 10 MB". `wrong_kind` replaces the message for a file of another kind.
    `max_bytes` is capped at settings.MAX_UPLOAD_BYTES."""
    max_bytes = min(max_bytes, settings.MAX_UPLOAD_BYTES)
    size = file.size
    if size is None or size > max_bytes:
        return f"{name} must be smaller than {_megabytes(max_bytes)}"
    if size == 0:
        return f"{name} is empty"
    if document_kind(file) is None:
        message = wrong_kind or f"{name} must be a photo (JPG or PNG) or a PDF"
        if is_heif(file):
            message += (
                ". This is an iPhone HEIC photo: take the photo again from this page, or change Settings, Camera, "
                "Formats to Most Compatible"
            )
        return message
    return None


def too_big_message() -> str:
    return f"The file you chose is too big. Files must be smaller than {_megabytes(settings.MAX_UPLOAD_BYTES)}."


class RequestSizeLimitMiddleware:
    """Refuses (413) a request whose declared body is bigger than MAX_UPLOAD_BYTES plus UPLOAD_FORM_ALLOWANCE_BYTES
    before the body is read: the file would be refused anyway, and this way it is not written to a temporary file
    first. The API answers in its JSON shape; pages with a page that says what to do."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        ceiling = settings.MAX_UPLOAD_BYTES + settings.UPLOAD_FORM_ALLOWANCE_BYTES
        if length <= ceiling:
            return self.get_response(request)
        message = too_big_message()
        if request.path.startswith("/api/"):
            return JsonResponse({"message": message, "extra": {"max_bytes": settings.MAX_UPLOAD_BYTES}}, status=413)
        body = render_to_string("413.html", {"message": message}, request=request)
        return HttpResponse(body, status=413)
