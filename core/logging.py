"""No personal data in logs and error reports (docs/security.md, "No personal data in logs and error reports").

Our own log calls name records by id, never by what they say. What Django and Celery add is handled here:

- Error reports (the technical 500 page, AdminEmailHandler emails, anything that uses Django's ExceptionReporter):
  `NoPersonalDataExceptionReporterFilter` (DEFAULT_EXCEPTION_REPORTER_FILTER) hides every POST value, every
  cookie, every local variable of the traceback and every request header but a short list of harmless ones, for
  every request and whatever DEBUG says; `NoPersonalDataExceptionReporter` (DEFAULT_EXCEPTION_REPORTER) also
  hides the query string, GET and FILES values and the signed-in person (shown by id, not by name or email).
  The exception message stays (it is what makes a report useful), except a database error's DETAIL, which
  PostgreSQL fills with the values of the row (for example the email address a unique constraint refused).
- Log records (`RedactPersonalData`, a filter on every handler in LOGGING): a Celery task's arguments (the `data`
  Celery attaches to task errors, which includes an email's recipients and body) are hidden; a database error's
  DETAIL is cut from the formatted traceback, as above; and the traceback of django.template's DEBUG records
  (a variable it could not resolve, with the whole template context in the message) is dropped.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import ItemsView
from typing import Any

from django.db import Error as DatabaseError
from django.http import HttpRequest
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

HIDDEN = "********************"

# Request headers that say nothing about a person, shown as they are; every other one is hidden.
HARMLESS_META = frozenset(
    {
        "CONTENT_LENGTH",
        "CONTENT_TYPE",
        "HTTP_ACCEPT",
        "HTTP_ACCEPT_ENCODING",
        "HTTP_HOST",
        "HTTP_HX_REQUEST",
        "PATH_INFO",
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "wsgi.url_scheme",
    }
)

# PostgreSQL puts the row's values in the DETAIL (and sometimes CONTEXT) of an error message.
_DATABASE_DETAIL = re.compile(r"^(DETAIL|CONTEXT|HINT):.*$", re.MULTILINE)


def without_database_detail(text: str) -> str:
    return _DATABASE_DETAIL.sub(r"\1: (hidden: it may hold personal data)", text)


class NoPersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Hide everything a person typed or a browser sent, for every request (not only when DEBUG is off)."""

    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, HIDDEN)

    def get_safe_cookies(self, request: HttpRequest | None) -> dict[str, str]:
        if request is None or not hasattr(request, "COOKIES"):
            return {}
        return dict.fromkeys(request.COOKIES, HIDDEN)

    def get_safe_request_meta(self, request: HttpRequest | None) -> dict[str, Any]:
        if request is None or not hasattr(request, "META"):
            return {}
        return {key: value if key in HARMLESS_META else HIDDEN for key, value in request.META.items()}

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> ItemsView[str, Any]:
        # Local variables hold the records being worked on (a profile, a concern, an application).
        return dict.fromkeys(tb_frame.f_locals, HIDDEN).items()


class NoPersonalDataExceptionReporter(ExceptionReporter):
    """The standard report without the query string, GET and FILES values, or who the user is by name."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        request = self.request
        if request is not None:
            user = getattr(request, "user", None)
            data["user_str"] = f"user id {user.pk}" if user is not None and user.pk is not None else "signed out"
            data["request_GET_items"] = [(key, HIDDEN) for key in request.GET]
            data["request_FILES_items"] = [(key, HIDDEN) for key in request.FILES]
            data["request_insecure_uri"] = data["request_insecure_uri"].split("?", 1)[0]
        if self.exc_value is not None and isinstance(self.exc_value, DatabaseError):
            data["exception_value"] = without_database_detail(str(self.exc_value))
        return data


class RedactPersonalData(logging.Filter):
    """A filter for every handler: hide Celery task arguments and a database error's DETAIL in tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.template" and record.exc_info:
            # At DEBUG, Django logs each variable a template could not resolve with a traceback whose message
            # holds the whole context dict: a form's values (the email typed at sign-in), a person's record.
            record.exc_info, record.exc_text = None, None
        data = getattr(record, "data", None)
        if isinstance(data, dict):
            record.data = {key: HIDDEN if key in {"args", "kwargs"} else value for key, value in data.items()}
        if record.exc_info and record.exc_info[1] is not None and _has_database_error(record.exc_info[1]):
            record.exc_text = without_database_detail("".join(traceback.format_exception(*record.exc_info)).rstrip())
        if isinstance(record.args, dict) and {"args", "kwargs"} & set(record.args):
            record.args = {key: HIDDEN if key in {"args", "kwargs"} else value for key, value in record.args.items()}
        return True


def _has_database_error(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, DatabaseError) or type(current).__module__.startswith(("psycopg", "sqlite3")):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def add_filter_to_celery_handlers(logger: logging.Logger | None = None, **kwargs: Any) -> None:
    """A Celery worker replaces the root logger's handlers with its own (worker_hijack_root_logger): give those
    the same filter. Connected below; this module is imported whenever LOGGING is configured, which in a worker
    happens (django.setup()) before Celery sets up its logging."""
    if logger is None:
        return
    for handler in logger.handlers:
        if not any(isinstance(existing, RedactPersonalData) for existing in handler.filters):
            handler.addFilter(RedactPersonalData())


try:
    from celery.signals import after_setup_logger, after_setup_task_logger
except ImportError:  # pragma: no cover - Celery is a dependency; this only keeps the module importable alone
    pass
else:
    after_setup_logger.connect(add_filter_to_celery_handlers, weak=False)
    after_setup_task_logger.connect(add_filter_to_celery_handlers, weak=False)
