"""The ingest job on real files: incremental behaviour, bad inputs, crash safety, server mode."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.core.settings import Settings
from ingest.index import keyword_index
from ingest.index.stats import active_generation, indexed_chunk_ids, open_manifest
from ingest.index.store import EmbeddingMismatchError, all_ids, make_client, open_collection
from ingest.job import pipeline, prepare_worker
from ingest.job.cli import main as ingest_main
from ingest.job.pipeline import run_ingest
from tests.conftest import PROJECT_ROOT, committed_chunks, copy_statutes

SMALL_SET = ["행정기본법/법률.md", "민원처리에관한법률/법률.md", "전자정부법/시행규칙.md"]


def _state(settings: Settings, embeddings) -> tuple[set[str], set[str], set[str]]:
    """(ids in Chroma, ids in the manifest, ids in the live keyword snapshot)."""
    gen = active_generation(settings)
    assert gen is not None
    collection = open_collection(make_client(settings.store), gen.collection, embeddings, create=False)
    listed = indexed_chunk_ids(settings)
    loaded = keyword_index.load_current(gen.path(Path(settings.store.db_dir)))
    snapshot = set(loaded[1].ids) if loaded else set()
    return all_ids(collection), listed, snapshot


def test_incremental_reindex(
    tmp_path: Path, statute_sample: Path, store_settings: Settings, embeddings
) -> None:
    src = copy_statutes(statute_sample, tmp_path / "src", SMALL_SET)
    shutil.copytree(PROJECT_ROOT / "corpus" / "guidelines", src / "guidelines")

    first = run_ingest([src], store_settings, embeddings=embeddings)
    assert not first.failed
    assert len(first.added) == 6
    assert first.chunks_embedded == first.chunks_total > 100
    chroma, listed, snapshot = _state(store_settings, embeddings)
    assert chroma == listed == snapshot

    # a re-run with no change embeds nothing
    again = run_ingest([src], store_settings, embeddings=embeddings)
    assert again.chunks_embedded == 0 and len(again.unchanged) == 6

    # one edited article re-embeds exactly one chunk and replaces it
    law = src / "행정기본법" / "법률.md"
    text = law.read_text(encoding="utf-8")
    assert "행정의 민주성과 적법성을 확보하고" in text
    law.write_text(text.replace("적법성을 확보하고", "적법성을 확실히 확보하고", 1), encoding="utf-8")
    edited = run_ingest([src], store_settings, embeddings=embeddings)
    assert edited.chunks_embedded == 1
    assert edited.chunks_deleted == 1
    assert edited.updated == [str(law.resolve())]
    chroma2, listed2, snapshot2 = _state(store_settings, embeddings)
    assert chroma2 == listed2 == snapshot2
    assert len(chroma2) == len(chroma) and len(chroma2 - chroma) == 1

    # a deleted file leaves no chunk anywhere
    removed_file = src / "민원처리에관한법률" / "법률.md"
    manifest = open_manifest(store_settings)
    assert manifest is not None
    removed_ids = manifest.chunk_ids(str(removed_file.resolve()))
    manifest.close()
    assert removed_ids
    removed_file.unlink()
    gone = run_ingest([src], store_settings, embeddings=embeddings)
    assert gone.removed == [str(removed_file.resolve())]
    chroma3, listed3, snapshot3 = _state(store_settings, embeddings)
    assert chroma3 == listed3 == snapshot3
    assert not (removed_ids & chroma3)


def test_bad_inputs_are_reported_and_the_rest_indexed(
    tmp_path: Path,
    statute_sample: Path,
    documents_dir: Path,
    settings: Settings,
    embeddings,
    capsys,
    monkeypatch,
) -> None:
    src = copy_statutes(statute_sample, tmp_path / "src", ["행정기본법/법률.md"])
    real_pdf = next((documents_dir / "statute_pdf").glob("전자정부법*.pdf"))
    (src / "corrupt.pdf").write_bytes(real_pdf.read_bytes()[:1000])
    (src / "empty.txt").write_bytes(b"")
    (src / "fake.hwp").write_text("이것은 HWP가 아닙니다", encoding="utf-8")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (src / "cp949.txt").write_bytes("민원 처리 기간은 14일 이내로 한다. 연장 시 통지한다.".encode("cp949"))
    unknown = src / "table.xyz"
    unknown.write_text("알 수 없는 형식", encoding="utf-8")
    shutil.copy(next((documents_dir / "guideline_pdf" / "scanned").glob("*.pdf")), src / "scanned.pdf")
    big = src / "big.txt"
    big.write_text("가" * 400_000, encoding="utf-8")
    settings.ingest.max_file_mb = 1.0  # the 1.2 MB file is over this limit
    settings.ocr.enabled = False  # the scan is refused as "OCR needed" (tests/test_ocr.py reads it)

    report = run_ingest([src, unknown], settings, embeddings=embeddings)
    failed = dict(report.failed)
    assert set(map(Path, failed)) == {
        (src / n).resolve()
        for n in ["corrupt.pdf", "empty.txt", "fake.hwp", "binary.txt", "table.xyz", "scanned.pdf", "big.txt"]
    }
    assert "빈 파일" in failed[str((src / "empty.txt").resolve())]
    assert "OCR" in failed[str((src / "scanned.pdf").resolve())]
    assert "크기 제한" in failed[str((src / "big.txt").resolve())]
    assert "지원하지 않는" in failed[str(unknown.resolve())]
    assert {Path(p).name for p in report.added} == {"법률.md", "cp949.txt"}

    # the CLI lists the failures with their reasons and exits non-zero
    monkeypatch.setenv("ASSISTANT_INGEST__MAX_FILE_MB", "1.0")
    monkeypatch.setenv("ASSISTANT_OCR__ENABLED", "false")
    code = ingest_main(
        [
            str(src),
            "--db",
            str(settings.store.db_dir),
            "--quiet",
            "--config",
            str(PROJECT_ROOT / "config.toml"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "실패: " in out and "corrupt.pdf" in out and "OCR" in out


def test_broken_file_keeps_its_previous_version(
    tmp_path: Path, statute_sample: Path, settings: Settings, embeddings
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    doc = src / "지침.txt"
    doc.write_text(
        "1. 목적\n이 지침은 민원 처리 절차를 정한다.\n2. 기간\n민원은 7일 이내에 처리한다.", encoding="utf-8"
    )
    run_ingest([src], settings, embeddings=embeddings)
    before = _state(settings, embeddings)
    doc.write_bytes(b"\xff\xfe\x00\xd8" * 100)  # now undecodable
    report = run_ingest([src], settings, embeddings=embeddings)
    assert [Path(p).name for p, _ in report.failed] == ["지침.txt"]
    assert _state(settings, embeddings) == before, "nothing already indexed is lost"


def test_embedding_model_mismatch_is_a_clear_error(tmp_path: Path, settings: Settings, embeddings) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("민원은 7일 이내에 처리한다. 처리기간 연장은 통지한다.", encoding="utf-8")
    run_ingest([src], settings, embeddings=embeddings)
    from ingest.index.embeddings import make_embeddings

    settings.embedding.model = "minilm"
    minilm = make_embeddings(settings.embedding)
    with pytest.raises(EmbeddingMismatchError, match="다시 색인"):
        run_ingest([src], settings, embeddings=minilm)
    # --rebuild switches the index to the new model
    rebuilt = run_ingest([src], settings, rebuild=True, embeddings=minilm)
    assert rebuilt.chunks_embedded == rebuilt.chunks_total == 1


def test_killed_ingest_then_rerun_equals_clean_build(
    tmp_path: Path, statute_sample: Path, settings: Settings, embeddings
) -> None:
    names = ["지방자치법/법률.md", "행정절차법/법률.md", "지방공무원법/법률.md", "행정기본법/법률.md"]
    src = copy_statutes(statute_sample, tmp_path / "src", names)
    killed_db = tmp_path / "killed"
    cmd = [sys.executable, "-m", "ingest", str(src), "--db", str(killed_db), "--quiet"]
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and committed_chunks(killed_db) == 0 and proc.poll() is None:
        time.sleep(0.2)
    time.sleep(0.5)  # inside the next file's embedding
    assert proc.poll() is None, "ingest finished before it could be killed; use more files"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = committed_chunks(killed_db)
    assert partial > 0

    rerun = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr

    clean_db = tmp_path / "clean"
    subprocess.run([*cmd[:-3], "--db", str(clean_db), "--quiet"], cwd=PROJECT_ROOT, check=True, timeout=600)

    def state(db: Path) -> tuple[set[str], set[str], set[str]]:
        s = settings.model_copy(deep=True)
        s.store.db_dir = db
        return _state(s, embeddings)

    killed_state, clean_state = state(killed_db), state(clean_db)
    assert killed_state == clean_state
    chroma, listed, snapshot = killed_state
    assert chroma == listed == snapshot and len(chroma) > partial


def test_vectors_are_listed_only_after_an_unfinished_run(
    tmp_path: Path, statute_sample: Path, settings: Settings, embeddings, monkeypatch
) -> None:
    src = copy_statutes(statute_sample, tmp_path / "src", ["행정기본법/법률.md"])
    law = src / "행정기본법" / "법률.md"
    original = law.read_text(encoding="utf-8")
    run_ingest([src], settings, embeddings=embeddings)
    listings: list[int] = []

    def count_listings() -> None:
        real = pipeline.all_ids
        monkeypatch.setattr(pipeline, "all_ids", lambda c: listings.append(1) or real(c))

    # after a finished run Chroma is known to match the manifest: an edit lists nothing
    count_listings()
    law.write_text(original.replace("적법성을 확보하고", "적법성을 확실히 확보하고", 1), encoding="utf-8")
    assert run_ingest([src], settings, embeddings=embeddings).chunks_embedded == 1
    assert listings == []

    # a run that dies after storing a vector, before its manifest commit, leaves an orphan …
    def die(*_: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(pipeline.Indexer, "commit", die)
    law.write_text(original, encoding="utf-8")
    with pytest.raises(RuntimeError, match="killed"):
        run_ingest([src], settings, embeddings=embeddings)
    monkeypatch.undo()
    # … which the next run finds by listing the collection, once
    law.write_text(original.replace("적법성을 확보하고", "적법성을 확실히 확보하고", 1), encoding="utf-8")
    count_listings()
    repaired = run_ingest([src], settings, embeddings=embeddings)
    assert listings == [1] and repaired.orphans_removed == 1 and repaired.unchanged
    chroma, listed, snapshot = _state(settings, embeddings)
    assert chroma == listed == snapshot
    run_ingest([src], settings, embeddings=embeddings)
    assert listings == [1]


def test_text_indexed_before_is_neither_embedded_nor_tokenised_again(
    tmp_path: Path, statute_sample: Path, settings: Settings, embeddings, monkeypatch
) -> None:
    src = copy_statutes(statute_sample, tmp_path / "src", ["행정기본법/법률.md"])
    first = run_ingest([src], settings, embeddings=embeddings)
    manifest = open_manifest(settings)
    assert manifest is not None
    db = sqlite3.connect(manifest.path)
    manifest.close()
    # a manifest from before text keys: they are added from the chunks' text_hash on open
    db.executescript("DROP INDEX chunks_text_key; ALTER TABLE chunks DROP COLUMN text_key;")
    db.close()

    # the same law in a second place (a moved file; a past version shares most of its articles)
    shutil.copytree(src / "행정기본법", src / "행정기본법-사본")
    tokenised: list[str] = []
    real = prepare_worker.morphemes
    monkeypatch.setattr(prepare_worker, "morphemes", lambda texts: tokenised.extend(texts) or real(texts))
    copied = run_ingest([src], settings, embeddings=embeddings)
    copy = str((src / "행정기본법-사본" / "법률.md").resolve())
    assert copied.added == [copy] and not copied.failed
    assert copied.chunks_embedded == 0 and copied.chunks_reused == first.chunks_total > 10
    assert tokenised == []
    chroma, listed, snapshot = _state(settings, embeddings)
    assert chroma == listed == snapshot and len(chroma) == 2 * first.chunks_total

    # the copies carry the same tokens and vectors as the originals
    manifest = open_manifest(settings)
    assert manifest is not None
    rows = {
        (p == copy, meta["text_hash"]): (cid, tok) for p, cid, _, meta, tok in manifest.iter_file_chunks()
    }
    manifest.close()
    gen = active_generation(settings)
    assert gen is not None
    collection = open_collection(make_client(settings.store), gen.collection, embeddings, create=False)
    for (is_copy, key), (cid, tokens) in rows.items():
        if is_copy:
            original_id, original_tokens = rows[(False, key)]
            assert tokens == original_tokens
            got = collection.get(ids=[cid, original_id], include=["embeddings"])
            assert got["embeddings"][0] == pytest.approx(got["embeddings"][1])

    # an edit of the copy embeds its one new text only
    law = src / "행정기본법-사본" / "법률.md"
    law.write_text(
        law.read_text(encoding="utf-8").replace("적법성을 확보하고", "적법성을 확실히 확보하고", 1), "utf-8"
    )
    edited = run_ingest([src], settings, embeddings=embeddings)
    assert edited.chunks_embedded == 1 and len(set(tokenised)) == 1
