"""Reading the index: which generation is live, its manifest, what it holds.

Everything that only *reads* the index lives here, so that readers (retrieval, summaries, the
관리 page, training, the load test) never import the writer (``ingest.job.pipeline``), and the writer
shares these with them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.core.settings import Settings
from ingest.index import generations, keyword_index, lay
from ingest.index.manifest import Manifest


def active_generation(settings: Settings) -> generations.Generation | None:
    """The generation queries use now (None when nothing is indexed)."""
    return generations.active(Path(settings.store.db_dir), settings.store.collection)


def open_manifest(settings: Settings) -> Manifest | None:
    """The active generation's manifest (caller closes it); None when nothing is indexed."""
    gen = active_generation(settings)
    if gen is None or not gen.manifest_path(Path(settings.store.db_dir)).exists():
        return None
    return Manifest(gen.manifest_path(Path(settings.store.db_dir)))


def indexed_chunk_ids(settings: Settings) -> set[str]:
    """Chunk ids of the live index (its active generation)."""
    manifest = open_manifest(settings)
    if manifest is None:
        return set()
    try:
        return manifest.chunk_ids()
    finally:
        manifest.close()


def _lay_coverage(settings: Settings, folder: Path) -> dict[str, Any] | None:
    loaded = keyword_index.load_current(folder)
    if loaded is None:
        return None
    table = lay.source_for(settings).table()
    stats = lay.coverage(table, loaded[1].columns)
    stats["up_to_date"] = loaded[1].lay_digest == table.digest  # else the next ingest re-scores
    return stats


def index_stats(settings: Settings, lay_text: bool = False) -> dict[str, Any]:
    """What is indexed: files and chunks by type, embedding model, last indexing time; with
    `lay_text`, the lay-text coverage too (reads the keyword index: a second or two at full size)."""
    db_dir = Path(settings.store.db_dir)
    gen = active_generation(settings)
    in_progress = generations.building(db_dir)
    manifest = open_manifest(settings)
    base: dict[str, Any] = {
        "db_dir": str(db_dir),
        "generation": (gen.name or "legacy") if gen else None,
        "rebuild_in_progress": in_progress.name if in_progress else None,
    }
    if manifest is None or gen is None:
        return {
            **base,
            "files": 0,
            "chunks": 0,
            "files_by_type": {},
            "chunks_by_type": {},
            "last_indexed": None,
            "embedding_model": None,
            "keyword_snapshot": None,
        }
    try:
        files = manifest.files().values()
        by_type: dict[str, int] = {}
        chunks_by_type: dict[str, int] = {}
        for f in files:
            by_type[f.doc_type] = by_type.get(f.doc_type, 0) + 1
            chunks_by_type[f.doc_type] = chunks_by_type.get(f.doc_type, 0) + f.n_chunks
        return {
            **base,
            **manifest.counts(),
            "files_by_type": by_type,
            "chunks_by_type": chunks_by_type,
            "last_indexed": max((f.indexed_at for f in files), default=None),
            "embedding_model": manifest.get_info("embedding_model"),
            "keyword_snapshot": keyword_index.current_version(gen.path(db_dir)),
            "lay_text": _lay_coverage(settings, gen.path(db_dir)) if lay_text else None,
        }
    finally:
        manifest.close()
