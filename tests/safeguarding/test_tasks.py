import pytest

from safeguarding import tasks

pytestmark = pytest.mark.django_db


def test_the_scheduled_jobs_run_and_are_safe_to_run_twice():
    assert tasks.consent_renewal.delay().get() == tasks.consent_renewal.delay().get()
    assert tasks.staff_check_reminders.delay().get() == 0
    assert tasks.staff_check_reminders.delay().get() == 0


def test_the_jobs_are_on_the_beat_schedule(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "safeguarding.tasks.consent_renewal",
        "safeguarding.tasks.staff_check_reminders",
        "participants.tasks.apply_retention",  # which runs the applications job too
    } <= scheduled
