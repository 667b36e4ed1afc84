"""Ruled tables of guideline PDFs as rows with their headers, found by pdfplumber (line-based
table detection on pdfminer's layout).

pdfplumber needs 0.3–1 s per page, so it only looks at pages that draw enough path objects
(table rules) according to pypdfium2, which counts them in milliseconds. The table blocks are
appended to their page's text; the page keeps its flat text too (the cells in reading order).
"""

from __future__ import annotations

import logging
from itertools import islice
from pathlib import Path

from ingest.documents.tables import TABLE_CLOSE, TABLE_OPEN, grid_from_matrix, table_block

log = logging.getLogger(__name__)

MIN_PATHS = 12  # a table with 3 rows × 2 columns draws at least this many rules or cell boxes
CAPTION_GAP = 40.0  # points above a table searched for its caption


def ruled_pages(path: Path) -> list[int]:
    """0-based indexes of pages with at least MIN_PATHS path objects."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for i in range(len(pdf)):
            objects = pdf[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2)
            if sum(1 for _ in islice(objects, MIN_PATHS)) >= MIN_PATHS:
                out.append(i)
        return out
    finally:
        pdf.close()


def _caption(page: object, top: float) -> str:
    try:
        above = page.crop((0, max(top - CAPTION_GAP, 0), page.width, top)).extract_text() or ""  # type: ignore[attr-defined]
    except ValueError:  # a bbox outside the page
        return ""
    lines = [ln.strip() for ln in above.split("\n") if ln.strip()]
    return lines[-1] if lines else ""


def pdf_table_blocks(path: Path, skip: set[int] | None = None) -> dict[int, list[str]]:
    """Page index (0-based) → table block lines of the data tables found on it; pages in `skip`
    (OCR'd pages) are not searched. Any pdfplumber failure leaves the page without tables."""
    import pdfplumber

    found: dict[int, list[str]] = {}
    candidates = [i for i in ruled_pages(path) if i not in (skip or set())]
    if not candidates:
        return found
    with pdfplumber.open(str(path)) as pdf:
        for i in candidates:
            page = pdf.pages[i]
            try:
                tables = page.find_tables()
                blocks: list[str] = []
                for table in tables:
                    rows = table.extract()
                    if rows:
                        blocks.extend(table_block(grid_from_matrix(rows), _caption(page, table.bbox[1])))
            except Exception as exc:  # pdfminer raises many types on odd content
                log.warning("%s: tables of page %d unreadable: %s", path, i + 1, exc)
                continue
            finally:
                page.close()
            if any(ln.startswith(TABLE_OPEN) for ln in blocks):  # layout tables stay in the flat text only
                found[i] = _only_blocks(blocks)
    return found


def _only_blocks(lines: list[str]) -> list[str]:
    """The marked blocks of `lines` (table_block's plain fallback lines are dropped: the page's
    flat text has them already)."""
    out: list[str] = []
    inside = False
    for ln in lines:
        if ln.startswith(TABLE_OPEN):
            inside = True
        if inside:
            out.append(ln)
        if ln == TABLE_CLOSE:
            inside = False
    return out
