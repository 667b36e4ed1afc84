"""Summarise (문서 요약): an uploaded or indexed document to a summary with its facts and rule findings."""

from __future__ import annotations

from assistant.chains import (
    DocumentNotFoundError,
    Summary,
    UploadedFile,
    UploadOutsideError,
    indexed_documents,
    stream_summary,
)
from assistant.chains.doc_facts import FACT_NAMES
from ingest.core.model import LoaderError

__all__ = [
    "FACT_NAMES",
    "DocumentNotFoundError",
    "LoaderError",
    "Summary",
    "UploadOutsideError",
    "UploadedFile",
    "indexed_documents",
    "stream_summary",
]
