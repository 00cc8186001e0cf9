"""The /api/v1/ reports: the partnership dashboard's tables for a period (staff with engagements.view_reports) and
the young person's annual report for a reporting year (every partnership member).

Each table comes as its title, its columns (with the kind of figure: count, hours, money in pence, days), `rows`
as the page shows them ("£12.50", "fewer than 5") and `values` as numbers (money in pence; a hidden count is
null), with a note saying exactly what it counts.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import OutputSerializer, PartnershipApi, actor
from engagements.annual_report import headline
from engagements.selectors.reports import (
    FIRST_YEAR,
    AnnualReport,
    Dashboard,
    ReportTable,
    annual_report_for,
    annual_year_valid,
    dashboard_for,
    make_period,
    raw_value,
)
from participants.apis.recruitment import named_choice_field

ColumnKindField = named_choice_field(
    "ReportColumnKindEnum",
    [
        ("text", "Text"),
        ("count", "A count"),
        ("hours", "Hours"),
        ("money", "Money, in pence"),
        ("days", "Days"),
    ],
)


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}], "nullable": True})
class CellField(serializers.Field):
    """A figure: a number (money in pence), text (a row's label), or null (a hidden count, or none)."""

    def to_representation(self, value: Any) -> Any:
        return value


class ColumnOutput(OutputSerializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    kind = ColumnKindField()


class ReportTableOutput(OutputSerializer):
    key = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField(help_text="Exactly what the table counts.")
    columns = ColumnOutput(many=True)
    rows = serializers.SerializerMethodField(help_text="Each row as the page shows it.")
    total = serializers.SerializerMethodField(help_text="The total row as the page shows it, if the table has one.")
    values = serializers.SerializerMethodField(
        help_text="Each row's figures: numbers (money in pence), labels as text, a hidden count as null."
    )

    @extend_schema_field(serializers.ListField(child=serializers.ListField(child=serializers.CharField())))
    def get_rows(self, table: ReportTable) -> list[list[str]]:
        return table.display_rows()

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_total(self, table: ReportTable) -> list[str] | None:
        return table.display_total()

    @extend_schema_field(serializers.ListField(child=serializers.ListField(child=CellField())))
    def get_values(self, table: ReportTable) -> list[list[Any]]:
        return [[raw_value(cell) for cell in row] for row in table.rows]


class DashboardOutput(OutputSerializer):
    starts = serializers.DateField(source="period.starts")
    ends = serializers.DateField(source="period.ends")
    tables = ReportTableOutput(many=True)


class ReportFilter(serializers.Serializer):
    """`from` and `to` (both days included); either left out falls back to the current reporting year's."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": serializers.DateField(required=False, help_text="The first day, like 2025-04-01."),
            "to": serializers.DateField(required=False, help_text="The last day, like 2026-03-31."),
        }


class ExampleOutput(OutputSerializer):
    you_said = serializers.CharField()
    decision = serializers.CharField()
    status = serializers.CharField()
    we_did = serializers.CharField()


class ShownOutputOutput(OutputSerializer):
    title = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    link = serializers.CharField()


class AnnualReportOutput(OutputSerializer):
    year = serializers.IntegerField(help_text="The reporting year starts on 1 April of this year.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    starts = serializers.DateField(source="period.starts")
    ends = serializers.DateField(source="period.ends")
    partnership_name = serializers.CharField()
    headline = serializers.SerializerMethodField(help_text="The year's totals in plain words.")
    young_people = serializers.IntegerField()
    hours = serializers.FloatField()
    minutes = serializers.IntegerField()
    sessions = serializers.IntegerField()
    recommendations = serializers.IntegerField()
    tables = ReportTableOutput(many=True)
    examples = ExampleOutput(many=True, help_text="'You said, we did': recommendations marked public, no names.")
    outputs = ShownOutputOutput(many=True, help_text="What young people made, whose media consents all stand.")

    def get_headline(self, report: AnnualReport) -> list[str]:
        return headline(report)


class ReportsApi(PartnershipApi):
    @extend_schema(
        parameters=[ReportFilter],
        responses=DashboardOutput,
        summary="The partnership dashboard's tables for a period (staff who see reports)",
    )
    def get(self, request: Request) -> Response:
        filters = ReportFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        starts: datetime.date | None = filters.validated_data.get("from")
        ends: datetime.date | None = filters.validated_data.get("to")
        user = actor(request)
        try:
            period = make_period(starts, ends)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        dashboard: Dashboard = dashboard_for(user, period)
        return Response(DashboardOutput(dashboard).data)


class AnnualReportApi(PartnershipApi):
    @extend_schema(
        responses=AnnualReportOutput,
        summary="The young person's annual report for the reporting year starting 1 April of `year`",
    )
    def get(self, request: Request, year: int) -> Response:
        user = actor(request)
        if not annual_year_valid(year):
            raise Http404(f"No annual report for that year (from {FIRST_YEAR} to this reporting year).")
        return Response(AnnualReportOutput(annual_report_for(user, year)).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", ReportsApi.as_view(), name="api-reports"),
    path("reports/annual/<int:year>/", AnnualReportApi.as_view(), name="api-annual-report"),
]
