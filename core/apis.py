"""/api/v1/audit-events/: the partnership's audit log, for partnership admins."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import OutputSerializer, PartnershipApi, actor
from core.audit import audit_describe
from core.models import AuditEvent
from core.pagination import Pagination, paginate
from core.selectors import audit_events_visible_to


class AuditEventOutput(OutputSerializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    event_type = serializers.CharField()
    actor_id = serializers.IntegerField(allow_null=True)
    subject_type = serializers.CharField(source="subject_type.model")
    subject_id = serializers.CharField()
    payload = serializers.JSONField()
    description = serializers.SerializerMethodField(help_text="What happened, in plain words.")

    def get_description(self, event: AuditEvent) -> str:
        return audit_describe(event)


class AuditEventFilter(serializers.Serializer):
    event_type = serializers.CharField(required=False, max_length=80)


class AuditEventListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(parameters=[AuditEventFilter], responses=AuditEventOutput(many=True))
    def get(self, request: Request) -> Response:
        filters = AuditEventFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = audit_events_visible_to(actor(request), **filters.validated_data)
        return paginate(request, self, events, AuditEventOutput)
