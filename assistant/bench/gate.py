"""Calibrate the evidence gate: ``python -m assistant.bench.gate [QA files] [--limit N]``.

Each dev QA question is run through retrieval against the configured index (build it from a
part of the statutes to leave laws out on purpose) and labelled:

- answerable: its gold law is indexed and a gold article is in the top k; a 근거 없음 here is a
  false refusal;
- unanswerable: its gold law is not indexed; an answer here is a false answer.

Questions that are neither (no references, gold article not retrieved) are not counted. The
report gives both rates per set at the configured threshold and at the one chosen for
false refusals ≤ ``--max-false-refusal``.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.bench.datasets import QAItem, read_qa_file
from assistant.bench.gold import LAW_NOT_INDEXED, resolve_item
from assistant.chains.context import ChainContext
from assistant.chains.evidence_gate import GatePoint, GateRates, choose_threshold, gate_score, rates
from assistant.chains.qa import judge_sources, retrieve_sources
from assistant.search.retrieval import build_retriever
from ingest.core.settings import get_settings

SWEEP = (0.6, 0.8, 0.9, 1.0, 1.2, 1.5, 2.0, 2.5)
DEFAULT_QA = sorted(Path(__file__).resolve().parents[2].parent.glob("shared/data/qa/*-dev.jsonl"))


def label_item(item: QAItem, catalog: Any, retrieved: Sequence[Any]) -> bool | None:
    """True: answerable (gold article in `retrieved`), False: gold law not indexed, None: neither."""
    res = resolve_item(item, catalog)
    if res.targets:
        metas = [s.metadata for s in retrieved]
        return True if any(t.matches(m) for t in res.targets for m in metas) else None
    return False if res.reason == LAW_NOT_INDEXED else None


def gate_point(item: QAItem, ctx: Any, k: int) -> GatePoint | None:
    """The question's gate score (∞ when it names an article that was found) and its label."""

    sources, _, exact = retrieve_sources(ctx, item.query, k=k)
    sources = judge_sources(ctx, sources, [item.query])
    label = label_item(item, ctx.catalog, sources)
    if label is None:
        return None
    cfg = ctx.settings.chains
    score = math.inf if exact else gate_score(sources, cfg)
    return GatePoint(score, label)


def format_rates(name: str, r: GateRates) -> str:
    return (
        f"{name:<22} 임계값 {r.threshold:5.3f}  오거절 {r.false_refusals}/{r.answerable} "
        f"({r.false_refusal_rate:6.1%})  오답변 {r.false_answers}/{r.unanswerable} ({r.false_answer_rate:6.1%})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m assistant.bench.gate", description="근거 없음 판정 보정")
    ap.add_argument("qa", nargs="*", type=Path, default=DEFAULT_QA, help="dev QA files (JSONL)")
    ap.add_argument("--limit", type=int, default=80, help="questions per set (0 = all)")
    ap.add_argument("--k", type=int, default=5, help="top k for 'gold article retrieved'")
    ap.add_argument("--max-false-refusal", type=float, default=0.05)
    args = ap.parse_args(argv)

    settings = get_settings()
    ctx = ChainContext(settings, build_retriever(settings), None)
    configured = settings.chains.evidence_threshold
    all_points: list[GatePoint] = []
    per_set: dict[str, list[GatePoint]] = {}
    for path in args.qa:
        dataset = read_qa_file(path)
        items = pick_items(dataset.items, ctx.catalog, args.limit)
        points = [p for p in (gate_point(it, ctx, args.k) for it in items) if p is not None]
        per_set[path.stem] = points
        all_points += points
    chosen = choose_threshold(all_points, args.max_false_refusal)
    print(f"근거 없음 판정: 답변 조건 점수 ≥ 임계값 (설정 chains.evidence_threshold = {configured:g})")
    for name, points in [*per_set.items(), ("전체", all_points)]:
        print(format_rates(f"{name} · 현재", rates(points, configured)))
        print(format_rates(f"{name} · 선택", rates(points, chosen.threshold)))
    print(f"선택한 임계값: {chosen.threshold:.3f} (오거절 ≤ {args.max_false_refusal:.0%} 중 오답변 최소)")
    print("임계값별 (전체):")
    for t in SWEEP:
        print(format_rates("  ", rates(all_points, t)))
    return 0


def pick_items(items: Sequence[QAItem], catalog: Any, limit: int) -> list[QAItem]:
    """Every question whose gold law is indexed (they are few), and up to `limit` spread over
    those whose law is not (0 = all)."""
    resolved = [(it, resolve_item(it, catalog)) for it in items]
    known = [it for it, res in resolved if res.targets]
    missing = [it for it, res in resolved if not res.targets and res.reason == LAW_NOT_INDEXED]
    return known + (missing if not limit else _spread(missing, limit))


def _spread(items: Sequence[QAItem], n: int) -> list[QAItem]:
    """`n` items spread over the file (its first questions are often one agency)."""
    if len(items) <= n:
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


if __name__ == "__main__":
    sys.exit(main())
