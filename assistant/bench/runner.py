"""Running the questions: retrieval (and optionally answering) per config, per dataset.

The runner only measures; aggregation and files are `report`'s job. Retriever and answerer
come from factories so tests (and future backends) can inject their own.
"""

from __future__ import annotations

import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from assistant.bench.answers import Answerer, answer_metrics, load_answerer
from assistant.bench.datasets import QADataset, QAItem
from assistant.bench.gold import GoldTarget, first_hit_ranks, resolve_item
from assistant.bench.metrics import MRR_K, NDCG_K, retrieval_metrics
from assistant.chains.rewrite import suggest_provisions
from assistant.llm import make_chat_model
from assistant.search.retrieval import IndexMissingError, build_retriever
from ingest.legal.catalog import LawCatalog

INGEST_HINT = "먼저 `python -m ingest 경로…` 로 색인하세요"
KEEP_RETRIEVED = 10  # retrieved sources kept per question in report.json, for eyeballing misses


class Retriever(Protocol):
    """The part of the retriever the benchmark uses (test fakes implement just this)."""

    def search(self, query: str, k: int = 10, hint: str | None = None) -> list[Any]: ...

    def law_titles(self) -> set[str]: ...


RetrieverFactory = Callable[[Any], Retriever]
AnswererFactory = Callable[[Any], Answerer]
Rewriter = Callable[[str], "str | None"]  # question → the LLM's guess of the provisions (or None)


class RewriterUnavailable(RuntimeError):
    """`retrieval.llm_rewrite` is on but no LLM is configured."""


@dataclass
class ConfigSpec:
    label: str
    settings: Any
    config_file: str | None = None


@dataclass
class QuestionRecord:
    dataset: str
    id: str
    line: int
    gold: list[str]
    ranks: list[int | None]
    retrieved: list[str]
    metrics: dict[str, float]
    retrieval_ms: float
    answer_ms: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    answer: str | None = None
    rewrite_ms: float | None = None  # the LLM's query rewriting, when `retrieval.llm_rewrite` is on
    hint: str | None = None


@dataclass
class DatasetRun:
    """One dataset under one config: how its questions resolved, and the scored records."""

    name: str
    n_items: int
    n_bad_lines: int
    n_scored: int
    unresolvable: dict[str, int]
    unresolvable_ids: list[str]
    records: list[QuestionRecord] = field(default_factory=list)


@dataclass
class ConfigRun:
    spec: ConfigSpec
    datasets: list[DatasetRun] = field(default_factory=list)
    peak_rss_kb: int | None = None

    @property
    def records(self) -> list[QuestionRecord]:
        return [r for d in self.datasets for r in d.records]


@dataclass
class BenchRun:
    configs: list[ConfigRun]
    ks: list[int]
    answers: bool
    interrupted: bool = False

    @property
    def questions_done(self) -> int:
        return sum(len(c.records) for c in self.configs)


def peak_rss_kb() -> int:
    """Peak resident set size of this process so far (ru_maxrss is in KB on Linux)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _index_missing_message(settings: Any) -> str:
    store = settings.store
    where = store.chroma_url or store.db_dir
    return f"인덱스가 없습니다: {where} (컬렉션 '{store.collection}'). {INGEST_HINT}"


def check_index_dir(settings: Any) -> None:
    """Cheap pre-flight for the default retriever: the index folder exists and is not empty."""
    db_dir = Path(settings.store.db_dir)
    if not settings.store.chroma_url and (not db_dir.is_dir() or not any(db_dir.iterdir())):
        raise IndexMissingError(_index_missing_message(settings))


def default_retriever_factory(settings: Any) -> Retriever:
    """The app's retriever for `settings`; IndexMissingError when there is nothing to search."""
    check_index_dir(settings)
    return build_retriever(settings)


def _meta(hit: Any) -> Mapping[str, Any]:
    chunk = getattr(hit, "chunk", hit)
    return getattr(chunk, "metadata", None) or {}


def _label(meta: Mapping[str, Any]) -> str:
    if meta.get("law_title") and meta.get("article"):
        return f"{meta['law_title']} {meta['article']}"
    section = meta.get("section_path")
    return f"{meta.get('doc_title', '')} § {section}" if section else str(meta.get("doc_title", ""))


def _doc_titles(retriever: Retriever) -> set[str] | None:
    getter = getattr(retriever, "doc_titles", None)
    return set(getter()) if callable(getter) else None


def _open(spec: ConfigSpec, factory: RetrieverFactory) -> tuple[Retriever, LawCatalog, set[str] | None]:
    retriever = factory(spec.settings)
    titles = set(retriever.law_titles())
    doc_titles = _doc_titles(retriever)
    if not titles and not doc_titles:
        raise IndexMissingError(_index_missing_message(spec.settings))
    return retriever, LawCatalog(titles), doc_titles


def _plan(
    dataset: QADataset, catalog: LawCatalog, doc_titles: set[str] | None, limit: int | None
) -> tuple[DatasetRun, list[tuple[QAItem, list[GoldTarget]]]]:
    """Resolve every item (unresolvable ones are counted, never dropped silently) and pick the
    first `limit` scored ones."""
    scored: list[tuple[QAItem, list[GoldTarget]]] = []
    reasons: Counter[str] = Counter()
    unresolved_ids: list[str] = []
    for item in dataset.items:
        res = resolve_item(item, catalog, doc_titles)
        if res.scored:
            scored.append((item, res.targets))
        else:
            reasons[res.reason or "unknown"] += 1
            unresolved_ids.append(item.id)
    run = DatasetRun(
        name=dataset.name,
        n_items=len(dataset.items),
        n_bad_lines=len(dataset.bad_lines),
        n_scored=len(scored),
        unresolvable=dict(sorted(reasons.items())),
        unresolvable_ids=unresolved_ids,
    )
    return run, scored[:limit] if limit else scored


def _depth(ks: Sequence[int]) -> int:
    return max(max(ks), MRR_K, NDCG_K)


def load_rewriter(settings: Any) -> Rewriter | None:
    """The config's LLM query rewriter, or None when `retrieval.llm_rewrite` is off."""
    if not settings.retrieval.llm_rewrite:
        return None
    llm = make_chat_model(settings.llm)
    if llm is None:
        raise RewriterUnavailable(
            "retrieval.llm_rewrite = true 에는 LLM이 필요합니다: [llm] backend·base_url 을 설정하세요."
        )
    return lambda question: suggest_provisions(llm, question, settings)


def _evaluate(
    item: QAItem,
    targets: list[GoldTarget],
    dataset: str,
    retriever: Retriever,
    answerer: Answerer | None,
    ks: Sequence[int],
    rewriter: Rewriter | None = None,
) -> QuestionRecord:
    depth = _depth(ks)
    hint, rewrite_ms = None, None
    if rewriter is not None:
        start = time.perf_counter()
        hint = rewriter(item.query)
        rewrite_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    hits = retriever.search(item.query, k=depth, hint=hint)
    retrieval_ms = (time.perf_counter() - start) * 1000
    metas = [_meta(h) for h in hits[:depth]]
    ranks = first_hit_ranks(metas, targets)
    record = QuestionRecord(
        dataset=dataset,
        id=item.id,
        line=item.line,
        gold=[t.key for t in targets],
        ranks=ranks,
        retrieved=[_label(m) for m in metas[:KEEP_RETRIEVED]],
        metrics=retrieval_metrics(ranks, ks),
        retrieval_ms=retrieval_ms,
        rewrite_ms=rewrite_ms,
        hint=hint,
    )
    if answerer is not None:
        start = time.perf_counter()
        result = answerer(item.query)
        record.answer_ms = (time.perf_counter() - start) * 1000
        record.tokens_in, record.tokens_out = result.tokens_in, result.tokens_out
        record.answer = result.text
        record.metrics.update(answer_metrics(result, targets, item.answer))
    return record


def run_benchmark(
    datasets: Sequence[QADataset],
    configs: Sequence[ConfigSpec],
    *,
    ks: Sequence[int] = (1, 5, 10, 20),
    limit: int | None = None,
    answers: bool = False,
    retriever_factory: RetrieverFactory = default_retriever_factory,
    answerer_factory: AnswererFactory = load_answerer,
    progress: bool = True,
) -> BenchRun:
    """Run every config over every dataset. Ctrl-C stops early and returns what was measured,
    marked `interrupted`. Raises IndexMissingError (checked up front where
    that is cheap)."""
    ks = sorted(set(ks))
    run = BenchRun([ConfigRun(spec) for spec in configs], list(ks), answers)
    if retriever_factory is default_retriever_factory:
        for spec in configs:  # config B's missing index should not surface after A's hour-long run
            check_index_dir(spec.settings)
    # Fail before any measurement when the chain is missing, not after config A ran for an hour.
    answerers = [answerer_factory(spec.settings) if answers else None for spec in configs]
    rewriters = [load_rewriter(spec.settings) for spec in configs]
    try:
        for config_run, answerer, rewriter in zip(run.configs, answerers, rewriters, strict=True):
            _run_config(config_run, answerer, datasets, retriever_factory, ks, limit, progress, rewriter)
    except KeyboardInterrupt:
        run.interrupted = True
        for config_run in run.configs:
            if config_run.datasets and config_run.peak_rss_kb is None:
                config_run.peak_rss_kb = peak_rss_kb()
    return run


def _run_config(
    config_run: ConfigRun,
    answerer: Answerer | None,
    datasets: Sequence[QADataset],
    retriever_factory: RetrieverFactory,
    ks: Sequence[int],
    limit: int | None,
    progress: bool,
    rewriter: Rewriter | None = None,
) -> None:
    retriever, catalog, doc_titles = _open(config_run.spec, retriever_factory)
    plans = []
    for dataset in datasets:
        dataset_run, todo = _plan(dataset, catalog, doc_titles, limit)
        config_run.datasets.append(dataset_run)
        plans.append((dataset_run, todo))
    total = sum(len(todo) for _, todo in plans)
    bar = tqdm(total=total, desc=config_run.spec.label, unit="q", disable=not progress, file=sys.stderr)
    try:
        first = next((todo[0][0] for _, todo in plans if todo), None)
        if first is not None:
            # Untimed warm-up: lazy model/collection loading belongs in peak RSS, not in the
            # first question's latency.
            retriever.search(first.query, k=_depth(ks))
        for dataset_run, todo in plans:
            bar.set_postfix_str(dataset_run.name)
            for item, targets in todo:
                dataset_run.records.append(
                    _evaluate(item, targets, dataset_run.name, retriever, answerer, ks, rewriter)
                )
                bar.update()
    finally:
        bar.close()
    config_run.peak_rss_kb = peak_rss_kb()
