"""The young person's annual report as a PDF (reportlab platypus), from the same AnnualReport the page shows, with
the same charts (engagements/charts.py).

Built with page compression off and `invariant=1` (no timestamps or random ids), like the reference letter: the
same report gives the same bytes, and its words can be found in them. Every piece of text that came from a person
(a recommendation, a response, an output's title) is escaped before it becomes a Paragraph.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from engagements.charts import chart_drawing
from engagements.selectors.reports import AnnualReport, ReportTable

MARGIN = 22 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
GRID = colors.HexColor("#b1b4b6")


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def headline(report: AnnualReport) -> list[str]:
    """The year's totals in plain words (the page says the same)."""
    return [
        f"{plural(report.young_people, 'young person', 'young people')} took part.",
        f"Together you did {report.hours_text} hours of work.",
        f"You came to {plural(report.sessions, 'session', 'sessions')}.",
        f"You made {plural(report.recommendations, 'recommendation', 'recommendations')}.",
    ]


def _table(table: ReportTable, body: ParagraphStyle) -> Table:
    header = [Paragraph(f"<b>{escape(column.label)}</b>", body) for column in table.columns]
    rows = [[Paragraph(escape(cell), body) for cell in row] for row in table.display_rows()]
    total = table.display_total()
    if total is not None:
        rows.append([Paragraph(f"<b>{escape(cell)}</b>", body) for cell in total])
    first = FRAME_WIDTH * 0.6 if len(table.columns) == 2 else FRAME_WIDTH / len(table.columns)
    widths = [first] + [(FRAME_WIDTH - first) / (len(table.columns) - 1)] * (len(table.columns) - 1)
    grid = Table([header, *rows], colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return grid


def _section(table: ReportTable, heading: str, intro: str, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(escape(heading), styles["h2"]), Paragraph(escape(intro), styles["body"])]
    if table.is_empty:
        return [*story, Paragraph("Nothing to show for this year.", styles["body"])]
    drawing = chart_drawing(table, width=int(FRAME_WIDTH))
    if drawing is not None:
        story.append(drawing)
    story += [Spacer(1, 2 * mm), _table(table, styles["small"]), Spacer(1, 6 * mm)]
    return story


def annual_report_pdf(report: AnnualReport) -> bytes:
    sample = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=sample["BodyText"], fontSize=11, leading=15)
    styles = {
        "h1": ParagraphStyle("H1", parent=sample["Heading1"], fontSize=20, leading=24),
        "h2": ParagraphStyle("H2", parent=sample["Heading2"], fontSize=15, leading=19, spaceBefore=6),
        "h3": ParagraphStyle("H3", parent=sample["Heading3"], fontSize=12, leading=15),
        "body": body,
        "small": ParagraphStyle("Small", parent=body, fontSize=9, leading=12),
        "big": ParagraphStyle("Big", parent=body, fontSize=13, leading=19),
    }
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"What young scrutineers did in {report.label}",
        author=report.partnership_name,
        pageCompression=0,
        invariant=1,
    )
    story: list[Flowable] = [
        Paragraph(escape(report.partnership_name), styles["h3"]),
        Paragraph(f"What young scrutineers did in {escape(report.label)}", styles["h1"]),
        Paragraph(f"From {escape(report.period.label)}.", body),
        Spacer(1, 4 * mm),
        *(Paragraph(escape(line), styles["big"]) for line in headline(report)),
        Spacer(1, 6 * mm),
    ]
    story += _section(
        report.table("sessions"),
        "The sessions you came to",
        "Each kind of session, and how many times at least one of you came.",
        styles,
    )
    story += _section(
        report.table("hours"),
        "Your hours, month by month",
        "The hours you worked, once a worker approved them: getting ready, the session itself and travel.",
        styles,
    )
    story += _section(
        report.table("recommendations"),
        "What you recommended, and what happened",
        "Every recommendation you made this year, and where it has got to.",
        styles,
    )
    if report.examples:
        story.append(Paragraph("You said, we did", styles["h2"]))
        for example in report.examples:
            parts = [
                Paragraph(f"<b>You said:</b> {escape(example.you_said)}", body),
                Paragraph(f"<b>What we decided:</b> {escape(example.decision)}.", body),
                Paragraph(f"<b>Where it is now:</b> {escape(example.status)}.", body),
            ]
            if example.we_did:
                parts.append(Paragraph(f"<b>What we did:</b> {escape(example.we_did)}", body))
            story += [KeepTogether(parts), Spacer(1, 4 * mm)]
    story.append(Paragraph("Things you made", styles["h2"]))
    if report.outputs:
        for output in report.outputs:
            line = f"<b>{escape(output.title)}</b> ({escape(output.kind_label.lower())})"
            if output.link:
                line += f": {escape(output.link)}"
            story.append(Paragraph(line, body))
    else:
        story.append(Paragraph("Nothing to show yet.", body))
    document.build(story)
    return buffer.getvalue()
