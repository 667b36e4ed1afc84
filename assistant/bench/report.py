"""Turning a `BenchRun` into report.json (stable keys, see README_SECTION.md) and report.md."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.bench import bootstrap
from assistant.bench.datasets import QADataset
from assistant.bench.metrics import mean, percentile
from assistant.bench.runner import BenchRun, ConfigRun, DatasetRun, QuestionRecord

SCHEMA_VERSION = 1
OVERALL = "overall"

# Cost statistics: name → (per-question field, bootstrap statistic).
COST_STATS: dict[str, tuple[str, str]] = {
    "retrieval_ms_p50": ("retrieval_ms", "p50"),
    "retrieval_ms_p95": ("retrieval_ms", "p95"),
    "answer_ms_p50": ("answer_ms", "p50"),
    "answer_ms_p95": ("answer_ms", "p95"),
    "tokens_in_mean": ("tokens_in", "mean"),
    "tokens_out_mean": ("tokens_out", "mean"),
    "rewrite_ms_p50": ("rewrite_ms", "p50"),
    "rewrite_ms_p95": ("rewrite_ms", "p95"),
}
_STAT_FN = {"mean": mean, "p50": lambda v: percentile(v, 50), "p95": lambda v: percentile(v, 95)}


def metric_names(ks: Sequence[int], answers: bool) -> list[str]:
    """Per-question metric names in report order."""
    names = [f"recall@{k}" for k in ks] + [f"all_gold@{k}" for k in ks] + ["mrr@10", "ndcg@10"]
    if answers:
        names += [
            "citation_precision",
            "citation_recall",
            "no_evidence_rate",
            "rouge_l",
            "supported_sentence_rate",
            "corrected_rate",
        ]
    return names


def _values(records: Sequence[QuestionRecord], name: str) -> list[float]:
    if name in COST_STATS:
        attr = COST_STATS[name][0]
        return [math.nan if getattr(r, attr) is None else float(getattr(r, attr)) for r in records]
    return [r.metrics.get(name, math.nan) for r in records]


def _summary(
    records: Sequence[QuestionRecord], parts: Iterable[DatasetRun], names: Sequence[str], answers: bool
) -> dict[str, Any]:
    parts = list(parts)
    reasons: dict[str, int] = {}
    for part in parts:
        for reason, n in part.unresolvable.items():
            reasons[reason] = reasons.get(reason, 0) + n
    rewritten = any(r.rewrite_ms is not None for r in records)
    cost = {
        name: _STAT_FN[stat](_values(records, name))
        for name, (_, stat) in COST_STATS.items()
        if (answers or not name.startswith(("answer", "tokens")))
        and (rewritten or not name.startswith("rewrite"))
    }
    if rewritten:  # how often the model's answer was usable (not empty, not an echo of the question)
        cost["hints_used"] = sum(r.hint is not None for r in records)
    if answers:
        cost["tokens_in_total"] = sum(r.tokens_in or 0 for r in records)
        cost["tokens_out_total"] = sum(r.tokens_out or 0 for r in records)
    return {
        "n_items": sum(p.n_items for p in parts),
        "n_bad_lines": sum(p.n_bad_lines for p in parts),
        "n_unresolvable": sum(reasons.values()),
        "unresolvable_reasons": reasons,
        "n_scored": sum(p.n_scored for p in parts),
        "n_evaluated": len(records),
        "metrics": {name: mean(_values(records, name)) for name in names},
        "cost": cost,
    }


def _config_result(config: ConfigRun, names: Sequence[str], answers: bool) -> dict[str, Any]:
    return {
        "datasets": {d.name: _summary(d.records, [d], names, answers) for d in config.datasets},
        OVERALL: _summary(config.records, config.datasets, names, answers),
        "peak_rss_kb": config.peak_rss_kb,
    }


def _paired(
    a: ConfigRun, b: ConfigRun, dataset: str | None
) -> tuple[list[QuestionRecord], list[QuestionRecord]]:
    """Records of the questions both configs scored (by dataset and line), in the same order."""

    def keyed(config: ConfigRun) -> dict[tuple[str, int], QuestionRecord]:
        return {(r.dataset, r.line): r for r in config.records if dataset is None or r.dataset == dataset}

    ka, kb = keyed(a), keyed(b)
    common = [k for k in ka if k in kb]
    return [ka[k] for k in common], [kb[k] for k in common]


def _comparison(
    a: ConfigRun, b: ConfigRun, names: Sequence[str], answers: bool, n_resamples: int, seed: int
) -> dict:
    stats = {n: "mean" for n in names}
    stats.update(
        {n: s for n, (_, s) in COST_STATS.items() if answers or not n.startswith(("answer", "tokens"))}
    )

    def deltas(dataset: str | None) -> dict[str, Any]:
        ra, rb = _paired(a, b, dataset)
        return {
            name: bootstrap.paired_bootstrap(
                _values(ra, name), _values(rb, name), stat, n_resamples=n_resamples, seed=seed
            ).to_dict()
            for name, stat in stats.items()
        }

    datasets = [d.name for d in a.datasets if any(d.name == e.name for e in b.datasets)]
    rss = None
    if a.peak_rss_kb is not None and b.peak_rss_kb is not None:
        rss = {"a": a.peak_rss_kb, "b": b.peak_rss_kb, "delta": b.peak_rss_kb - a.peak_rss_kb}
    return {
        "a": a.spec.label,
        "b": b.spec.label,
        "n_resamples": n_resamples,
        "seed": seed,
        "confidence": bootstrap.CONFIDENCE,
        "datasets": {name: deltas(name) for name in datasets},
        OVERALL: deltas(None),
        "peak_rss_kb": rss,
    }


def build_report(
    run: BenchRun,
    datasets: Sequence[QADataset],
    args: dict[str, Any],
    *,
    n_resamples: int = bootstrap.N_RESAMPLES,
    seed: int = bootstrap.SEED,
) -> dict[str, Any]:
    """The report.json document (NaN → null happens when writing)."""
    names = metric_names(run.ks, run.answers)
    base = run.configs[0] if run.configs else None
    return {
        "schema_version": SCHEMA_VERSION,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "interrupted": run.interrupted,
        "questions_done": run.questions_done,
        "args": args,
        "ks": run.ks,
        "metrics": names,
        "inputs": [
            {
                "name": d.name,
                "path": str(d.path),
                "format": d.format,
                "n_lines": d.n_lines,
                "n_items": len(d.items),
                "bad_lines": [{"line": b.line, "error": b.error} for b in d.bad_lines],
            }
            for d in datasets
        ],
        "configs": [
            {
                "label": c.spec.label,
                "config_file": c.spec.config_file,
                "db_dir": str(c.spec.settings.store.db_dir),
                "collection": c.spec.settings.store.collection,
                "embedding_model": c.spec.settings.embedding.model,
            }
            for c in run.configs
        ],
        "results": {c.spec.label: _config_result(c, names, run.answers) for c in run.configs},
        "comparisons": [
            _comparison(base, other, names, run.answers, n_resamples, seed)
            for other in run.configs[1:]
            if base is not None
        ],
        "unresolvable": {c.spec.label: {d.name: d.unresolvable_ids for d in c.datasets} for c in run.configs},
        "questions": [{"config": c.spec.label, **_record_dict(r)} for c in run.configs for r in c.records],
    }


def _record_dict(r: QuestionRecord) -> dict[str, Any]:
    out = {
        "dataset": r.dataset,
        "id": r.id,
        "line": r.line,
        "gold": r.gold,
        "ranks": r.ranks,
        "retrieved": r.retrieved,
        "metrics": r.metrics,
        "retrieval_ms": r.retrieval_ms,
    }
    if r.answer_ms is not None:
        out.update(answer_ms=r.answer_ms, tokens_in=r.tokens_in, tokens_out=r.tokens_out, answer=r.answer)
    if r.rewrite_ms is not None:
        out.update(rewrite_ms=r.rewrite_ms, hint=r.hint)
    return out


def _clean(value: Any) -> Any:
    """JSON-safe copy: NaN/inf → None (strict JSON has no NaN)."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def write_json(report: dict[str, Any], path: Path) -> None:
    path.write_text(
        json.dumps(_clean(report), ensure_ascii=False, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )


# --- markdown -------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return lines + [""]


def _rows(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [*result["datasets"].items(), (f"**{OVERALL}**", result[OVERALL])]


def render_markdown(report: dict[str, Any]) -> str:
    """report.md: tables per config (datasets + overall), then Δ with CIs per comparison."""
    ks = report["ks"]
    answers = report["args"].get("answers", False)
    out = ["# QA 벤치마크 결과", ""]
    out.append(f"- 생성: {report['created']}")
    out.append(
        "- 입력: " + ", ".join(f"`{i['path']}` ({i['format']}, {i['n_items']}문항)" for i in report["inputs"])
    )
    out.append(f"- k = {', '.join(map(str, ks))}; limit = {report['args'].get('limit') or '없음'}")
    if report["interrupted"]:
        out.append(f"- **중단됨(interrupted)**: {report['questions_done']}문항까지만 측정한 부분 결과입니다.")
    for inp in report["inputs"]:
        if inp["bad_lines"]:
            lines = ", ".join(str(b["line"]) for b in inp["bad_lines"][:20])
            out.append(f"- `{inp['name']}`: 잘못된 줄 {len(inp['bad_lines'])}개 건너뜀 (행 {lines})")
    out.append("")

    retrieval_cols = [f"R@{k}" for k in ks] + [f"All@{k}" for k in ks] + ["MRR@10", "nDCG@10"]
    retrieval_keys = [f"recall@{k}" for k in ks] + [f"all_gold@{k}" for k in ks] + ["mrr@10", "ndcg@10"]
    answer_keys = ["citation_precision", "citation_recall", "no_evidence_rate", "rouge_l",
                   "supported_sentence_rate", "corrected_rate"]  # fmt: skip
    for config in report["configs"]:
        label = config["label"]
        result = report["results"][label]
        out += [f"## 설정 `{label}`", ""]
        out += [
            f"`{config['config_file'] or '기본 설정'}` · DB `{config['db_dir']}` · 임베딩 `{config['embedding_model']}`",
            "",
        ]
        out += ["### 검색", ""]
        out += _table(
            ["데이터셋", "문항", "해결불가", "채점대상", "측정", *retrieval_cols],
            [
                [name, s["n_items"], s["n_unresolvable"], s["n_scored"], s["n_evaluated"]]
                + [s["metrics"][k] for k in retrieval_keys]
                for name, s in _rows(result)
            ],
        )
        if answers:
            out += ["### 답변", ""]
            out += _table(
                [
                    "데이터셋",
                    "인용 정밀도",
                    "인용 재현율",
                    "근거없음 비율",
                    "ROUGE-L",
                    "근거 문장 비율",
                    "인용 교정 비율",
                ],
                [[name] + [s["metrics"][k] for k in answer_keys] for name, s in _rows(result)],
            )
        out += ["### 비용", ""]
        cost_keys = ["retrieval_ms_p50", "retrieval_ms_p95"]
        if answers:
            cost_keys += ["answer_ms_p50", "answer_ms_p95", "tokens_in_total", "tokens_out_total"]
        if any("hints_used" in s["cost"] for _, s in _rows(result)):
            cost_keys += ["rewrite_ms_p50", "rewrite_ms_p95", "hints_used"]
        out += _table(
            ["데이터셋", *cost_keys],
            [[name] + [s["cost"].get(k) for k in cost_keys] for name, s in _rows(result)],
        )
        out += [f"최대 RSS: {_fmt(result['peak_rss_kb'])} KB (프로세스 전체 최댓값, 설정 순서대로 누적)", ""]
        reasons = {
            n: s["unresolvable_reasons"] for n, s in result["datasets"].items() if s["unresolvable_reasons"]
        }
        if reasons:
            out += ["해결 불가 사유: " + "; ".join(f"{n}: {r}" for n, r in reasons.items()), ""]

    for comp in report["comparisons"]:
        out += [f"## Δ `{comp['b']}` − `{comp['a']}` (paired bootstrap {comp['confidence']:.0%} CI, "
                f"{comp['n_resamples']} resamples)", ""]  # fmt: skip
        for name, deltas in [*comp["datasets"].items(), (OVERALL, comp[OVERALL])]:
            out += [f"### {name}", ""]
            out += _table(
                ["지표", comp["a"], comp["b"], "Δ", "95% CI", "n"],
                [
                    [m, d["a"], d["b"], d["delta"], f"[{_fmt(d['ci_low'])}, {_fmt(d['ci_high'])}]", d["n"]]
                    for m, d in deltas.items()
                ],
            )
        if comp["peak_rss_kb"]:
            out += [f"최대 RSS Δ: {comp['peak_rss_kb']['delta']} KB (CI 없음: 프로세스 단위 값)", ""]
    return "\n".join(out).rstrip() + "\n"
