"""The answering side of the benchmark: the adapter from the answer chain
(``assistant.chains.answer_question``) to what the benchmark scores, and the per-answer metrics
computed against a QA item's gold targets and reference answer."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.bench import korean_text, metrics
from assistant.bench.gold import GoldTarget, cited_targets
from assistant.chains import answer_question

# A sentence counts as supported when at least this share of its content morphemes occurs in
# one cited chunk. Lexical and offline on purpose: cheap, deterministic, no judge model.
SUPPORT_THRESHOLD = 0.6

# "[1]", "[1, 3]" markers point at sources; their digits are not claims to be supported.
_CITATION_MARK = re.compile(r"\[\s*\d+(?:\s*[,-]\s*\d+)*\s*\]")


@dataclass
class AnswerResult:
    """What the benchmark keeps of one answer.

    `citations` are the metadata dicts of the cited chunks (law_title, article, doc_title,
    section_path, …) plus their chunk text under "text" — the support check reads it.
    """

    text: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    no_evidence: bool = False
    corrected: bool = False  # the citation checker had to fix the draft's citations
    tokens_in: int = 0
    tokens_out: int = 0


Answerer = Callable[[str], AnswerResult]


def answer_result(question: str, settings: Any) -> AnswerResult:
    """Answer `question` with the app's chain and keep what the benchmark scores."""
    answer = answer_question(question, settings)
    return AnswerResult(
        text=answer.text,
        citations=[s.citation_dict() for s in answer.sources],
        no_evidence=answer.no_evidence,
        corrected=answer.corrected,
        tokens_in=answer.tokens_in,
        tokens_out=answer.tokens_out,
    )


def load_answerer(settings: Any) -> Answerer:
    """The app's answer chain bound to `settings`."""
    return lambda question: answer_result(question, settings)


def supported_share(
    answer: str, citations: list[Mapping[str, Any]], threshold: float = SUPPORT_THRESHOLD
) -> float:
    """Share of the answer's sentences that some cited chunk supports lexically.

    Sentences without content morphemes (a bare "[1]") are not counted; NaN when none remain.
    """
    sources = [set(korean_text.content_morphemes(str(c.get("text", "")))) for c in citations]
    sources = [s for s in sources if s]
    verdicts: list[bool] = []
    for sentence in korean_text.split_sentences(answer):
        words = korean_text.content_morphemes(_CITATION_MARK.sub(" ", sentence))
        if not words:
            continue
        verdicts.append(any(metrics.overlap_recall(words, src) >= threshold for src in sources))
    return sum(verdicts) / len(verdicts) if verdicts else math.nan


def answer_metrics(
    result: AnswerResult, targets: list[GoldTarget], reference: str | None
) -> dict[str, float]:
    """Per-answer metrics under their report.json names (NaN where undefined)."""
    n_cited, n_correct, n_covered = cited_targets(result.citations, targets)
    ref_tokens = korean_text.rouge_tokens(reference) if reference else []
    return {
        "citation_precision": metrics.citation_precision(n_cited, n_correct),
        "citation_recall": metrics.citation_recall(len(targets), n_covered),
        "no_evidence_rate": float(result.no_evidence),
        "rouge_l": metrics.rouge_l(korean_text.rouge_tokens(result.text), ref_tokens)
        if ref_tokens
        else math.nan,
        # A "no evidence" reply makes no claims, so there is nothing to support.
        "supported_sentence_rate": math.nan
        if result.no_evidence
        else supported_share(result.text, result.citations),
        "corrected_rate": float(result.corrected),
    }
