"""/api/v1/me/ and /api/v1/memberships/: thin views over participants' services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from core.tenancy import active_memberships
from participants.models import Membership, Role
from participants.selectors import membership_get_for_actor, memberships_visible_to
from participants.services import membership_reactivate, membership_suspend


class PartnershipOutput(OutputSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    area = serializers.CharField()


class MembershipOutput(OutputSerializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    full_name = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")
    job_title = serializers.CharField()
    status = serializers.ChoiceField(choices=Membership.Status.choices)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), source="sorted_roles")
    created_at = serializers.DateTimeField()


class MeOutput(OutputSerializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    preferred_name = serializers.CharField()
    partnership = PartnershipOutput()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    partnerships = PartnershipOutput(many=True)


class MeApi(PartnershipApi):
    @extend_schema(responses=MeOutput, summary="Who am I, and which partnership am I acting in?")
    def get(self, request: Request) -> Response:
        user = actor(request)
        data = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "preferred_name": user.preferred_name,
            "partnership": user.partnership,
            "roles": sorted(user.roles),
            "partnerships": [m.partnership for m in active_memberships(user)],
        }
        return Response(MeOutput(data).data)


class MembershipFilter(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    status = serializers.ChoiceField(choices=Membership.Status.choices, required=False)
    search = serializers.CharField(required=False, max_length=100)


class MembershipListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(parameters=[MembershipFilter], responses=MembershipOutput(many=True))
    def get(self, request: Request) -> Response:
        filters = MembershipFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        memberships = memberships_visible_to(actor(request), **filters.validated_data)
        return paginate(request, self, memberships, MembershipOutput)


class MembershipDetailApi(PartnershipApi):
    @extend_schema(responses=MembershipOutput)
    def get(self, request: Request, membership_id: int) -> Response:
        return Response(MembershipOutput(membership_get_for_actor(actor(request), membership_id)).data)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why, in a sentence. Kept in the audit log.")


class MembershipSuspendApi(PartnershipApi):
    @extend_schema(request=ReasonInput, responses=MembershipOutput)
    def post(self, request: Request, membership_id: int) -> Response:
        payload = ReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = membership_suspend(actor=actor(request), membership_id=membership_id, **payload.validated_data)
        return Response(MembershipOutput(membership).data)


class MembershipReactivateApi(PartnershipApi):
    @extend_schema(request=ReasonInput, responses=MembershipOutput)
    def post(self, request: Request, membership_id: int) -> Response:
        payload = ReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = membership_reactivate(actor=actor(request), membership_id=membership_id, **payload.validated_data)
        return Response(MembershipOutput(membership).data)
