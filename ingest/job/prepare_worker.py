"""Parse, chunk and Kiwi-tokenise files in a worker process while the main process embeds and
writes: the two halves of ingest each keep a core busy.

The worker gets jobs in order and answers in order through a bounded window (at most `ahead`
files prepared and not yet taken), so memory stays that of a few files' chunks. It reads the
manifest itself (read-only) for tokens already computed for identical chunks.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest.core.korean import morphemes
from ingest.core.model import Chunk, ErrorKind, LoaderError, LoadLimits, text_key
from ingest.core.settings import Settings
from ingest.documents.chunking import chunk_document, doc_id_for, token_counter
from ingest.documents.loaders import load_document
from ingest.index.manifest import FileRecord, Manifest


@dataclass(frozen=True)
class Job:
    path: Path
    content_hash: str
    status: str  # "added" | "updated"
    access: str  # encoded access groups of the file


@dataclass
class Prepared:
    """A job's outcome: the record, chunks and body tokens, or the Korean reason it failed."""

    job: Job
    record: FileRecord | None = None
    chunks: list[Chunk] | None = None
    tokens: list[str] | None = None
    error: str | None = None
    error_kind: ErrorKind = ErrorKind.CORRUPT
    seconds: float = 0.0  # all of it
    warnings: list[str] = field(default_factory=list)  # indexed, but check (low OCR confidence …)
    ocr_pages: int = 0
    ocr_seconds: float = 0.0
    tokenise_seconds: float = 0.0  # of which Kiwi


def prepare_file(job: Job, settings: Settings, manifest: Manifest, count_tokens: object = None) -> Prepared:
    """Load, chunk and tokenise one file (pure with respect to the index: nothing is written)."""
    t0 = time.perf_counter()
    s = settings
    try:
        count = count_tokens or token_counter(s.chunking.encoding)
        doc = load_document(job.path, LoadLimits.from_settings(s))
        chunks = chunk_document(doc, s.chunking.max_tokens, count, s.chunking.guideline_min_tokens)
        if not s.chunking.include_addenda:
            chunks = [c for c in chunks if not c.metadata["is_addendum"]]
        for c in chunks:
            c.metadata["access_groups"] = job.access
        if not chunks:
            raise LoaderError(str(job.path), "색인할 내용(조문·본문)을 찾지 못했습니다")
        # Tokens are a function of the text alone: a text indexed before is not tokenised again.
        texts = [c.search_text for c in chunks]
        known = {key: tok for key, (_, tok) in manifest.same_text(texts).items() if tok}
        todo = list(dict.fromkeys(t for t in texts if text_key(t) not in known))
        t1 = time.perf_counter()
        known.update((text_key(t), " ".join(m)) for t, m in zip(todo, morphemes(todo), strict=True))
        kiwi = time.perf_counter() - t1
        tokens = [known[text_key(t)] for t in texts]
    except LoaderError as exc:
        return Prepared(job, error=exc.reason, error_kind=exc.kind, seconds=time.perf_counter() - t0)
    except OSError as exc:
        return Prepared(
            job,
            error=f"파일을 읽을 수 없습니다: {exc}",
            error_kind=ErrorKind.UNREADABLE,
            seconds=time.perf_counter() - t0,
        )
    record = FileRecord(
        str(job.path),
        doc_id_for(str(job.path)),
        job.content_hash,
        doc.title,
        doc.doc_type,
        len(chunks),
        datetime.now(UTC).isoformat(timespec="seconds"),
    )
    return Prepared(
        job,
        record,
        chunks,
        tokens,
        seconds=time.perf_counter() - t0,
        tokenise_seconds=kiwi,
        warnings=list(doc.warnings),
        ocr_pages=len(doc.ocr_pages),
        ocr_seconds=float(doc.metadata.get("ocr_seconds", 0.0)),
    )


# --- the worker process ---
_WORKER: dict[str, object] = {}


def _init(settings: Settings, manifest_path: str) -> None:
    _WORKER["settings"] = settings
    _WORKER["manifest"] = Manifest(Path(manifest_path))
    _WORKER["count"] = token_counter(settings.chunking.encoding)


def _run(job: Job) -> Prepared:
    return prepare_file(job, _WORKER["settings"], _WORKER["manifest"], _WORKER["count"])  # type: ignore[arg-type]


def prepared(
    jobs: Iterable[Job], settings: Settings, manifest: Manifest, workers: int, ahead: int
) -> Iterator[Prepared]:
    """Outcomes of `jobs`, in order: in one worker process when `workers` > 0, else inline."""
    if workers <= 0:
        count = token_counter(settings.chunking.encoding)
        for job in jobs:
            yield prepare_file(job, settings, manifest, count)
        return
    # spawn, not fork: the main process holds Chroma's and SQLite's threads and handles
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        1, mp_context=ctx, initializer=_init, initargs=(settings, str(manifest.path))
    ) as pool:
        window: deque[Future[Prepared]] = deque()
        for job in jobs:
            window.append(pool.submit(_run, job))
            if len(window) >= ahead:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
