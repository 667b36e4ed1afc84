"""The evidence gate as a score with a threshold, and its calibration (assistant.bench.gate)."""

from __future__ import annotations

import pytest

from assistant.chains import answer_question
from assistant.chains.evidence_gate import GatePoint, choose_threshold, gate_score, rates, source_score
from assistant.chains.qa import is_adequate
from assistant.chains.types import Source
from assistant.settings import ChainSettings


@pytest.mark.parametrize(
    ("similarity", "evidence"),
    [(0.36, 0.0), (0.34, 0.9), (0.2, 0.9), (0.1, 1.0), (None, 0.85), (None, 0.5), (0.35, 0.0), (0.175, 0.8)],
)
def test_score_one_is_the_configured_gate(similarity: float | None, evidence: float) -> None:
    """At threshold 1.0 the score says exactly what the min_similarity/min_evidence rule said."""
    cfg = ChainSettings()
    old_rule = (
        evidence >= cfg.min_evidence
        if similarity is None
        else similarity >= cfg.min_similarity
        or (evidence >= cfg.min_evidence and similarity >= cfg.min_similarity / 2)
    )
    source = Source(1, "c", "본문", {}, 0.5, evidence=evidence, similarity=similarity)
    score = source_score(similarity, evidence, cfg.min_similarity, cfg.min_evidence)
    assert (score >= 1.0 - 1e-9) is old_rule
    assert is_adequate(source, cfg) is (score >= cfg.evidence_threshold)
    stricter = cfg.model_copy(update={"evidence_threshold": score + 0.01})
    assert not is_adequate(source, stricter)


def test_rates_and_the_chosen_threshold() -> None:
    points = [GatePoint(s, True) for s in (0.9, 1.2, 1.5, 2.0)] + [
        GatePoint(s, False) for s in (0.5, 0.95, 1.3)
    ]
    today = rates(points, 1.0)
    assert (today.false_refusals, today.false_answers) == (1, 1)
    assert today.false_refusal_rate == 0.25 and today.false_answer_rate == pytest.approx(1 / 3)
    chosen = choose_threshold(points, max_false_refusal=0.0)
    assert chosen.threshold == 0.9 and chosen.false_refusals == 0 and chosen.false_answers == 2
    loose = choose_threshold(points, max_false_refusal=0.25)
    assert loose.false_answers == 1 and loose.false_refusals == 1 and loose.threshold == pytest.approx(1.2)
    assert gate_score([], 0.35, 0.8) == 0.0


def test_unindexed_law_gets_no_answer_and_candidates_stay(make_ctx) -> None:  # noqa: ANN001
    """주민등록법 is not in the index: 근거 없음, with the nearest provisions still listed."""
    answer = answer_question("주민등록 전입신고는 언제까지", ctx=make_ctx())
    assert answer.no_evidence, answer.text
    assert answer.candidates
