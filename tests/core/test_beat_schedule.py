"""Every entry of beat's schedule (config/settings/base.py CELERY_BEAT_SCHEDULE) names a task a worker knows: a
misspelt name would be put on the queue every time and never run."""

from __future__ import annotations

from django.conf import settings


def test_every_beat_entry_names_a_registered_task():
    from config.celery_app import app

    app.loader.import_default_modules()
    unknown = {
        name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["task"] not in app.tasks
    }
    assert unknown == {}
    assert {"engagements.resume_stalled_response_imports", "core.sweep_unreferenced_files"} <= {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
