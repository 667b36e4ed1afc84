"""Zero-downtime rebuilds (index generations), embedding-model changes, a killed rebuild, and the
Chroma server going down and coming back while the app keeps its retriever."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.search.retrieval import HybridRetriever, SearchUnavailableError
from ingest.core.settings import Settings
from ingest.index import generations
from ingest.index.stats import active_generation, indexed_chunk_ids
from ingest.index.store import make_client
from ingest.job.pipeline import RebuildCheckError, run_ingest
from tests.conftest import PROJECT_ROOT, committed_chunks, copy_statutes

FIRST = ["행정기본법/법률.md", "민원처리에관한법률/법률.md"]
SECOND = ["민원처리에관한법률/법률.md", "민원처리에관한법률/시행령.md", "개인정보보호법/법률.md"]


def _collections(settings: Settings) -> set[str]:
    return {getattr(c, "name", c) for c in make_client(settings.store).list_collections()}


def test_rebuild_is_invisible_until_switched_then_old_versions_are_cleaned(
    tmp_path: Path, statute_sample: Path, store_settings: Settings, embeddings
) -> None:
    s = store_settings
    src = copy_statutes(statute_sample, tmp_path / "src", FIRST)
    first = run_ingest([src], s, embeddings=embeddings)
    assert first.generation  # the first run builds a generation and switches to it
    old_gen = active_generation(s)
    old_ids = indexed_chunk_ids(s)
    retriever = HybridRetriever(s, embeddings=embeddings)

    copy_statutes(statute_sample, src, SECOND)  # two more laws; 민원처리법 unchanged
    seen_during: list[set[str]] = []

    def during(done: int, total: int, embedded: int) -> None:
        # Mid-rebuild: readers still get the old generation, complete.
        assert active_generation(s) == old_gen
        hits = retriever.search("개인정보의 수집ㆍ이용 동의", k=10)
        seen_during.append({h.chunk.id for h in hits})

    rebuilt = run_ingest([src], s, rebuild=True, embeddings=embeddings, progress=during)
    assert seen_during and all(ids <= old_ids for ids in seen_during)
    # the unchanged files' chunks keep their ids: their vectors are copied, not embedded again
    # (as are repeats of one text within the new laws)
    shared = old_ids & indexed_chunk_ids(s)
    assert rebuilt.chunks_reused >= len(shared) > 0
    assert rebuilt.chunks_embedded == rebuilt.chunks_total - rebuilt.chunks_reused
    new_gen = active_generation(s)
    assert new_gen != old_gen and rebuilt.generation == new_gen.name
    assert generations.building(Path(s.store.db_dir)) is None

    # the same retriever object follows the switch on its next search
    hits = retriever.search("개인정보의 수집ㆍ이용 동의", k=10)
    assert {h.chunk.id for h in hits} <= indexed_chunk_ids(s)
    assert any(h.chunk.metadata.get("law_title") == "개인정보 보호법" for h in hits)
    assert retriever.generation == new_gen

    # a third build removes the first generation; the previous one is kept for in-flight readers
    run_ingest([src], s, rebuild=True, embeddings=embeddings)
    third = active_generation(s)
    kept = {p.name for p in (Path(s.store.db_dir) / generations.GENERATIONS).iterdir()}
    assert kept == {new_gen.name, third.name}
    ours = {c for c in _collections(s) if c.startswith(s.store.collection)}
    assert ours == {new_gen.collection, third.collection}


def test_failed_sanity_check_keeps_the_old_generation(
    tmp_path: Path, statute_sample: Path, settings: Settings, embeddings
) -> None:
    src = copy_statutes(statute_sample, tmp_path / "src", FIRST[:1])
    run_ingest([src], settings, embeddings=embeddings)
    before = active_generation(settings)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    with pytest.raises(RebuildCheckError, match="기존 색인을 계속 사용"):
        run_ingest([bad], settings, rebuild=True, embeddings=embeddings)
    assert active_generation(settings) == before
    hits = HybridRetriever(settings, embeddings=embeddings).search("행정기본법의 목적", k=3)
    assert hits


def test_changing_the_embedding_model_keeps_serving_until_the_rebuild_switches(
    tmp_path: Path, statute_sample: Path, settings: Settings, embeddings
) -> None:
    from ingest.index.embeddings import make_embeddings

    src = copy_statutes(statute_sample, tmp_path / "src", FIRST[:1])
    run_ingest([src], settings, embeddings=embeddings)
    changed = settings.model_copy(deep=True)
    changed.embedding.model = "minilm"  # an operator switched the model in config.toml
    retriever = HybridRetriever(changed)  # the app, restarted with the new setting
    assert retriever.search("행정의 법 원칙", k=3), "old generation still answers, with its own model"
    assert retriever.generation.embedding_model == embeddings.model_id

    minilm = make_embeddings(changed.embedding)
    report = run_ingest([src], changed, rebuild=True, embeddings=minilm)
    assert report.generation and report.chunks_embedded == report.chunks_total
    assert retriever.search("행정의 법 원칙", k=3)
    assert retriever.generation.embedding_model == "minilm"


def test_killed_rebuild_keeps_old_serving_and_next_run_finishes(
    tmp_path: Path, statute_sample: Path, settings: Settings, embeddings
) -> None:
    db = settings.store.db_dir
    small = copy_statutes(statute_sample, tmp_path / "small", FIRST[:1])
    run_ingest([small], settings, embeddings=embeddings)
    old_gen, old_ids = active_generation(settings), indexed_chunk_ids(settings)
    retriever = HybridRetriever(settings, embeddings=embeddings)

    names = ["지방자치법/법률.md", "행정절차법/법률.md", "지방공무원법/법률.md", "행정기본법/법률.md"]
    big = copy_statutes(statute_sample, tmp_path / "big", names)
    cmd = [sys.executable, "-m", "ingest", str(big), "--db", str(db), "--rebuild", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    before = committed_chunks(Path(db))
    deadline = time.time() + 120
    while time.time() < deadline and committed_chunks(Path(db)) == before and proc.poll() is None:
        time.sleep(0.2)
    time.sleep(0.5)  # inside the next file's embedding
    assert proc.poll() is None, "rebuild finished before it could be killed; use more files"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    assert active_generation(settings) == old_gen
    hits = retriever.search("행정기본법 제1조", k=5)
    assert hits and {h.chunk.id for h in hits} <= old_ids

    rerun = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "새 색인 세대" in rerun.stdout
    resumed = re.search(r"변경 없음 (\d+)", rerun.stdout)
    assert resumed and int(resumed.group(1)) >= 1, "files finished before the kill are not redone"
    new_gen = active_generation(settings)
    assert new_gen != old_gen
    assert generations.building(Path(db)) is None
    hits = retriever.search("지방자치단체의 사무", k=5)
    assert hits and {h.chunk.id for h in hits} <= indexed_chunk_ids(settings)


def test_chroma_server_killed_and_restarted_during_queries(
    tmp_path: Path, statute_sample: Path, settings: Settings, embeddings
) -> None:
    from ingest.index.chroma_server import start_chroma_server

    server = start_chroma_server(tmp_path / "chroma")
    try:
        settings.store.chroma_url = server.url
        src = copy_statutes(statute_sample, tmp_path / "src", FIRST[:1])
        run_ingest([src], settings, embeddings=embeddings)
        retriever = HybridRetriever(settings, embeddings=embeddings)
        assert retriever.search("행정의 법 원칙", k=3)

        server.kill()
        with pytest.raises(SearchUnavailableError, match="연결할 수 없습니다"):
            retriever.search("행정의 법 원칙", k=3)

        server.start()  # same port and data: the app recovers without a restart
        hits = retriever.search("행정의 법 원칙", k=3)
        assert hits and hits[0].signals.get("dense")
    finally:
        server.stop()
        shutil.rmtree(tmp_path / "chroma", ignore_errors=True)
