"""/api/v1/onboarding/: each young scrutineer's checklist. Workers and admins see everyone's; a young person sees
their own. One shape for both: a paginated list of checklists (a young person's list holds just theirs)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination
from participants.apis.recruitment import named_choice_field
from participants.models import OnboardingItem
from participants.selectors.onboarding import onboarding_for_self, onboarding_overview
from participants.services.onboarding import onboarding_item_complete

ItemKindField = named_choice_field("OnboardingItemKindEnum", OnboardingItem.Kind.choices)
ItemStatusField = named_choice_field("OnboardingItemStatusEnum", OnboardingItem.Status.choices)


@dataclass(frozen=True)
class Checklist:
    membership_id: int
    name: str
    items: list[OnboardingItem]

    @property
    def items_total(self) -> int:
        return len(self.items)

    @property
    def items_left(self) -> int:
        return sum(1 for item in self.items if not item.is_done)


class OnboardingItemOutput(OutputSerializer):
    key = serializers.CharField(help_text="Stable name, e.g. consent.parent_carer.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    hint = serializers.CharField()
    kind = ItemKindField()
    status = ItemStatusField()
    completed_at = serializers.DateTimeField(allow_null=True)


class ChecklistOutput(OutputSerializer):
    membership_id = serializers.IntegerField()
    name = serializers.CharField()
    items_left = serializers.IntegerField(help_text="Items still to do.")
    items_total = serializers.IntegerField()
    items = OnboardingItemOutput(many=True)


class OnboardingFilter(serializers.Serializer):
    only_incomplete = serializers.BooleanField(
        required=False, default=False, help_text="Only young people with something left to do (staff only)."
    )


class OnboardingListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        parameters=[OnboardingFilter],
        responses=ChecklistOutput(many=True),
        summary="Onboarding checklists: everyone's for workers and admins, your own for a young person",
    )
    def get(self, request: Request) -> Response:
        filters = OnboardingFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user = actor(request)
        paginator = Pagination()
        rows: Iterable[Checklist]
        if user.has_perm("participants.view_onboarding"):  # chooses which view; the selectors check again
            memberships = onboarding_overview(user, **filters.validated_data)
            page = paginator.paginate_queryset(memberships, request, view=self) or []
            rows = [Checklist(m.pk, m.user.full_name, list(m.onboarding.all())) for m in page]
        else:
            items = onboarding_for_self(user)  # refuses anyone who is not a young person
            membership = user.membership
            if membership is None:  # the base attaches one before any view runs; never act without it
                raise exceptions.PermissionDenied()
            own = [Checklist(membership.pk, user.full_name, items)]
            rows = paginator.paginate_queryset(own, request, view=self) or []  # type: ignore[arg-type]
        return paginator.get_paginated_response(ChecklistOutput(rows, many=True).data)


class ItemStatusInput(serializers.Serializer):
    status = ItemStatusField(default=OnboardingItem.Status.DONE)


class OnboardingItemChangeOutput(OnboardingItemOutput):
    membership_id = serializers.IntegerField()


class OnboardingItemApi(PartnershipApi):
    @extend_schema(
        request=ItemStatusInput,
        responses=OnboardingItemChangeOutput,
        summary="Tick an item off, mark it not needed, or put it back to do",
    )
    def post(self, request: Request, membership_id: int, key: str) -> Response:
        payload = ItemStatusInput(data=request.data)
        payload.is_valid(raise_exception=True)
        item = onboarding_item_complete(
            actor=actor(request), membership_id=membership_id, key=key, **payload.validated_data
        )
        return Response(OnboardingItemChangeOutput(item).data)
