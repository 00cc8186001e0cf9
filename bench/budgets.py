"""The key pages and API lists, each with the role that opens it, and how many queries each one takes.

`KEY_URLS` is the one table of them: the query budgets (bench/query_budgets.py, tests/test_query_budgets.py) and
the throughput run use it. A `KeyUrl`'s `path` is a function of the generated data (`BenchData`) and the database:
a page about one record (a round's board, an engagement's selection, a batch) opens the busiest one of the measured
partnership, so that a query per row would show.

Every /api/v1/ list endpoint is here: tests/test_query_budgets.py checks the OpenAPI schema's list operations
against this table, so a new list endpoint without a row fails the tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from participants.models import Role

if TYPE_CHECKING:
    from django.test import Client

    from bench.generate import BenchData


@dataclass(frozen=True)
class KeyUrl:
    name: str  # a figure's name is "queries_<name>"; the budget table in docs/performance.md uses it too
    role: str  # a participants.models.Role value: who opens it (BenchData.users[role])
    path: Callable[[BenchData], str]

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api_")


def keys_named(only: str) -> list[KeyUrl]:
    """The key URLs named in a comma-separated list (a benchmark's --only), in KEY_URLS order; all of them for "".
    ValueError naming any name that is not a key URL."""
    wanted = {name.strip() for name in only.split(",") if name.strip()}
    if not wanted:
        return list(KEY_URLS)
    unknown = wanted - {key.name for key in KEY_URLS}
    if unknown:
        raise ValueError(f"unknown names: {', '.join(sorted(unknown))}")
    return [key for key in KEY_URLS if key.name in wanted]


def _fixed(url: str) -> Callable[[BenchData], str]:
    def path(data: BenchData) -> str:
        return url

    return path


def _busiest(queryset: QuerySet[Any], what: str) -> int:
    """The pk of the first row of an annotated queryset ordered busiest first; fails loudly when there is none."""
    pk = queryset.values_list("pk", flat=True).first()
    if pk is None:
        raise LookupError(f"The generated data has no {what} in the measured partnership.")
    return int(pk)


def busiest_round(data: BenchData) -> int:
    from participants.models.recruitment import RecruitmentRound

    rounds = (
        RecruitmentRound.objects.filter(partnership_id=data.partnership_id)
        .annotate(n=Count("applications"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
    )
    return _busiest(rounds, "recruitment round with applications")


def busiest_published_engagement(data: BenchData) -> int:
    """The published engagement with the most interests (the selection page and its API)."""
    from engagements.models import Engagement

    engagements = (
        Engagement.objects.filter(partnership_id=data.partnership_id, status=Engagement.Status.PUBLISHED)
        .annotate(n=Count("interests"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
    )
    return _busiest(engagements, "published engagement with interests")


def busiest_attended_engagement(data: BenchData) -> int:
    """The engagement with the most confirmed places (its attendance sheet has a row for each)."""
    from engagements.models import Engagement, Interest

    engagements = (
        Engagement.objects.filter(partnership_id=data.partnership_id)
        .annotate(n=Count("interests", filter=Q(interests__status=Interest.Status.CONFIRMED)))
        .filter(n__gt=0)
        .order_by("-n", "pk")
    )
    return _busiest(engagements, "engagement with confirmed places")


def busiest_batch(data: BenchData) -> int:
    from payments.models import PaymentBatch

    batches = (
        PaymentBatch.objects.filter(partnership_id=data.partnership_id)
        .annotate(n=Count("claims"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
    )
    return _busiest(batches, "payment batch with claims")


def busiest_response(data: BenchData) -> int:
    from engagements.models import RecommendationResponse

    responses = (
        RecommendationResponse.objects.filter(partnership_id=data.partnership_id)
        .annotate(n=Count("timeline"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
    )
    return _busiest(responses, "response with timeline entries")


YOUNG = Role.YOUNG_PERSON.value
WORKER = Role.PARTICIPATION_WORKER.value
SAFEGUARDING = Role.SAFEGUARDING_LEAD.value
FINANCE = Role.FINANCE_OFFICER.value
SCRUTINY = Role.SCRUTINY_LEAD.value
ADMIN = Role.PARTNERSHIP_ADMIN.value

PAGES: list[KeyUrl] = [
    # The young person's pages
    KeyUrl("young_person_home", YOUNG, _fixed("/me/")),
    KeyUrl("opportunities", YOUNG, _fixed("/opportunities/")),
    KeyUrl("impact_feed", YOUNG, _fixed("/your-impact/")),
    KeyUrl("my_payments", YOUNG, _fixed("/payments/")),
    # The participation worker's
    KeyUrl("application_board", WORKER, lambda data: f"/staff/recruitment/rounds/{busiest_round(data)}/board/"),
    KeyUrl("selection", WORKER, lambda data: f"/staff/engagements/{busiest_published_engagement(data)}/selection/"),
    KeyUrl("training_matrix", WORKER, _fixed("/staff/training/matrix/")),
    # The finance officer's
    KeyUrl("batch", FINANCE, lambda data: f"/finance/batches/{busiest_batch(data)}/"),
    # The scrutiny lead's dashboard: the reports (this reporting year) and the recommendations with their responses
    KeyUrl("reports_dashboard", SCRUTINY, _fixed("/reports/")),
    KeyUrl("recommendation_list", SCRUTINY, _fixed("/recommendations/")),
]

# Every list operation of the API (an array, or a page of "results", in the OpenAPI schema), with the role whose
# list is the largest, plus the two list-shaped answers that carry their rows in an object (attendance, candidates).
API_LISTS: list[KeyUrl] = [
    KeyUrl("api_memberships", ADMIN, _fixed("/api/v1/memberships/")),
    KeyUrl("api_recruitment_rounds", WORKER, _fixed("/api/v1/recruitment-rounds/")),
    KeyUrl("api_applications", WORKER, _fixed("/api/v1/applications/")),
    KeyUrl("api_onboarding", WORKER, _fixed("/api/v1/onboarding/")),
    KeyUrl("api_training_modules", WORKER, _fixed("/api/v1/training-modules/")),
    KeyUrl("api_training_records", WORKER, _fixed("/api/v1/training-records/")),
    KeyUrl("api_support_sessions", WORKER, _fixed("/api/v1/support-sessions/")),
    KeyUrl("api_data_requests", WORKER, _fixed("/api/v1/data-requests/")),
    KeyUrl("api_audit_events", ADMIN, _fixed("/api/v1/audit-events/")),
    KeyUrl("api_consents", SAFEGUARDING, _fixed("/api/v1/consents/")),
    KeyUrl("api_consent_links", SAFEGUARDING, _fixed("/api/v1/consent-links/")),
    KeyUrl("api_concerns", SAFEGUARDING, _fixed("/api/v1/concerns/")),
    KeyUrl("api_staff_checks", SAFEGUARDING, _fixed("/api/v1/staff-checks/")),
    KeyUrl("api_risk_assessments", SAFEGUARDING, _fixed("/api/v1/risk-assessments/")),
    KeyUrl("api_wellbeing_checkins", SAFEGUARDING, _fixed("/api/v1/wellbeing-checkins/")),
    KeyUrl("api_opportunities", YOUNG, _fixed("/api/v1/opportunities/")),
    KeyUrl("api_engagements", WORKER, _fixed("/api/v1/engagements/")),
    KeyUrl("api_interests", WORKER, _fixed("/api/v1/interests/")),
    KeyUrl(
        "api_engagement_candidates",
        WORKER,
        lambda data: f"/api/v1/engagements/{busiest_published_engagement(data)}/candidates/",
    ),
    KeyUrl(
        "api_attendance", WORKER, lambda data: f"/api/v1/attendance/?engagement={busiest_attended_engagement(data)}"
    ),
    KeyUrl("api_work_logs", WORKER, _fixed("/api/v1/work-logs/")),
    KeyUrl("api_outputs", WORKER, _fixed("/api/v1/outputs/")),
    KeyUrl("api_recommendations", SCRUTINY, _fixed("/api/v1/recommendations/")),
    KeyUrl("api_responses", SCRUTINY, _fixed("/api/v1/responses/")),
    KeyUrl("api_response_timeline", SCRUTINY, lambda data: f"/api/v1/responses/{busiest_response(data)}/timeline/"),
    KeyUrl("api_impact_feed", YOUNG, _fixed("/api/v1/impact-feed/")),
    KeyUrl("api_results", SCRUTINY, _fixed("/api/v1/results/")),
    KeyUrl("api_notifications", YOUNG, _fixed("/api/v1/notifications/")),
    KeyUrl("api_response_imports", SCRUTINY, _fixed("/api/v1/response-imports/")),
    KeyUrl("api_pay_rates", FINANCE, _fixed("/api/v1/pay-rates/")),
    KeyUrl("api_claims", FINANCE, _fixed("/api/v1/claims/")),
    KeyUrl("api_payment_batches", FINANCE, _fixed("/api/v1/payment-batches/")),
    KeyUrl("api_payouts", FINANCE, _fixed("/api/v1/payouts/")),
    KeyUrl("api_payee_accounts", FINANCE, _fixed("/api/v1/payee-accounts/")),
    KeyUrl("api_library", SCRUTINY, _fixed("/api/v1/library/")),
    KeyUrl("api_library_ours", SCRUTINY, _fixed("/api/v1/library/ours/")),
    KeyUrl("api_library_questions", SCRUTINY, _fixed("/api/v1/library/questions/")),
]

KEY_URLS: list[KeyUrl] = PAGES + API_LISTS


def api_list_operations() -> list[str]:
    """The /api/v1/ paths (OpenAPI templates, like /api/v1/responses/{response_id}/timeline/) whose GET answers a
    list: an array, or a page with "results". Read from the schema drf-spectacular serves."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not path.startswith("/api/v1/") or get is None:
            continue
        for content in get["responses"].get("200", {}).get("content", {}).values():
            answer = content.get("schema", {})
            if "$ref" in answer:
                answer = components[answer["$ref"].rsplit("/", 1)[-1]]
            if answer.get("type") == "array" or "results" in answer.get("properties", {}):
                found.append(path)
                break
    return found


def signed_in_client(user_id: int, partnership_id: int) -> Client:
    """A test client signed in as the user, acting in the partnership, its session carrying the record of a second
    factor (as allauth writes it after the TOTP step; see tests/conftest.py login_with_second_factor), so staff
    pages, the API and the safeguarding lead's concerns open without the sign-in pages."""
    from django.test import Client

    from core.tenancy import SESSION_KEY
    from participants.models import User

    user = User.objects.get(pk=user_id)
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session[SESSION_KEY] = partnership_id
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    return client


def clients_for(data: BenchData) -> Callable[[str], Client]:
    """role -> a signed-in client of the measured partnership's person with that role (one client per role)."""
    made: dict[str, Client] = {}

    def client_for_role(role: str) -> Client:
        if role not in made:
            made[role] = signed_in_client(data.users[role], data.partnership_id)
        return made[role]

    return client_for_role


def counted(queries: list[dict[str, str]]) -> list[str]:
    """The statements that count against a budget: all but transaction control. An atomic block sends BEGIN and
    COMMIT in a real request (PostgreSQL only COMMIT, as far as the debug cursor sees) but SAVEPOINT and RELEASE
    inside a test's transaction; leaving them all out makes the count the same in a test, in a request and on
    either database."""
    return [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)]


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def measure(
    client_for_role: Callable[[str], Client], data: BenchData, urls: list[KeyUrl] | None = None
) -> dict[str, int]:
    """name -> the number of queries one request to the URL makes, counted after one warm-up request (which fills
    the per-process caches and lets a page do its one-off writes, like marking news read). Each must answer 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, int] = {}
    for key in KEY_URLS if urls is None else urls:
        client = client_for_role(key.role)
        url = key.path(data)
        warm_up = client.get(url)
        assert warm_up.status_code == 200, f"{key.name} ({url}, as {key.role}): {warm_up.status_code}"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, f"{key.name} ({url}, as {key.role}): {response.status_code}"
        counts[key.name] = len(counted(queries.captured_queries))
    return counts
