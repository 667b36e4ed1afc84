"""Chroma adapter: embedded `PersistentClient` by default, `HttpClient` for a `chroma run` server.

The collection remembers which embedding model (and dimension) filled it; opening it with a
different model is refused with a message that says to re-index.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from ingest.core.settings import StoreSettings
from ingest.index.embeddings import IndexedEmbeddings

# Chroma and onnxruntime call home unless told not to; this machine has no network at run time.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
# Chroma cannot rebuild our embedding function from a stored collection's config and says so on
# every open; the application always passes the function itself, so the warning is noise.
warnings.filterwarnings("ignore", message="Could not reconstruct embedding function", category=UserWarning)


class EmbeddingMismatchError(RuntimeError):
    """The index was built with another embedding model."""


class _ChromaEmbeddingFunction:
    """Chroma's embedding-function protocol over our embeddings, so Chroma never falls back to
    its default model (which it would download)."""

    def __init__(self, embeddings: IndexedEmbeddings) -> None:
        self._embeddings = embeddings

    def __call__(self, input: list[str]) -> list[np.ndarray]:
        return list(self._embeddings.embed_array(list(input)))

    def embed_query(self, input: list[str]) -> list[np.ndarray]:
        return self(input)

    @staticmethod
    def name() -> str:
        return "gov-assistant"

    def is_legacy(self) -> bool:
        return False

    @staticmethod
    def supported_spaces() -> list[str]:
        return ["cosine", "l2", "ip"]

    @staticmethod
    def default_space() -> str:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _ChromaEmbeddingFunction:  # pragma: no cover
        raise NotImplementedError("embedding function is supplied by the application")


def make_client(cfg: StoreSettings) -> Any:
    """A Chroma client for the configured embedded directory or server URL."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if cfg.chroma_url:
        url = urlparse(cfg.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or 8000,
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    path = Path(cfg.db_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def open_collection(client: Any, name: str, embeddings: IndexedEmbeddings, create: bool) -> Any:
    """Get (or create) the collection and check it was built with `embeddings`' model."""
    ef = _ChromaEmbeddingFunction(embeddings)
    wanted = {"embedding_model": embeddings.model_id, "dimension": embeddings.dimension}
    existing = {c.name if hasattr(c, "name") else c for c in client.list_collections()}
    if name not in existing:
        if not create:
            return None
        return client.create_collection(
            name, embedding_function=ef, metadata={**wanted, "hnsw:space": "cosine"}
        )
    collection = client.get_collection(name, embedding_function=ef)
    meta = collection.metadata or {}
    if (
        meta.get("embedding_model") != wanted["embedding_model"]
        or int(meta.get("dimension", 0)) != wanted["dimension"]
    ):
        raise EmbeddingMismatchError(
            f"인덱스 '{name}'은(는) 임베딩 모델 {meta.get('embedding_model')}({meta.get('dimension')}차원)로 "
            f"만들어졌지만 현재 설정은 {wanted['embedding_model']}({wanted['dimension']}차원)입니다. "
            "`python -m ingest --rebuild 경로…`로 다시 색인하세요."
        )
    return collection


def existing_ids(collection: Any, ids: list[str]) -> set[str]:
    """Which of `ids` already have vectors in the collection."""
    found: set[str] = set()
    for i in range(0, len(ids), 1000):
        found.update(collection.get(ids=ids[i : i + 1000], include=[])["ids"])
    return found


def all_ids(collection: Any, page: int = 5000) -> set[str]:
    """Every id in the collection (paged, so 100k ids do not come back in one response)."""
    out: set[str] = set()
    offset = 0
    while True:
        batch = collection.get(include=[], limit=page, offset=offset)["ids"]
        out.update(batch)
        if len(batch) < page:
            return out
        offset += page


def delete_ids(collection: Any, ids: list[str], batch: int = 1000) -> None:
    for i in range(0, len(ids), batch):
        collection.delete(ids=ids[i : i + batch])
