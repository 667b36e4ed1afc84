"""Pure metric functions. Retrieval metrics take the 1-based first-hit rank of each distinct
gold target (None = not retrieved), as produced by `gold.first_hit_ranks`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Ranks = Sequence[int | None]

MRR_K = 10
NDCG_K = 10


def recall_at_k(ranks: Ranks, k: int) -> float:
    """1.0 when any gold target is within the top k."""
    return float(any(r is not None and r <= k for r in ranks))


def all_gold_at_k(ranks: Ranks, k: int) -> float:
    """1.0 when every gold target is within the top k."""
    return float(bool(ranks) and all(r is not None and r <= k for r in ranks))


def reciprocal_rank(ranks: Ranks, k: int = MRR_K) -> float:
    """1 / rank of the best-ranked gold target within the top k, else 0."""
    hits = [r for r in ranks if r is not None and r <= k]
    return 1.0 / min(hits) if hits else 0.0


def ndcg_at_k(ranks: Ranks, k: int = NDCG_K) -> float:
    """Binary-relevance nDCG: one unit of gain per distinct gold target at its first rank."""
    if not ranks:
        return 0.0
    dcg = sum(1.0 / math.log2(r + 1) for r in ranks if r is not None and r <= k)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(ranks), k) + 1))
    return dcg / ideal


def retrieval_metrics(ranks: Ranks, ks: Sequence[int]) -> dict[str, float]:
    """All per-question retrieval metrics under their report.json names."""
    out: dict[str, float] = {}
    for k in ks:
        out[f"recall@{k}"] = recall_at_k(ranks, k)
    for k in ks:
        out[f"all_gold@{k}"] = all_gold_at_k(ranks, k)
    out[f"mrr@{MRR_K}"] = reciprocal_rank(ranks, MRR_K)
    out[f"ndcg@{NDCG_K}"] = ndcg_at_k(ranks, NDCG_K)
    return out


def citation_precision(n_cited: int, n_correct: int) -> float:
    """Share of distinct cited sources that are gold; NaN when nothing was cited (undefined)."""
    return n_correct / n_cited if n_cited else math.nan


def citation_recall(n_gold: int, n_covered: int) -> float:
    """Share of gold targets that the answer cites."""
    return n_covered / n_gold if n_gold else math.nan


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (O(len(a)·len(b)) time, O(len(b)) memory)."""
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, start=1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """ROUGE-L F1 (β = 1) over token sequences."""
    lcs = lcs_length(candidate, reference)
    if lcs == 0:
        return 0.0
    p, r = lcs / len(candidate), lcs / len(reference)
    return 2 * p * r / (p + r)


def overlap_recall(sentence: Sequence[str], source: set[str]) -> float:
    """Share of a sentence's distinct content morphemes that occur in the source."""
    words = set(sentence)
    return len(words & source) / len(words) if words else math.nan


def percentile(values: Sequence[float], q: float) -> float:
    """q-th percentile ignoring NaN; NaN for no data."""
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    return float(np.percentile(arr, q)) if arr.size else math.nan


def mean(values: Sequence[float]) -> float:
    """Mean ignoring NaN (undefined per-question values); NaN for no data."""
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    return float(arr.mean()) if arr.size else math.nan
