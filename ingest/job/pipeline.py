"""The ingest job: files → chunks → vectors (Chroma) + manifest + keyword snapshot.

An incremental run updates the active generation in place, one file at a time. A full rebuild
(``rebuild=True``, or the very first run) writes a new generation (``ingest.index.generations``) while
the active one keeps serving, checks it, and then switches readers to it atomically.

Per file the order is: embed and add the chunks that have no vector yet → commit the file's
manifest entry (one SQLite transaction) → delete the file's old vectors. A run killed anywhere
leaves the manifest describing a complete earlier state; the next run re-does the unfinished
file (vectors that already exist are reused, ids being content-addressed) and removes orphans.

A text indexed before (a moved or copied file, a statute's past version whose articles did not
change) is neither tokenised nor embedded again: the manifest finds it by its text key, and its
tokens and vector are copied.
"""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.core.korean import char_bigrams
from ingest.core.model import Chunk, LoaderError, text_key
from ingest.core.settings import PROJECT_ROOT, Settings
from ingest.documents.chunking import token_counter
from ingest.index import generations, keyword_index, keyword_sync, lay
from ingest.index.access import encode_groups, groups_for_path
from ingest.index.embeddings import IndexedEmbeddings, make_embeddings
from ingest.index.manifest import FileRecord, Manifest
from ingest.index.stats import active_generation
from ingest.index.store import (
    EmbeddingMismatchError,
    all_ids,
    delete_ids,
    existing_ids,
    make_client,
    open_collection,
)
from ingest.job import prepare_worker


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # indexed, but check (low OCR confidence …)
    ocr_pages: int = 0
    ocr_seconds: float = 0.0  # part of parse_seconds
    chunks_total: int = 0
    chunks_embedded: int = 0
    # Vectors copied, not embedded: the same text has one here, or in the live generation
    # (a rebuild with the same model).
    chunks_reused: int = 0
    chunks_deleted: int = 0
    orphans_removed: int = 0
    parse_seconds: float = 0.0  # load, chunk and Kiwi (in the worker: overlapped with embedding)
    tokenise_seconds: float = 0.0  # of which Kiwi
    embed_seconds: float = 0.0
    keyword_seconds: float = 0.0
    seconds: float = 0.0
    generation: str | None = None  # set when a rebuild switched readers to a new generation

    def summary(self) -> str:
        lines = [
            f"추가 {len(self.added)} · 갱신 {len(self.updated)} · 변경 없음 {len(self.unchanged)} · "
            f"삭제 {len(self.removed)} · 실패 {len(self.failed)} 파일",
            f"청크: 전체 {self.chunks_total} · 임베딩 {self.chunks_embedded} · 벡터 재사용 {self.chunks_reused}"
            f" · 삭제 {self.chunks_deleted}"
            f" · 고아 정리 {self.orphans_removed}",
            f"시간: 전체 {self.seconds:.1f}s (파싱 {self.parse_seconds:.1f}s, 임베딩 {self.embed_seconds:.1f}s,"
            f" 키워드 색인 {self.keyword_seconds:.1f}s)",
        ]
        if self.ocr_pages:
            lines.append(
                f"OCR: {self.ocr_pages}쪽 {self.ocr_seconds:.1f}s"
                f" ({self.ocr_pages / max(self.ocr_seconds, 1e-9):.2f}쪽/s, 전체 시간의 {self.ocr_seconds / max(self.seconds, 1e-9):.0%})"
            )
        if self.generation:
            lines.append(f"새 색인 세대 {self.generation}로 전환했습니다 (이전 세대는 다음 전환 때 정리).")
        lines += [f"  실패: {path} — {reason}" for path, reason in self.failed]
        lines += [f"  경고: {path} — {reason}" for path, reason in self.warnings]
        return "\n".join(lines)


@dataclass
class _PendingFile:
    record: FileRecord
    chunks: list[Chunk]
    tokens: list[str]
    old_ids: set[str]
    status: str  # "added" | "updated"
    warnings: list[str] = field(default_factory=list)
    ocr_pages: int = 0
    ocr_seconds: float = 0.0


Progress = Callable[[int, int, int], None]  # (files done, files total, chunks embedded)


# A folder's README describes the folder (corpus/README.md: what the samples are), it is not a
# document of the city: a folder walk leaves it out; named explicitly, it is indexed.
FOLDER_NOTES = frozenset({"readme.md", "readme.txt"})


def discover_files(paths: list[Path], extensions: tuple[str, ...]) -> list[Path]:
    """Files to index: named files as given (so an unsupported one is reported), folders
    recursively by extension, hidden entries and README files skipped."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file()
                and f.suffix.lower() in extensions
                and f.name.lower() not in FOLDER_NOTES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        else:
            found.append(p)
    return [f.resolve() for f in found]


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@contextmanager
def writer_lock(db_dir: Path) -> Iterator[None]:
    """One ingest job per index at a time."""
    db_dir.mkdir(parents=True, exist_ok=True)
    with (db_dir / ".ingest.lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise RuntimeError(f"다른 색인 작업이 이미 실행 중입니다: {db_dir}") from exc
        yield


# Manifest info key: "1" while Chroma holds exactly the manifest's chunk ids (Indexer.writing).
_VECTORS_IN_SYNC = "vectors_in_sync"


class RebuildCheckError(RuntimeError):
    """A rebuilt generation failed its sanity check; readers stay on the previous one."""


class Indexer:
    """Holds the manifest, the Chroma collection and the embedding model of one generation."""

    def __init__(
        self,
        settings: Settings,
        generation: generations.Generation,
        embeddings: IndexedEmbeddings | None = None,
    ) -> None:
        self.settings = settings
        self.db_dir = Path(settings.store.db_dir)
        self.generation = generation
        self.index_dir = generation.path(self.db_dir)
        self.embeddings = embeddings or make_embeddings(settings.embedding)
        self.manifest = Manifest(generation.manifest_path(self.db_dir))
        self.client = make_client(settings.store)
        self.collection = open_collection(self.client, generation.collection, self.embeddings, create=True)
        self.donor = self._donor_collection()
        self.count_tokens = token_counter(settings.chunking.encoding)
        self.manifest.set_info(
            "embedding_model", f"{self.embeddings.model_id} ({self.embeddings.dimension}d)"
        )

    def close(self) -> None:
        self.manifest.close()

    def _donor_collection(self) -> Any:
        """While building a new generation with the same embedding model, the live generation's
        collection: a chunk whose id (= its text at its place) is there already has its vector."""
        live = generations.active(self.db_dir, self.settings.store.collection)
        if live is None or live == self.generation:
            return None
        try:
            return open_collection(self.client, live.collection, self.embeddings, create=False)
        except EmbeddingMismatchError:  # a rebuild for a new model: everything is embedded again
            return None

    def access_groups(self, path: Path) -> tuple[str, ...]:
        return groups_for_path(path, self.settings.security.access_groups, PROJECT_ROOT)

    # --- steps ---
    def prepare(self, path: Path, content_hash: str, status: str) -> _PendingFile:
        job = prepare_worker.Job(path, content_hash, status, encode_groups(self.access_groups(path)))
        return self.pending(prepare_worker.prepare_file(job, self.settings, self.manifest, self.count_tokens))

    def pending(self, done: prepare_worker.Prepared) -> _PendingFile:
        """A prepared file, with the chunk ids it had (read now: this process commits them)."""
        if done.error is not None or done.record is None or done.chunks is None or done.tokens is None:
            raise LoaderError(str(done.job.path), done.error or "준비하지 못했습니다", done.error_kind)
        old = self.manifest.chunk_ids(str(done.job.path))
        return _PendingFile(
            done.record,
            done.chunks,
            done.tokens,
            old,
            done.job.status,
            done.warnings,
            done.ocr_pages,
            done.ocr_seconds,
        )

    def embed_missing(self, chunks: list[Chunk], report: IngestReport) -> None:
        """Store vectors for the chunks that have none yet (batched across files): copied where
        the same text already has one (here, or in the donor generation), else embedded once
        per distinct text."""
        have = existing_ids(self.collection, [c.id for c in chunks])
        todo = list({c.id: c for c in chunks if c.id not in have}.values())
        if todo:
            same = self.manifest.same_text(c.search_text for c in todo)
            todo = self._copy_vectors(
                todo,
                self.collection,
                {c.id: same[k][0] for c in todo if (k := text_key(c.search_text)) in same},
                report,
            )
        if self.donor is not None and todo:
            todo = self._copy_vectors(todo, self.donor, {c.id: c.id for c in todo}, report)
        by_text: dict[str, list[Chunk]] = {}
        for c in todo:
            by_text.setdefault(c.search_text, []).append(c)
        texts = list(by_text)
        batch = self.settings.store.add_batch_size
        for i in range(0, len(texts), batch):
            part = texts[i : i + batch]
            t0 = time.perf_counter()
            vectors = self.embeddings.embed_array(part)
            report.embed_seconds += time.perf_counter() - t0
            pairs = [(c, v) for t, v in zip(part, vectors, strict=True) for c in by_text[t]]
            self._store([c for c, _ in pairs], [v for _, v in pairs])
            report.chunks_embedded += len(part)
            report.chunks_reused += len(pairs) - len(part)

    def _store(self, chunks: list[Chunk], vectors: Any) -> None:
        # Vectors only: text and metadata live in the manifest, which is what readers use.
        # Chroma would otherwise full-text index every text and a row per metadata key, work
        # that nothing reads (it was most of the write time of a full ingest).
        self.collection.upsert(ids=[c.id for c in chunks], embeddings=vectors)

    def _copy_vectors(
        self, chunks: list[Chunk], source: Any, source_ids: dict[str, str], report: IngestReport
    ) -> list[Chunk]:
        """Store the chunks whose vectors `source` holds under `source_ids[chunk id]`; return
        the others."""
        wanted = list(dict.fromkeys(source_ids.values()))
        vectors: dict[str, Any] = {}
        for i in range(0, len(wanted), 1000):
            found = source.get(ids=wanted[i : i + 1000], include=["embeddings"])
            vectors.update(zip(found["ids"], found["embeddings"], strict=True))
        reuse = [c for c in chunks if source_ids.get(c.id) in vectors]
        for i in range(0, len(reuse), self.settings.store.add_batch_size):
            part = reuse[i : i + self.settings.store.add_batch_size]
            self._store(part, [vectors[source_ids[c.id]] for c in part])
        report.chunks_reused += len(reuse)
        return [c for c in chunks if source_ids.get(c.id) not in vectors]

    def commit(self, p: _PendingFile, report: IngestReport) -> None:
        self.manifest.replace_file(p.record, p.chunks, p.tokens)
        stale = sorted(p.old_ids - {c.id for c in p.chunks})
        delete_ids(self.collection, stale)
        report.chunks_deleted += len(stale)
        getattr(report, p.status).append(p.record.path)

    def remove(self, path: str, report: IngestReport) -> None:
        ids = sorted(self.manifest.chunk_ids(path))
        self.manifest.remove_file(path)
        delete_ids(self.collection, ids)
        report.chunks_deleted += len(ids)
        report.removed.append(path)

    @contextmanager
    def writing(self, report: IngestReport) -> Iterator[None]:
        """Bracket a run's Chroma writes. The manifest records whether Chroma holds exactly its
        chunks; a run that does not reach the end (killed, failed) leaves that unrecorded, and
        only then does the next run list the whole collection to reconcile it (seconds at 200k
        chunks, most of what a one-file update cost)."""
        in_sync = self.manifest.get_info(_VECTORS_IN_SYNC) == "1"
        if in_sync:
            self.manifest.set_info(_VECTORS_IN_SYNC, "0")
        yield
        if not in_sync:
            self.reconcile(report)
        self.manifest.set_info(_VECTORS_IN_SYNC, "1")

    def reconcile(self, report: IngestReport) -> None:
        """Remove vectors no manifest entry owns (left by a killed run); re-add missing ones."""
        wanted = self.manifest.chunk_ids()
        present = all_ids(self.collection)
        orphans = sorted(present - wanted)
        delete_ids(self.collection, orphans)
        report.orphans_removed = len(orphans)
        missing = sorted(wanted - present)
        if missing:
            rows = self.manifest.get_chunks(missing)
            chunks = [Chunk(cid, text, meta) for cid, (text, meta) in rows.items()]
            self.embed_missing(chunks, report)

    def publish_keyword_index(self, report: IngestReport) -> None:
        """Update the keyword snapshot to the manifest: only changed files are (re)indexed."""
        t0 = time.perf_counter()
        cfg = self.settings.ingest
        keyword_sync.sync(
            self.manifest,
            self.index_dir,
            cfg.keyword_merge_ratio,
            cfg.keyword_max_segments,
            lay=lay.source_for(self.settings),
        )
        report.keyword_seconds = time.perf_counter() - t0

    def check(self) -> None:
        """Sanity check of a rebuilt generation before readers switch to it: Chroma holds exactly
        the manifest's chunks, a chunk's own text finds its vector, and the generation's keyword
        snapshot holds every chunk and finds the probe by its own words. Done with the index's
        own parts: the writer never imports the retriever."""
        ids = self.manifest.chunk_ids()
        count = self.collection.count()
        if count != len(ids):
            raise RebuildCheckError(
                f"새 색인의 벡터 수({count})가 청크 수({len(ids)})와 달라 전환하지 않았습니다. 다시 실행하세요."
            )
        probe_id = min(ids)
        text, meta = self.manifest.get_chunks([probe_id])[probe_id]
        probe = Chunk(probe_id, text, meta)
        found = self.collection.query(
            query_embeddings=[self.embeddings.embed_array([probe.search_text])[0]], n_results=1, include=[]
        )["ids"][0]
        # Chunks of one search text share a vector: the nearest may be another of them.
        nearest = self.manifest.get_chunks(found).get(found[0]) if found else None
        if nearest is None or nearest[1].get("text_hash") != meta.get("text_hash"):
            raise RebuildCheckError("새 색인의 검증 질의가 해당 청크를 찾지 못해 전환하지 않았습니다.")
        loaded = keyword_index.load_current(self.index_dir)
        if loaded is None or set(loaded[1].ids) != ids:
            raise RebuildCheckError("새 색인의 키워드 색인이 청크 목록과 달라 전환하지 않았습니다.")
        index = loaded[1]
        row = list(index.ids).index(probe_id)
        if not index.scores("bigram", char_bigrams(text.split("\n", 1)[0]))[row] > 0:
            raise RebuildCheckError("새 색인의 검증 검색 결과가 비어 전환하지 않았습니다.")


def publish_keyword_snapshot(manifest: Manifest, index_dir: Path, settings: Settings) -> str:
    """Build the keyword index from all the manifest's chunks and make it the generation's live snapshot."""
    return keyword_sync.build_full(manifest, index_dir, lay.source_for(settings))


def remove_document(
    path: str, settings: Settings, embeddings: IndexedEmbeddings | None = None
) -> IngestReport:
    """Remove one indexed file's chunks (manifest, Chroma, keyword snapshot); KeyError if absent."""
    report = IngestReport()
    start = time.perf_counter()
    with open_indexer(settings, embeddings) as indexer:
        if path not in indexer.manifest.files():
            raise KeyError(path)
        with indexer.writing(report):
            indexer.remove(path, report)
        indexer.publish_keyword_index(report)
        report.chunks_total = indexer.manifest.counts()["chunks"]
    report.seconds = time.perf_counter() - start
    return report


def refresh_keyword_index(settings: Settings) -> str:
    """Rebuild only the keyword snapshot (after an upgrade of the keyword format); no embedding."""
    db_dir = Path(settings.store.db_dir)
    with writer_lock(db_dir):
        gen = active_generation(settings)
        if gen is None:
            raise KeyError(str(db_dir))
        manifest = Manifest(gen.manifest_path(db_dir))
        try:
            return publish_keyword_snapshot(manifest, gen.path(db_dir), settings)
        finally:
            manifest.close()


@contextmanager
def open_indexer(
    settings: Settings, embeddings: IndexedEmbeddings | None = None, rebuild: bool = False
) -> Iterator[Indexer]:
    """The index's single writer: lock, open the active generation (or, for a rebuild or the
    first run, the generation being built), and close it whatever happens."""
    db_dir = Path(settings.store.db_dir)
    with writer_lock(db_dir):
        gen = None if rebuild else active_generation(settings)
        if gen is None:
            gen = generations.start_build(db_dir, settings.store.collection, settings.embedding.model)
        indexer = Indexer(settings, gen, embeddings)
        try:
            yield indexer
        finally:
            indexer.close()


def run_ingest(
    paths: list[Path],
    settings: Settings,
    rebuild: bool = False,
    embeddings: IndexedEmbeddings | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Index `paths` (files or folders): incrementally into the live index, or — for a rebuild or
    the first run — into a new generation that readers switch to once it is complete and checked.
    Return what happened per file."""
    report = IngestReport()
    start = time.perf_counter()
    db_dir = Path(settings.store.db_dir)
    with open_indexer(settings, embeddings, rebuild) as indexer:
        building = generations.building(db_dir) == indexer.generation
        with indexer.writing(report):
            _index_files(indexer, paths, report, progress)
        if building and not indexer.manifest.counts()["chunks"]:
            raise RebuildCheckError(
                "새 색인에 청크가 하나도 없어 전환하지 않았습니다. 기존 색인을 계속 사용합니다."
                + "".join(f"\n  실패: {path} — {reason}" for path, reason in report.failed)
            )
        # Cheap when nothing changed; also repairs a snapshot left behind by a killed run.
        indexer.publish_keyword_index(report)
        report.chunks_total = indexer.manifest.counts()["chunks"]
        if building:
            indexer.check()
            previous = generations.switch(db_dir, indexer.generation)
            keep = [indexer.generation] + ([previous] if previous else [])
            generations.cleanup(db_dir, indexer.client, keep, settings.store.collection)
            report.generation = indexer.generation.name
    report.seconds = time.perf_counter() - start
    return report


def _index_files(
    indexer: Indexer, paths: list[Path], report: IngestReport, progress: Progress | None
) -> None:
    settings = indexer.settings
    roots = [p.resolve() for p in paths]
    files = discover_files(roots, settings.ingest.extensions)
    known = indexer.manifest.files()
    seen = {str(f) for f in files}
    pending: list[_PendingFile] = []
    pending_chunks = 0
    batch = settings.store.add_batch_size

    def flush() -> None:
        nonlocal pending, pending_chunks
        if pending:
            indexer.embed_missing([c for p in pending for c in p.chunks], report)
            for p in pending:
                indexer.commit(p, report)
        pending, pending_chunks = [], 0

    def jobs() -> Iterator[prepare_worker.Job]:
        for path in files:
            t0 = time.perf_counter()
            try:
                # The access groups are part of what was indexed: a changed rule re-indexes the file.
                groups = indexer.access_groups(path)
                digest = file_hash(path) + (f":{encode_groups(groups)}" if groups else "")
                previous = known.get(str(path))
                if previous is not None and previous.content_hash == digest:
                    report.unchanged.append(str(path))
                else:
                    status = "updated" if previous else "added"
                    yield prepare_worker.Job(path, digest, status, encode_groups(groups))
            except OSError as exc:
                report.failed.append((str(path), f"파일을 읽을 수 없습니다: {exc}"))
            report.parse_seconds += time.perf_counter() - t0

    # Parse, chunk and tokenise in a worker process while this one embeds and writes.
    cfg = settings.ingest
    # Hashing every file first is cheap; a handful of changed files is not worth a worker start.
    todo = list(jobs())
    workers = cfg.prepare_workers if len(todo) >= cfg.prepare_min_files else 0
    # Hashing is done for every file before the first one is prepared: progress counts the files
    # settled so far (unchanged ones at once, changed ones as they are prepared).
    settled = len(files) - len(todo)
    for done in prepare_worker.prepared(todo, settings, indexer.manifest, workers, cfg.prepare_ahead):
        settled += 1
        report.parse_seconds += done.seconds
        report.tokenise_seconds += done.tokenise_seconds
        try:
            item = indexer.pending(done)
            report.warnings.extend((item.record.path, w) for w in item.warnings)
            report.ocr_pages += item.ocr_pages
            report.ocr_seconds += item.ocr_seconds
            pending.append(item)
            pending_chunks += len(item.chunks)
        except LoaderError as exc:
            report.failed.append((str(done.job.path), exc.reason))
        if pending_chunks >= batch:
            flush()
        if progress:
            progress(settled, len(files), report.chunks_embedded)
    flush()
    # Files that were indexed from these roots and are gone now.
    for path in sorted(known):
        if path not in seen and any(_is_under(Path(path), r) for r in roots) and not Path(path).exists():
            indexer.remove(path, report)


def _is_under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
