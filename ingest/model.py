"""Plain data passed between loaders, chunkers, the embedder and the index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

DocType = Literal["statute", "guideline"]

# Page breaks inside LoadedDocument.text (paged formats such as PDF). Chunkers turn the count of
# these before a chunk into its page number and strip them from chunk text.
PAGE_BREAK = "\f"


class LoaderError(Exception):
    """A file that cannot be indexed; `reason` is shown to the admin next to the file name."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class LoadedDocument:
    """One source file turned into text.

    Statutes (markdown from the statute export, or law.go.kr PDFs) are returned in the
    canonical statute-markdown form: ``# 법령명``, ``## 제1장 …``, ``### 제1절 …``,
    ``##### 제N조 (제목)`` / ``##### 제N조의M (제목)``, then the body lines, and ``## 부칙``.
    Guidelines keep their own headings (Ⅰ./1./가./□/○) as plain lines.
    """

    path: str
    title: str
    doc_type: DocType
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    paged: bool = False  # text holds PAGE_BREAK between pages; page numbers start at 1
    # Pages read by OCR: page number (1-based; 1 for an unpaged image) → mean word confidence 0-100.
    ocr_pages: dict[int, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # shown in the ingest summary (e.g. low OCR confidence)


@dataclass(frozen=True)
class Chunk:
    """One retrievable unit. `text` starts with a short header so it reads on its own.

    `metadata` values are str/int/float/bool only (Chroma's constraint). Keys used across the
    project: doc_id, source, doc_title, doc_type, law_title, law_type, effective_date, ministry,
    article (e.g. "제15조의2"), article_no, article_branch, article_title, occurrence,
    is_addendum, chapter_path, section_path, page (-1 when unknown), part, parts, text_hash,
    chunk_index; only where they apply: is_table and table_caption (rows of a table, see
    ``ingest.tables``), ocr and ocr_confidence (text read by OCR).
    """

    id: str
    text: str
    metadata: dict[str, Any]
