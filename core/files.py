"""Uploaded files that no record names any more: found and deleted by a daily job.

Every upload of the product (evidence, receipts, outputs, briefing packs, consent forms) is saved to storage before
its row is saved, inside the service's transaction. The services delete the file again when they fail themselves,
and delete a replaced or removed file once their transaction commits; but when an outer transaction rolls back after
the service returned (or the commit itself fails), the row is gone and the file stays, holding a young person's
personal data that no record, retention rule or erasure can reach.

`unreferenced_files_sweep` walks the folder of every `FileField` of every model (the first part of its `upload_to`)
and deletes each file that no row of any file field names and that is older than `GRACE`: an upload still inside its
transaction is minutes old at most (a 10,000-row import takes 4). More than `MAX_PER_RUN` such files at once is not a
rollback but a mistake (another database, an older restore): then nothing is deleted and an error is logged. The job
`core.tasks.sweep_unreferenced_files` runs it every night.
"""

from __future__ import annotations

import datetime
import logging
import posixpath
from collections.abc import Iterator

from django.apps import apps
from django.core.files.storage import Storage
from django.db import models

logger = logging.getLogger(__name__)

GRACE = datetime.timedelta(hours=1)
# A rolled-back upload is rare: a night with more than this many files to delete means something else is wrong (a
# worker pointed at another database, a restore of an older database), so nothing is deleted and an error is logged.
MAX_PER_RUN = 100


def _file_fields() -> Iterator[models.FileField]:
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.model is model:
                yield field


def _folder(field: models.FileField) -> str:
    """The folder a field's uploads go to (the first part of its `upload_to`), or "" when it has none of its own: a
    callable, or a path that does not start with a folder name ("", "./x" is "x", "../x" is refused)."""
    if not isinstance(field.upload_to, str):
        return ""
    folder = posixpath.normpath(field.upload_to).split("/", 1)[0]
    return "" if folder in ("", ".", "..") or field.upload_to.startswith("/") else folder


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")


def unreferenced_files_sweep(*, now: datetime.datetime) -> list[str]:
    """Delete every uploaded file no row names, older than GRACE; returns their names (each is logged).

    A name any row holds in any file field (whatever its storage or folder, through the base manager so that no
    manager's filter hides a row) is never deleted: keeping a file too many is harmless, deleting one is not."""
    named: set[str] = set()
    folders: dict[int, tuple[Storage, set[str]]] = {}  # per storage: the folders to sweep
    for field in _file_fields():
        named.update(
            posixpath.normpath(name)
            for name in field.model._base_manager.exclude(**{f"{field.attname}__isnull": True})
            .exclude(**{field.attname: ""})
            .values_list(field.attname, flat=True)
        )
        folder = _folder(field)
        if folder:
            folders.setdefault(id(field.storage), (field.storage, set()))[1].add(folder)
    found: list[tuple[Storage, str]] = []
    for storage, storage_folders in folders.values():
        for folder in sorted(storage_folders):
            for name in _walk(storage, folder):
                if posixpath.normpath(name) in named:
                    continue
                try:
                    if storage.get_modified_time(name) <= now - GRACE:
                        found.append((storage, name))
                except FileNotFoundError:  # deleted meanwhile (a replaced file, once its transaction committed)
                    continue
    if len(found) > MAX_PER_RUN:
        logger.error(
            "Not deleting %s uploads that no record names: more than %s at once means something is wrong (is this "
            "the right database?). Look at them, and delete them by hand if they are leftovers.",
            len(found),
            MAX_PER_RUN,
        )
        return []
    deleted = []
    for storage, name in found:
        try:
            storage.delete(name)
        except FileNotFoundError:
            continue
        logger.warning("Deleted %s: an upload that no record names (its transaction rolled back)", name)
        deleted.append(name)
    return deleted
