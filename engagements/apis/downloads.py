"""File downloads under /api/v1/ (receipts, output files): the file itself, as an attachment, never rendered by
the browser. The answer to an error stays JSON ({"message": ..., "extra": ...}) whatever the client accepts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from core.uploads import CONTENT_TYPES


class DownloadNegotiation(DefaultContentNegotiation):
    """A download answers with the file's own type, so a client asking for it ('Accept: application/pdf') is not
    refused: only an error is rendered, and that as JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], str(renderers[0].media_type)


def private_download(stored: FieldFile, *, filename_stem: str, kind: str | None = None) -> FileResponse:
    """The stored file as an attachment named `<filename_stem>.<kind>`, never cached or rendered in the browser
    (404 when it is missing or not a type we keep)."""
    if not stored:
        raise Http404("No file is attached.")
    kind = (kind or (stored.name or "").rsplit(".", 1)[-1]).lower()
    if kind not in CONTENT_TYPES:
        raise Http404("The file is missing.")
    try:
        handle: Any = stored.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=f"{filename_stem}.{kind}", content_type=CONTENT_TYPES[kind]
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
