"""Reading a PDF's text layer with pypdf: pages as positioned lines, with limits and clear errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ingest.core.model import (
    ErrorKind,
    LoaderError,
)

log = logging.getLogger(__name__)


OCR_REASON = "텍스트 레이어가 없습니다 (no text layer — OCR needed, 스캔 문서 {pages}쪽)"
MIN_TEXT_CHARS = 20  # fewer visible characters in the whole file = an image-only scan


@dataclass(frozen=True)
class Line:
    x: float  # start x in PDF user space (points)
    y: float
    text: str  # as extracted, leading spaces kept (law.go.kr indents headings with spaces)


@dataclass
class PdfPage:
    text: str  # pypdf's own layout of the page
    lines: list[Line]  # the same text, grouped by baseline, with x positions


def check_page_count(name: str, n_pages: int, max_pages: int) -> None:
    """Refuse a PDF over the page limit before any page is parsed (≈40 ms each)."""
    if n_pages > max_pages:
        raise LoaderError(name, f"PDF 쪽수 제한 초과: {n_pages:,}쪽 > {max_pages:,}쪽", ErrorKind.PAGES)


def open_reader(source: Path | IO[bytes], name: str) -> Any:
    """A decrypted pypdf reader of a file or an in-memory upload; LoaderError (naming `name`)
    when it is corrupt, locked or has no pages."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError, PyPdfError

    try:
        reader = PdfReader(source if not isinstance(source, Path) else str(source))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")  # owner-password-only PDFs open with the empty password
            except DependencyError as exc:
                raise LoaderError(
                    name, "암호화된 PDF입니다 (AES 해독에 필요한 cryptography 패키지가 없습니다)"
                ) from exc
            if not ok:
                raise LoaderError(
                    name,
                    "암호화된 PDF입니다 (열람 암호가 필요해 내용을 읽을 수 없습니다)",
                    ErrorKind.ENCRYPTED,
                )
        n_pages = len(reader.pages)
    except LoaderError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoaderError(name, f"PDF가 손상되어 열 수 없습니다: {type(exc).__name__}: {exc}") from exc
    if n_pages == 0:
        raise LoaderError(name, "PDF에 페이지가 없습니다 (손상되었거나 잘린 파일)")
    return reader


def _extract_page(page: Any, mode: str) -> PdfPage:
    """One page in `mode`: "plain" (pypdf's default), "layout" (spaces from glyph positions) or
    "lines" (plain, plus the text operators grouped by baseline with their start x, collected
    in the same pass through the visitor)."""
    if mode == "layout":
        return PdfPage(page.extract_text(extraction_mode="layout") or "", [])
    if mode == "plain":
        return PdfPage(page.extract_text() or "", [])
    items: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, _size: Any) -> None:
        if text:
            items.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text))

    text = page.extract_text(visitor_text=visit) or ""
    lines: list[Line] = []
    for x, y, s in items:
        s = s.replace("\n", "")
        if lines and abs(lines[-1].y - y) < 1:  # same baseline: another run of the same line
            last = lines.pop()
            lines.append(Line(last.x, last.y, last.text + s))
        else:
            lines.append(Line(x, y, s))
    return PdfPage(text, lines)


def safe_extract(page: Any, mode: str, path: Path, number: int) -> PdfPage | None:
    try:
        return _extract_page(page, mode)
    except Exception as exc:  # pypdf raises many types on broken content streams
        log.warning("%s: page %d unreadable: %s", path, number, exc)
        return None


def read_pages(reader: Any, path: Path, mode: str, done: list[PdfPage] | None = None) -> list[PdfPage]:
    """Every page's text (reusing `done`, pages already extracted in this mode); a page pypdf
    cannot parse becomes an empty page, not a failed file."""
    pages = list(done or [])
    failed = 0
    for number, page in enumerate(reader.pages[len(pages) :], start=len(pages) + 1):
        extracted = safe_extract(page, mode, path, number)
        failed += extracted is None
        pages.append(extracted or PdfPage("", []))
    if failed and failed == len(pages):
        raise LoaderError(
            str(path), f"PDF의 모든 페이지({failed}쪽)에서 텍스트를 읽지 못했습니다 (손상된 파일?)"
        )
    return pages
