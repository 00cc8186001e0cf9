"""The demo shows every stage of the engagements part to a newcomer, made through the real services."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from engagements.models import Attendance, Engagement, Interest, OpportunityTypeSetting, Output, WorkLog

pytestmark = pytest.mark.django_db


def test_the_demo_has_opportunities_interest_a_place_attendance_a_log_waiting_and_an_output():
    call_command("seed_demo", stdout=StringIO())
    north = {"partnership__slug": "north-shire"}
    assert OpportunityTypeSetting.objects.filter(**north).count() == 3
    published = Engagement.objects.filter(status=Engagement.Status.PUBLISHED, **north)
    assert published.filter(opportunity_type="section_11_panel", attendees__user__email__startswith="amara").exists()
    assert Interest.objects.filter(status=Interest.Status.INTERESTED, **north).count() == 2
    attended = Attendance.objects.get(membership__user__email="amara@north-shire.example")
    assert attended.attended and attended.engagement.ends_at < attended.recorded_at
    assert WorkLog.objects.get(**north).status == WorkLog.Status.SUBMITTED
    output = Output.objects.get(**north)
    assert not output.is_hidden and output.consents.exists()
