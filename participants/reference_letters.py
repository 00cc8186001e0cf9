"""The reference letter as a PDF (reportlab), from the text kept at sign-off.

Built with page compression off and `invariant=1` (no timestamps or random ids), so the same letter gives the
same bytes and its words can be found in them (tests check the confirmed hours are there).
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from participants.models import ReferenceLetter


def reference_letter_pdf(letter: ReferenceLetter) -> bytes:
    if letter.status != ReferenceLetter.Status.SIGNED_OFF:
        raise ValueError("Only a signed-off letter can be made into a PDF.")
    membership = letter.membership
    partnership = membership.partnership
    styles = getSampleStyleSheet()
    body_style = styles["BodyText"]
    body_style.fontSize = 11
    body_style.leading = 15
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"Reference for {membership.user.full_name}",
        author=partnership.name,
        pageCompression=0,
        invariant=1,
    )
    signed_on = timezone.localtime(letter.signed_off_at).date() if letter.signed_off_at else None
    story = [
        Paragraph(escape(partnership.name), styles["Heading2"]),
        Paragraph(f"{signed_on:%-d %B %Y}" if signed_on else "", body_style),
        Spacer(1, 6 * mm),
        Paragraph(escape(letter.addressed_to), body_style),
        Spacer(1, 4 * mm),
        Paragraph(f"Reference for {escape(membership.user.full_name)}", styles["Heading3"]),
    ]
    for paragraph in letter.body.split("\n\n"):
        story += [Paragraph(escape(paragraph.strip()).replace("\n", "<br/>"), body_style), Spacer(1, 2 * mm)]
    signer = letter.signed_off_by.full_name if letter.signed_off_by else "A participation worker"
    story += [
        Spacer(1, 6 * mm),
        Paragraph("Yours faithfully,", body_style),
        Spacer(1, 4 * mm),
        Paragraph(escape(signer), body_style),
        Paragraph(f"Participation worker, {escape(partnership.name)}", body_style),
    ]
    if partnership.contact_email:
        story.append(Paragraph(escape(partnership.contact_email), body_style))
    document.build(story)
    return buffer.getvalue()
