"""The evidence gate as a score and a threshold (pure).

A source's score says how far it clears the gate of ``ChainSettings``: 1.0 is exactly at the
gate (cosine = ``min_similarity``, or word share = ``min_evidence`` with cosine =
``min_similarity / 2``). The question is answered when the best score reaches
``chains.evidence_threshold`` (1.0 = the gate as configured), else "근거 없음". The benchmark
(``python -m assistant.bench.gate``) measures false refusals and false answers over thresholds
and reports the one to set.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


class _Scored(Protocol):
    similarity: float | None
    evidence: float


def source_score(
    similarity: float | None, evidence: float, min_similarity: float, min_evidence: float
) -> float:
    """How far one source clears the gate (≥ 1.0 = adequate at the configured gate)."""
    # A gate set to 0 lets everything through (as the old comparisons "≥ 0" did).
    by_words = evidence / min_evidence if min_evidence > 0 else math.inf
    if similarity is None:  # no embedding model: lexical coverage alone
        return by_words
    by_meaning = similarity / min_similarity if min_similarity > 0 else math.inf
    # Word share counts only while the meaning is at least half-way there.
    return max(by_meaning, min(by_words, 2 * by_meaning))


def gate_score(sources: Iterable[_Scored], min_similarity: float, min_evidence: float) -> float:
    """The best source's score (0.0 without sources)."""
    return max(
        (source_score(s.similarity, s.evidence, min_similarity, min_evidence) for s in sources), default=0.0
    )


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
