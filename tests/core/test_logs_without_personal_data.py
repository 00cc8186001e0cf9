"""Logs and error reports carry no personal data (core/logging.py, LOGGING and DEFAULT_EXCEPTION_REPORTER* in
config/settings/base.py).

Every log record of every logger, at DEBUG, is captured through the filters of the configured console handler
while people go through the main journeys (signing in, wrongly too; applying; consent; a concern; a support
note; a work log; a claim; a 404, a 403 and two 500s), and no email address, name, date of birth, phone number or
sensitive text of theirs may appear in any formatted message or traceback. The error report Django builds for a
failed POST (the technical 500 page and the admins' email) must not hold them either.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from django.views.debug import get_default_exception_reporter_filter, get_exception_reporter_class

from core.logging import HIDDEN, NoPersonalDataExceptionReporter, NoPersonalDataExceptionReporterFilter
from engagements.models import Engagement
from participants.models import Role, User, YoungPersonProfile
from participants.services import recruitment
from participants.services.support import FollowUpInput, support_session_create
from payments.services.claims import claim_create_from_work_log
from safeguarding.models import ConcernCategory, ConsentType
from safeguarding.services.concerns import concern_note_add, concern_raise
from safeguarding.services.consent import GIVE, consent_request_answer, consent_request_send, consent_token_make
from tests.factories import PASSWORD
from tests.factories.recruitment import RoundFactory
from tests.factories.safeguarding import EngagementFactory
from tests.payments.test_claims import approved_log, born, rate

pytestmark = pytest.mark.django_db

YOUNG_NAME, YOUNG_EMAIL = "Ottoline Brackenbury", "ottoline.brackenbury@example.org"
YOUNG_PHONE, YOUNG_BORN = "07700 900123", datetime.date(2008, 3, 14)
PARENT_NAME, PARENT_EMAIL = "Peregrine Brackenbury", "peregrine.b@example.net"
APPLICANT_NAME, APPLICANT_EMAIL, APPLICANT_PHONE = (
    "Wilhelmina Featherstonehaugh",
    "wilhelmina@example.com",
    "07700 900987",
)
APPLICANT_BORN = datetime.date(2009, 11, 23)
WORDS = "He hits me when he drinks WORDS-LOG-51"
NOTES = "Disclosed an eating disorder NOTES-LOG-77"
WORK_NOTE = "Met the chief constable WORKNOTE-LOG-13"

PERSONAL = [
    YOUNG_NAME,
    "Brackenbury",
    YOUNG_EMAIL,
    YOUNG_PHONE,
    "900123",
    PARENT_NAME,
    PARENT_EMAIL,
    APPLICANT_NAME,
    "Featherstonehaugh",
    APPLICANT_EMAIL,
    APPLICANT_PHONE,
    "900987",
    WORDS,
    "WORDS-LOG",
    NOTES,
    "NOTES-LOG",
    "WORKNOTE-LOG",
    *(day.isoformat() for day in (YOUNG_BORN, APPLICANT_BORN)),
    *(f"{day:%d/%m/%Y}" for day in (YOUNG_BORN, APPLICANT_BORN)),
    *(f"{day.day} {day:%B %Y}" for day in (YOUNG_BORN, APPLICANT_BORN)),
]


# --- Test-only views: a forced 500, and a 500 from the database holding an email in its DETAIL --------------------


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("Something broke while saving the form")


def duplicate_email(request: HttpRequest) -> HttpResponse:
    User.objects.create(email=request.POST["email"], full_name=request.POST.get("full_name", ""))
    return HttpResponse("made")


urlpatterns = [
    path("test-only/boom/", boom),
    path("test-only/duplicate/", duplicate_email),
    path("", include("config.urls")),
]


# factory_boy and Faker log the test's own set-up at DEBUG; they never run in the product.
TEST_TOOLING = {"factory", "faker"}


# --- Capturing every record -------------------------------------------------------------------------------------


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in TEST_TOOLING:
            return
        self.records.append(record)
        self.texts.append(self.format(record))


@pytest.fixture
def logs() -> Iterator[Collect]:
    """Every record from every logger at DEBUG, through the same filters as the configured console handler."""
    configured = [handler for handler in logging.getLogger().handlers if handler.get_name() == "console"]
    assert configured, "LOGGING has no console handler on the root logger"
    collect = Collect()
    for log_filter in configured[0].filters:
        collect.addFilter(log_filter)
    assert collect.filters, "the console handler has no filter for personal data"
    names = [
        "",
        "django",
        "django.request",
        "django.security",
        "django.server",
        "celery",
        "celery.app.trace",
        "allauth",
        "payments",
        "participants",
        "safeguarding",
        "engagements",
        "core",
        *logging.root.manager.loggerDict,
    ]
    loggers = [logging.getLogger(name) for name in dict.fromkeys(names)]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        logger.addHandler(collect)
    try:
        yield collect
    finally:
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
            logger.removeHandler(collect)


def leaks(texts: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for text in texts:
        for value in PERSONAL:
            if value.lower() in text.lower():
                found.setdefault(value, []).append(text[:300])
    return found


# --- The journeys -----------------------------------------------------------------------------------------------


@pytest.fixture
def people(member, partnership):
    young = member(Role.YOUNG_PERSON, user__full_name=YOUNG_NAME, user__email=YOUNG_EMAIL)
    YoungPersonProfile.objects.create(partnership=partnership, membership=young.membership, date_of_birth=YOUNG_BORN)
    worker = member(Role.PARTICIPATION_WORKER)
    lead = member(Role.SAFEGUARDING_LEAD)
    lead.second_factor_this_session = True
    finance = member(Role.FINANCE_OFFICER)
    return {"young": young, "worker": worker, "lead": lead, "finance": finance}


@pytest.mark.urls(__name__)
def test_the_journeys_log_no_personal_data(
    logs, people, partnership, django_capture_on_commit_callbacks, login_with_second_factor
):
    young, worker, lead = people["young"], people["worker"], people["lead"]
    client = Client(raise_request_exception=False)

    # Signing in: a wrong password, then the right one; a staff member's second step with a wrong code.
    client.post("/accounts/login/", {"login": YOUNG_EMAIL, "password": "not-the-password"})
    client.post("/accounts/login/", {"login": YOUNG_EMAIL, "password": PASSWORD})
    client.get("/")
    staff_client = Client(raise_request_exception=False)
    staff_client.post("/accounts/login/", {"login": worker.email, "password": PASSWORD})
    staff_client.post("/accounts/2fa/authenticate/", {"code": "000000"})

    # An application, sent (the acknowledgement email goes through Celery).
    today = timezone.localdate()
    round_ = RoundFactory(
        partnership=partnership,
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=20),
    )
    with django_capture_on_commit_callbacks(execute=True):
        application = recruitment.application_start(
            round_public_id=round_.public_id, full_name=APPLICANT_NAME, email=APPLICANT_EMAIL, today=today
        )
        recruitment.application_update(
            application_public_id=application.public_id,
            fields={"phone": APPLICANT_PHONE, "date_of_birth": APPLICANT_BORN},
            equality={"care_experience": "yes"},
            today=today,
        )
        recruitment.application_submit(application_public_id=application.public_id, today=today)

    # Consent: a parent is asked by email and answers by the signed link.
    with django_capture_on_commit_callbacks(execute=True):
        request = consent_request_send(
            actor=worker,
            membership_id=young.membership.pk,
            parent_name=PARENT_NAME,
            parent_email=PARENT_EMAIL,
            consent_type=ConsentType.PARENT_CARER,
        )
        consent_request_answer(
            token=consent_token_make(GIVE, request.pk), given_by_name=PARENT_NAME, relationship="Father", give=True
        )

    # A concern raised and read, and a note added.
    with django_capture_on_commit_callbacks(execute=True):
        concern = concern_raise(
            actor=worker,
            category=ConcernCategory.PHYSICAL,
            young_persons_words=WORDS,
            membership_id=young.membership.pk,
        )
        concern_note_add(actor=lead, concern_id=concern.pk, text=WORDS)
    login_with_second_factor(lead).get(f"/staff/concerns/{concern.pk}/")

    # A support note with a follow-up.
    with django_capture_on_commit_callbacks(execute=True):
        support_session_create(
            actor=worker,
            membership_id=young.membership.pk,
            kind="emotional_support",
            held_on=today,
            restricted_notes=NOTES,
            agreed=NOTES,
            follow_ups=[FollowUpInput(NOTES, worker.pk, today)],
        )

    # A work log and a payment claim from it.
    born(young.membership, datetime.date(2006, 1, 10))
    rate(partnership, 1300)
    log = approved_log(young.membership)
    log.note = WORK_NOTE
    log.save(update_fields=["note"])
    with django_capture_on_commit_callbacks(execute=True):
        claim_create_from_work_log(actor=people["finance"], work_log_id=log.pk)
    client.get("/payments/")
    EngagementFactory(partnership=partnership, status=Engagement.Status.PUBLISHED)

    # A 404 (with personal data in the query string), a 403, and two 500s.
    assert client.get(f"/no-such-page/?email={YOUNG_EMAIL}&name={YOUNG_NAME}").status_code == 404
    assert client.get("/staff/concerns/").status_code == 403
    boom_response = client.post(
        "/test-only/boom/", {"email": YOUNG_EMAIL, "full_name": YOUNG_NAME, "phone": YOUNG_PHONE, "note": WORDS}
    )
    assert boom_response.status_code == 500
    duplicate = client.post("/test-only/duplicate/", {"email": YOUNG_EMAIL, "full_name": APPLICANT_NAME})
    assert duplicate.status_code == 500

    names = {record.name for record in logs.records}
    assert "django.request" in names  # the 404, 403 and 500s were logged: the capture works
    assert any("Internal Server Error: /test-only/boom/" in text for text in logs.texts)
    assert any(text.startswith("WARNING django.request Not Found: /no-such-page/") for text in logs.texts)
    assert any(text.startswith("WARNING django.request Forbidden") for text in logs.texts)
    assert any(record.exc_info for record in logs.records if record.name == "django.request")
    assert leaks(logs.texts) == {}


@pytest.mark.urls(__name__)
def test_the_capture_would_see_personal_data_if_it_were_logged(logs):
    """The check can fail: a record that does carry a name is found."""
    logging.getLogger("participants").info("Saved the profile of %s", YOUNG_NAME)
    assert YOUNG_NAME in leaks(logs.texts)


# --- The error report for a POST --------------------------------------------------------------------------------


def failed_post_report(rf, user) -> tuple[str, str]:
    request = rf.post(
        f"/my/profile/?email={YOUNG_EMAIL}",
        {"email": YOUNG_EMAIL, "full_name": YOUNG_NAME, "phone": YOUNG_PHONE, "health": NOTES},
        HTTP_COOKIE=f"sessionid=abc123; remembered_email={YOUNG_EMAIL}",
        HTTP_REFERER=f"https://example.org/search?q={YOUNG_NAME}",
    )
    request.user = user
    request.COOKIES["remembered_email"] = YOUNG_EMAIL
    full_name = YOUNG_NAME  # a local variable of the failing frame  # noqa: F841
    try:
        raise ValueError("Could not save the profile")
    except ValueError as error:
        reporter = get_exception_reporter_class(request)(request, type(error), error, error.__traceback__)
        return reporter.get_traceback_text(), reporter.get_traceback_html()


@pytest.fixture
def fresh_reporter_filter() -> Iterator[None]:
    """Django caches the default filter; start and end each report test with the configured one."""
    get_default_exception_reporter_filter.cache_clear()
    yield
    get_default_exception_reporter_filter.cache_clear()


def test_the_error_report_of_a_post_holds_no_personal_data(rf, people, settings, fresh_reporter_filter):
    settings.DEBUG = True  # the filter works whatever DEBUG says
    assert isinstance(get_default_exception_reporter_filter(), NoPersonalDataExceptionReporterFilter)
    text, html = failed_post_report(rf, people["young"])
    assert "Could not save the profile" in text  # a real report
    assert f"user id {people['young'].pk}" in text
    for report in (text, html):
        for value in (YOUNG_EMAIL, YOUNG_NAME, YOUNG_PHONE, NOTES, "Brackenbury"):
            assert value not in report
    assert "email" in text and HIDDEN in text  # the POST keys are listed, their values hidden


def test_without_our_filter_the_same_report_would_hold_them(rf, people, settings, fresh_reporter_filter):
    """The report test can fail: Django's own reporter and filter show the POST values and the user."""
    settings.DEFAULT_EXCEPTION_REPORTER_FILTER = "django.views.debug.SafeExceptionReporterFilter"
    settings.DEFAULT_EXCEPTION_REPORTER = "django.views.debug.ExceptionReporter"
    get_default_exception_reporter_filter.cache_clear()
    text, _ = failed_post_report(rf, people["young"])
    assert YOUNG_EMAIL in text and YOUNG_NAME in text
    assert get_exception_reporter_class(None) is not NoPersonalDataExceptionReporter


# --- Celery ---------------------------------------------------------------------------------------------------


def test_a_failed_task_is_logged_without_its_arguments(logs):
    """Celery logs a failed task with its arguments (for an email: the recipients and the body) in the record's
    args and `data`; the filter hides them, so neither the message nor what a log shipper would send holds them."""
    from config.celery_app import app

    @app.task(name="tests.core.failing_email", bind=False)
    def failing_email(*, to: list[str], body: str) -> None:
        raise RuntimeError("The mail server refused the message")

    failing_email.apply(
        kwargs={"to": [YOUNG_EMAIL], "body": f"Dear {YOUNG_NAME}, your session is on Friday"}, throw=False
    )

    failures = [
        record for record in logs.records if record.name.startswith("celery") and record.levelno >= logging.ERROR
    ]
    assert failures, "Celery logged no failure: the capture is not seeing Celery"
    shipped = [
        f"{text} {getattr(record, 'data', '')!r} {record.args!r}"
        for record, text in zip(logs.records, logs.texts, strict=True)
    ]
    assert leaks(shipped) == {}
    assert any("tests.core.failing_email" in text for text in logs.texts)


def test_a_celery_workers_own_handlers_get_the_same_filter():
    """A worker sets up its own handlers (it takes over the root logger); the signal it sends then adds ours."""
    from celery.signals import after_setup_logger

    from core.logging import RedactPersonalData

    worker_logger = logging.getLogger("tests.core.celery_worker_like")
    handler = logging.StreamHandler()
    worker_logger.addHandler(handler)
    try:
        after_setup_logger.send(
            sender=None, logger=worker_logger, loglevel=logging.INFO, logfile=None, format="", colorize=False
        )
        assert any(isinstance(log_filter, RedactPersonalData) for log_filter in handler.filters)
    finally:
        worker_logger.removeHandler(handler)
