"""The fact bench: does a summary find the facts a reader needs (사업명, 사업기간, 사업금액 …),
keep 부칙 apart and label each article as its own? Documents the project generates itself, plus
any documents named in an expectation file kept outside the repository.
CLI: ``python -m assistant.bench.facts [--expect FILE.json]``."""

from assistant.bench.facts.documents import DOCUMENTS, EvalDocument
from assistant.bench.facts.score import DocumentScore, score_summary

__all__ = ["DOCUMENTS", "DocumentScore", "EvalDocument", "score_summary"]
