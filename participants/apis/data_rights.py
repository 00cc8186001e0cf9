"""/api/v1/data-requests/ and /api/v1/me/information/: the young person's data rights (docs/data-rights.md).

A young person reads their own information (the same versioned document as the download) and their own
requests, and makes a request; participation workers and partnership admins list the partnership's requests
(soonest due first, overdue flagged), record one, and move it on: start, complete (an erasure: a partnership
admin only; the outcome says what was erased and what was kept and why) or refuse with a reason.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination
from core.permissions import require
from participants.apis.recruitment import named_choice_field
from participants.models import DataRequest
from participants.selectors.data_rights import (
    data_request_get_for_actor,
    data_requests_visible_to,
    own_data_requests,
    own_membership_for_download,
    person_data,
)
from participants.services.data_rights import (
    data_request_complete,
    data_request_make,
    data_request_record,
    data_request_refuse,
    data_request_start,
    person_data_download_record,
)

KindField = named_choice_field("DataRequestKindEnum", DataRequest.Kind.choices)
StatusField = named_choice_field("DataRequestStatusEnum", DataRequest.Status.choices)


class ErasureErasedLine(serializers.Serializer):
    what = serializers.CharField()
    count = serializers.IntegerField()


class ErasureKeptLine(ErasureErasedLine):
    why = serializers.CharField()
    count_shown_to_person = serializers.BooleanField()


class ErasureOutcome(serializers.Serializer):
    erased = ErasureErasedLine(many=True)
    kept = ErasureKeptLine(many=True)


class DataRequestOutput(OutputSerializer):
    id = serializers.IntegerField()
    membership_id = serializers.IntegerField()
    young_person = serializers.CharField(source="membership.user.full_name")
    kind = KindField()
    status = StatusField()
    received_on = serializers.DateField()
    due_on = serializers.DateField()
    is_overdue = serializers.SerializerMethodField()
    made_by_self = serializers.BooleanField()
    details = serializers.CharField()
    note = serializers.CharField()
    handled_by = serializers.CharField(source="handled_by.full_name", allow_null=True, default=None)
    completed_at = serializers.DateTimeField(allow_null=True)
    outcome = ErasureOutcome(allow_null=True, source="outcome_or_none")

    def get_is_overdue(self, obj: DataRequest) -> bool:
        return obj.is_overdue()


class DataRequestInput(serializers.Serializer):
    kind = KindField()
    details = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    membership_id = serializers.IntegerField(required=False, help_text="Staff recording a request: whose it is.")
    received_on = serializers.DateField(required=False, help_text="Staff recording a request: the day it came.")


class DataRequestFilter(serializers.Serializer):
    open = serializers.BooleanField(required=False, default=False, help_text="Only requests still open.")


class DataRequestNoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DataRequestReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def _out(request: DataRequest) -> Any:
    request.outcome_or_none = request.outcome or None  # type: ignore[attr-defined]
    return DataRequestOutput(request).data


class DataRequestListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        parameters=[DataRequestFilter],
        responses=DataRequestOutput(many=True),
        summary="Data requests: the partnership's for workers and admins (soonest due first), your own for a "
        "young person",
    )
    def get(self, request: Request) -> Response:
        filters = DataRequestFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user = actor(request)
        if user.has_perm("participants.view_datarequest"):
            requests = data_requests_visible_to(user, open_only=filters.validated_data["open"])
        else:
            requests = own_data_requests(user).select_related("membership__user", "handled_by")
            if filters.validated_data["open"]:
                requests = requests.filter(status__in=DataRequest.OPEN)
        paginator = Pagination()
        page = list(paginator.paginate_queryset(requests, request, view=self) or [])
        return paginator.get_paginated_response([_out(item) for item in page])

    @extend_schema(
        request=DataRequestInput,
        responses={201: DataRequestOutput},
        summary="Make a request about your own information (young person), or record one that came another way "
        "(workers and admins: membership_id and received_on)",
    )
    def post(self, request: Request) -> Response:
        user = actor(request)
        payload = DataRequestInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if user.has_perm("participants.change_datarequest"):  # staff record one for a young person
            missing = [name for name in ("membership_id", "received_on") if name not in data]
            if missing:
                raise serializers.ValidationError(dict.fromkeys(missing, "Give this to record a request."))
            made = data_request_record(
                actor=user,
                membership_id=data["membership_id"],
                kind=data["kind"],
                received_on=data["received_on"],
                details=data["details"],
            )
        else:  # a young person asks about their own (refused for anyone else)
            made = data_request_make(actor=user, kind=data["kind"], details=data["details"])
        return Response(_out(made), status=status.HTTP_201_CREATED)


class DataRequestDetailApi(PartnershipApi):
    @extend_schema(responses=DataRequestOutput, summary="One data request (workers and admins)")
    def get(self, request: Request, request_id: int) -> Response:
        return Response(_out(data_request_get_for_actor(actor(request), request_id)))


class DataRequestStartApi(PartnershipApi):
    @extend_schema(request=None, responses=DataRequestOutput, summary="Start working on a data request")
    def post(self, request: Request, request_id: int) -> Response:
        user = actor(request)
        return Response(_out(data_request_start(actor=user, request_id=request_id)))


class DataRequestCompleteApi(PartnershipApi):
    @extend_schema(
        request=DataRequestNoteInput,
        responses=DataRequestOutput,
        summary="Complete a data request (an erasure request erases: partnership admins only)",
    )
    def post(self, request: Request, request_id: int) -> Response:
        user = actor(request)
        require(user, "participants.change_datarequest")
        payload = DataRequestNoteInput(data=request.data)
        payload.is_valid(raise_exception=True)
        done = data_request_complete(actor=user, request_id=request_id, note=payload.validated_data["note"])
        return Response(_out(done))


class DataRequestRefuseApi(PartnershipApi):
    @extend_schema(
        request=DataRequestReasonInput, responses=DataRequestOutput, summary="Refuse a data request, saying why"
    )
    def post(self, request: Request, request_id: int) -> Response:
        user = actor(request)
        require(user, "participants.change_datarequest")
        payload = DataRequestReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(
            _out(data_request_refuse(actor=user, request_id=request_id, reason=payload.validated_data["reason"]))
        )


class MyInformationApi(PartnershipApi):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="Everything held about you (young person): the versioned document of docs/data-rights.md",
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        membership = own_membership_for_download(user)
        data = person_data(membership)
        person_data_download_record(actor=user, membership=membership, via="api")
        return Response(data)


urlpatterns = [
    path("me/information/", MyInformationApi.as_view(), name="api-my-information"),
    path("data-requests/", DataRequestListApi.as_view(), name="api-data-request-list"),
    path("data-requests/<int:request_id>/", DataRequestDetailApi.as_view(), name="api-data-request-detail"),
    path("data-requests/<int:request_id>/start/", DataRequestStartApi.as_view(), name="api-data-request-start"),
    path(
        "data-requests/<int:request_id>/complete/",
        DataRequestCompleteApi.as_view(),
        name="api-data-request-complete",
    ),
    path("data-requests/<int:request_id>/refuse/", DataRequestRefuseApi.as_view(), name="api-data-request-refuse"),
]
