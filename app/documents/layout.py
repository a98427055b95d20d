"""The court's page: header, parties, tables, signature block, and the verification line.

Every renderer of ``app.documents`` builds its body from these pieces, so all documents of
the court look alike, and every page carries the verification code and the address where
anyone can check the document (``/verify/<code>``: title, case number, date, SHA-256).

**User text never reaches reportlab's markup unescaped.** reportlab's ``Paragraph`` reads
a mini-HTML: ``<img src="/path">`` embeds any local file the process can read, ``<a
href>`` makes links, ``<font>`` changes the face. A party name or a term typed by a user
goes through :func:`text` (XML-escaped, line breaks kept), so it is printed literally.
Only this module writes markup.

Layout in plain data: the functions take strings, dates and fen, never ORM rows, and the
font name, so the same layout renders Chinese with the court's CJK font or, for the
benchmark, ASCII with Helvetica.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mediation.amounts import format_yuan

PAGE_MARGIN = 20 * mm


@dataclass(frozen=True)
class Styles:
    font: str
    title: ParagraphStyle
    court: ParagraphStyle
    number: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle


def styles(font: str) -> Styles:
    """Paragraph styles in ``font``; CJK line breaking (any character may end a line)."""

    def style(name, size, leading, **extra):
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading, wordWrap="CJK", **extra)

    return Styles(
        font=font,
        court=style("court", 15, 20, alignment=TA_CENTER),
        title=style("title", 20, 28, alignment=TA_CENTER, spaceBefore=4, spaceAfter=4),
        number=style("number", 11, 16, alignment=TA_CENTER, spaceAfter=10),
        heading=style("heading", 12.5, 18, spaceBefore=10, spaceAfter=4),
        body=style("body", 10.5, 17, firstLineIndent=0),
        cell=style("cell", 9.5, 13),
    )


def text(value) -> str:
    """User text as safe Paragraph markup: XML-escaped, line breaks kept, None as empty."""
    if value is None:
        return ""
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def para(value, style: ParagraphStyle) -> Paragraph:
    """A paragraph of user text (escaped)."""
    return Paragraph(text(value), style)


def yuan(fen: int | None) -> str:
    return "" if fen is None else format_yuan(fen)


def court_header(st: Styles, *, court_name: str, circuit_name: str | None, title: str, case_number: str) -> list:
    """The court, the circuit court, the document's title and the case number."""
    flow = [para(court_name, st.court)]
    if circuit_name:
        flow.append(para(circuit_name, st.court))
    flow += [para(title, st.title), para(case_number, st.number)]
    return flow


def table(st: Styles, header: list[str], rows: list[list], widths: list[float] | None = None) -> Table:
    """A ruled table whose every cell is escaped text (headers included)."""
    data = [[para(h, st.cell) for h in header]] + [[para(v, st.cell) for v in row] for row in rows]
    width = A4[0] - 2 * PAGE_MARGIN
    col_widths = [width * w for w in widths] if widths else None
    result = Table(data, colWidths=col_widths, repeatRows=1)
    result.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return result


def section(st: Styles, heading: str, *flowables) -> list:
    return [para(heading, st.heading), *flowables]


def numbered(st: Styles, items: list[str]) -> list:
    """Numbered clauses: 一、二、三…, each escaped."""
    return [para(f"{chinese_number(i)}、{item}", st.body) for i, item in enumerate(items, 1)]


def signature_block(st: Styles, signers: list[tuple[str, str]], *, dated: date | None, place: str | None,
                    labels: tuple[str, ...] = ("当事人", "签名", "日期", "签名（盖章）：", "日期："),
                    marks: list[tuple[str, str] | None] | None = None) -> list:
    """One line per signer (role, name): where to sign and date — or, where ``marks`` gives
    one for that signer, how and when it signed online; then place and date."""
    party, sign, day, sign_here, day_here = labels
    marks = marks or [None] * len(signers)
    rows = [[f"{role}：{name}", *(mark or (sign_here, day_here))] for (role, name), mark in zip(signers, marks)]
    block = table(st, [party, sign, day], rows, widths=[0.45, 0.35, 0.20])
    block.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, -1), 12), ("BOTTOMPADDING", (0, 1), (-1, -1), 12)]))
    tail = []
    if place or dated:
        tail.append(Spacer(1, 6))
        tail.append(para("　".join(x for x in (place, dated.isoformat() if dated else None) if x), st.body))
    return [Spacer(1, 8), block, *tail]


def chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def build_pdf(story: list, *, font: str, title: str, case_number: str, verify_code: str, verify_url: str,
              invariant: bool = False, footer_label: str = "验证码", check_label: str = "核验",
              page_label: str = "第{page}页") -> bytes:
    """Lay out ``story`` on A4 with the verification line and page number on every page."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN, bottomMargin=PAGE_MARGIN + 6 * mm,
        title=title, subject=case_number, author="", creator="court mediation platform",
        invariant=1 if invariant else 0,
    )
    footer = f"{footer_label} {format_verify_code(verify_code)}  {check_label}: {verify_url}"

    def on_page(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 8.5)
        canvas.setFillColor(colors.Color(0.25, 0.25, 0.25))
        canvas.drawString(PAGE_MARGIN, PAGE_MARGIN - 1 * mm, footer)
        canvas.drawString(PAGE_MARGIN, PAGE_MARGIN - 5.5 * mm, case_number)
        canvas.drawRightString(A4[0] - PAGE_MARGIN, PAGE_MARGIN - 5.5 * mm, page_label.format(page=document.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def format_verify_code(code: str) -> str:
    """``ABCDEFGHJKLMNPQR`` → ``ABCD-EFGH-JKLM-NPQR`` (easier to read aloud and type)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
