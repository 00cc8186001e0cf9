"""The demo has one open access request in North Shire, made through the service, with its due date."""

from io import StringIO

import pytest
from django.core.management import call_command

from participants.models import DataRequest, one_calendar_month_after

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_open_access_request():
    call_command("seed_demo", stdout=StringIO())
    request = DataRequest.objects.get(partnership__slug="north-shire")
    assert request.kind == "access" and request.status == "received" and request.made_by_self
    assert request.membership.user.email == "leah.nowak@north-shire.example"
    assert request.due_on == one_calendar_month_after(request.received_on)
