"""Updating many responses at once from a spreadsheet (CSV or XLSX): upload, preview, commit all or nothing.

SKELETON: filled in by the import work.
"""

from __future__ import annotations

from typing import IO

from engagements.models import ResponseImport
from participants.models import User


def response_import_preview(*, actor: User, file: IO[bytes], file_name: str) -> ResponseImport:
    raise NotImplementedError


def response_import_commit(*, actor: User, import_id: int) -> ResponseImport:
    raise NotImplementedError


def response_import_discard(*, actor: User, import_id: int) -> ResponseImport:
    raise NotImplementedError
