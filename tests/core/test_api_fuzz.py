"""API fuzzing: schemathesis generates requests for every operation of /api/v1/schema/ and sends them, through the
real Django WSGI application, signed in with an API token as each role of a partnership full of demo records, and
as the safeguarding lead in a browser session with the second factor.

Every response must not be a server error, must use a documented status code and content type, and must match the
response schema. Path ids are drawn from the records that exist (both partnerships, so another partnership's id is
tried too) or left as generated. Each example runs in a savepoint that is rolled back, so a write by one example
(cancelling an engagement, deleting a rate) never changes what the next one finds.

Bounded for CI: FUZZ_EXAMPLES examples per operation per role (default 5), valid and invalid data, a fixed seed
(FUZZ_SEED) with derandomized generation, no deadline (schemathesis's default), the fuzzing phase only. Raise it
locally: `FUZZ_EXAMPLES=50 .venv/bin/pytest tests/core/test_api_fuzz.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import strategies as st
from schemathesis import checks as core_checks
from schemathesis.specs.openapi import checks as openapi_checks

from config.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
SEED = int(os.environ.get("FUZZ_SEED", "20261126"))

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": EXAMPLES, "mode": "all", "database": "none", "deterministic": True},
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, config=CONFIG)

# One demo person per role in North Shire (participants/demo.py). Tom Hughes is in two partnerships, so every
# request names North Shire with X-Partnership, as a real client of his would.
PEOPLE = {
    "young_person": "amara@north-shire.example",
    "participation_worker": "sam.patel@north-shire.example",
    "finance_officer": "priya.shah@north-shire.example",
    "partnership_admin": "joanne.reid@north-shire.example",
    "safeguarding_lead": "helen.ward@north-shire.example",
    "scrutiny_lead": "tom.hughes@north-shire.example",
}

# Concerns open only to a safeguarding lead who passed the second factor in this browser session (API tokens never
# do), so the lead is also fuzzed through a session cookie with that record, and the CSRF cookie and header.
SESSION_ROLES = {"safeguarding_lead_session": PEOPLE["safeguarding_lead"]}
ROLES = [*PEOPLE, *SESSION_ROLES]

CHECKS = [
    core_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]

# The model behind each path parameter, to draw ids of records that exist.
PATH_IDS = {
    "application_id": "participants.Application",
    "assessment_id": "safeguarding.RiskAssessment",
    "batch_id": "payments.PaymentBatch",
    "claim_id": "payments.Claim",
    "concern_id": "safeguarding.Concern",
    "consent_id": "safeguarding.Consent",
    "credit_id": "library.ExampleCredit",
    "engagement_id": "engagements.Engagement",
    "entry_id": "safeguarding.ConcernEntry",
    "example_id": "library.Example",
    "expense_id": "engagements.Expense",
    "hazard_id": "safeguarding.Hazard",
    "import_id": "engagements.ResponseImport",
    "interest_id": "engagements.Interest",
    "membership_id": "participants.Membership",
    "output_id": "engagements.Output",
    "payout_id": "payments.Payout",
    "question_id": "library.ExampleQuestion",
    "request_id": "participants.DataRequest",
    "rate_id": "payments.PayRate",
    "recommendation_id": "engagements.Recommendation",
    "response_id": "engagements.RecommendationResponse",
    "result_id": "engagements.Result",
    "round_id": "participants.RecruitmentRound",
    "session_id": "participants.SupportSession",
    "work_log_id": "engagements.WorkLog",
}


# A path with a parent and a child id takes real pairs (the hazard of that assessment), or the ids alone.
CHILDREN = {
    "entry_id": ("safeguarding.ConcernEntry", "concern_id"),
    "expense_id": ("engagements.Expense", "work_log_id"),
    "hazard_id": ("safeguarding.Hazard", "assessment_id"),
    "claim_id": ("payments.Claim", "batch_id"),
    "key": ("participants.OnboardingItem", "membership_id"),
}


def _more_records() -> None:
    """What the demo leaves out: a concern with its chronology, a check-in, claims, a batch with a payout."""
    import datetime

    from core.tenancy import act_in
    from engagements.models import Engagement, WorkLog
    from participants.models import Membership
    from safeguarding.models import ConcernCategory
    from safeguarding.services.concerns import concern_raise
    from safeguarding.services.wellbeing import checkin_create
    from tests.factories.engagements import ExpenseFactory
    from tests.factories.payments import ClaimFactory, PaymentBatchFactory, PayoutFactory

    def person(email: str) -> Membership:
        membership = Membership.objects.select_related("user", "partnership").get(
            partnership__slug="north-shire", user__email=email
        )
        act_in(membership.user, membership.partnership)
        return membership

    worker, amara, kai, finance = (
        person(email)
        for email in (PEOPLE["participation_worker"], PEOPLE["young_person"], "kai.brown@north-shire.example",
                      PEOPLE["finance_officer"])
    )  # fmt: skip
    concern_raise(
        actor=worker.user,
        category=ConcernCategory.ONLINE,
        young_persons_words="Someone keeps messaging me and I don't like it.",
        membership_id=kai.pk,
    )
    checkin_create(actor=amara.user, score=4, comment="Good session.")

    def engagement_without_log(membership: Membership) -> Engagement:
        engagements = Engagement.objects.filter(partnership=membership.partnership).order_by("starts_at")
        found = engagements.exclude(work_logs__membership=membership).first()
        assert found is not None
        return found

    for log in WorkLog.objects.filter(partnership=amara.partnership):
        ExpenseFactory(work_log=log)
    claim = ClaimFactory(
        membership=amara,
        work_log__engagement=engagement_without_log(amara),
        work_date=datetime.date(2026, 10, 1),
    )
    batch = PaymentBatchFactory(partnership=amara.partnership, created_by=finance.user)
    PayoutFactory(claim=ClaimFactory(membership=kai, work_log__engagement=engagement_without_log(kai)), batch=batch)
    assert claim.pk


def _session_with_second_factor(user: Any) -> dict[str, Any]:
    """Cookies and headers of a browser session signed in with the second factor (as tests/conftest.py's
    login_with_second_factor records it), with a CSRF token so writes are not refused for the missing token."""
    import time

    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    csrf = "f" * 32  # a CSRF secret: the cookie and the header must match
    return {
        "headers": {"X-CSRFToken": csrf, "X-Partnership": "north-shire", "Referer": "http://localhost/"},
        "cookies": {settings.SESSION_COOKIE_NAME: session.session_key, settings.CSRF_COOKIE_NAME: csrf},
    }


def _assert_signed_in(requests: dict[str, dict[str, Any]]) -> None:
    """Each role's credentials work (fuzzing with a broken token would only ever see 403s): the tokens read
    /api/v1/me/, the lead's session reads the concerns."""
    from django.test import Client

    for role, request in requests.items():
        client = Client()
        for name, value in request.get("cookies", {}).items():
            client.cookies[name] = value
        url = "/api/v1/concerns/" if role in SESSION_ROLES else "/api/v1/me/"
        response = client.get(url, headers=request["headers"])
        assert response.status_code == 200, (role, url, response.status_code, response.content[:300])


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo partnerships and a token per role, created once for the module and rolled back at its end."""
    from django.apps import apps
    from knox.models import AuthToken

    from participants.demo import seed_demo
    from participants.models import User

    try:
        with django_db_blocker.unblock(), transaction.atomic():
            seed_demo()
            _more_records()
            requests: dict[str, dict[str, Any]] = {}
            for role, email in PEOPLE.items():
                _, token = AuthToken.objects.create(user=User.objects.get(email=email))
                requests[role] = {"headers": {"Authorization": f"Token {token}", "X-Partnership": "north-shire"}}
            for role, email in SESSION_ROLES.items():
                requests[role] = _session_with_second_factor(User.objects.get(email=email))
            _assert_signed_in(requests)
            # As Django's test client does around each request (and it reconnects them, so after _assert_signed_in):
            # closing "old" connections when a request starts or ends would close the one holding the transaction.
            request_started.disconnect(close_old_connections)
            request_finished.disconnect(close_old_connections)
            ids = {
                name: sorted(apps.get_model(label).objects.values_list("pk", flat=True))
                for name, label in PATH_IDS.items()
            }
            pairs = {
                child: [
                    {parent: parent_id, child: child_id}
                    for parent_id, child_id in apps.get_model(label)
                    .objects.exclude(**{f"{parent.removesuffix('_id')}": None})
                    .values_list(parent, "key" if child == "key" else "pk")
                ]
                for child, (label, parent) in CHILDREN.items()
            }
            yield {"requests": requests, "ids": ids, "pairs": pairs}
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _use_real_ids(case: Any, data: Any, world: dict[str, Any]) -> None:
    """Most examples name records that exist; some keep the generated ids (missing, or of the wrong kind)."""
    parameters = case.path_parameters or {}
    for child, pairs in world["pairs"].items():
        if child in parameters and pairs:
            generated = {name: parameters[name] for name in pairs[0]}
            parameters.update(data.draw(st.sampled_from([*pairs, generated]), label=child))
            return
    for name, value in parameters.items():
        known = world["ids"].get(name)
        if known:
            parameters[name] = data.draw(st.sampled_from([*known, value]), label=name)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@schema.given(data=st.data())
@schema.parametrize()
def test_api(case: Any, data: Any, role: str, world: dict[str, Any]) -> None:
    _use_real_ids(case, data, world)
    with transaction.atomic():
        case.call_and_validate(checks=CHECKS, **world["requests"][role])
        transaction.set_rollback(True)
