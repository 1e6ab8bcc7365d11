"""The printable certificate: an A4 landscape PDF with a QR code of its verification page."""

import io

import segno
from fpdf import FPDF

from app.models import Certificate


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{certificate.course_title}: {certificate.holder_name}")
    pdf.set_author("Takt")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(29, 36, 48)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    _line(pdf, 38, "Helvetica", "B", 30, "Certificate of achievement")
    _line(pdf, 62, "Helvetica", "", 14, "This certifies that")
    _line(pdf, 80, "Helvetica", "B", 28, certificate.holder_name)
    _line(pdf, 102, "Helvetica", "", 14, "has completed every module and passed the final exam of")
    _line(pdf, 120, "Helvetica", "B", 22, f"Lean Six Sigma {certificate.display_title}")
    issued = certificate.issued_at.strftime("%d %B %Y")
    expires = certificate.expires_at.strftime("%d %B %Y") if certificate.expires_at else "no expiry"
    _line(pdf, 140, "Helvetica", "", 12, f"Issued {issued} - valid until {expires}")
    pdf.image(_qr_png(verify_url), x=30, y=150, w=38, h=38)
    pdf.set_xy(74, 162)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        180, 6, f"Check this certificate at\n{verify_url}\nVerification code {certificate.code}"
    )
    return bytes(pdf.output())


def _line(pdf: FPDF, y: float, family: str, style: str, size: int, text: str) -> None:
    pdf.set_xy(10, y)
    pdf.set_font(family, style, size)
    pdf.cell(277, 12, _latin1(text), align="C")


def _latin1(text: str) -> str:
    """The built-in PDF fonts cover Latin-1; other characters are replaced, not dropped."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer
