"""What to show for one citation (pure: the cited chunk, its document's chunks and the sentences
to mark in, a plan out).

- a guideline PDF: its file, the page the passage starts on, and the passage to highlight there;
- a photo or scan image: the image itself (no text positions to highlight);
- HWP, HWPX, DOCX, TXT, MD: the whole section the chunk belongs to, with the passage's span;
- a statute (from any format): the whole article, all its parts, and the law's source file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Literal

from assistant.app.original.locate import Span, find_passage, find_passages
from ingest.core.model import Chunk
from ingest.documents.loaders.image import IMAGE_EXTENSIONS

ViewKind = Literal["pdf", "image", "text", "statute"]


@dataclass(frozen=True)
class OriginalView:
    """The plan for one citation's viewer."""

    kind: ViewKind
    file_name: str
    page: int = -1  # pdf (and statutes from a PDF): 1-based page the passage starts on
    passage: str = ""  # the cited text (pdf: highlighted on the page)
    marks: tuple[str, ...] = ()  # sentences the answer rests on (highlighted more strongly)
    text: str = ""  # text/statute: the section's or article's full text
    spans: tuple[Span, ...] = ()  # where the passage stands in `text`
    mark_spans: tuple[Span, ...] = ()  # where the marks stand in `text`
    ocr: bool = False  # the page/section was read by OCR
    cut: bool = False  # text: a long section shown only around the passage


def chunk_body(chunk: Chunk) -> str:
    """A chunk's text without its header line."""
    return chunk.text.split("\n", 1)[1] if "\n" in chunk.text else chunk.text


def is_statute(meta: Mapping[str, Any]) -> bool:
    return bool(meta.get("law_title") and meta.get("article"))


def view_kind(meta: Mapping[str, Any]) -> ViewKind:
    """How the original of a chunk with `meta` is shown."""
    if is_statute(meta):
        return "statute"
    suffix = PurePath(str(meta.get("source") or "")).suffix.lower()
    if suffix == ".pdf" and isinstance(meta.get("page"), int) and meta["page"] > 0:
        return "pdf"
    if suffix in IMAGE_EXTENSIONS:
        return "image"
    return "text"


def _order(chunk: Chunk) -> tuple[int, int]:
    return int(chunk.metadata.get("chunk_index", 0)), int(chunk.metadata.get("part", 1))


def article_parts(chunk: Chunk, doc_chunks: Sequence[Chunk]) -> list[Chunk]:
    """All parts of the article `chunk` belongs to (same document, article and occurrence), in
    order; the chunk alone when its siblings are not among `doc_chunks`."""
    m = chunk.metadata
    key = (m.get("doc_id"), m.get("article"), m.get("occurrence"), bool(m.get("is_addendum")))
    parts = [
        c
        for c in doc_chunks
        if (
            c.metadata.get("doc_id"),
            c.metadata.get("article"),
            c.metadata.get("occurrence"),
            bool(c.metadata.get("is_addendum")),
        )
        == key
    ]
    return sorted(parts, key=_order) or [chunk]


def section_chunks(chunk: Chunk, doc_chunks: Sequence[Chunk], max_chars: int) -> tuple[list[Chunk], bool]:
    """The chunks of the section `chunk` belongs to, in order, and whether the section was cut to
    about `max_chars` characters around the chunk (long sections, documents without headings)."""
    m = chunk.metadata
    same = sorted(
        (
            c
            for c in doc_chunks
            if c.metadata.get("doc_id") == m.get("doc_id")
            and c.metadata.get("section_path", "") == m.get("section_path", "")
        ),
        key=_order,
    )
    ids = [c.id for c in same]
    if chunk.id not in ids:
        return [chunk], False
    if sum(len(chunk_body(c)) for c in same) <= max_chars:
        return same, False
    at = ids.index(chunk.id)
    lo = hi = at
    used = len(chunk_body(same[at]))
    while True:  # grow the window on both sides while the budget lasts
        grew = False
        for nxt in (lo - 1, hi + 1):
            if 0 <= nxt < len(same) and used + len(chunk_body(same[nxt])) <= max_chars:
                used += len(chunk_body(same[nxt]))
                lo, hi = min(lo, nxt), max(hi, nxt)
                grew = True
        if not grew:
            return same[lo : hi + 1], True


def _joined(chunks: Sequence[Chunk], cited: Chunk) -> tuple[str, Span | None]:
    """The bodies joined by line breaks, and the span of the cited chunk's body."""
    out: list[str] = []
    pos = 0
    cited_span: Span | None = None
    for c in chunks:
        body = chunk_body(c)
        if c.id == cited.id:
            cited_span = (pos, pos + len(body))
        out.append(body)
        pos += len(body) + 1
    return "\n".join(out), cited_span


def _partial(spans: Sequence[Span], text: str) -> tuple[Span, ...]:
    """`spans`, or none when they cover (nearly) all of `text`: marking everything shows nothing."""
    covered = sum(len(text[a:b].strip()) for a, b in spans)
    return () if covered >= 0.9 * len(text.strip()) else tuple(spans)


def plan_view(
    chunk: Chunk,
    doc_chunks: Sequence[Chunk],
    passage: str,
    marks: Sequence[str] = (),
    max_section_chars: int = 20_000,
) -> OriginalView:
    """What to show for a citation of `chunk` whose cited text is `passage` (the source's text,
    which may be a merged article), with `marks` (the sentences the answer rests on)."""
    meta = chunk.metadata
    kind = view_kind(meta)
    name = PurePath(str(meta.get("source") or "")).name
    marks = tuple(m for m in marks if m.strip())
    ocr = bool(meta.get("ocr"))
    if kind in ("pdf", "image"):
        return OriginalView(kind, name, int(meta.get("page", -1)), passage, marks, ocr=ocr)
    cut = False
    if kind == "statute":
        parts = article_parts(chunk, doc_chunks)
        text, _ = _joined(parts, parts[0])
        spans = find_passage(text, passage)
    else:
        chunks, cut = section_chunks(chunk, doc_chunks, max_section_chars)
        text, own = _joined(chunks, chunk)
        spans = find_passage(text, passage) or ([own] if own else [])
    # a statute from a PDF (law.go.kr) can also show the page its article starts on
    page = int(meta.get("page", -1)) if kind == "statute" and name.lower().endswith(".pdf") else -1
    return OriginalView(
        kind,
        name,
        page=page,
        passage=passage,
        marks=marks,
        text=text,
        spans=_partial(spans, text),
        mark_spans=tuple(find_passages(text, marks)),
        ocr=ocr,
        cut=cut,
    )
