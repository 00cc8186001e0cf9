"""Uploads that no record names (core/files.py): the nightly sweep looks in every upload folder and nowhere else.
The case it is for, evidence left by a rolled-back transaction, is in
tests/engagements/feedback/test_services_responses.py."""

from __future__ import annotations

import datetime
import os

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def age(path, delta: datetime.timedelta) -> None:
    then = (timezone.now() - delta).timestamp()
    os.utime(path, (then, then))


def test_the_sweep_looks_in_every_upload_folder_and_nowhere_else(private_storage):
    """Every FileField's folder is swept; a file outside them (something an operator put there) is not touched."""
    for folder in ("evidence/2026", "receipts/2026/11", "outputs/2026", "briefing-packs/2026", "consent-forms/2026/11"):
        (private_storage / folder).mkdir(parents=True)
        (private_storage / folder / "orphan.pdf").write_bytes(PDF)
        age(private_storage / folder / "orphan.pdf", datetime.timedelta(days=1))
    (private_storage / "README.txt").write_text("not an upload")
    age(private_storage / "README.txt", datetime.timedelta(days=1))

    from core.tasks import sweep_unreferenced_files

    assert sweep_unreferenced_files() == 5
    assert [path.name for path in private_storage.rglob("*") if path.is_file()] == ["README.txt"]


def test_a_name_any_row_holds_is_kept_whichever_folder_it_is_in(private_storage):
    """Names are gathered from every file field together: an output whose file sits in the receipts folder (moved
    there by hand, say) keeps it, as does a receipt's own file."""
    from core.files import unreferenced_files_sweep
    from tests.factories.engagements import ExpenseFactory, OutputFactory

    folder = private_storage / "receipts" / "2026" / "11"
    folder.mkdir(parents=True)
    for name in ("output.pdf", "receipt.pdf", "orphan.pdf"):
        (folder / name).write_bytes(PDF)
        age(folder / name, datetime.timedelta(days=1))
    OutputFactory(file="receipts/2026/11/output.pdf")
    ExpenseFactory(receipt="receipts/2026/11/receipt.pdf")

    assert unreferenced_files_sweep(now=timezone.now()) == ["receipts/2026/11/orphan.pdf"]
    assert sorted(path.name for path in folder.iterdir()) == ["output.pdf", "receipt.pdf"]


@pytest.mark.parametrize(
    ("upload_to", "folder"),
    [
        ("evidence/%Y/", "evidence"),
        ("./evidence/%Y/", "evidence"),  # Django stores "evidence/...": the same folder
        ("evidence", "evidence"),
        ("", ""),  # the storage's root: never swept
        (".", ""),
        ("../elsewhere/", ""),
        ("/srv/absolute/", ""),
        (lambda instance, filename: f"evidence/{filename}", ""),  # a callable: its names are kept, no folder swept
    ],
)
def test_only_a_named_folder_is_swept(upload_to, folder):
    from django.db import models

    from core.files import _folder

    assert _folder(models.FileField(upload_to=upload_to)) == folder


def test_more_files_than_a_night_of_rollbacks_would_leave_are_not_deleted(private_storage, monkeypatch, caplog):
    """A worker pointed at an empty database would find every upload unnamed: past MAX_PER_RUN, nothing is deleted
    and an error says why."""
    from core import files

    monkeypatch.setattr(files, "MAX_PER_RUN", 2)
    folder = private_storage / "evidence" / "2026"
    folder.mkdir(parents=True)
    for number in range(3):
        (folder / f"{number}.pdf").write_bytes(PDF)
        age(folder / f"{number}.pdf", datetime.timedelta(days=1))

    assert files.unreferenced_files_sweep(now=timezone.now()) == []
    assert len(list(folder.iterdir())) == 3
    assert "Not deleting 3 uploads" in caplog.text

    (folder / "2.pdf").unlink()
    assert sorted(files.unreferenced_files_sweep(now=timezone.now())) == ["evidence/2026/0.pdf", "evidence/2026/1.pdf"]
