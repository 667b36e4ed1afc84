"""BM25 keyword index over Korean tokens: immutable segments, published as snapshots.

A snapshot `keyword/<version>/snapshot.json` lists segments (`keyword/segments/<name>/`, see
`ingest.index.keyword_segment`) and, per segment, the rows deleted since it was written.
`keyword/CURRENT` names the live snapshot and is replaced atomically, so a reader always sees one
complete, consistent set of chunk ids, and a file's removed and added rows appear together.

A one-file update writes one small segment plus deletions (no other chunk is tokenised or
scored again); once updates pile up, `compacted()` merges the live rows of all segments into
one, from their stored term frequencies. Scores are BM25 (Lucene variant, k1=1.5, b=0.75, as
bm25s) computed at query time from term frequencies and the statistics of all live rows, so
any split into segments scores exactly like a full rebuild.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ingest.index.keyword_segment import (
    COLUMNS,
    COUNT_COLUMNS,
    FIELDS,
    SPARSE_FIELDS,
    LayFor,
    Segment,
    merge_segments,
    title_text,
)
from ingest.legal.titles import normalize_title

__all__ = ["COLUMNS", "FIELDS", "KeywordIndex", "LayFor", "law_authority", "title_text"]

K1, B = 1.5, 0.75
FORMAT = 2
_KEEP_OLD_SNAPSHOTS = 2
SNAPSHOT_FILE = "snapshot.json"


class KeywordFormatError(RuntimeError):
    """The live snapshot was written by an older version of the keyword index."""


def law_authority(titles: list[str], cited: Counter[str]) -> list[float]:
    """Per-chunk prior in [0, 1]: log-scaled count of 「…」 citations of the chunk's law by
    other provisions. Laws the statute book leans on (민법, 형법, 행정절차법) are the ones
    questions are usually about. Chunks of no law (the city's own guidelines, which an admin
    indexed because staff need them) get the full prior."""
    scale = math.log1p(max(cited.values(), default=0)) or 1.0
    # One value per distinct title (a few thousand), not per chunk (hundreds of thousands).
    prior = {t: math.log1p(cited.get(normalize_title(t), 0)) / scale if t else 1.0 for t in set(titles)}
    return [prior[t] for t in titles]


def new_segment_name() -> str:
    return f"s{time.time_ns()}"


class KeywordIndex:
    """The live rows of some segments, read as one index: ids and filter columns in segment
    order, BM25 per field over all of them."""

    def __init__(
        self,
        segments: list[Segment],
        dead: list[np.ndarray] | None = None,
        source_hashes: dict[str, str] | None = None,
        lay_digest: str = "none",
    ) -> None:
        self.segments = segments
        self.lay_digest = lay_digest  # the lay table (ingest.index.lay) the rows were built with
        self.dead = dead if dead is not None else [np.zeros(0, dtype=np.int64) for _ in segments]
        self.source_hashes = dict(source_hashes or {})  # file → content hash of the rows indexed
        self._alive: list[np.ndarray | None] = []
        self._live: list[np.ndarray | None] = []
        for seg, d in zip(segments, self.dead, strict=True):
            if len(d):
                alive = np.ones(len(seg), dtype=bool)
                alive[d] = False
                self._alive.append(alive)
                self._live.append(np.flatnonzero(alive))
            else:
                self._alive.append(None)
                self._live.append(None)
        self.ids: list[str] = self._gather(lambda s: s.ids)
        self.columns: dict[str, list] = {
            c: self._gather(lambda s, c=c: s.columns[c]) for c in (*COLUMNS, "is_repealed", *COUNT_COLUMNS)
        }
        cited: Counter[str] = Counter()
        for seg, d in zip(segments, self.dead, strict=True):
            cited.update(seg.cited)
            cited.subtract(t for i in d.tolist() for t in seg.cites[i])
        self.columns["authority"] = law_authority(self.columns["law_title"], +cited)
        n = len(self.ids)
        self._knorm: dict[str, list[np.ndarray]] = {}
        self._docs: dict[str, int] = {}  # N of BM25 per field
        for name in FIELDS:
            lengths = [
                s.fields[name].lengths if live is None else s.fields[name].lengths[live]
                for s, live in zip(segments, self._live, strict=True)
            ]
            total = sum(int(x.sum()) for x in lengths)
            self._docs[name] = sum(int(np.count_nonzero(x)) for x in lengths) if name in SPARSE_FIELDS else n
            docs = self._docs[name]
            avgdl = total / docs if total else 1.0  # no token at all: any value scores 0
            # bm25s "lucene": tf / (k1·(1 − b + b·len/avglen) + tf)
            self._knorm[name] = [K1 * ((1 - B) + B * s.fields[name].lengths / avgdl) for s in segments]

    def _gather(self, values: object) -> list:
        out: list = []
        for seg, live in zip(self.segments, self._live, strict=True):
            col = values(seg)  # type: ignore[operator]
            out.extend(col if live is None else [col[i] for i in live.tolist()])
        return out

    @classmethod
    def build(
        cls,
        rows: Iterable[tuple[str, str, dict, list[str]]],
        source_hashes: dict[str, str] | None = None,
        lay_for: LayFor | None = None,
        lay_digest: str = "none",
    ) -> KeywordIndex:
        """rows: (chunk id, text, metadata, body morphemes); metadata "source" names the file.
        `lay_for` gives each row's lay text, from the lay table named by `lay_digest`."""
        return cls([Segment.build(new_segment_name(), rows, lay_for)], None, source_hashes, lay_digest)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def rows_in_deltas(self) -> int:
        """Rows outside the first (base) segment plus deleted rows: what a compaction would fold."""
        return sum(len(s) for s in self.segments[1:]) + sum(len(d) for d in self.dead)

    def replace_sources(
        self,
        sources: set[str],
        rows: Iterable[tuple[str, str, dict, list[str]]],
        source_hashes: dict[str, str],
        lay_for: LayFor | None = None,
    ) -> KeywordIndex:
        """A new index: the rows of `sources` deleted, `rows` (their new content) added as one
        new segment, with lay text from the same lay table as the rest (`lay_for`). Nothing of
        the other files is tokenised or scored again."""
        dead = []
        for seg, d in zip(self.segments, self.dead, strict=True):
            gone = [i for s in sources for i in seg.rows_of(s)]
            dead.append(np.union1d(d, np.asarray(gone, dtype=np.int64)).astype(np.int64) if gone else d)
        added = Segment.build(new_segment_name(), rows, lay_for)
        segments, dead = list(self.segments), dead
        if len(added):
            segments.append(added)
            dead.append(np.zeros(0, dtype=np.int64))
        keep = [i for i, (s, d) in enumerate(zip(segments, dead, strict=True)) if len(s) > len(d)]
        return KeywordIndex(
            [segments[i] for i in keep], [dead[i] for i in keep], source_hashes, self.lay_digest
        )

    def compacted(self) -> KeywordIndex:
        """The same live rows in one segment, merged from stored term frequencies."""
        parts = [
            seg if live is None else seg.select(seg.name, live)
            for seg, live in zip(self.segments, self._live, strict=True)
        ]
        return KeywordIndex(
            [merge_segments(new_segment_name(), parts)], None, self.source_hashes, self.lay_digest
        )

    def scores(self, field: str, tokens: list[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every live chunk for `tokens` in `field` (zeros where mask is 0)."""
        n = len(self.ids)
        if not n or not tokens:
            return np.zeros(n, dtype=np.float32)
        unique = list(dict.fromkeys(tokens))
        postings = [{t: seg.fields[field].postings(t) for t in unique} for seg in self.segments]
        df: dict[str, int] = dict.fromkeys(unique, 0)
        for found, alive in zip(postings, self._alive, strict=True):
            for t, p in found.items():
                if p is not None:
                    df[t] += len(p[0]) if alive is None else int(np.count_nonzero(alive[p[0]]))
        # Repeats count, as in bm25s: a term said three times weighs three times. Its postings are
        # read once (long questions repeat their commonest bigrams most: ~1.6 tokens per term).
        repeats = Counter(t for t in tokens if df[t] > 0)
        if not repeats:
            return np.zeros(n, dtype=np.float32)
        docs = self._docs[field]
        weight = {t: c * math.log(1 + (docs - df[t] + 0.5) / (df[t] + 0.5)) for t, c in repeats.items()}
        parts = []
        for seg, found, knorm, live in zip(
            self.segments, postings, self._knorm[field], self._live, strict=True
        ):
            rows, weights = [], []
            for t in repeats:
                p = found[t]
                if p is not None:
                    r, tf = p
                    rows.append(r)
                    weights.append(weight[t] * tf / (knorm[r] + tf))
            seg_scores: np.ndarray
            if rows:
                seg_scores = np.bincount(np.concatenate(rows), np.concatenate(weights), minlength=len(seg))
            else:
                seg_scores = np.zeros(len(seg))
            parts.append(seg_scores if live is None else seg_scores[live])
        out = np.concatenate(parts).astype(np.float32)
        if mask is not None:
            out *= mask
        return out


# --- snapshots on disk ---
def keyword_root(db_dir: Path) -> Path:
    return Path(db_dir) / "keyword"


def _segments_dir(db_dir: Path) -> Path:
    return keyword_root(db_dir) / "segments"


def publish(db_dir: Path, index: KeywordIndex) -> str:
    """Write the segments not on disk yet and a new snapshot naming them, then switch CURRENT to
    it atomically; prune old snapshots and segments no kept snapshot names. A run killed before
    the switch leaves CURRENT on the previous complete snapshot (and litter the next publish
    removes)."""
    root = keyword_root(db_dir)
    seg_dir = _segments_dir(db_dir)
    seg_dir.mkdir(parents=True, exist_ok=True)
    for seg in index.segments:
        if not (seg_dir / seg.name).exists():
            tmp = seg_dir / f".tmp-{seg.name}"
            seg.save(tmp)
            os.replace(tmp, seg_dir / seg.name)
    version = f"v{time.time_ns()}"
    tmp = root / f".tmp-{version}"
    tmp.mkdir(parents=True)
    deleted = {}
    for seg, d in zip(index.segments, index.dead, strict=True):
        if len(d):
            np.save(tmp / f"dead-{seg.name}.npy", d)
            deleted[seg.name] = f"dead-{seg.name}.npy"
    manifest = {
        "format": FORMAT,
        "segments": [s.name for s in index.segments],
        "deleted": deleted,
        "sources": index.source_hashes,
        "lay": index.lay_digest,
    }
    (tmp / SNAPSHOT_FILE).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, root / version)
    _switch_current(root, version)
    _prune(root, version)
    return version


def _switch_current(root: Path, version: str) -> None:
    pointer_tmp = root / f".CURRENT-{version}"
    pointer_tmp.write_text(version, encoding="utf-8")
    os.replace(pointer_tmp, root / "CURRENT")


def _prune(root: Path, current: str) -> None:
    snapshots = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("v"))
    for old in snapshots[:-_KEEP_OLD_SNAPSHOTS]:  # readers may still hold the previous one
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
    referenced: set[str] = set()
    for snap in root.iterdir():
        if snap.is_dir() and snap.name.startswith("v"):
            try:
                referenced.update(json.loads((snap / SNAPSHOT_FILE).read_text(encoding="utf-8"))["segments"])
            except (OSError, ValueError, KeyError):
                continue
    seg_dir = root / "segments"
    for seg in seg_dir.iterdir() if seg_dir.exists() else []:
        if seg.name not in referenced:  # a killed run's half-written or never-published segment
            shutil.rmtree(seg, ignore_errors=True)
    for stale in [*root.glob(".tmp-*"), *root.glob(".CURRENT-*")]:
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def current_version(db_dir: Path) -> str | None:
    pointer = keyword_root(db_dir) / "CURRENT"
    try:
        return pointer.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


# Segments are immutable and uniquely named, so a reader that follows a new snapshot re-reads only
# the segments it has not seen (after a one-file update: one small segment).
_CACHE: dict[str, Segment] = {}
_CACHE_LOCK = threading.Lock()


def load_current(db_dir: Path) -> tuple[str, KeywordIndex] | None:
    version = current_version(db_dir)
    if version is None:
        return None
    folder = keyword_root(db_dir) / version
    try:
        spec = json.loads((folder / SNAPSHOT_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KeywordFormatError(
            f"키워드 색인 형식이 바뀌었습니다: {folder} — `python -m ingest --refresh-keywords`로 다시 만드세요."
        ) from exc
    seg_dir = _segments_dir(db_dir)
    segments = []
    with _CACHE_LOCK:
        for name in spec["segments"]:
            key = str((seg_dir / name).resolve())
            if key not in _CACHE:
                _CACHE[key] = Segment.load(seg_dir / name)
            segments.append(_CACHE[key])
        wanted = {str((seg_dir / n).resolve()) for n in spec["segments"]}
        for key in [k for k in _CACHE if k.startswith(str(seg_dir.resolve())) and k not in wanted]:
            del _CACHE[key]
    dead = [
        np.load(folder / spec["deleted"][s.name])
        if s.name in spec["deleted"]
        else np.zeros(0, dtype=np.int64)
        for s in segments
    ]
    return version, KeywordIndex(segments, dead, spec.get("sources", {}), spec.get("lay", "none"))


def indexed_sources(db_dir: Path) -> tuple[dict[str, str], str] | None:
    """File → content hash recorded by the live snapshot, and the digest of the lay table its
    rows were built with (None: no snapshot of this format)."""
    version = current_version(db_dir)
    if version is None:
        return None
    try:
        spec = json.loads((keyword_root(db_dir) / version / SNAPSHOT_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return spec.get("sources", {}), spec.get("lay", "none")


def is_current_format(db_dir: Path) -> bool:
    """True when the live snapshot exists and is of this format (else a full build is due)."""
    version = current_version(db_dir)
    return version is not None and (keyword_root(db_dir) / version / SNAPSHOT_FILE).exists()
