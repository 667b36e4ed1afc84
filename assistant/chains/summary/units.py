"""A document as summary units: an uploaded file (only from the upload directory) or an indexed
document (by title, with the user's access groups), each piece with its location and section."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.chains.context import ChainContext
from ingest.core.model import LoadLimits
from ingest.documents.chunking import chunk_document, token_counter
from ingest.documents.loaders import load_document
from ingest.index.browse import document_chunks, visible_documents
from ingest.legal.titles import normalize_title


class DocumentNotFoundError(LookupError):
    """No indexed document has the requested title; str() is a Korean message."""


class UploadOutsideError(PermissionError):
    """An "upload" whose file is not in the upload directory; str() is a Korean message."""


@dataclass(frozen=True)
class UploadedFile:
    """A file a user uploaded for this request, saved under ``settings.ui.upload_dir``."""

    path: Path
    name: str  # the name the user gave it (shown as the summary's origin)


@dataclass(frozen=True)
class Unit:
    """A piece of a document (an article, a guideline section) with where it stands."""

    text: str
    location: str  # "제15조(개인정보의 수집ㆍ이용)" / "Ⅱ. 추진계획 > 1. 일정 · 3쪽"
    section: str  # the group it is summarised in ("제3장 개인정보의 처리", "Ⅱ. 추진계획")
    table: str | None = None  # caption of a table chunk (rows `헤더: 값 | …`), None for text


_ADDENDUM_LABEL = re.compile(r"부칙\s*(<[^>]*>|\([^)]*\))")


def _location(meta: dict[str, Any], header: str = "") -> str:
    if meta.get("is_addendum"):  # "부칙 <2020. 1. 1.> 제1조(시행일)": which 부칙, from the chunk header
        m = _ADDENDUM_LABEL.search(header)
        title = f"({meta['article_title']})" if meta.get("article_title") else ""
        parts = ("부칙", m.group(1) if m else "", f"{meta.get('article') or ''}{title}")
        return " ".join(p for p in parts if p)
    if meta.get("article"):
        title = f"({meta['article_title']})" if meta.get("article_title") else ""
        return f"{meta['article']}{title}"
    parts = [str(meta["section_path"])] if meta.get("section_path") else []
    page = meta.get("page")
    if isinstance(page, int) and page > 0:
        parts.append(f"{page}쪽")
    return " · ".join(parts) or "본문"


def _section(meta: dict[str, Any]) -> str:
    if meta.get("is_addendum"):
        return "부칙"
    # an article's section is its chapter (a regulation without 장: one group), not its own label
    path = str(meta.get("chapter_path") or ("" if meta.get("article") else meta.get("section_path")) or "")
    return path.split(" > ")[0].strip() if path else ""


def units_from_chunks(chunks: Sequence[tuple[str, dict[str, Any]]]) -> list[Unit]:
    """Units in document order from (text, metadata) chunks; split parts of one article merge."""
    ordered = sorted(chunks, key=lambda c: int(c[1].get("chunk_index", 0)))
    units: list[Unit] = []
    for text, meta in ordered:
        header, _, rest = text.partition("\n")
        body = rest if rest else text
        loc, sec = _location(meta, header), _section(meta)
        table = str(meta.get("table_caption") or "표") if meta.get("is_table") else None
        if table is not None:  # drop the repeated "열: …" line; each row names its columns
            body = "\n".join(ln for ln in body.split("\n") if not ln.startswith("열: "))
        if units and meta.get("part", 1) and int(meta.get("part", 1)) > 1 and units[-1].location == loc:
            units[-1] = Unit(units[-1].text + "\n" + body, loc, sec, units[-1].table)
        else:
            units.append(Unit(body, loc, sec, table))
    return units


def load_file_units(upload: UploadedFile, ctx: ChainContext) -> tuple[str, list[Unit]]:
    """(title, units) of an uploaded file, chunked like the index would chunk it; refuses a file
    outside the upload directory."""
    s = ctx.settings
    folder = Path(s.ui.upload_dir).resolve()
    path = Path(upload.path).resolve()
    if folder not in path.parents:
        raise UploadOutsideError(
            f"올린 파일만 요약할 수 있습니다: '{upload.name}' 은(는) 업로드 폴더에 없습니다."
        )
    doc = load_document(path, LoadLimits.from_settings(s))
    chunks = chunk_document(
        doc, s.chunking.max_tokens, token_counter(s.chunking.encoding), s.chunking.guideline_min_tokens
    )
    return doc.title, units_from_chunks([(c.text, c.metadata) for c in chunks])


def indexed_documents(ctx: ChainContext, groups: Sequence[str] = ()) -> dict[str, str]:
    """Title → source path of every indexed document a user of `groups` may see (the picker)."""
    return visible_documents(ctx.settings, groups)


def load_indexed_units(title: str, ctx: ChainContext, groups: Sequence[str] = ()) -> tuple[str, list[Unit]]:
    """(official title, units) of the indexed document whose title matches `title`."""
    docs = indexed_documents(ctx, groups)
    key = normalize_title(title)
    match = next((t for t in docs if normalize_title(t) == key), None)
    rows = document_chunks(ctx.settings, docs[match]) if match is not None else None
    if match is None or rows is None:
        near = difflib.get_close_matches(title, list(docs), n=3, cutoff=0.4)
        hint = f" 비슷한 제목: {', '.join(near)}" if near else ""
        raise DocumentNotFoundError(f"색인에서 '{title}' 문서를 찾지 못했습니다.{hint}")
    return match, units_from_chunks(rows)
