"""The OpenAPI schema describes every endpoint without a warning (a warning means a client would be misled)."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_the_schema_builds_without_warnings_and_lists_the_new_endpoints(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]
    for path in (
        "/api/v1/opportunities/",
        "/api/v1/engagements/{engagement_id}/publish/",
        "/api/v1/interests/",
        "/api/v1/attendance/",
        "/api/v1/work-logs/",
        "/api/v1/outputs/",
        "/api/v1/pay-rates/",
        "/api/v1/claims/",
        "/api/v1/payment-batches/",
        "/api/v1/payouts/",
        "/api/v1/payee-accounts/",
    ):
        assert path in paths, path
