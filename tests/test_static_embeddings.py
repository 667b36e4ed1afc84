"""The shipped static model runs in numpy with exactly sentence-transformers' vectors, without torch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from ingest.core.settings import PROJECT_ROOT, EmbeddingSettings
from ingest.index.embeddings import (
    SHIPPED_MODELS,
    SentenceTransformerEmbeddings,
    StaticEmbeddings,
    is_static_model,
    make_embeddings,
)

EDGE_CASES = ["", "   ", "\u200b", "집주인이 보증금을 안 돌려줘요", "가" * 3000, "emoji 😀 and 한자 法"]


def test_the_default_model_is_static_and_runs_in_numpy() -> None:
    model = make_embeddings(EmbeddingSettings())
    assert isinstance(model, StaticEmbeddings) and model.model_id == "ko-static-v1"
    assert is_static_model(SHIPPED_MODELS / "ko-static-v1")
    assert not is_static_model(PROJECT_ROOT)  # no modules.json


def test_vectors_equal_sentence_transformers(statute_sample_chunks: list[str]) -> None:
    texts = statute_sample_chunks + EDGE_CASES
    assert len(texts) > 500
    folder = str(SHIPPED_MODELS / "ko-static-v1")
    numpy_vectors = StaticEmbeddings(folder, "ko-static-v1").embed_array(texts)
    torch_vectors = SentenceTransformerEmbeddings(folder, "ko-static-v1", batch_size=64).embed_array(texts)
    assert numpy_vectors.shape == torch_vectors.shape == (len(texts), 256)
    assert numpy_vectors.dtype == np.float32
    assert np.abs(numpy_vectors - torch_vectors).max() < 1e-5
    assert np.array_equal(numpy_vectors[0], StaticEmbeddings(folder, "x").embed_array([texts[0]])[0])


def test_embedding_with_the_default_model_never_imports_torch() -> None:
    probe = (
        "import sys\n"
        "from ingest.core.settings import EmbeddingSettings\n"
        "from ingest.index.embeddings import make_embeddings\n"
        "make_embeddings(EmbeddingSettings()).embed_query('민원 처리기간')\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"], out.stderr
