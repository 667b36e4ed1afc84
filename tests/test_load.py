"""Short load test: 4 users share one retriever and chain context while an admin edits a file and
re-indexes it incrementally, then rebuilds the whole index (a new generation) — no errors, no
answer from a half-built index, and the retriever follows the new index without a restart."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from assistant.loadtest import (
    QA_DIR,
    QA_FILES,
    dev_questions,
    run_load,
    shared_app,
    summarize,
)
from ingest.core.settings import load_settings
from ingest.index import keyword_index
from ingest.index.stats import active_generation, indexed_chunk_ids
from ingest.job.pipeline import run_ingest
from tests.conftest import copy_statutes

FILES = ["행정기본법/법률.md", "민원처리에관한법률/시행규칙.md", "전자정부법/시행규칙.md"]
EDITED = "행정기본법/법률.md"
OLD, NEW = "이바지함을 목적으로 한다.", "이바지함을 목적으로 한다(부하 시험 개정)."
TARGETED = [
    "행정기본법 제1조의 목적은?",
    "민원 처리기간",
    "행정기본법 제2조 정의",
    "전자정부법 시행규칙 서식",
]


@pytest.mark.parametrize("mode", ["embedded", "server"])
def test_load_during_reindex(
    mode: str, tmp_path: Path, statute_sample: Path, embeddings: Any, request: pytest.FixtureRequest
) -> None:
    s = load_settings()
    s.store.db_dir = tmp_path / "index"
    s.store.chroma_url = None
    s.llm.backend = "none"
    if mode == "server":
        s.store.chroma_url = request.getfixturevalue("chroma_server")
        s.store.collection = f"load{time.time_ns()}"  # the server is shared by the session
    src = copy_statutes(statute_sample, tmp_path / "src", FILES)
    assert not run_ingest([src], s, embeddings=embeddings).failed
    start_ids = indexed_chunk_ids(s)

    ctx, _ = shared_app(s, embeddings)
    version_start = ctx.retriever.snapshot_id
    old_first = ctx.retriever.search("행정기본법 제1조", k=1)[0].chunk.id
    questions = TARGETED * 5
    if all((QA_DIR / name).is_file() for name in QA_FILES):
        questions += dev_questions()[::10]

    def admin(mark: Any) -> tuple[Any, Any]:
        path = src / EDITED
        text = path.read_text(encoding="utf-8")
        assert OLD in text
        path.write_text(text.replace(OLD, NEW, 1), encoding="utf-8")
        incremental = run_ingest([src], s, embeddings=embeddings)
        mark("after incremental")
        rebuild = run_ingest([src], s, rebuild=True, embeddings=embeddings)
        return incremental, rebuild

    result = run_load(ctx, questions, users=4, seconds=6, admin=admin, admin_delay=1.0, tail=1.5)
    figures = summarize(result)
    print(
        f"\n[{mode}]", {k: figures[k] for k in ("questions", "questions_per_s", "p50_ms", "p95_ms", "p99_ms")}
    )
    print(f"[{mode}] states", figures["states"], "versions", figures["retriever_versions_seen"])

    assert figures["admin_error"] is None
    incremental, rebuild = result.admin_result
    assert incremental.updated == [str((src / EDITED).resolve())]
    assert rebuild.generation is not None and not rebuild.failed
    assert figures["questions"] > 0
    assert figures["errors"] == 0, figures["error_kinds"]
    assert figures["half_built"] == 0, figures["half_built_examples"]

    # the shared retriever follows the new keyword snapshot and generation without a restart
    gen = active_generation(s)
    assert gen is not None and gen.name == rebuild.generation
    current = keyword_index.current_version(gen.path(Path(s.store.db_dir)))
    assert ctx.retriever.snapshot_id == f"{gen.name}/{current}" != version_start
    assert len(figures["retriever_versions_seen"]) >= 2
    new_first = ctx.retriever.search("행정기본법 제1조", k=1)[0]
    assert NEW in new_first.chunk.text
    assert new_first.chunk.id != old_first and new_first.chunk.id in indexed_chunk_ids(s) - start_ids


def test_half_built_detection() -> None:
    """An answer mixing chunks of two published states counts as half-built; errors are counted."""
    from assistant.loadtest import LoadResult, Sample, StateLog

    log = StateLog()
    log.add("before", {"a", "b"})
    log.add("after", {"a", "c"})
    samples = [
        Sample(0, 0.0, 10.0, frozenset({"a", "b"}), "v1"),
        Sample(1, 0.1, 12.0, frozenset({"c"}), "v2"),
        Sample(0, 0.2, 11.0, frozenset({"b", "c"}), "v2"),
        Sample(1, 0.3, 5.0, frozenset(), "v2", error="RuntimeError: boom"),
    ]
    figures = summarize(LoadResult(2, 1.0, len(samples), samples, log))
    assert figures["half_built"] == 1 and figures["errors"] == 1
    assert figures["answers_only_in_first_state"] == 1 and figures["answers_only_in_last_state"] == 1
