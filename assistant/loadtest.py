"""Load test: N simulated staff ask questions through ONE shared retriever and chain context (as
``ui/state.py`` shares them per process) while an admin re-index may run in another thread.

Reports throughput, latency percentiles, errors and "answers from a half-built index": each
answer's source chunk ids must all belong to one complete published state of the index. The
states are the live index's chunk ids before and after the re-index, plus every keyword snapshot
published meanwhile (hooked at ``ingest.index.keyword_index.publish``, which every publish goes
through: an incremental run's new snapshot and a rebuild's new generation alike).

    python -m assistant.loadtest --users 8 --seconds 60 [--reindex PATHS…] [--chroma-url URL] [--db DIR]

With ``--reindex`` the users keep asking until both T seconds have passed and the re-index
(``run_ingest(paths, settings, rebuild=True)``) has finished.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.bench.datasets import read_qa_file
from assistant.chains import ChainContext, answer_question, make_context
from assistant.search.retrieval import HybridRetriever
from ingest.core.settings import PROJECT_ROOT, Settings, load_settings
from ingest.index import keyword_index
from ingest.index.embeddings import make_embeddings
from ingest.index.stats import indexed_chunk_ids
from ingest.job.pipeline import run_ingest

QA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "qa"
QA_FILES = ("koblex-dev.jsonl", "firesafety-dev.jsonl")
WARMUP_QUERY = "민원 처리기간"  # as ui/state.py

Admin = Callable[[Callable[[str], None]], Any]  # admin(mark): re-index; mark(label) records a state


def dev_questions(qa_dir: Path = QA_DIR) -> list[str]:
    """The dev QA questions (as the QA benchmark sends them)."""
    return [item.query for name in QA_FILES for item in read_qa_file(qa_dir / name).items]


def shared_app(settings: Settings, embeddings: Any = None) -> tuple[ChainContext, Any]:
    """One retriever and one chain context for all users, built and warmed as ui/state.py does;
    returns (context, embedding model) — the admin's indexing shares the model, as the 관리 page."""
    if embeddings is None:
        embeddings = make_embeddings(settings.embedding)
    retriever = HybridRetriever(settings, embeddings=embeddings)
    retriever.search(WARMUP_QUERY, k=1)
    ctx = make_context(settings, retriever=None)
    ctx.tokens("준비")
    ctx.retriever = retriever
    return ctx, embeddings


@dataclass
class StateLog:
    """Complete published states of the index (thread-safe)."""

    states: list[tuple[str, float, frozenset[str]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, label: str, ids: set[str] | frozenset[str] | list[str]) -> None:
        with self._lock:
            self.states.append((label, time.time(), frozenset(ids)))

    def sets(self) -> list[frozenset[str]]:
        with self._lock:
            return [ids for _, _, ids in self.states]


@contextmanager
def record_publishes(log: StateLog) -> Iterator[None]:
    """Record the chunk ids of every keyword snapshot published while inside."""
    original = keyword_index.publish

    def publish(db_dir: Path, index: keyword_index.KeywordIndex) -> str:
        version = original(db_dir, index)
        log.add(f"publish {version}", index.ids)
        return version

    keyword_index.publish = publish  # type: ignore[assignment]
    try:
        yield
    finally:
        keyword_index.publish = original  # type: ignore[assignment]


@dataclass
class Sample:
    user: int
    started: float
    latency_ms: float
    ids: frozenset[str]
    version: str
    error: str | None = None


@dataclass
class LoadResult:
    users: int
    seconds: float
    questions: int
    samples: list[Sample]
    states: StateLog
    admin_seconds: float | None = None
    admin_error: str | None = None
    admin_result: Any = None
    versions_start: str = ""
    versions_end: str = ""


def _user_loop(
    n: int, ctx: ChainContext, questions: list[str], seed: int, stop: threading.Event, out: list[Sample]
) -> None:
    rng = random.Random(seed + n)
    while not stop.is_set():
        question = rng.choice(questions)
        t0 = time.perf_counter()
        try:
            answer = answer_question(question, ctx=ctx)
            ids = frozenset(s.chunk_id for s in [*answer.sources, *answer.candidates])
            error = None
        except Exception as exc:
            ids, error = frozenset(), f"{type(exc).__name__}: {exc}"[:300]
        latency = (time.perf_counter() - t0) * 1000
        out.append(Sample(n, t0, latency, ids, ctx.retriever.snapshot_id, error))


def run_load(
    ctx: ChainContext,
    questions: list[str],
    users: int,
    seconds: float,
    admin: Admin | None = None,
    admin_delay: float = 2.0,
    tail: float = 1.0,
    seed: int = 0,
) -> LoadResult:
    """Run `users` threads for `seconds` (and until `admin` is done, plus `tail` seconds)."""
    settings = ctx.settings
    log = StateLog()
    log.add("start", indexed_chunk_ids(settings))
    stop = threading.Event()
    per_user: list[list[Sample]] = [[] for _ in range(users)]
    threads = [
        threading.Thread(target=_user_loop, args=(i, ctx, questions, seed, stop, per_user[i]), daemon=True)
        for i in range(users)
    ]
    result = LoadResult(users, 0.0, 0, [], log, versions_start=ctx.retriever.snapshot_id)
    admin_done = threading.Event()

    def admin_thread() -> None:
        time.sleep(admin_delay)
        log.add("before re-index", indexed_chunk_ids(settings))
        t0 = time.perf_counter()
        try:
            with record_publishes(log):
                result.admin_result = admin(lambda label: log.add(label, indexed_chunk_ids(settings)))
        except Exception as exc:
            result.admin_error = f"{type(exc).__name__}: {exc}"[:500]
        result.admin_seconds = time.perf_counter() - t0
        log.add("after re-index", indexed_chunk_ids(settings))
        admin_done.set()

    start = time.perf_counter()
    for t in threads:
        t.start()
    if admin is not None:
        threading.Thread(target=admin_thread, daemon=True).start()
    else:
        admin_done.set()
    time.sleep(seconds)
    admin_done.wait()
    if admin is not None:
        time.sleep(tail)  # let the users' next searches pick up the last publish
    stop.set()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - start
    result.samples = sorted((s for user in per_user for s in user), key=lambda s: s.started)
    result.questions = len(result.samples)
    result.versions_end = ctx.retriever.snapshot_id
    return result


def summarize(result: LoadResult) -> dict[str, Any]:
    """Figures of a run (JSON-serialisable)."""
    ok = [s for s in result.samples if s.error is None]
    lat = np.asarray([s.latency_ms for s in ok]) if ok else np.zeros(0)
    states = result.states.sets()
    half = [s for s in ok if not any(s.ids <= st for st in states)]
    first, last = states[0], states[-1]
    errors: dict[str, int] = {}
    for s in result.samples:
        if s.error:
            errors[s.error] = errors.get(s.error, 0) + 1
    pct = (lambda q: round(float(np.percentile(lat, q)), 1)) if lat.size else (lambda q: None)
    return {
        "users": result.users,
        "seconds": round(result.seconds, 1),
        "questions": result.questions,
        "questions_per_s": round(result.questions / max(result.seconds, 1e-9), 2),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "half_built": len(half),
        "half_built_examples": [sorted(s.ids)[:5] for s in half[:3]],
        "answers_only_in_first_state": sum(1 for s in ok if s.ids <= first and not s.ids <= last),
        "answers_only_in_last_state": sum(1 for s in ok if s.ids <= last and not s.ids <= first),
        "states": [
            {"label": lb, "at": round(t, 3), "chunks": len(ids)} for lb, t, ids in result.states.states
        ],
        "retriever_versions_seen": sorted({s.version for s in result.samples}),
        "retriever_version_start": result.versions_start,
        "retriever_version_end": result.versions_end,
        "admin_seconds": None if result.admin_seconds is None else round(result.admin_seconds, 1),
        "admin_error": result.admin_error,
        "rss_mb": _rss_mb("VmRSS"),
        "peak_rss_mb": _rss_mb("VmHWM"),
    }


def _rss_mb(field_name: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def table(figures: dict[str, Any]) -> str:
    keys = [
        "users",
        "seconds",
        "questions",
        "questions_per_s",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "errors",
        "half_built",
    ]
    head = "| " + " | ".join(keys) + " |"
    return "\n".join(
        [head, "|" + "---|" * len(keys), "| " + " | ".join(str(figures[k]) for k in keys) + " |"]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m assistant.loadtest", description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--reindex", type=Path, nargs="+", help="re-index these paths (rebuild=True) meanwhile")
    ap.add_argument("--reindex-delay", type=float, default=2.0, help="seconds before the re-index starts")
    ap.add_argument("--chroma-url", help="a `chroma run` server (default: embedded Chroma in --db)")
    ap.add_argument("--db", type=Path, help="index folder (default: settings.store.db_dir)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench-out" / "load")
    args = ap.parse_args(argv)

    s = load_settings()
    s.llm.backend = "none"
    s.embedding.threads = 1
    if args.db:
        s.store.db_dir = args.db
    if args.chroma_url:
        s.store.chroma_url = args.chroma_url
    ctx, embeddings = shared_app(s)
    admin: Admin | None = None
    if args.reindex:
        paths = list(args.reindex)

        def reindex(mark: Callable[[str], None]) -> Any:
            return run_ingest(paths, s, rebuild=True, embeddings=embeddings).summary()

        admin = reindex

    result = run_load(
        ctx, dev_questions(), args.users, args.seconds, admin, args.reindex_delay, seed=args.seed
    )
    figures = summarize(result)
    figures["mode"] = "server" if s.store.chroma_url else "embedded"
    figures["db_dir"] = str(s.store.db_dir)
    figures["reindex"] = [str(p) for p in args.reindex or []]
    figures["admin_report"] = result.admin_result
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"load-{figures['mode']}-{args.users}u-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table(figures))
    print(f"errors by kind: {figures['error_kinds'] or '-'}; admin: {figures['admin_error'] or 'ok'}")
    print(
        f"retriever {figures['retriever_version_start']} → {figures['retriever_version_end']}; wrote {path}"
    )
    return 1 if figures["errors"] or figures["half_built"] or figures["admin_error"] else 0


if __name__ == "__main__":
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    raise SystemExit(main())
