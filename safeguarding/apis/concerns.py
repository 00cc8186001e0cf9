"""/api/v1/concerns/: thin views over safeguarding.services.concerns and safeguarding.selectors.concerns.

Reading needs a safeguarding lead who passed their second factor in this session. An API token never carries
that, so for a token the list is empty and a concern is a 404; a browser session of such a lead works, and every
read is recorded. Any staff member may raise a concern (token or session). Entries are append-only: there is no
PUT, PATCH or DELETE anywhere here (405).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from core.permissions import require
from safeguarding.models import Concern, ConcernCategory, ConcernEntry
from safeguarding.selectors.concerns import concern_chronology, concern_get_for_actor, concerns_visible_to
from safeguarding.services import concerns as services

Kind = ConcernEntry.Kind


def _about(concern: Concern) -> str:
    return concern.membership.user.full_name if concern.membership is not None else concern.about_name


MAX_ID = 2**63 - 1  # ids beyond a bigint are a 400, not a database error


class ConcernOutput(OutputSerializer):
    id = serializers.IntegerField()
    # A plain string in the schema: the open/closed enum is named once, on EntryInput (no enum-name collision).
    status = serializers.CharField(help_text="open or closed")
    category = serializers.ChoiceField(choices=ConcernCategory.choices)
    about = serializers.SerializerMethodField()
    membership_id = serializers.IntegerField(allow_null=True)
    raised_by = serializers.CharField(source="raised_by.full_name")
    raised_at = serializers.DateTimeField()
    legal_hold = serializers.BooleanField()
    review_due_on = serializers.DateField(allow_null=True)

    def get_about(self, concern: Concern) -> str:
        return _about(concern)


class EntryOutput(OutputSerializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    created_at = serializers.DateTimeField()
    author = serializers.CharField(source="author.full_name")
    text = serializers.CharField()
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    action_owner = serializers.IntegerField(source="action_owner_id", allow_null=True)
    action_due_on = serializers.DateField(allow_null=True)
    agency = serializers.CharField()
    details = serializers.DictField()


class ConcernDetailOutput(ConcernOutput):
    young_persons_words = serializers.CharField()
    what_happened = serializers.CharField()
    outcome = serializers.CharField()
    entries = EntryOutput(many=True)


class RaisedOutput(OutputSerializer):
    """What the reporter gets back: that it was raised, not the concern (they may not read it later)."""

    id = serializers.IntegerField()
    raised_at = serializers.DateTimeField()


class ConcernFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Concern.Status.choices, required=False)
    category = serializers.ChoiceField(choices=ConcernCategory.choices, required=False)


class ConcernInput(serializers.Serializer):
    membership_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="One of the partnership's active young people.",
    )
    about_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Who it is about, when not one of ours."
    )
    category = serializers.ChoiceField(choices=ConcernCategory.choices)
    young_persons_words = serializers.CharField(max_length=20_000, help_text="What they said, in their own words.")
    what_happened = serializers.CharField(required=False, allow_blank=True, max_length=20_000)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        has_member = data.get("membership_id") is not None
        has_name = bool((data.get("about_name") or "").strip())
        if has_member == has_name:
            raise serializers.ValidationError(
                {"membership_id": "Give either membership_id (one of our young people) or about_name, not both."}
            )
        return data


class ConcernListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(
        parameters=[ConcernFilter],
        responses=ConcernOutput(many=True),
        summary="Concerns (safeguarding leads who passed their second factor in this browser session only)",
    )
    def get(self, request: Request) -> Response:
        filters = ConcernFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user = actor(request)
        concerns = concerns_visible_to(user, **filters.validated_data)
        return paginate(
            request,
            self,
            concerns,
            ConcernOutput,
            shown=lambda page: services.concerns_listed(actor=user, concerns=page, via="api list"),
        )

    @extend_schema(request=ConcernInput, responses={201: RaisedOutput}, summary="Raise a concern (any staff)")
    def post(self, request: Request) -> Response:
        require(actor(request), "safeguarding.raise_concern")  # 403 before the body is read
        payload = ConcernInput(data=request.data)
        payload.is_valid(raise_exception=True)
        concern = services.concern_raise(actor=actor(request), **payload.validated_data)
        return Response(RaisedOutput(concern).data, status=status.HTTP_201_CREATED)


def _detail(concern: Concern, entries: list[ConcernEntry]) -> dict[str, Any]:
    data = dict(ConcernOutput(concern).data)
    data.update(
        young_persons_words=concern.young_persons_words,
        what_happened=concern.what_happened,
        outcome=concern.outcome,
        entries=EntryOutput(entries, many=True).data,
    )
    return data


class ConcernDetailApi(PartnershipApi):
    @extend_schema(responses=ConcernDetailOutput, summary="A concern and its chronology (the read is recorded)")
    def get(self, request: Request, concern_id: int) -> Response:
        user = actor(request)
        concern = services.concern_open(actor=user, concern_id=concern_id, via="api")
        return Response(_detail(concern, concern_chronology(user, concern).entries))


# Which fields each kind of entry needs, for a 400 that names the missing one.
NEEDS: dict[str, tuple[str, ...]] = {
    Kind.NOTE: ("text",),
    Kind.CORRECTION: ("corrects", "text"),
    Kind.CATEGORY_CHANGE: ("category", "text"),
    Kind.ACTION: ("text", "owner", "due_on"),
    Kind.ACTION_DONE: ("action",),
    Kind.REFERRAL: ("agency", "text"),
    Kind.OUTCOME: ("text",),
    Kind.STATUS_CHANGE: ("status",),
    Kind.LEGAL_HOLD: ("legal_hold", "text"),
}


class EntryInput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(value, label) for value, label in Kind.choices if value != Kind.REPORT],
        help_text="A report is made by raising the concern (POST /api/v1/concerns/).",
    )
    text = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    corrects = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="correction: the entry it corrects."
    )
    category = serializers.ChoiceField(choices=ConcernCategory.choices, required=False)
    owner = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="action: the user id of the staff member who owns it."
    )
    due_on = serializers.DateField(required=False)
    action = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="action_done: the action entry."
    )
    agency = serializers.ChoiceField(choices=ConcernEntry.Agency.choices, required=False)
    status = serializers.ChoiceField(choices=Concern.Status.choices, required=False, help_text="status_change.")
    legal_hold = serializers.BooleanField(required=False, help_text="legal_hold: true to put on, false to lift.")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        kind = data["kind"]
        missing = {
            name: f"This field is required for a {kind} entry."
            for name in NEEDS[kind]
            if data.get(name) is None or (name == "text" and not str(data[name]).strip())
        }
        if missing:
            raise serializers.ValidationError(missing)
        return data


def _add_entry(user: Any, concern_id: int, data: dict[str, Any]) -> ConcernEntry:
    kind, text = data["kind"], data.get("text", "")
    common = {"actor": user, "concern_id": concern_id}
    if kind == Kind.NOTE:
        return services.concern_note_add(**common, text=text)
    if kind == Kind.CORRECTION:
        return services.concern_correction_add(**common, corrects_id=data["corrects"], text=text)
    if kind == Kind.CATEGORY_CHANGE:
        return services.concern_category_change(**common, category=data["category"], text=text)
    if kind == Kind.ACTION:
        return services.concern_action_add(**common, text=text, owner_id=data["owner"], due_on=data["due_on"])
    if kind == Kind.ACTION_DONE:
        return services.concern_action_done(**common, action_id=data["action"], text=text)
    if kind == Kind.REFERRAL:
        return services.concern_referral_add(**common, agency=data["agency"], text=text)
    if kind == Kind.OUTCOME:
        return services.concern_outcome_record(**common, text=text)
    if kind == Kind.STATUS_CHANGE:
        if data["status"] == Concern.Status.CLOSED:
            return services.concern_close(**common, text=text)
        return services.concern_reopen(**common, text=text)
    return services.concern_legal_hold_set(**common, on=data["legal_hold"], text=text)


class ConcernEntryListApi(PartnershipApi):
    @extend_schema(
        request=EntryInput,
        responses={201: EntryOutput},
        summary="Add an entry to a concern's chronology (entries are never edited or deleted)",
    )
    def post(self, request: Request, concern_id: int) -> Response:
        concern_get_for_actor(actor(request), concern_id)  # 404 before the body is read, as for a read
        payload = EntryInput(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = _add_entry(actor(request), concern_id, payload.validated_data)
        return Response(EntryOutput(entry).data, status=status.HTTP_201_CREATED)


class ConcernEntryDetailApi(PartnershipApi):
    """One entry. GET only: PUT, PATCH and DELETE are 405, because an entry is never edited or deleted."""

    @extend_schema(responses=EntryOutput, summary="One entry of a concern (the read is recorded)")
    def get(self, request: Request, concern_id: int, entry_id: int) -> Response:
        user = actor(request)
        concern = services.concern_open(actor=user, concern_id=concern_id, via="api")
        entry = concern_chronology(user, concern).by_id.get(entry_id)
        if entry is None:
            raise Http404("No entry found.")
        return Response(EntryOutput(entry).data)


urlpatterns = [
    path("concerns/", ConcernListApi.as_view(), name="api-concerns"),
    path("concerns/<int:concern_id>/", ConcernDetailApi.as_view(), name="api-concern"),
    path("concerns/<int:concern_id>/entries/", ConcernEntryListApi.as_view(), name="api-concern-entries"),
    path(
        "concerns/<int:concern_id>/entries/<int:entry_id>/",
        ConcernEntryDetailApi.as_view(),
        name="api-concern-entry",
    ),
]
