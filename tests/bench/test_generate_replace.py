"""`python -m bench.generate --replace`: the bench data goes (audit rows too, past PostgreSQL's append-only trigger),
and nothing else does."""

from __future__ import annotations

import pytest
from django.apps import apps

from bench.data import delete_bench_data
from bench.generate import Scale, generate
from core.audit import audit_record
from core.models import AuditEvent
from participants.models import Membership, Partnership, User
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
TINY = Scale("tiny", 2, 10, 12, 12, 40, 6, 12, 30)


def test_delete_bench_data_removes_every_bench_row_and_nothing_else():
    other = MembershipFactory()
    audit_record(actor=None, partnership=other.partnership, subject=other, event_type="membership.created")
    data = generate(TINY)
    assert AuditEvent.objects.filter(partnership_id=data.partnership_id).count() == 15

    deleted = delete_bench_data()

    assert deleted["core_auditevent"] == TINY.audit_rows
    assert list(Partnership.objects.all()) == [other.partnership]
    assert list(User.objects.all()) == [other.user]
    assert list(Membership.objects.all()) == [other]
    assert AuditEvent.objects.get().subject == other
    for model in apps.get_models():
        if "partnership" in {f.name for f in model._meta.concrete_fields} and model is not AuditEvent:
            assert not model._default_manager.exclude(partnership=other.partnership).exists(), model
    assert generate(TINY).partnership_id  # and the data set can be made again
