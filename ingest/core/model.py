"""Plain data passed between loaders, chunkers, the embedder and the index."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from ingest.core.settings import OcrSettings

DocType = Literal["statute", "guideline"]

# Page breaks inside LoadedDocument.text (paged formats such as PDF). Chunkers turn the count of
# these before a chunk into its page number and strip them from chunk text.
PAGE_BREAK = "\f"


MIB = 1024 * 1024


def text_key(text: str) -> str:
    """Key of a chunk's search text (its metadata's text_hash): equal texts share tokens and vectors."""
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def version_tag(metadata: dict[str, Any]) -> str:
    """The header tag of a past statute version (" [from~to 시행]"), "" for a current text."""
    return f" [{metadata['valid_from']}~{metadata['valid_to']} 시행]" if metadata.get("valid_to") else ""


class ErrorKind(StrEnum):
    """Why an input was refused: carried by the error, recorded in the audit log (never guessed
    from the Korean message, which may be reworded)."""

    EMPTY = "empty"
    SIZE = "size"
    NAME = "name"
    FORMAT = "format"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    ZIP_BOMB = "zip_bomb"
    PAGES = "pages"
    PIXELS = "pixels"
    TOO_MUCH_TEXT = "too_much_text"
    NO_TEXT = "no_text"
    ENCODING = "encoding"
    UNREADABLE = "unreadable"
    # questions
    TYPE = "type"
    TOO_LONG = "too_long"
    CONTROL = "control"
    GARBAGE = "garbage"


class LoaderError(Exception):
    """A file that cannot be indexed; `reason` is shown to the admin next to the file name."""

    def __init__(self, path: str, reason: str, kind: ErrorKind = ErrorKind.CORRUPT) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.kind = kind


@dataclass(frozen=True)
class LoadLimits:
    """What one file may cost to read, built once from settings and passed to every loader and
    container check (loaders never read settings themselves)."""

    max_file_bytes: int | None = None  # None = no size limit
    min_text_chars: int = 20  # fewer extracted characters mean "no usable text"
    max_unzipped_bytes: int = 200 * MIB  # HWPX/DOCX members, HWP streams: decompressed, in total
    max_pdf_pages: int = 2000
    max_text_chars: int = 5_000_000  # extracted characters of one document (about 3,000 pages)
    ocr: OcrSettings = field(default_factory=OcrSettings)  # image pages and photos
    pdf_tables: bool = False  # ruled tables of guideline PDFs as rows with headers (pdfplumber)

    @classmethod
    def from_settings(cls, settings: Any) -> LoadLimits:
        """The limits of ``settings`` (ingest and security sections)."""
        return cls(
            max_file_bytes=int(settings.ingest.max_file_mb * 1e6),
            min_text_chars=settings.ingest.min_text_chars,
            max_unzipped_bytes=int(settings.security.max_unzipped_mb * MIB),
            max_pdf_pages=settings.security.max_upload_pages,
            max_text_chars=settings.security.max_extracted_chars,
            ocr=settings.ocr,
            pdf_tables=settings.ingest.pdf_tables,
        )


def check_text_budget(path: str, used_chars: int, limits: LoadLimits) -> None:
    """Raise LoaderError once a document's extracted text passes ``limits.max_text_chars``."""
    if used_chars > limits.max_text_chars:
        raise LoaderError(
            path,
            f"추출된 텍스트가 너무 깁니다 ({limits.max_text_chars:,}자 초과): 압축 폭탄이거나 비정상적인 문서입니다",
            ErrorKind.TOO_MUCH_TEXT,
        )


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
    ``ingest.documents.tables``), ocr and ocr_confidence (text read by OCR).
    """

    id: str
    text: str
    metadata: dict[str, Any]

    @property
    def search_text(self) -> str:
        """What is tokenised and embedded: the text without a past version's tag. Searches pick
        versions by metadata, and an article's unchanged versions then share one vector."""
        tag = version_tag(self.metadata)
        return self.text.replace(tag, "", 1) if tag else self.text
