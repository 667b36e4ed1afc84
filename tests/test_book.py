"""First run with the shipped book (ingest.job.book): core laws first, the rest as a new generation in
the background that keeps uploads, resumes after a kill and is incremental once complete; a
folder's README is no document; `sync --into` updates the shipped book from a legalize-kr repo."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ingest.core.settings import Settings, load_settings
from ingest.index import generations
from ingest.index.stats import active_generation, open_manifest
from ingest.job import book, book_status
from ingest.job.pipeline import discover_files, run_ingest
from ingest.statutes.sync import sync
from tests.conftest import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "corpus" / "statutes" / "kr"
LAWS = ["공휴일에관한법률", "검사정원법", "검찰청법"]  # small ones


def _settings(tmp_path: Path) -> Settings:
    for law in LAWS:
        shutil.copytree(SHIPPED / law, tmp_path / "corpus" / "statutes" / "kr" / law)
    shutil.copytree(PROJECT_ROOT / "corpus" / "guidelines", tmp_path / "corpus" / "guidelines")
    s = load_settings()
    s.corpus_dir = tmp_path / "corpus"
    s.statutes.book_dir = tmp_path / "corpus" / "statutes"
    s.statutes.core_laws = [LAWS[0]]
    s.store.db_dir = tmp_path / "index"
    s.store.chroma_url = None
    return s


def _files(s: Settings) -> set[str]:
    manifest = open_manifest(s)
    assert manifest is not None
    try:
        return {Path(p).relative_to(Path(s.corpus_dir).resolve()).as_posix() for p in manifest.files()
                if Path(p).is_relative_to(Path(s.corpus_dir).resolve())}  # fmt: skip
    finally:
        manifest.close()


def test_core_first_then_the_whole_book_keeping_uploads(tmp_path: Path, embeddings: Any) -> None:
    s = _settings(tmp_path)
    run_ingest(book.core_paths(s), s, embeddings=embeddings)
    assert {f for f in _files(s) if f.startswith("statutes")} == {"statutes/kr/공휴일에관한법률/법률.md"}
    upload = tmp_path / "uploads" / "공지.md"
    upload.parent.mkdir()
    upload.write_text(
        "# 공지\n\n## 1. 주차\n청사 주차장은 평일 9시부터 18시까지 운영한다.\n", encoding="utf-8"
    )
    run_ingest([upload], s, embeddings=embeddings)
    core_generation = active_generation(s)

    done = book.complete(s)
    assert done.state == book_status.DONE and done.files_done == done.files_total == len(LAWS)
    assert book_status.read(s.store.db_dir) == done and "완료" in done.line()
    assert active_generation(s) != core_generation  # a new generation, switched to when complete
    assert {f"statutes/kr/{law}/{f.name}" for law in LAWS for f in (SHIPPED / law).glob("*.md")} <= _files(s)
    manifest = open_manifest(s)
    assert manifest is not None and str(upload.resolve()) in manifest.files()  # the upload survived
    manifest.close()

    whole = active_generation(s)
    again = book.complete(s)  # complete already: an incremental pass, no new generation
    assert again.state == book_status.DONE and active_generation(s) == whole
    assert generations.building(s.store.db_dir) is None


def test_a_killed_background_run_resumes_its_generation(
    tmp_path: Path, embeddings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = _settings(tmp_path)
    s.ingest.prepare_workers = 0
    run_ingest(book.core_paths(s), s, embeddings=embeddings)
    real_write = book_status.write
    calls = {"n": 0}
    seen: list[tuple[int, int]] = []

    def dying_write(db_dir: Path, progress: book_status.BookProgress) -> None:
        calls["n"] += 1
        seen.append((progress.files_done, progress.files_total))
        if calls["n"] == 3:  # after the first files were prepared: the process is killed
            raise KeyboardInterrupt
        real_write(db_dir, progress)

    monkeypatch.setattr(book_status, "write", dying_write)
    with pytest.raises(KeyboardInterrupt):
        book.complete(s)
    assert 0 < seen[1][0] < seen[1][1]  # progress counts files as they are done, not when hashed
    unfinished = generations.building(s.store.db_dir)
    assert unfinished is not None
    shown = book_status.read(s.store.db_dir)
    assert shown is not None and shown.state == book_status.RUNNING
    monkeypatch.setattr(book_status, "write", real_write)

    book.complete(s)
    assert active_generation(s) == unfinished  # resumed, not started over
    assert generations.building(s.store.db_dir) is None


def test_a_folder_readme_is_not_indexed(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# 샘플 문서\n", encoding="utf-8")
    (tmp_path / "지침.md").write_text("# 지침\n", encoding="utf-8")
    assert [f.name for f in discover_files([tmp_path], (".md",))] == ["지침.md"]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_sync_into_updates_the_shipped_book(tmp_path: Path, embeddings: Any) -> None:
    repo, shipped = tmp_path / "legalize-kr", tmp_path / "corpus" / "statutes"
    shutil.copytree(SHIPPED / LAWS[1], repo / "kr" / LAWS[1])
    shutil.copytree(SHIPPED / LAWS[1], shipped / "kr" / LAWS[1])
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    s = load_settings()
    s.store.db_dir, s.store.chroma_url = tmp_path / "index", None
    sync(repo, s, embeddings=embeddings, into=shipped)
    law = repo / "kr" / LAWS[1] / "법률.md"
    law.write_text(
        law.read_text(encoding="utf-8") + "\n##### 제99조 (시험)\n\n시험 조문이다.\n", encoding="utf-8"
    )
    _git(repo, "commit", "-qam", "amend")
    report = sync(repo, s, embeddings=embeddings, into=shipped)
    assert report.laws == [LAWS[1]]
    assert (shipped / "kr" / LAWS[1] / "법률.md").read_text(encoding="utf-8").endswith("시험 조문이다.\n")
    manifest = open_manifest(s)
    assert manifest is not None
    assert all(Path(p).is_relative_to(shipped.resolve()) for p in manifest.files())  # the book, not the repo
    manifest.close()
