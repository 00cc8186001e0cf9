"""Training certificates as PDF (reportlab): who, which module, when, which partnership, who signed it off."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas

from participants.models import TrainingRecord


def training_certificate_pdf(record: TrainingRecord) -> bytes:
    """The certificate for one completion. The caller has already checked the reader may see the record."""
    buffer = io.BytesIO()
    page = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=page, pageCompression=0)
    pdf.setTitle(f"Certificate: {record.module.title}")
    pdf.setAuthor(record.partnership.name)
    width, height = page
    middle = width / 2
    pdf.setLineWidth(3)
    pdf.rect(1.5 * cm, 1.5 * cm, width - 3 * cm, height - 3 * cm)
    lines: list[tuple[str, int, str]] = [
        ("Helvetica", 16, record.partnership.name),
        ("Helvetica-Bold", 30, "Certificate of training"),
        ("Helvetica", 14, "This is to certify that"),
        ("Helvetica-Bold", 24, record.membership.user.full_name),
        ("Helvetica", 14, "completed"),
        ("Helvetica-Bold", 20, record.module.title),
        ("Helvetica", 14, f"on {record.completed_on:%-d %B %Y}"),
    ]
    if record.expires_on:
        lines.append(("Helvetica", 12, f"Valid until {record.expires_on:%-d %B %Y}"))
    lines.append(("Helvetica", 12, f"Signed off by {record.signed_off_by.full_name}"))
    y = height - 4 * cm
    for font, size, text in lines:
        pdf.setFont(font, size)
        pdf.drawCentredString(middle, y, text)
        y -= size + 16
    pdf.setFont("Helvetica", 9)
    pdf.drawCentredString(middle, 2.2 * cm, f"Certificate reference TR-{record.pk}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
