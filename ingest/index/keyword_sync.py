"""Bring a generation's keyword snapshot in line with its manifest, touching only what changed.

The snapshot records the content hash of every file it indexes; files whose hash differs from
the manifest's (added, edited) get their rows replaced by one new segment, files gone from the
manifest get their rows deleted, and the rest is left alone: their Kiwi tokens (cached in the
manifest) and term frequencies (stored in their segments) are not computed again. Because the
difference is taken from the two stores and not from what a run remembers, a run killed between
the manifest commit and the snapshot switch is repaired by the next one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ingest.index import keyword_index
from ingest.index.lay import LaySource
from ingest.index.manifest import Manifest


def _rows(manifest: Manifest, paths: Iterable[str] | None) -> Iterator[tuple[str, str, dict, list[str]]]:
    for path, cid, text, meta, tokens in manifest.iter_file_chunks(paths):
        # the manifest's path is the file key deletions go by (metadata "source" may predate it)
        yield cid, text, {**meta, "source": path}, tokens.split() if tokens else []


def build_full(manifest: Manifest, index_dir: Path, lay: LaySource | None = None) -> str:
    """A snapshot of one segment built from every chunk of the manifest (lay text from `lay`)."""
    hashes = {p: r.content_hash for p, r in manifest.files().items()}
    table = lay.table() if lay else None
    index = keyword_index.KeywordIndex.build(
        _rows(manifest, None), hashes, table.for_row if table else None, table.digest if table else "none"
    )
    return keyword_index.publish(index_dir, index)


def sync(
    manifest: Manifest,
    index_dir: Path,
    merge_ratio: float,
    max_segments: int,
    full: bool = False,
    lay: LaySource | None = None,
) -> str:
    """Publish a snapshot matching the manifest; return its version.

    Incremental unless `full`, no snapshot of the current format exists, or the snapshot's rows
    were built with another lay table than `lay`'s (a new training file: every row's lay text
    may differ, so all rows are re-scored from cached tokens; nothing is embedded). After an update, the
    segments are merged into one (a second publish, same rows) when the rows in deltas exceed
    `merge_ratio` of the index or there are more than `max_segments` segments: search sees the
    change first, the merge happens after."""
    recorded = None if full else keyword_index.indexed_sources(index_dir)
    if recorded is None or recorded[1] != (lay.digest if lay else "none"):
        return build_full(manifest, index_dir, lay)
    indexed = recorded[0]
    records = manifest.files()
    hashes = {p: r.content_hash for p, r in records.items()}
    if indexed == hashes:  # nothing to do: the segments are not even read
        return str(keyword_index.current_version(index_dir))
    loaded = keyword_index.load_current(index_dir)
    assert loaded is not None  # indexed_sources found the snapshot
    version, index = loaded
    changed = {p for p, h in hashes.items() if index.source_hashes.get(p) != h}
    removed = set(index.source_hashes) - set(hashes)
    if not changed and not removed:
        return version
    # Lay text belongs to statute articles only: a guideline edit does not read the lay table.
    table = lay.table() if lay and any(records[p].doc_type == "statute" for p in changed) else None
    updated = index.replace_sources(
        changed | removed, _rows(manifest, changed), hashes, table.for_row if table else None
    )
    version = keyword_index.publish(index_dir, updated)
    if needs_merge(updated, merge_ratio, max_segments):
        version = keyword_index.publish(index_dir, updated.compacted())
    return version


def needs_merge(index: keyword_index.KeywordIndex, merge_ratio: float, max_segments: int) -> bool:
    return len(index.segments) > max_segments or index.rows_in_deltas > merge_ratio * max(len(index), 1)
