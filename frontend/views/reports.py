"""Pages for the feedback loop's reports.

- `reports_dashboard` (/reports/): the partnership dashboard for a from/to period (the current reporting year
  unless dates are given), for staff with engagements.view_reports; anyone else gets a 403, like other staff pages.
  Each table has its chart above it and a CSV download (`reports_csv`, /reports/<table>.csv with the same dates).
- `annual_report_index`, `annual_report` and `annual_report_pdf`: the young person's version of the annual report
  for a reporting year (1 April to 31 March, named by the year it starts), for every partnership member.

Charts are SVG served from their own address (`reports_chart`, `annual_report_chart`) and shown with
<img alt="...">: reportlab's SVG carries style attributes, which a strict Content-Security-Policy forbids inline in
a page but allows in an image. Each chart response gets its own `default-src 'none'` policy, so even opened on its
own it can run nothing. The table under each chart is its text alternative.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from core.permissions import require
from engagements.annual_report import annual_report_pdf as build_pdf
from engagements.annual_report import headline
from engagements.charts import chart_description, chart_svg
from engagements.selectors.reports import (
    DASHBOARD_TABLES,
    VIEW_ANNUAL_REPORT,
    VIEW_REPORTS,
    AnnualReport,
    Period,
    ReportTable,
    annual_report_for,
    annual_report_years,
    annual_year_valid,
    current_reporting_year,
    dashboard_for,
    dashboard_table_for,
    reporting_year,
    year_label,
)
from frontend.forms.reports import period_form
from frontend.views.home import acting_user

ANNUAL_TABLES = ("sessions", "hours", "recommendations")


def _csv_safe(value: str) -> str:
    """Round titles are typed by staff: stop a spreadsheet reading a cell as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _reporter(request: HttpRequest) -> Any:
    user = acting_user(request)
    require(user, VIEW_REPORTS, message="You do not have permission to see the partnership's reports.")
    return user


def _period(request: HttpRequest) -> Period:
    """The dates of a CSV or chart request (made from the dashboard's links, so already checked there)."""
    period = period_form(request.GET).period()
    if period is None:
        raise _BadDates
    return period


class _BadDates(Exception):
    pass


@login_required
@require_GET
def reports_dashboard(request: HttpRequest) -> HttpResponse:
    user = _reporter(request)
    form = period_form(request.GET)
    period = form.period()
    dashboard = dashboard_for(user, period) if period is not None else None
    query = request.GET.urlencode() if form.is_bound else ""
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "years": _recent_years(),
            "dashboard": dashboard,
            "tables": [_shown(table) for table in dashboard.tables] if dashboard else [],
            "query": query,
        },
    )


def _recent_years() -> list[tuple[str, str]]:
    """This reporting year and the two before it, as (label, query string) for quick links."""
    latest = current_reporting_year()
    years = []
    for year in range(latest, latest - 3, -1):
        period = reporting_year(year)
        dates = {
            "starts_0": period.starts.day, "starts_1": period.starts.month, "starts_2": period.starts.year,
            "ends_0": period.ends.day, "ends_1": period.ends.month, "ends_2": period.ends.year,
        }  # fmt: skip
        years.append((year_label(year), urlencode(dates)))
    return years


def _cells(table: ReportTable, row: list[str]) -> list[dict[str, Any]]:
    """Each cell with how to show it: the first column's text heads its row; figures line up on the right."""
    return [
        {"text": text, "header": index == 0 and column.kind == "text", "numeric": column.kind != "text"}
        for index, (text, column) in enumerate(zip(row, table.columns, strict=True))
    ]


def _shown(table: ReportTable, *, year: int | None = None) -> dict[str, Any]:
    total = table.display_total()
    return {
        "table": table,
        "rows": [_cells(table, row) for row in table.display_rows()],
        "total": _cells(table, total) if total is not None else None,
        "has_chart": table.chart is not None and not table.is_empty,
        "alt": chart_description(table),
        "year": year,
    }


@login_required
@require_GET
def reports_csv(request: HttpRequest, table: str) -> HttpResponse:
    user = _reporter(request)
    if table not in DASHBOARD_TABLES:
        raise Http404("No such table.")
    try:
        period = _period(request)
    except _BadDates:
        return HttpResponseBadRequest("Check the dates on the reports page.", content_type="text/plain")
    found = dashboard_table_for(user, table, period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{table}-{period.starts:%Y-%m-%d}-to-{period.ends:%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([found.title])
    for row in found.csv_rows():
        writer.writerow([_csv_safe(cell) for cell in row])
    writer.writerow([])
    writer.writerow([f"{period.label}. {found.note}"])
    return response


def _svg(table: ReportTable) -> HttpResponse:
    svg = chart_svg(table)
    if svg is None:
        raise Http404("This table has no chart.")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_GET
def reports_chart(request: HttpRequest, table: str) -> HttpResponse:
    user = _reporter(request)
    if table not in DASHBOARD_TABLES:
        raise Http404("No such chart.")
    try:
        period = _period(request)
    except _BadDates:
        return HttpResponseBadRequest("Check the dates on the reports page.", content_type="text/plain")
    return _svg(dashboard_table_for(user, table, period))


# --- The young person's annual report ------------------------------------------------------------------------------


def _annual(request: HttpRequest, year: int) -> AnnualReport:
    user = acting_user(request)
    require(user, VIEW_ANNUAL_REPORT, message="You do not have permission to see the annual report.")
    if not annual_year_valid(year):
        raise Http404("No annual report for that year.")
    return annual_report_for(user, year)


@login_required
@require_GET
def annual_report_index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    years = annual_report_years(user)
    return render(
        request,
        "reports/annual_index.html",
        {"years": [(year, year_label(year)) for year in years]},
    )


@login_required
@require_GET
def annual_report(request: HttpRequest, year: int) -> HttpResponse:
    report = _annual(request, year)
    return render(
        request,
        "reports/annual.html",
        {
            "report": report,
            "headline": headline(report),
            "sessions": _shown(report.table("sessions"), year=year),
            "hours": _shown(report.table("hours"), year=year),
            "statuses": _shown(report.table("recommendations"), year=year),
        },
    )


@login_required
@require_GET
def annual_report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    report = _annual(request, year)
    response = HttpResponse(build_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="annual-report-{year}-to-{year + 1}.pdf"'
    return response


@login_required
@require_GET
def annual_report_chart(request: HttpRequest, year: int, table: str) -> HttpResponse:
    report = _annual(request, year)
    if table not in ANNUAL_TABLES:
        raise Http404("No such chart.")
    return _svg(report.table(table))


urlpatterns: list[URLPattern] = [
    path("reports/", reports_dashboard, name="reports_dashboard"),
    path("reports/<slug:table>.csv", reports_csv, name="reports_csv"),
    path("reports/<slug:table>.svg", reports_chart, name="reports_chart"),
    path("annual-report/", annual_report_index, name="annual_report_index"),
    path("annual-report/<int:year>/", annual_report, name="annual_report"),
    path("annual-report/<int:year>/pdf/", annual_report_pdf, name="annual_report_pdf"),
    path("annual-report/<int:year>/<slug:table>.svg", annual_report_chart, name="annual_report_chart"),
]
