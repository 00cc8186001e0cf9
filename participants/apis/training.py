"""/api/v1/training-modules/ and /api/v1/training-records/. Thin: parse, call the service or selector, serialize."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from engagements.models import OpportunityType
from participants.apis.recruitment import named_choice_field
from participants.models import TrainingModule, TrainingRecord
from participants.selectors.training import modules_visible_to, records_visible_to
from participants.services.training import module_create, record_create

DeliveryModeField = named_choice_field("TrainingDeliveryModeEnum", TrainingModule.Mode.choices)
OpportunityTypeField = named_choice_field("OpportunityTypeEnum", OpportunityType.choices)


class TrainingModuleOutput(OutputSerializer, serializers.ModelSerializer):
    class Meta:
        model = TrainingModule
        fields = [
            "id", "title", "description", "delivery_mode", "duration_minutes", "validity_months", "required_for",
            "onboarding_key", "is_active",
        ]  # fmt: skip


class TrainingModuleInput(serializers.Serializer):
    title = serializers.CharField(max_length=150)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    delivery_mode = DeliveryModeField(required=False, default=TrainingModule.Mode.IN_PERSON)
    duration_minutes = serializers.IntegerField(min_value=1)
    validity_months = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="Empty: the training does not expire."
    )
    required_for = serializers.ListField(child=OpportunityTypeField(), required=False, default=list)
    onboarding_key = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class TrainingModuleListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(responses=TrainingModuleOutput(many=True), summary="Training modules of the partnership")
    def get(self, request: Request) -> Response:
        return paginate(request, self, modules_visible_to(actor(request)), TrainingModuleOutput)

    @extend_schema(request=TrainingModuleInput, responses={201: TrainingModuleOutput}, summary="Create a module")
    def post(self, request: Request) -> Response:
        data = TrainingModuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        module = module_create(actor=actor(request), **data.validated_data)
        return Response(TrainingModuleOutput(module).data, status=status.HTTP_201_CREATED)


class TrainingRecordOutput(OutputSerializer, serializers.ModelSerializer):
    module_title = serializers.CharField(source="module.title")
    name = serializers.CharField(source="membership.user.full_name")
    signed_off_by = serializers.CharField(source="signed_off_by.full_name")

    class Meta:
        model = TrainingRecord
        fields = [
            "id", "membership", "name", "module", "module_title", "session", "completed_on", "expires_on",
            "signed_off_by",
        ]  # fmt: skip


class TrainingRecordInput(serializers.Serializer):
    membership_id = serializers.IntegerField()
    module_id = serializers.IntegerField()
    completed_on = serializers.DateField()
    session_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class TrainingRecordFilter(serializers.Serializer):
    membership_id = serializers.IntegerField(required=False, help_text="One person's records (staff).")


class TrainingRecordListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        parameters=[TrainingRecordFilter],
        responses=TrainingRecordOutput(many=True),
        summary="Completed training: everyone's for workers, your own for a young person",
    )
    def get(self, request: Request) -> Response:
        filters = TrainingRecordFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        records = records_visible_to(actor(request), **filters.validated_data)
        return paginate(request, self, records, TrainingRecordOutput)

    @extend_schema(request=TrainingRecordInput, responses={201: TrainingRecordOutput}, summary="Record a completion")
    def post(self, request: Request) -> Response:
        data = TrainingRecordInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = record_create(actor=actor(request), **data.validated_data)
        return Response(TrainingRecordOutput(record).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("training-modules/", TrainingModuleListApi.as_view(), name="api_training_modules"),
    path("training-records/", TrainingRecordListApi.as_view(), name="api_training_records"),
]
