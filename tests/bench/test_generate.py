"""The benchmark data set (bench/generate.py): the scale's numbers, rows that belong to one partnership all the way
down, a measured partnership with its fair share and one person per role with a history, and staff who can pass
the second factor. Built once for the module, on the small scale, and rolled back at the end."""

from __future__ import annotations

import datetime

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.apps import apps
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from bench.data import BENCH_TOTP_SECRET, EMAIL_DOMAIN, share
from bench.generate import SMALL, BenchData, generate
from core.models import AuditEvent
from engagements.models import (
    Engagement,
    Interest,
    Output,
    Recommendation,
    RecommendationContributor,
    RecommendationResponse,
    TimelineEntry,
    WorkLog,
)
from participants.models import STAFF_ROLES, Application, Membership, Partnership, Role
from payments.models import Claim, ClaimLine, PaymentBatch, Payout

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        data = generate(SMALL, now=NOW)
        yield data
        transaction.set_rollback(True)


def test_headline_counts_are_the_scales(bench: BenchData):
    assert Partnership.objects.count() == SMALL.partnerships
    assert Membership.objects.filter(is_young_person=True).count() == SMALL.young_people
    assert Application.objects.count() == SMALL.applications
    assert Engagement.objects.count() == SMALL.engagements
    assert WorkLog.objects.count() == SMALL.work_logs
    assert Recommendation.objects.count() == SMALL.recommendations
    assert RecommendationResponse.objects.count() == SMALL.recommendations
    assert TimelineEntry.objects.count() == SMALL.timeline_entries
    assert AuditEvent.objects.count() == SMALL.audit_rows
    # A claim for every claimed log: most of them (the newest wait for approval).
    claimed = WorkLog.objects.filter(status=WorkLog.Status.CLAIMED).count()
    assert Claim.objects.count() == claimed > 0.9 * SMALL.work_logs
    assert bench.rows["engagements_worklog"] == SMALL.work_logs
    assert bench.rows["payments_claim"] == claimed


def test_the_measured_partnership_has_its_fair_share_and_no_more(bench: BenchData):
    mine = {"partnership_id": bench.partnership_id}
    fair = {
        "young people": (Membership.objects.filter(is_young_person=True, **mine), SMALL.young_people),
        "engagements": (Engagement.objects.filter(**mine), SMALL.engagements),
        "work logs": (WorkLog.objects.filter(**mine), SMALL.work_logs),
        "applications": (Application.objects.filter(**mine), SMALL.applications),
        "recommendations": (Recommendation.objects.filter(**mine), SMALL.recommendations),
        "timeline entries": (TimelineEntry.objects.filter(**mine), SMALL.timeline_entries),
        "audit rows": (AuditEvent.objects.filter(**mine), SMALL.audit_rows),
    }
    for what, (rows, total) in fair.items():
        assert rows.count() == share(total, SMALL.partnerships, 0), what


def test_every_staff_role_once_and_everyone_a_bench_person(bench: BenchData):
    for partnership in Partnership.objects.all():
        assert partnership.slug.startswith("bench-")
        staff = Membership.objects.filter(partnership=partnership).filter(Membership.with_any_staff_role())
        for role in STAFF_ROLES:
            holders = staff.filter(Membership.with_role(role)).count()
            assert holders == (2 if role == Role.FINANCE_OFFICER else 1), (partnership.slug, role)
    assert not Membership.objects.exclude(user__email__endswith=f"@{EMAIL_DOMAIN}").exists()


def tenant_links() -> list[tuple[type[models.Model], str]]:
    """(model, foreign key) for every foreign key from a partnership's row to another partnership's row."""
    links = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if "partnership" not in names:
            continue
        for f in model._meta.concrete_fields:
            target = f.related_model
            if (
                f.is_relation
                and f.name != "partnership"
                and isinstance(target, type)
                and "partnership" in {t.name for t in target._meta.concrete_fields}
            ):
                links.append((model, f.name))
    return links


def test_every_row_points_only_at_rows_of_its_own_partnership(bench: BenchData):
    links = tenant_links()
    assert (WorkLog, "engagement") in links and (WorkLog, "membership") in links  # the check covers what it must
    checked = 0
    for model, name in links:
        if (model._meta.label, name) == ("library.ExampleQuestion", "example"):
            continue  # a question is asked by one partnership about another's published example
        rows = model._default_manager.filter(**{f"{name}__isnull": False})
        strays = rows.exclude(partnership_id=F(f"{name}__partnership_id"))
        assert not strays.exists(), f"{model.__name__}.{name} crosses partnerships"
        checked += rows.count()
    assert checked > SMALL.work_logs * 5
    for through, left, right in [
        (Engagement.attendees.through, "engagement", "membership"),
        (Output.contributors.through, "output", "membership"),
        (Output.consents.through, "output", "consent"),
    ]:
        rows = through.objects.all()
        assert rows.exists(), through
        assert not rows.exclude(**{f"{left}__partnership_id": F(f"{right}__partnership_id")}).exists(), through


def test_work_and_money_hang_together(bench: BenchData):
    # One work log per attended place, and only for someone who was confirmed.
    assert not WorkLog.objects.exclude(
        engagement__attendees=F("membership"), engagement__status=Engagement.Status.COMPLETED
    ).exists()
    assert (
        not Interest.objects.filter(status=Interest.Status.CONFIRMED)
        .exclude(engagement__attendees=F("membership"))
        .exists()
    )
    # A claim is for the claimed log of the same person and engagement, and adds up to its lines.
    assert not Claim.objects.exclude(work_log__status=WorkLog.Status.CLAIMED).exists()
    assert not Claim.objects.exclude(
        membership=F("work_log__membership"), engagement=F("work_log__engagement")
    ).exists()
    for claim in Claim.objects.filter(partnership_id=bench.partnership_id).prefetch_related("lines")[:200]:
        assert claim.total_pence == sum(line.amount_pence for line in claim.lines.all())
    assert ClaimLine.objects.count() >= Claim.objects.count()
    # Paid claims have a paid payout in a batch approved by a second finance officer: the reports have spend.
    paid = Claim.objects.filter(status=Claim.Status.PAID)
    assert paid.exists()
    assert not paid.exclude(payouts__status=Payout.Status.PAID).exists()
    assert not PaymentBatch.objects.filter(approved_by=F("created_by")).exists()


def test_audit_rows_are_about_real_rows_of_their_partnership(bench: BenchData):
    events = AuditEvent.objects.filter(partnership_id=bench.partnership_id).select_related("subject_type")
    kinds: dict[type[models.Model], set[str]] = {}
    for event in events:
        kinds.setdefault(event.subject_type.model_class(), set()).add(event.subject_id)  # type: ignore[arg-type]
    assert len(kinds) >= 10
    for model, ids in kinds.items():
        found = model._default_manager.filter(pk__in=ids)
        if "partnership" in {f.name for f in model._meta.concrete_fields}:
            found = found.filter(partnership_id=bench.partnership_id)
        assert found.count() == len(ids), model


def test_the_measured_young_person_has_a_history(bench: BenchData):
    membership = Membership.objects.get(partnership_id=bench.partnership_id, user_id=bench.users[Role.YOUNG_PERSON])
    assert membership.is_young_person and membership.is_active
    assert Engagement.objects.filter(attendees=membership).count() >= 5
    assert WorkLog.objects.filter(membership=membership).count() >= 5
    assert Claim.objects.filter(membership=membership).exists()
    assert RecommendationContributor.objects.filter(membership=membership).exists()
    # And something to look forward to: published engagements still to come in their partnership.
    upcoming = Engagement.objects.filter(
        partnership_id=bench.partnership_id, status=Engagement.Status.PUBLISHED, starts_at__gt=NOW
    )
    assert upcoming.exists()


def test_one_person_per_role_in_the_measured_partnership_and_staff_pass_the_second_factor(bench: BenchData):
    assert set(bench.users) == set(Role.values)
    for role, user_id in bench.users.items():
        membership = Membership.objects.get(partnership_id=bench.partnership_id, user_id=user_id)
        assert role in membership.roles
    staff_users = Membership.objects.filter(Membership.with_any_staff_role()).values_list("user_id", flat=True)
    authenticators = Authenticator.objects.filter(user_id__in=staff_users, type=Authenticator.Type.TOTP)
    assert authenticators.count() == len(set(staff_users)) == SMALL.partnerships * 6
    worker = authenticators.get(user_id=bench.users[Role.PARTICIPATION_WORKER])
    code = format_hotp_value(hotp_value(BENCH_TOTP_SECRET, int(timezone.now().timestamp()) // 30))
    assert TOTP(worker).validate_code(code)


def test_refuses_a_database_that_already_holds_bench_data(bench: BenchData):
    with pytest.raises(RuntimeError, match="already holds bench data"):
        generate(SMALL, now=NOW)
