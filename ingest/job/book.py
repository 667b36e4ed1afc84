"""First run with the statute book shipped in ``statutes.book_dir`` (corpus/statutes).

    python -m ingest.job.book core       # sample guidelines + the core laws: seconds, before the app starts
    python -m ingest.job.book complete   # the whole book, in the background while the app serves
    python -m ingest.job.book status

``core`` is an ordinary incremental ingest of ``corpus/guidelines`` and the ``statutes.core_laws``
folders, so the app is usable as fast as with the core laws alone. ``complete`` indexes the rest
of the book as a new index generation (``ingest.index.generations``): the live one keeps answering, and
readers switch once the new one is complete and checked. It keeps every file the live
generation has (uploads, past versions), so nothing is lost at the switch. A killed run leaves the
generation in ``BUILDING`` and the next ``complete`` resumes it; once the book is indexed,
``complete`` is a cheap incremental pass that picks up changed files (a product update, a
``sync --into``). Progress goes to ``<db_dir>/book-progress.json`` (관리 page) and the log.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ingest.core.settings import Settings, load_settings
from ingest.index import generations
from ingest.index.stats import open_manifest
from ingest.job import book_status
from ingest.job.book_status import DONE, FAILED, RUNNING, BookProgress

log = logging.getLogger("ingest.job.book")
_LOG_EVERY_S = 30.0


def guidelines_dir(settings: Settings) -> Path:
    return Path(settings.corpus_dir) / "guidelines"


def core_paths(settings: Settings) -> list[Path]:
    """What the first run indexes before the app starts: the sample guidelines and the core laws."""
    kr = Path(settings.statutes.book_dir) / "kr"
    paths = [guidelines_dir(settings)] + [kr / law for law in settings.statutes.core_laws]
    return [p for p in paths if p.exists()]


def missing_from_index(settings: Settings, book: list[Path]) -> list[Path]:
    """Files of the book the live index does not have yet."""
    manifest = open_manifest(settings)
    if manifest is None:
        return list(book)
    try:
        known = set(manifest.files())
    finally:
        manifest.close()
    return [f for f in book if str(f) not in known]


def rebuild_paths(settings: Settings) -> list[Path]:
    """The new generation's files: the book, the guidelines, and whatever else the live
    generation holds that still exists (uploads, past statute versions)."""
    roots = [Path(settings.statutes.book_dir).resolve(), guidelines_dir(settings).resolve()]
    roots = [r for r in roots if r.exists()]
    manifest = open_manifest(settings)
    others: list[Path] = []
    if manifest is not None:
        try:
            others = [
                Path(p)
                for p in sorted(manifest.files())
                if Path(p).exists() and not any(Path(p).is_relative_to(r) for r in roots)
            ]
        finally:
            manifest.close()
    return roots + others


def complete(settings: Settings, now: Callable[[], float] = time.time) -> BookProgress:
    """Index the whole book (see module doc); the final progress record. RuntimeError, before any
    progress is written, when another job holds the index (it is the one finishing the book)."""
    from ingest.job.pipeline import discover_files, run_ingest, writer_lock

    db_dir = Path(settings.store.db_dir)
    with writer_lock(db_dir):  # fail early: the running job's progress record must stay
        pass
    book = discover_files([Path(settings.statutes.book_dir) / "kr"], settings.ingest.extensions)
    resuming = generations.building(db_dir) is not None
    missing = missing_from_index(settings, book)
    rebuild = resuming or bool(missing)
    started = now()
    state = {"last_log": 0.0}

    def record(done: int, total: int, embedded: int) -> None:
        progress = BookProgress(RUNNING, done, total, embedded, started, now(), os.getpid())
        book_status.write(db_dir, progress)
        if now() - state["last_log"] >= _LOG_EVERY_S or done == total:
            state["last_log"] = now()
            log.info(progress.line())

    if rebuild:
        log.info(
            "법령 전체 색인을 %s합니다: 색인에 없는 법령 파일 %d개 (새 색인 세대, 그동안 기존 색인으로 답변)",
            "이어서 " if resuming else "시작",
            len(missing),
        )
        paths = rebuild_paths(settings)
    else:
        paths = [Path(settings.statutes.book_dir) / "kr"]
    record(0, len(book), 0)
    try:
        report = run_ingest(paths, settings, rebuild=rebuild, progress=record)
    except Exception as exc:  # recorded for the 관리 page; the next start resumes
        final = BookProgress(FAILED, 0, len(book), 0, started, now(), os.getpid(), str(exc)[:500])
        book_status.write(db_dir, final)
        log.error(final.line())
        raise
    summary = f"{now() - started:.0f}초, 청크 {report.chunks_total:,}개"
    if report.failed:
        summary += f", 실패 {len(report.failed)}개 파일"
    final = BookProgress(
        DONE, len(book), len(book), report.chunks_embedded, started, now(), os.getpid(), summary
    )
    book_status.write(db_dir, final)
    log.info(final.line())
    for path, reason in report.failed:
        log.warning("색인하지 못한 파일: %s — %s", path, reason)
    return final


def _parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m ingest.job.book", description="제품에 든 법령 전체의 첫 색인"
    )
    ap.add_argument("cmd", choices=["core", "complete", "status"])
    ap.add_argument("--config", type=Path)
    ap.add_argument("--db", type=Path, help="index folder (default from settings)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S")
    settings = load_settings(args.config)
    if args.db:
        settings.store.db_dir = args.db
    db_dir = Path(settings.store.db_dir)
    if args.cmd == "status":
        progress = book_status.read(db_dir)
        print(progress.line() if progress else "법령 전체 색인을 아직 시작하지 않았습니다.")
        return 0
    if args.cmd == "core":
        from ingest.job.cli import main as ingest_main

        config = ["--config", str(args.config)] if args.config else []
        return ingest_main([*map(str, core_paths(settings)), "--quiet", "--db", str(db_dir), *config])
    try:
        complete(settings)
    except RuntimeError as exc:
        if "이미 실행 중" in str(exc):  # another start's job holds the index: it finishes the book
            log.info("법령 전체 색인은 다른 작업이 이미 하고 있습니다: %s", exc)
            return 0
        return 1
    except Exception:
        log.exception("법령 전체 색인이 실패했습니다. 다음 실행이 이어서 합니다.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
