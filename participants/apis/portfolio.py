"""/api/v1/portfolio/: a young person's own portfolio; /api/v1/portfolio/<membership_id>/: anyone's in the
partnership, for participation workers, partnership admins and safeguarding leads. Read only; the same content as
the portfolio page (confirmed records only)."""

from __future__ import annotations

from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import OutputSerializer, PartnershipApi, actor
from participants.selectors.portfolio import Portfolio, own_membership, portfolio_for


class HoursByKindOutput(OutputSerializer):
    kind = serializers.CharField(help_text="The opportunity type, e.g. section_11_panel.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    minutes = serializers.IntegerField()
    hours = serializers.CharField(help_text="In words, e.g. '2.5 hours'.")
    engagements = serializers.IntegerField()


class EngagementOutput(OutputSerializer):
    engagement_id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    starts_at = serializers.DateTimeField()
    minutes = serializers.IntegerField()
    hours = serializers.CharField()


class RoleOutput(OutputSerializer):
    label = serializers.CharField()  # type: ignore[assignment]
    since = serializers.DateField()


class TrainingOutput(OutputSerializer):
    module_title = serializers.CharField()
    completed_on = serializers.DateField()
    expires_on = serializers.DateField(allow_null=True)


class SkillOutput(OutputSerializer):
    name = serializers.CharField()
    example = serializers.CharField()
    confirmed_on = serializers.DateField(allow_null=True)


class SkillClaimOutput(OutputSerializer):
    id = serializers.IntegerField()
    skill = serializers.CharField(source="skill.name")
    example = serializers.CharField()
    status = serializers.CharField()


class ReferenceOutput(OutputSerializer):
    id = serializers.IntegerField()
    addressed_to = serializers.CharField()
    status = serializers.CharField()
    requested_at = serializers.DateTimeField()
    signed_off_at = serializers.DateTimeField(allow_null=True)
    pdf_url = serializers.SerializerMethodField()

    def get_pdf_url(self, letter: object) -> str | None:
        if getattr(letter, "status", None) != "signed_off":
            return None
        return f"/portfolio/references/{getattr(letter, 'pk', '')}.pdf"


class PortfolioOutput(OutputSerializer):
    membership_id = serializers.IntegerField(source="membership.pk")
    name = serializers.CharField()
    total_minutes = serializers.IntegerField()
    total_hours = serializers.CharField()
    hours_by_kind = HoursByKindOutput(many=True)
    engagements = EngagementOutput(many=True)
    roles = RoleOutput(many=True)
    training = TrainingOutput(many=True)
    skills = SkillOutput(many=True, help_text="Confirmed skills only.")
    skill_claims = SkillClaimOutput(many=True, help_text="Every claim, with its status.")
    references = ReferenceOutput(many=True)
    outputs = serializers.SerializerMethodField(help_text="Outputs the person made (coming with engagements).")

    def get_outputs(self, portfolio: Portfolio) -> list[dict[str, str]]:
        return []


def _parse_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise Http404
    return int(raw)


class OwnPortfolioApi(PartnershipApi):
    @extend_schema(
        operation_id="portfolio_own_retrieve", responses=PortfolioOutput, summary="Your own portfolio (young people)"
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        membership = own_membership(user)
        return Response(PortfolioOutput(portfolio_for(user, membership.pk)).data)


class PortfolioApi(PartnershipApi):
    @extend_schema(
        operation_id="portfolio_retrieve",
        responses=PortfolioOutput,
        summary="A person's portfolio (workers, admins, safeguarding leads)",
    )
    def get(self, request: Request, membership_id: str) -> Response:
        return Response(PortfolioOutput(portfolio_for(actor(request), _parse_id(membership_id))).data)


urlpatterns: list[URLPattern] = [
    path("portfolio/", OwnPortfolioApi.as_view(), name="api_portfolio_own"),
    path("portfolio/<str:membership_id>/", PortfolioApi.as_view(), name="api_portfolio"),
]
