"""The evidence gate as a score and a threshold (pure).

A source's score says how far it clears the gate of ``ChainSettings``: 1.0 is exactly at the
gate (cosine = ``min_similarity``, or word share = ``min_evidence`` with cosine =
``min_similarity / 2``). The question is answered when the best score reaches
``chains.evidence_threshold`` (1.0 = the gate as configured), else "근거 없음". The benchmark
(``python -m assistant.bench.gate``) measures false refusals and false answers over thresholds
and reports the one to set.

A judge (``assistant.search.judge``: a transformer that reads question and passage) moves the score by
``judge_weight × (closeness − judge_center)``: up where it finds the passage close, down where the
static model's cosine and the shared words were all the passage had. Without a judge the score is
unchanged, so one threshold serves both.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


class _Scored(Protocol):
    similarity: float | None
    evidence: float
    judged: float | None


class GateConfig(Protocol):
    """The gate's parameters (``ChainSettings`` has them)."""

    min_similarity: float
    min_evidence: float
    judge_weight: float
    judge_center: float


def source_score(source: _Scored, cfg: GateConfig) -> float:
    """How far one source clears the gate (≥ 1.0 = adequate at the configured gate, without a judge)."""
    # A gate set to 0 lets everything through (as the old comparisons "≥ 0" did).
    by_words = source.evidence / cfg.min_evidence if cfg.min_evidence > 0 else math.inf
    if source.similarity is None:  # no embedding model: lexical coverage alone
        score = by_words
    else:
        by_meaning = source.similarity / cfg.min_similarity if cfg.min_similarity > 0 else math.inf
        # Word share counts only while the meaning is at least half-way there.
        score = max(by_meaning, min(by_words, 2 * by_meaning))
    if source.judged is None:
        return score
    return score + cfg.judge_weight * (source.judged - cfg.judge_center)


def gate_score(sources: Iterable[_Scored], cfg: GateConfig) -> float:
    """The best source's score (0.0 without sources)."""
    return max((source_score(s, cfg) for s in sources), default=0.0)


@dataclass(frozen=True)
class GatePoint:
    """One benchmark question: its gate score and whether it should be answered."""

    score: float
    answerable: bool  # the needed law is indexed and a gold article is in the top k


@dataclass(frozen=True)
class GateRates:
    threshold: float
    false_refusals: int  # answerable, but 근거 없음
    answerable: int
    false_answers: int  # the needed law is not indexed, but answered
    unanswerable: int

    @property
    def false_refusal_rate(self) -> float:
        return self.false_refusals / self.answerable if self.answerable else 0.0

    @property
    def false_answer_rate(self) -> float:
        return self.false_answers / self.unanswerable if self.unanswerable else 0.0


def rates(points: Sequence[GatePoint], threshold: float) -> GateRates:
    """False-refusal and false-answer counts when answering at score ≥ `threshold`."""
    pos = [p for p in points if p.answerable]
    neg = [p for p in points if not p.answerable]
    return GateRates(
        threshold,
        sum(p.score < threshold for p in pos),
        len(pos),
        sum(p.score >= threshold for p in neg),
        len(neg),
    )


def choose_threshold(points: Sequence[GatePoint], max_false_refusal: float = 0.05) -> GateRates:
    """The threshold with the fewest false answers whose false-refusal rate stays within
    `max_false_refusal` (ties: the higher threshold, the safer side)."""
    candidates = sorted({round(p.score, 4) for p in points} | {0.0})
    best: GateRates | None = None
    for t in candidates:
        r = rates(points, t)
        if r.false_refusal_rate > max_false_refusal:
            continue
        if best is None or (r.false_answers, -r.threshold) <= (best.false_answers, -best.threshold):
            best = r
    return best or rates(points, 0.0)
