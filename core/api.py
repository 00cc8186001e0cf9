"""The API base every endpoint inherits, and the one error shape: {"message": ..., "extra": ...}.

`PartnershipApi.initial` authenticates, attaches the partnership the request acts in, refuses staff without a
second factor, then runs the view's own permission checks. Subclasses cannot override these steps (see
`__init_subclass__`), so scoping and the second-factor rule cannot be bypassed by a subclass.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.views.defaults import bad_request as defaults_bad_request
from django.views.defaults import page_not_found
from rest_framework import ISO_8601, exceptions, serializers, status
from rest_framework.fields import SkipField
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.relations import PKOnlyObject
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError
from core.mfa import needs_second_factor
from core.tenancy import HEADER, act_in_slug

if TYPE_CHECKING:
    from participants.models import User


def actor(request: Request) -> User:
    """The signed-in person the request acts for (the base's permissions have already checked there is one)."""
    user = request.user
    if not user.is_authenticated:
        raise exceptions.NotAuthenticated()
    return user


class ActsInPartnership(BasePermission):
    message = "Choose a partnership: send its slug in the X-Partnership header."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        named = request.META.get(HEADER)
        if getattr(request, "auth", None) is not None or user.membership is None:  # token: resolve from header
            act_in_slug(user, named)
        elif named and named != user.partnership.slug:
            # A browser session acts in the partnership chosen in the app; a header naming another is refused
            # rather than ignored, so a write never lands in a partnership the caller did not mean.
            self.message = "X-Partnership names a different partnership from the one this session acts in."
            return False
        return user.membership is not None


class HasSecondFactorIfStaff(BasePermission):
    message = "Staff accounts must set up two-factor authentication before using the API."

    def has_permission(self, request: Request, view: Any) -> bool:
        return not needs_second_factor(actor(request))


_SEALED = (
    "initial", "check_permissions", "check_object_permissions", "get_permissions", "get_authenticators",
    "dispatch", "permission_denied", "perform_authentication", "initialize_request", "handle_exception",
    "as_view", "permission_classes", "authentication_classes",
)  # fmt: skip
_FRAMEWORK_MODULES = {"rest_framework", "django", "builtins"}


class PartnershipApi(APIView):
    """Base of every /api/v1/ endpoint. Set `required_perm`-style checks in services; views stay thin."""

    permission_classes: ClassVar[list[type[BasePermission]]] = [  # type: ignore[misc]
        IsAuthenticated,
        ActsInPartnership,
        HasSecondFactorIfStaff,
    ]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Refuse, at import time, any class in the hierarchy (subclass or mixin, before or after this base)
        that redefines a step of authentication, scoping or permission checking."""
        super().__init_subclass__(**kwargs)
        for klass in cls.__mro__:
            if klass is PartnershipApi or klass.__module__.split(".")[0] in _FRAMEWORK_MODULES:
                continue
            for name in _SEALED:
                if name in klass.__dict__:
                    raise TypeError(
                        f"{cls.__name__} may not redefine {name} (in {klass.__name__}): "
                        "tenant scoping and the second-factor rule must not be bypassed."
                    )

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        for name in initkwargs:
            if name in _SEALED:
                raise TypeError(f"{cls.__name__}.as_view() may not replace {name}.")
        return super().as_view(**initkwargs)


class ChoiceLabelField(serializers.CharField):
    """The label of a model's choice field, as `get_<field>_display()` gives it: `ChoiceLabelField("status")`.

    Read-only. `CharField(source="get_status_display")` gives the same answer, but DRF inspects the signature of
    every callable it reads (inspect.signature, on each row): about 0.1 ms a field and row, several milliseconds on a
    page of 50. This field reads the instance and calls the method itself. See docs/performance.md.

    Django's `get_<field>_display()` builds the field's choices into a dictionary afresh on every call (about 25 µs,
    two on each row of the engagements API). When the model's method is Django's own (not written by hand), this
    field builds that dictionary once per model and serializer, that is once per list, with each label as text, and
    looks each value up in it: the same label, or the value itself when it is not one of the choices, as Django
    gives. A hand-written method, or a value that cannot be a dictionary key, is called as before.
    """

    def __init__(self, field: str, **kwargs: Any) -> None:
        self.method_name = f"get_{field}_display"
        # Per model: the column to read and its labels, or None to call the method.
        self._labels: dict[type, tuple[str, dict[Any, str]] | None] = {}
        super().__init__(source="*", read_only=True, **kwargs)

    def _labels_for(self, model: type) -> tuple[str, dict[Any, str]] | None:
        if model not in self._labels:
            self._labels[model] = None
            method = inspect.getattr_static(model, self.method_name, None)
            # Django's own method is `partialmethod(Model._get_FIELD_display, field=<the model field>)`.
            if isinstance(method, functools.partialmethod) and method.func is Model._get_FIELD_display:  # type: ignore[attr-defined]
                field = method.keywords["field"]
                try:
                    labels = {value: force_str(label) for value, label in field.flatchoices}
                except TypeError:  # a choice that cannot be a dictionary key: Django's method knows what to do
                    pass
                else:
                    self._labels[model] = (field.attname, labels)
        return self._labels[model]

    def to_representation(self, instance: Any) -> str:
        known = self._labels_for(type(instance))
        if known is not None:
            attname, labels = known
            value = getattr(instance, attname)
            try:
                return labels[value]
            except KeyError:
                return str(force_str(value, strings_only=True))
            except TypeError:  # not hashable: Django's own method knows what to do
                pass
        return str(getattr(instance, self.method_name)())


_PLAIN = object()  # a field whose value DRF would pass through its own to_representation


class _AskDrf(Exception):
    """A value OutputSerializer leaves to DRF's own `get_attribute` (a callable along the source)."""


class OutputSerializer(serializers.Serializer):
    """Base of the read-only `...Output` serializers: the same answer as `serializers.Serializer`, made faster.

    For every field of every row, DRF's `to_representation` walks a generic path: `Field.get_attribute` (a loop over
    the source's parts, an abstract-class `isinstance(.., Mapping)` check and a callable check for each), then the
    field's own `to_representation`, where a `DateTimeField` asks asgiref for the current time zone each time. On a
    page of 50 rows of 30 fields that is about a third of the request (docs/performance.md, "Where the time goes").

    This base works out once per serializer (so once per list, as a `ListSerializer` reuses its child) how to read
    each field, and reads its source (`"title"`, `"engagement.title"`) with plain `getattr`s. It hands anything else
    back to DRF: a `"*"` source, a value along the source that is callable (DRF decides whether to call it), an
    attribute that is missing (DRF's defaults, `allow_null` and error message), a mapping instead of an object (the
    instance or a value along the source), and every field's conversion except three that are exactly DRF's: `str`
    for a `CharField`, `int` for an `IntegerField`, and for an ISO 8601 `DateTimeField` without its own format or
    time zone, an aware value moved into the current time zone (read once) and written as DRF writes it ("Z" for
    UTC). tests/core/test_output_serializer.py checks that every API list answers exactly what plain DRF answers.
    """

    def to_representation(self, instance: Any) -> Any:
        if isinstance(instance, dict):
            return super().to_representation(instance)
        plan = self.__dict__.get("_output_plan")
        if plan is None:
            plan = self.__dict__["_output_plan"] = _output_plan(self)
        ret: dict[str, Any] = {}
        for name, attrs, field, convert in plan:
            if attrs is None:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
            else:
                try:
                    value = instance
                    for attr in attrs:
                        value = getattr(value, attr)
                        if callable(value):
                            raise _AskDrf
                except ObjectDoesNotExist:
                    value = None
                except (AttributeError, KeyError, _AskDrf):
                    try:  # DRF's own reading: a callable, a mapping, a default, allow_null or its error message
                        value = field.get_attribute(instance)
                    except SkipField:
                        continue
            if value is None or (isinstance(value, PKOnlyObject) and value.pk is None):
                ret[name] = None
            elif convert is _PLAIN:
                ret[name] = field.to_representation(value)
            else:
                ret[name] = convert(field, value)
        return ret


def _as_str(field: serializers.Field, value: Any) -> str:
    return str(value)


def _as_int(field: serializers.Field, value: Any) -> int:
    return int(value)


def _datetime_converter(zone: Any) -> Any:
    def convert(field: serializers.Field, value: Any) -> Any:
        if not isinstance(value, datetime) or value.tzinfo is None or zone is None:
            return field.to_representation(value)  # naive, a string, or USE_TZ off: DRF's own path
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return field.to_representation(value)  # DRF's "Datetime value out of range."
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _output_plan(
    serializer: serializers.Serializer,
) -> list[tuple[str, tuple[str, ...] | None, serializers.Field, Any]]:
    iso = str(api_settings.DATETIME_FORMAT).lower() == ISO_8601
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    plan = []
    for field in serializer._readable_fields:
        attrs = tuple(field.source_attrs) if field.source != "*" and field.source_attrs else None
        kind = type(field)
        convert: Any = _PLAIN
        if kind is serializers.CharField:
            convert = _as_str
        elif kind is serializers.IntegerField:
            convert = _as_int
        elif (
            kind is serializers.DateTimeField
            and iso
            and not hasattr(field, "format")
            and not hasattr(field, "timezone")
        ):
            convert = _datetime_converter(zone)
        plan.append((cast(str, field.field_name), attrs, field, convert))  # a bound field has its name
    return plan


def _message_from_validation(detail: Any) -> str:
    if isinstance(detail, dict):
        fields = [name for name in detail if name != "non_field_errors"]
        if fields:
            return "Check these fields: " + ", ".join(fields) + "."
        errors = detail.get("non_field_errors") or []
        return str(errors[0]) if errors else "The request is not valid."
    if isinstance(detail, list) and detail:
        return str(detail[0])
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every error into {"message": str, "extra": {...}}; validation errors name each field."""
    if isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "extra": exc.extra}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"message": _message_from_validation(exc.detail), "extra": {"fields": exc.detail}}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"message": str(detail), "extra": {}}
    return response


@contextmanager
def request_field_names(names: Mapping[str, str]) -> Iterator[None]:
    """Errors from a service name a field as the request named it: services take model ids (`result_id`), the API
    takes `result`. `names` maps the service's name to the request's."""
    try:
        yield
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed = {names.get(name, name): errors for name, errors in error.error_dict.items()}
        raise DjangoValidationError(renamed) from error
    except ApplicationError as error:
        field = error.extra.get("field")
        if isinstance(field, str) and field in names:
            error.extra = {**error.extra, "field": names[field]}
        raise


# --- The error shape in the OpenAPI schema ---------------------------------------------------------------------

ERROR_SCHEMA_NAME = "Error"
ERROR_RESPONSES = {
    "400": "The request is not valid, or the rule it would break is named in `message` (fields in `extra.fields`).",
    # Session authentication comes first, so DRF answers a missing, expired or unknown token with 403, not 401.
    "401": "Not sent today (see 403); a client should treat it as 'sign in again'.",
    "403": "Not signed in (or the token is unknown or expired), no partnership to act in, no second factor (staff), "
    "or not allowed to do this.",
    "404": "No such record, or not one you may see (the two look the same).",
}
BODY_ERROR_RESPONSES = {"415": "The body's Content-Type is not one this operation accepts, or it cannot be parsed."}


def _api_error(request: HttpRequest, status_code: int, message: str) -> HttpResponse | None:
    if request.path.startswith("/api/"):
        return JsonResponse({"message": message, "extra": {}}, status=status_code)
    return None


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: a URL under /api/ that matches no endpoint (`/api/v1/claims/-1/`) answers with the API's error
    shape, as every other API error does; pages keep the site's "Page not found"."""
    return _api_error(request, 404, "Not found.") or page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refuses before the view runs (too many form fields, a malformed multipart
    body) answers under /api/ with the API's error shape; pages keep the site's page."""
    return _api_error(request, 400, "The request could not be read.") or defaults_bad_request(request, exception)


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents 400, 401, 403 and 404 with the one error shape
    `exception_handler` returns, {"message": str, "extra": {...}}. A view's own description of an error is kept."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_SCHEMA_NAME] = {
        "type": "object",
        "description": "Every error: a message for a person to read, and details (for example `fields`).",
        "properties": {
            "message": {"type": "string"},
            "extra": {"type": "object", "additionalProperties": {}},
        },
        "required": ["message", "extra"],
    }
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            errors = {**ERROR_RESPONSES, **(BODY_ERROR_RESPONSES if "requestBody" in operation else {})}
            for code, description in errors.items():
                response = responses.setdefault(code, {"description": description})
                response.setdefault("content", content)
    return result
