"""PDF files via pypdf (the registered loader).

Two paths: law.go.kr statute PDFs (detected by their footer) are rebuilt into canonical
statute markdown (`pdf_statute`); every other PDF is a guideline whose lines are cleaned but kept
as laid out (`pdf_guideline`), with OCR for image-only pages and tables (`pdf_ocr`, `pdf_tables`).
Either way the text holds one PAGE_BREAK line between consecutive pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.core.model import (
    ErrorKind,
    LoadedDocument,
    LoaderError,
    LoadLimits,
    check_text_budget,
)
from ingest.documents.loaders.pdf_guideline import GLUED_RUN_LENGTH, load_guideline_pdf, mean_hangul_run
from ingest.documents.loaders.pdf_statute import is_law_go_kr, load_statute_pdf
from ingest.documents.loaders.pdf_text import (
    MIN_TEXT_CHARS,
    OCR_REASON,
    PdfPage,
    check_page_count,
    open_reader,
    read_pages,
    safe_extract,
)

PROBE_PAGES = 5


def _require_text(path: Path, pages: list[PdfPage], limits: LoadLimits) -> None:
    check_text_budget(str(path), sum(len(p.text) for p in pages), limits)
    visible = sum(1 for p in pages for ch in p.text if not ch.isspace())
    if visible < MIN_TEXT_CHARS:
        raise LoaderError(str(path), OCR_REASON.format(pages=len(pages)), ErrorKind.NO_TEXT)


def _tables(path: Path, wanted: bool, skip: set[int]) -> dict[int, list[str]]:
    if not wanted:
        return {}
    from ingest.documents.loaders.pdf_tables import pdf_table_blocks

    return pdf_table_blocks(path, skip)


def _ocr_guideline(
    path: Path, reader: Any, pages: list[PdfPage], respace: bool, limits: LoadLimits
) -> LoadedDocument:
    """A guideline PDF whose pages without a text layer were read by OCR (when enabled); a
    file left without any text raises LoaderError (OCR needed / no text found)."""
    from ingest.documents.loaders.pdf_ocr import ocr_pdf_pages, pages_to_ocr

    ocr, tables = limits.ocr, limits.pdf_tables
    if not ocr.enabled:
        _require_text(path, pages, limits)
        return load_guideline_pdf(path, reader, pages, respace, tables=_tables(path, tables, set()))
    result = ocr_pdf_pages(path, pages_to_ocr([p.text for p in pages], ocr.min_page_chars), ocr)
    for index, text in result.texts.items():
        pages[index] = PdfPage(text, [])
    check_text_budget(str(path), sum(len(p.text) for p in pages), limits)
    visible = sum(1 for p in pages for ch in p.text if not ch.isspace())
    if visible < MIN_TEXT_CHARS:
        reason = result.warnings[0] if result.warnings else f"OCR 결과 {visible}자"
        raise LoaderError(str(path), f"스캔 PDF에서 글자를 찾지 못했습니다 ({reason})", ErrorKind.NO_TEXT)
    done = set(result.texts)
    doc = load_guideline_pdf(path, reader, pages, respace, done, _tables(path, tables, done))
    doc.ocr_pages = result.confidences
    doc.warnings = result.warnings
    if result.texts:
        doc.metadata.update(ocr_page_count=len(result.texts), ocr_seconds=round(result.seconds, 2))
    return doc


def load_pdf(path: Path, limits: LoadLimits) -> LoadedDocument:
    """Load a PDF; pages without a text layer are read by OCR when ``limits.ocr`` is enabled (a
    text PDF is never OCR'd), otherwise image-only scans raise LoaderError (OCR needed). With
    ``limits.pdf_tables``, ruled tables of guideline PDFs are added as rows with headers.

    The first pages decide how the rest is read, so that no page is parsed more often than
    needed (pypdf needs ~40 ms per page): law.go.kr statutes with line positions; guidelines
    whose justified text comes out glued in plain mode entirely in layout mode; other
    guidelines in plain mode, re-reading only their glued pages in layout mode."""
    reader = open_reader(path, str(path))
    check_page_count(str(path), len(reader.pages), limits.max_pdf_pages)
    n_probe = min(PROBE_PAGES, len(reader.pages))
    probe = [safe_extract(reader.pages[i], "plain", path, i + 1) or PdfPage("", []) for i in range(n_probe)]
    if is_law_go_kr(probe):
        pages = read_pages(reader, path, "lines")
        _require_text(path, pages, limits)
        return load_statute_pdf(path, pages)
    glued = sum(1 for p in probe if mean_hangul_run(p.text) > GLUED_RUN_LENGTH)
    if glued >= max(2, (n_probe + 1) // 2):
        pages = read_pages(reader, path, "layout")
        return _ocr_guideline(path, reader, pages, False, limits)
    pages = read_pages(reader, path, "plain", done=probe)
    return _ocr_guideline(path, reader, pages, True, limits)
