"""Charts for the reports, drawn once with reportlab.graphics from a ReportTable and rendered two ways: as SVG for
the pages (served from their own address and shown with <img alt="...">, so the page needs no inline style or
script for a strict Content-Security-Policy) and as a flowable in the annual report PDF.

The labels are our own words (months, kinds of work, statuses, channels, age bands), never text someone typed;
reportlab escapes them in the SVG all the same. Each chart sits above the table it was drawn from, which is its
text alternative.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from engagements.selectors.reports import ReportTable

WIDTH = 460
FONT = "Helvetica"
# GOV.UK Frontend's palette: blue, green, orange, purple, pink, turquoise, brown, dark blue, red, light blue.
PALETTE = tuple(
    colors.HexColor(value)
    for value in (
        "#1d70b8",
        "#00703c",
        "#f47738",
        "#4c2c92",
        "#d53880",
        "#28a197",
        "#b58840",
        "#003078",
        "#d4351c",
        "#5694ca",
    )
)
TEXT = colors.HexColor("#0b0c0c")


def nice_step(largest: float, *, whole: bool) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about five gridlines up to `largest`."""
    if largest <= 0:
        return 1.0
    raw = largest / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return max(step, 1.0) if whole else step


def _value_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def chart_drawing(table: ReportTable, *, width: int = WIDTH) -> Drawing | None:
    """The table's chart as a reportlab Drawing (None when the table has no chart or no rows)."""
    if table.chart is None or not table.rows:
        return None
    spec = table.chart
    series = table.series()
    labels = table.chart_labels
    stacked = len(series) > 1
    heights = [sum(values) for values in zip(*(values for _, values in series), strict=True)]
    largest = max(heights, default=0.0)
    whole = all(table.columns[i].kind == "count" for i in spec.value_columns)
    step = nice_step(largest, whole=whole)
    legend_height = 14 * len(series) + 10 if stacked else 0

    chart: BarChart
    if spec.orientation == "horizontal":
        chart = HorizontalBarChart()
        chart.x, chart.y = 175, 40 + legend_height
        chart.width, chart.height = width - chart.x - 20, max(22 * len(labels), 44)
        # Horizontal bars run from the top: the first row at the top, as in the table.
        chart.categoryAxis.reverseDirection = 1
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dx = -8
        height = chart.y + chart.height + 20
    else:
        chart = VerticalBarChart()
        chart.x, chart.y = 55, 55 + legend_height
        chart.width, chart.height = width - chart.x - 15, 180
        if len(labels) > 8:
            chart.categoryAxis.labels.angle = 45
            chart.categoryAxis.labels.boxAnchor = "ne"
            chart.categoryAxis.labels.dx, chart.categoryAxis.labels.dy = 4, -4
        else:
            chart.categoryAxis.labels.boxAnchor = "n"
            chart.categoryAxis.labels.dy = -4
        height = chart.y + chart.height + 25
    chart.data = [tuple(values) for _, values in series]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.fillColor = TEXT
    chart.categoryAxis.strokeColor = TEXT
    if stacked:
        chart.categoryAxis.style = "stacked"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = step
    chart.valueAxis.valueMax = max(step, math.ceil(largest / step) * step)
    chart.valueAxis.labelTextFormat = _value_text
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labels.fillColor = TEXT
    chart.valueAxis.strokeColor = TEXT
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#b1b4b6")
    chart.valueAxis.gridStrokeWidth = 0.5
    chart.barSpacing = 1
    chart.groupSpacing = 6
    for index in range(len(series)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
        chart.bars[index].strokeWidth = 0

    drawing = Drawing(width, height)
    drawing.add(chart)
    axis_label = String(
        chart.x if spec.orientation == "vertical" else chart.x + chart.width,
        height - 12,
        spec.axis_label,
        fontName=FONT,
        fontSize=9,
        fillColor=TEXT,
        textAnchor="start" if spec.orientation == "vertical" else "end",
    )
    drawing.add(axis_label)
    if stacked:
        legend = Legend()
        legend.x, legend.y = chart.x if spec.orientation == "vertical" else 10, legend_height
        legend.alignment = "right"
        legend.fontName = FONT
        legend.fontSize = 8
        legend.columnMaximum = len(series)
        legend.deltay = 14
        legend.dx = legend.dy = 8
        legend.strokeColor = None
        legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, (name, _) in enumerate(series)]
        drawing.add(legend)
    return drawing


def chart_description(table: ReportTable) -> str:
    """The alt text: what the chart shows, and where the figures are."""
    return f"Bar chart: {table.title}. The figures are in the table below it."


def chart_svg(table: ReportTable) -> str | None:
    """The chart as a standalone SVG document (None when the table has no chart)."""
    drawing = chart_drawing(table)
    if drawing is None:
        return None
    svg: str = renderSVG.drawToString(drawing, svgAttrs={"role": "img", "aria-label": chart_description(table)})
    svg = svg.replace("<title>...</title>", f"<title>{escape(table.title)}</title>", 1)
    return svg.replace("<desc>...</desc>", f"<desc>{escape(chart_description(table))}</desc>", 1)
