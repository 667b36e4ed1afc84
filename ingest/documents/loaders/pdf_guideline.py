"""Guideline PDFs: lines cleaned but kept as laid out (running headers, page numbers and leader
dots removed; glued Hangul runs re-spaced)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from ingest.core.model import (
    PAGE_BREAK,
    LoadedDocument,
)
from ingest.documents.loaders.pdf_text import PdfPage, safe_extract
from ingest.documents.loaders.textnorm import MIDDLE_DOT, normalize_text, tidy_lines, title_from_stem

_BULLETS = set("◇◆※*•□■○●◎◦▪▫▶►▷‣➡⇒➢-–∙" + MIDDLE_DOT)
_LEADER_ONLY = re.compile(rf"^[\s.{MIDDLE_DOT}…‥]+$")
_LEADER_RUN = re.compile(rf"\s*[.{MIDDLE_DOT}…‥]{{3,}}\s*")
_PAGE_NUMBER = re.compile(r"^[-–—]?\s*\d{1,4}\s*[-–—]?$|^\d{1,4}\s*/\s*\d{1,4}$")
_DIGITS = re.compile(r"\d+")
_HANGUL_RUN = re.compile("[가-힣]+")
# Justified Hancom-PDF text positions words without space glyphs; pypdf's plain mode then
# glues whole lines together (서울 기본계획: 5.3 syllables per run against ~3 in normal prose).
GLUED_RUN_LENGTH = 3.6


def mean_hangul_run(text: str) -> float:
    runs = _HANGUL_RUN.findall(text)
    return sum(map(len, runs)) / len(runs) if len(runs) >= 20 else 0.0


def respace_glued_pages(reader: Any, pages: list[PdfPage]) -> list[str]:
    """Plain page texts, except pages whose words are glued together: those are re-extracted
    in layout mode, which places spaces from glyph positions."""
    texts = []
    for page, extracted in zip(reader.pages, pages, strict=True):
        text = extracted.text
        if mean_hangul_run(text) > GLUED_RUN_LENGTH:
            layout = safe_extract(page, "layout", Path("?"), 0)
            if layout is not None and mean_hangul_run(layout.text) < mean_hangul_run(text):
                text = layout.text
        texts.append(text)
    return texts


def _furniture_keys(lines: list[str]) -> set[str]:
    """Digit-masked first/last two lines of a page: candidates for running headers/footers."""
    nonblank = [ln.strip() for ln in lines if ln.strip()]
    return {_DIGITS.sub("#", ln) for ln in nonblank[:2] + nonblank[-2:]}


def clean_guideline_page(lines: list[str], furniture: set[str]) -> list[str]:
    """Drop running headers/footers, page numbers and leader-dot lines; join lone bullets.
    Lines are left-trimmed so headings (Ⅰ./1./가./□/○) start their line."""
    lines = [ln.strip() for ln in lines]
    nonblank = [i for i, ln in enumerate(lines) if ln]
    edges = set(nonblank[:2] + nonblank[-2:])
    out: list[str] = []
    for i, s in enumerate(lines):
        if i in edges and (_DIGITS.sub("#", s) in furniture or _PAGE_NUMBER.match(s)):
            continue
        if s and _LEADER_ONLY.match(s):
            continue
        out.append(_LEADER_RUN.sub(" ", s).strip() if len(s) > 3 else s)
    joined: list[str] = []
    for s in out:
        if joined and joined[-1] in _BULLETS and s:
            joined[-1] = f"{joined[-1]} {s}"  # a bullet extracted on its own line
        else:
            joined.append(s)
    return joined


def load_guideline_pdf(
    path: Path,
    reader: Any,
    pages: list[PdfPage],
    respace: bool,
    ocr_done: set[int] | None = None,
    tables: dict[int, list[str]] | None = None,
) -> LoadedDocument:
    texts = respace_glued_pages(reader, pages) if respace else [p.text for p in pages]
    for i in ocr_done or ():  # OCR text has no glyph positions to re-space from
        texts[i] = pages[i].text
    page_lines = [normalize_text(t).split("\n") for t in texts]
    keys = Counter(k for lines in page_lines for k in _furniture_keys(lines))
    threshold = max(3, int(0.3 * len(pages)) + 1)
    furniture = {k for k, n in keys.items() if n >= threshold and len(k) > 2}
    cleaned = [tidy_lines("\n".join(clean_guideline_page(lines, furniture))) for lines in page_lines]
    for i, block in (tables or {}).items():  # rows with headers after the page's flat text
        cleaned[i] = "\n".join([cleaned[i], *(normalize_text(ln) for ln in block)])
    text = f"\n{PAGE_BREAK}\n".join(cleaned)
    meta = {"source_format": "pdf", "pages": len(pages)}
    title = title_from_stem(path.stem) or path.stem
    return LoadedDocument(str(path), title, "guideline", text, meta, paged=True)
