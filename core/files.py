"""Uploaded files that no record names any more: found and deleted by a daily job.

Every upload of the product (evidence, receipts, outputs, briefing packs, consent forms) is saved to storage before
its row is saved, inside the service's transaction. The services delete the file again when they fail themselves,
and delete a replaced or removed file once their transaction commits; but when an outer transaction rolls back after
the service returned (or the commit itself fails), the row is gone and the file stays, holding a young person's
personal data that no record, retention rule or erasure can reach.

`unreferenced_files_sweep` walks the folder of every `FileField` of every model (the first part of its `upload_to`)
and deletes each file that no row names and that is older than `GRACE`: an upload still inside its transaction is
minutes old at most (a 10,000-row import takes 4). The job `core.tasks.sweep_unreferenced_files` runs it every night.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator

from django.apps import apps
from django.core.files.storage import Storage
from django.db import models

logger = logging.getLogger(__name__)

GRACE = datetime.timedelta(hours=1)


def _file_fields() -> Iterator[models.FileField]:
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.model is model:
                yield field


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
    """Delete every uploaded file no row names, older than GRACE; returns their names (each is logged)."""
    named: dict[tuple[int, str], set[str]] = {}  # (storage, folder) -> the names rows hold there
    storages: dict[int, Storage] = {}
    for field in _file_fields():
        upload_to = field.upload_to if isinstance(field.upload_to, str) else ""
        folder = upload_to.split("/", 1)[0]
        if not folder:
            continue  # a callable or an empty upload_to: no folder of its own to sweep
        storages[id(field.storage)] = field.storage
        names = named.setdefault((id(field.storage), folder), set())
        names.update(
            field.model._default_manager.exclude(**{field.name: ""})
            .exclude(**{f"{field.name}__isnull": True})
            .values_list(field.name, flat=True)
        )
    deleted = []
    for (storage_id, folder), names in sorted(named.items(), key=lambda item: item[0][1]):
        storage = storages[storage_id]
        for name in _walk(storage, folder):
            if name in names or storage.get_modified_time(name) > now - GRACE:
                continue
            storage.delete(name)
            logger.warning("Deleted %s: an upload that no record names (its transaction rolled back)", name)
            deleted.append(name)
    return deleted
