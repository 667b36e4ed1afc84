"""What every chain needs: settings, the retriever, the chat model (or None) and a token counter.

The adapters (retriever, LLM) are created here once per settings and shared; tests pass their
own (a fake chat model, a retriever over a temporary index).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.language_models import BaseChatModel

from assistant.chains.text import CountTokens
from assistant.llm import LLMUnavailableError, make_chat_model
from assistant.search.judge import PassageJudge, load_judge
from assistant.search.retrieval import Retriever, build_retriever
from ingest.core.settings import Settings
from ingest.documents.chunking import token_counter
from ingest.index.embeddings import make_embeddings
from ingest.legal.catalog import LawCatalog

AUTO: Any = object()  # "create from the settings" marker for optional adapters


@dataclass
class ChainContext:
    settings: Settings
    retriever: Retriever | None
    llm: BaseChatModel | None
    llm_error: str | None = None  # why the configured backend gave no model (Korean), if it did not
    count_tokens: CountTokens | None = None
    embeddings: Any = AUTO  # for evidence similarity; AUTO = the retriever's model, else the configured one
    judge: PassageJudge | None | Any = AUTO  # the evidence judge; AUTO = chains.judge_model

    def tokens(self, text: str) -> int:
        if self.count_tokens is None:
            self.count_tokens = token_counter(self.settings.chunking.encoding)
        return self.count_tokens(text)

    @property
    def catalog(self) -> LawCatalog | None:
        return self.retriever.catalog if self.retriever is not None else None

    def similarities(self, query: str, texts: list[str]) -> list[float] | None:
        """Cosine of `query` with each text, or None when no embedding model can be loaded."""
        if self.embeddings is AUTO:
            # The retriever already holds the index's model; reuse it rather than load a second copy.
            model = self.retriever.embeddings if self.retriever is not None else None
            if model is None:
                try:
                    model = make_embeddings(self.settings.embedding)
                except Exception:  # no model: the chains fall back to lexical evidence
                    model = None
            self.embeddings = model
        if self.embeddings is None or not texts:
            return None
        if hasattr(self.embeddings, "embed_array"):
            vectors = np.asarray(self.embeddings.embed_array([query, *texts]), dtype=np.float32)
        else:
            vectors = np.asarray(
                [self.embeddings.embed_query(query), *self.embeddings.embed_documents(texts)],
                dtype=np.float32,
            )
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
        return (vectors[1:] @ vectors[0]).astype(float).tolist()

    def judged(self, questions: list[str], texts: list[str]) -> list[float] | None:
        """The evidence judge's closeness of each text to `questions` (their mean), or None without
        a judge."""
        if self.judge is AUTO:
            try:
                self.judge = load_judge(self.settings.chains.judge_model)
            except (ImportError, OSError):  # not installed: the gate works on without it
                self.judge = None
        if self.judge is None or not texts:
            return None
        return self.judge.closeness(questions, texts)


def make_context(
    settings: Settings,
    retriever: Retriever | None | Any = AUTO,
    llm: Any = AUTO,
    embeddings: Any = AUTO,
    judge: Any = AUTO,
) -> ChainContext:
    """A context for `settings`; adapters given explicitly win (``llm=None`` = no LLM,
    ``embeddings=None`` = lexical evidence only, ``judge=None`` = no evidence judge).

    A retriever is created lazily only when AUTO and the chain needs one (summarising an uploaded
    file or drafting without legal basis works without an index).
    """
    error = None
    if llm is AUTO:
        try:
            llm = make_chat_model(settings.llm)
        except LLMUnavailableError as exc:
            llm, error = None, str(exc)
    return ChainContext(
        settings, None if retriever is AUTO else retriever, llm, error, embeddings=embeddings, judge=judge
    )


def ensure_retriever(ctx: ChainContext) -> Retriever:
    """The context's retriever, built from the settings on first use (raises IndexMissingError)."""
    if ctx.retriever is None:
        ctx.retriever = build_retriever(ctx.settings)
    return ctx.retriever


_CACHE: dict[str, ChainContext] = {}
_CACHE_LOCK = threading.Lock()


def get_context(settings: Settings) -> ChainContext:
    """A shared context per distinct settings (the retriever and a local model load once)."""
    key = settings.model_dump_json()
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = make_context(settings)
        return _CACHE[key]
