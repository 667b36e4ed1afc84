"""Ask (법령 및 지침 질의응답): the retriever, the chain context and the answer stream the UI uses."""

from __future__ import annotations

from assistant.chains import Answer, ChainContext, Source, make_context, stream_answer
from assistant.chains.qa import highlight, question_weights
from assistant.llm import llm_status
from assistant.search.retrieval import HybridRetriever, IndexMissingError, SearchFilters
from ingest.index.embeddings import make_embeddings
from ingest.index.store import EmbeddingMismatchError

__all__ = [
    "Answer",
    "ChainContext",
    "EmbeddingMismatchError",
    "HybridRetriever",
    "IndexMissingError",
    "SearchFilters",
    "Source",
    "highlight",
    "llm_status",
    "make_context",
    "make_embeddings",
    "question_weights",
    "stream_answer",
]
