"""Q&A, summarisation and drafting chains.

Every entry point takes the user input plus either ``settings`` (adapters are built once per
distinct settings and cached) or an explicit ``ctx`` (:func:`make_context`, e.g. with a fake chat
model or a custom retriever). Streaming variants yield ``str`` deltas and end with the result
object; its text is authoritative (citation check, fallbacks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from assistant.chains import drafting, qa
from assistant.chains import summarize as _summarize
from assistant.chains.citations import CitationCheck, check_citations
from assistant.chains.context import ChainContext, get_context, make_context
from assistant.chains.docx_export import draft_docx_bytes, write_docx
from assistant.chains.drafting import Draft, DraftRequest
from assistant.chains.format_check import FormatIssue, check_format
from assistant.chains.summarize import Summary
from assistant.chains.summary import units as _units
from assistant.chains.summary.extractive import SectionSummary
from assistant.chains.summary.findings import Finding
from assistant.chains.summary.units import (
    DocumentNotFoundError,
    UploadedFile,
    UploadOutsideError,
)
from assistant.chains.types import Answer, Source, Turn
from assistant.search.retrieval import SearchFilters
from ingest.core.settings import Settings, get_settings

__all__ = [
    "Answer",
    "ChainContext",
    "CitationCheck",
    "DocumentNotFoundError",
    "Draft",
    "DraftRequest",
    "Finding",
    "FormatIssue",
    "SectionSummary",
    "Source",
    "Summary",
    "Turn",
    "UploadOutsideError",
    "UploadedFile",
    "answer_question",
    "check_citations",
    "check_format",
    "draft_docx_bytes",
    "draft_document",
    "get_context",
    "indexed_documents",
    "make_context",
    "stream_answer",
    "stream_draft",
    "stream_summary",
    "summarize",
    "write_docx",
]


def _ctx(settings: Settings | None, ctx: ChainContext | None) -> ChainContext:
    return ctx if ctx is not None else get_context(settings or get_settings())


def stream_answer(
    question: str,
    settings: Settings | None = None,
    *,
    history: Sequence[Turn] = (),
    filters: SearchFilters | None = None,
    ctx: ChainContext | None = None,
) -> Iterator[str | Answer]:
    """Text deltas, then the final :class:`Answer` (whose text replaces what was streamed)."""
    return qa.stream_answer(question, _ctx(settings, ctx), history, filters)


def answer_question(
    question: str,
    settings: Settings | None = None,
    *,
    history: Sequence[Turn] = (),
    filters: SearchFilters | None = None,
    ctx: ChainContext | None = None,
) -> Answer:
    return qa.answer_question(question, _ctx(settings, ctx), history, filters)


def stream_summary(
    target: str | UploadedFile,
    settings: Settings | None = None,
    *,
    ctx: ChainContext | None = None,
    progress: Callable[[int, int], None] | None = None,
    groups: Sequence[str] = (),
) -> Iterator[str | Summary]:
    """Summarise an uploaded file or the indexed document titled `target` that a user of
    `groups` may see."""
    return _summarize.stream_summary(target, _ctx(settings, ctx), progress, groups)


def summarize(
    target: str | UploadedFile,
    settings: Settings | None = None,
    *,
    ctx: ChainContext | None = None,
    progress: Callable[[int, int], None] | None = None,
    groups: Sequence[str] = (),
) -> Summary:
    result: Any = None
    for item in stream_summary(target, settings, ctx=ctx, progress=progress, groups=groups):
        result = item
    return result


def indexed_documents(
    settings: Settings | None = None, *, ctx: ChainContext | None = None, groups: Sequence[str] = ()
) -> list[str]:
    """Titles of the indexed documents a user of `groups` may see (choices for "summarise by title")."""
    return sorted(_units.indexed_documents(_ctx(settings, ctx), groups))


def stream_draft(
    request: DraftRequest, settings: Settings | None = None, *, ctx: ChainContext | None = None
) -> Iterator[str | Draft]:
    return drafting.stream_draft(request, _ctx(settings, ctx))


def draft_document(
    request: DraftRequest, settings: Settings | None = None, *, ctx: ChainContext | None = None
) -> Draft:
    return drafting.draft_document(request, _ctx(settings, ctx))
