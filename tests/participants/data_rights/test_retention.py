"""Retention: leavers reduced after the partnership's period, closed applications removed by the existing job,
concerns past the 25th birthday counted for review and never deleted; the dry run changes nothing and lists
exactly what the real run removes; running twice is safe."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import AuditEvent
from core.tenancy import act_in
from participants.models import Application, Membership, Role, User, YoungPersonProfile
from participants.services.people import membership_suspend
from participants.services.retention import retention_run
from safeguarding.models import Concern
from tests.factories.recruitment import ApplicationFactory
from tests.participants.data_rights.conftest import make_person

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _leave(person, admin):
    act_in(admin, person.membership.partnership)
    membership_suspend(actor=admin, membership_id=person.membership.pk, reason="Moved away")


def _snapshot():
    return {
        "memberships_erased": Membership.objects.filter(erased_at__isnull=False).count(),
        "profiles": YoungPersonProfile.objects.count(),
        "applications": Application.objects.count(),
        "concerns": Concern.objects.count(),
        "audit": AuditEvent.objects.count(),
        "active_users": User.objects.filter(is_active=True).count(),
    }


@pytest.fixture
def setup(partnership, other_partnership, admin, member):
    partnership.leaver_retention_days = 30
    partnership.save()
    leaver = make_person(partnership)
    _leave(leaver, admin)
    stayer = make_person(partnership)  # active: never touched
    # Another partnership keeps its leavers for the default year: its policy, not ours, applies to them.
    elsewhere = make_person(other_partnership)
    _leave(elsewhere, member(Role.PARTNERSHIP_ADMIN, in_partnership=other_partnership))
    ApplicationFactory(
        round__partnership=partnership,
        partnership=partnership,
        status="unsuccessful",
        closed_at=timezone.now() - datetime.timedelta(days=400),
    )
    Concern.objects.filter(pk=leaver.data["concern"].pk).update(review_due_on=timezone.localdate() - DAY)
    Concern.objects.filter(pk=leaver.data["held"].pk).update(review_due_on=timezone.localdate() - DAY)
    return leaver, stayer, elsewhere


def test_dry_run_changes_nothing_and_lists_exactly_what_the_real_run_removes(setup, partnership, other_partnership):
    leaver, stayer, elsewhere = setup
    now = timezone.now() + datetime.timedelta(days=31)
    before = _snapshot()
    dry = retention_run(dry_run=True, now=now)
    assert _snapshot() == before  # nothing changed, not even the audit log
    real = retention_run(dry_run=False, now=now)
    assert real == dry  # the list is exactly what the real run did
    ours = next(r for r in real if r.partnership_id == partnership.pk)
    theirs = next(r for r in real if r.partnership_id == other_partnership.pk)
    assert ours.leavers == [leaver.membership.pk] and theirs.leavers == []
    assert ours.leaver_records["your profile (date of birth, pronouns, health, access needs, emergency contacts)"] == 1
    assert ours.applications_removed == 1 and theirs.applications_removed == 0
    assert ours.concerns_due_for_review == 1 and ours.concerns_on_legal_hold == 1
    assert Membership.objects.get(pk=leaver.membership.pk).erased_at is not None
    assert Concern.objects.filter(membership=leaver.membership).count() == 2  # never deleted by the job
    assert Membership.objects.get(pk=stayer.membership.pk).erased_at is None
    assert Membership.objects.get(pk=elsewhere.membership.pk).erased_at is None


def test_leavers_within_the_period_are_kept(setup, partnership):
    leaver, *_ = setup
    now = timezone.now() + datetime.timedelta(days=10)  # everyone left less than 30 days before
    ours = next(r for r in retention_run(dry_run=False, now=now) if r.partnership_id == partnership.pk)
    assert ours.leavers == []
    assert YoungPersonProfile.objects.filter(membership=leaver.membership).exists()


def test_running_twice_is_safe(setup, partnership):
    leaver, *_ = setup
    now = timezone.now() + datetime.timedelta(days=31)
    first = next(r for r in retention_run(dry_run=False, now=now) if r.partnership_id == partnership.pk)
    second = next(r for r in retention_run(dry_run=False, now=now) if r.partnership_id == partnership.pk)
    assert first.leavers == [leaver.membership.pk] and second.leavers == [] and second.applications_removed == 0
    assert AuditEvent.objects.filter(event_type="person.erased", payload__by="retention").count() == 1


def test_the_command_dry_run_prints_what_would_go_and_changes_nothing(setup, capsys):
    before = _snapshot()
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run: nothing was changed" in out
    assert "applications would be deleted" in out and ": 1" in out
    assert "never deleted by this job" in out
    assert _snapshot() == before
    leaver, *_ = setup
    assert leaver.user.full_name not in out and leaver.user.email not in out  # numbers and ids only


def test_the_task_applies_retention(setup):
    from participants.tasks import apply_retention

    assert apply_retention.delay().get()["applications_removed"] == 1
    assert apply_retention.delay().get()["applications_removed"] == 0


def test_a_leaver_who_is_also_staff_is_not_reduced(partnership, admin, member):
    both = member(Role.YOUNG_PERSON, Role.PARTICIPATION_WORKER)
    membership_suspend(actor=admin, membership_id=both.membership.pk, reason="Left")
    partnership.leaver_retention_days = 0
    partnership.save()
    retention_run(dry_run=False, now=timezone.now() + DAY)
    assert Membership.objects.get(pk=both.membership.pk).erased_at is None
