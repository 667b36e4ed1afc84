"""``.docx`` export of a draft (python-docx): A4, official margins, item symbols kept as text with
hanging indents so wrapped lines align after the symbol, 2 columns of indent per level.

Margins follow the 행정업무운영 편람 (위 30 mm, 아래 15 mm, 왼쪽 20 mm, 오른쪽 15 mm); 영 제7조제6항
fixes the paper (210 × 297 mm).
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from assistant.chains.format_check import parse_item
from ingest.legal.markup import is_table_line

FONT = "바탕"
FONT_SIZE_PT = 12
TITLE_SIZE_PT = 16
LINE_SPACING = 1.6
_COLUMN_PT = FONT_SIZE_PT / 2  # one half-width column; a Hangul character takes two
_ATTACH = re.compile(r"^(붙\s*임\s+)(\d{1,2}\.\s+)?")


def columns(text: str) -> int:
    """Display width in half-width columns (Hangul and full-width forms count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _set_font(run, size: float = FONT_SIZE_PT, bold: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT)  # Hangul uses the East Asian font slot


def _paragraph(
    doc,
    text: str,
    *,
    left_cols: int = 0,
    hanging_cols: int = 0,
    bold: bool = False,
    size: float = FONT_SIZE_PT,
    align=None,
):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = LINE_SPACING
    if left_cols or hanging_cols:
        fmt.left_indent = Pt(_COLUMN_PT * (left_cols + hanging_cols))
        fmt.first_line_indent = Pt(-_COLUMN_PT * hanging_cols)
    if align is not None:
        p.alignment = align
    if text:
        _set_font(p.add_run(text), size, bold)
    return p


def _box(doc, text: str) -> None:
    """A one-cell bordered table (the 요약 box of a 개조식 보고서)."""
    table = doc.add_table(rows=1, cols=1)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cell = table.cell(0, 0)
    cell.text = ""
    _set_font(cell.paragraphs[0].add_run(text))


def _table(doc, lines: list[str]) -> None:
    """Markdown table lines ("| a | b |", a "|---|" rule under the header) as a bordered table."""
    rows = [
        [c.strip() for c in ln.strip().strip("|").split("|")]
        for ln in lines
        if not re.fullmatch(r"\|?(\s*:?-{3,}:?\s*\|)+\s*", ln.strip())
    ]
    width = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c in range(width):
            cell = table.cell(r, c)
            cell.text = ""
            _set_font(cell.paragraphs[0].add_run(row[c] if c < len(row) else ""), bold=r == 0)


def build_docx(text: str, kind: str = "공문"):
    """A python-docx Document of the draft text."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(30), Mm(15)
    sec.left_margin, sec.right_margin = Mm(20), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(FONT_SIZE_PT)
    first = True
    table: list[str] = []
    for raw in text.split("\n"):
        line = raw.rstrip()
        if is_table_line(line):  # statute tables (연가일수 …) stay tables
            table.append(line)
            continue
        if table:
            _table(doc, table)
            table = []
        stripped = line.lstrip(" \u3000")
        indent = columns(line[: len(line) - len(stripped)])
        if not stripped:
            _paragraph(doc, "")
            continue
        if first:
            first = False  # 행정기관명 (공문) or the report title: centred, large
            _paragraph(doc, stripped, bold=True, size=TITLE_SIZE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
            continue
        if stripped.startswith("〈요약〉"):
            _box(doc, stripped.removeprefix("〈요약〉").strip())
            continue
        if re.match(r"^제\s*목\s", stripped):
            _paragraph(doc, stripped, bold=True)
            continue
        attach = _ATTACH.match(stripped)
        if attach:
            _paragraph(doc, stripped, hanging_cols=columns(attach.group(0)))
            continue
        item = parse_item(stripped)
        if item is not None:
            m = re.match(r"^\S+\s+", stripped)
            symbol_cols = columns(m.group(0)) if m else columns(item.symbol) + 1
            _paragraph(doc, stripped, left_cols=indent, hanging_cols=symbol_cols, bold=item.special == 1)
            continue
        _paragraph(doc, stripped, left_cols=indent)
    if table:
        _table(doc, table)
    return doc


def draft_docx_bytes(text: str, kind: str = "공문") -> bytes:
    """The draft as .docx bytes (for a download button)."""
    buf = io.BytesIO()
    build_docx(text, kind).save(buf)
    return buf.getvalue()


def write_docx(text: str, path: str | Path, kind: str = "공문") -> Path:
    path = Path(path)
    build_docx(text, kind).save(str(path))
    return path
