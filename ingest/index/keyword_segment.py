"""One immutable segment of the keyword index: the rows (chunks) of some files, their filter
columns, and per field the raw term frequencies as a term → rows sparse matrix.

Segments store term frequencies, not BM25 scores: a score's IDF and length normalisation depend
on the whole index (N, document frequencies, average length), so `ingest.index.keyword_index`
computes them at query time over all live rows. That is what lets a one-file update add one
small segment instead of re-scoring the book, with scores equal to a full rebuild's.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

from ingest.core.korean import char_bigrams, morphemes
from ingest.legal.titles import is_repealed, normalize_title

FIELDS = ("body", "bigram", "title", "lay_bigram")
# Fields most rows leave empty (only statute articles that citizen-facing text explains have lay
# text): BM25 statistics of these count the rows that have any text, not all rows.
SPARSE_FIELDS = frozenset({"lay_bigram"})
# Per-row counts computed when a segment is built (not metadata): lay sentences attached / dropped.
COUNT_COLUMNS = ("lay_sentences", "lay_dropped")
COLUMNS = (
    "law_title",
    "article",
    "article_title",
    "doc_type",
    "law_type",
    "is_addendum",
    "doc_title",
    "effective_date",
    "section_path",
    "doc_id",
    "access_groups",  # ",감사," … or "" (all staff): see ingest.index.access
    "valid_to",  # "" = current; a past statute version's end of validity (YYYY-MM-DD)
)
_BRACKETED_LAW = re.compile(r"「([^」]{2,80})」")
_TITLE_BATCH = 5000
_BLOCK_ROWS = 5000  # rows turned into a sparse block at a time: bounds the Python-list memory


@dataclass(frozen=True)
class LayTokens:
    """One row's lay text (``ingest.index.lay``): its Hangul bigrams, and how many citing sentences
    were attached and dropped (sharing no content word with the article)."""

    bigrams: list[str]
    kept: int = 0
    dropped: int = 0


LayFor = Callable[[dict, list[str]], "LayTokens | None"]  # (metadata, body morphemes) → lay tokens


def title_text(meta: dict) -> str:
    """The heading field of a chunk: law title and article title, or document title and section."""
    if meta.get("doc_type") == "statute":
        return f"{meta.get('law_title', '')} {meta.get('article_title', '')}"
    return f"{meta.get('doc_title', '')} {meta.get('section_path', '')}"


@dataclass
class Postings:
    """Term frequencies of one field: CSC over (rows × terms), so a term's rows are contiguous."""

    vocab: dict[str, int]
    indptr: np.ndarray  # int64, len(vocab) + 1
    rows: np.ndarray  # int32 row of each posting, ascending within a term
    tf: np.ndarray  # float32 term frequency of each posting
    lengths: np.ndarray  # int64 tokens per row (repeats counted), as BM25's document length

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, term frequencies) of `term`; None when the segment never saw it."""
        tid = self.vocab.get(term)
        if tid is None:
            return None
        a, b = self.indptr[tid], self.indptr[tid + 1]
        return self.rows[a:b], self.tf[a:b]

    def matrix(self) -> sparse.csc_matrix:
        return sparse.csc_matrix(
            (self.tf, self.rows, self.indptr), shape=(len(self.lengths), len(self.vocab))
        )

    @classmethod
    def from_matrix(cls, m: sparse.csc_matrix, vocab: dict[str, int], lengths: np.ndarray) -> Postings:
        m.sort_indices()
        return cls(
            vocab,
            m.indptr.astype(np.int64),
            m.indices.astype(np.int32),
            m.data.astype(np.float32),
            lengths.astype(np.int64),
        )


class _PostingsBuilder:
    """Collects token lists row by row; sparse blocks keep memory near the final matrix size."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._block: list[list[int]] = []
        self._blocks: list[sparse.csr_matrix] = []
        self._lengths: list[int] = []

    def add(self, tokens: Iterable[str]) -> None:
        vocab = self.vocab
        ids = [vocab.setdefault(t, len(vocab)) for t in tokens]
        self._block.append(ids)
        self._lengths.append(len(ids))
        if len(self._block) >= _BLOCK_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._block:
            return
        lengths = np.fromiter(map(len, self._block), dtype=np.int64, count=len(self._block))
        indptr = np.zeros(len(self._block) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        cols = np.fromiter((t for row in self._block for t in row), dtype=np.int32, count=int(indptr[-1]))
        block = sparse.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), cols, indptr), shape=(len(self._block), len(self.vocab))
        )
        block.sum_duplicates()  # repeated tokens of a row → one posting with tf
        self._blocks.append(block)
        self._block = []

    def finish(self) -> Postings:
        self._flush()
        width = len(self.vocab)
        blocks = [
            sparse.csr_matrix((b.data, b.indices, b.indptr), shape=(b.shape[0], width)) for b in self._blocks
        ]
        if blocks:
            m = sparse.vstack(blocks, format="csr").tocsc()
        else:
            m = sparse.csc_matrix((0, width), dtype=np.float32)
        self._blocks = []
        return Postings.from_matrix(m, self.vocab, np.asarray(self._lengths, dtype=np.int64))


@dataclass
class Segment:
    """Rows of some files: ids, filter columns, source file, cited laws, postings per field."""

    name: str
    ids: list[str]
    columns: dict[str, list]  # COLUMNS + "is_repealed"
    sources: list[str]  # source file path of each row (what an update replaces or removes)
    cites: list[list[str]]  # normalised titles of the laws each row cites in 「…」 (not its own)
    fields: dict[str, Postings]
    _cited: Counter[str] | None = field(default=None, repr=False)
    _rows_of: dict[str, list[int]] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def cited(self) -> Counter[str]:
        """How often each law is cited by this segment's rows."""
        if self._cited is None:
            self._cited = Counter(t for row in self.cites for t in row)
        return self._cited

    def rows_of(self, source: str) -> list[int]:
        if self._rows_of is None:
            self._rows_of = {}
            for i, s in enumerate(self.sources):
                self._rows_of.setdefault(s, []).append(i)
        return self._rows_of.get(source, [])

    @classmethod
    def build(
        cls, name: str, rows: Iterable[tuple[str, str, dict, list[str]]], lay_for: LayFor | None = None
    ) -> Segment:
        """rows: (chunk id, text, metadata, body morphemes); metadata "source" is the file key.
        `lay_for` gives a row's lay text (``ingest.index.lay``); without it the lay fields stay empty."""
        ids: list[str] = []
        columns: dict[str, list] = {c: [] for c in (*COLUMNS, "is_repealed", *COUNT_COLUMNS)}
        sources: list[str] = []
        cites: list[list[str]] = []
        titles: list[str] = []
        builders = {name_: _PostingsBuilder() for name_ in FIELDS}
        for cid, text, meta, morphs in rows:
            ids.append(cid)
            for c in COLUMNS:
                columns[c].append(meta.get(c, ""))
            columns["is_repealed"].append(bool(meta.get("article")) and is_repealed(text))
            sources.append(str(meta.get("source", "")))
            own = normalize_title(str(meta.get("law_title", "")))
            cites.append([k for k in map(normalize_title, _BRACKETED_LAW.findall(text)) if k != own])
            builders["body"].add(morphs)
            builders["bigram"].add(char_bigrams(text))
            titles.append(title_text(meta))
            lay = lay_for(meta, morphs) if lay_for else None
            builders["lay_bigram"].add(lay.bigrams if lay else ())
            columns["lay_sentences"].append(lay.kept if lay else 0)
            columns["lay_dropped"].append(lay.dropped if lay else 0)
        for start in range(0, len(titles), _TITLE_BATCH):
            for tokens in morphemes(titles[start : start + _TITLE_BATCH]):
                builders["title"].add(tokens)
        fields = {n: b.finish() for n, b in builders.items()}
        return cls(name, ids, columns, sources, cites, fields)

    def select(self, name: str, keep: np.ndarray) -> Segment:
        """A new segment of the rows `keep` (ascending indices), postings copied, not recomputed."""
        idx = keep.tolist()
        fields = {}
        for fname, p in self.fields.items():
            m = p.matrix()[keep]
            fields[fname] = Postings.from_matrix(m.tocsc(), p.vocab, p.lengths[keep])
        return Segment(
            name,
            [self.ids[i] for i in idx],
            {c: [v[i] for i in idx] for c, v in self.columns.items()},
            [self.sources[i] for i in idx],
            [self.cites[i] for i in idx],
            fields,
        )

    # --- storage: meta.json + one .npz per field ---
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for fname, p in self.fields.items():
            np.savez(folder / f"{fname}.npz", indptr=p.indptr, rows=p.rows, tf=p.tf, lengths=p.lengths)
        meta = {
            "ids": self.ids,
            "columns": self.columns,
            "sources": self.sources,
            "cites": self.cites,
            "vocab": {fname: list(p.vocab) for fname, p in self.fields.items()},
        }
        with (folder / "meta.json").open("w", encoding="utf-8") as fh:
            json.dump(meta, fh, ensure_ascii=False)

    @classmethod
    def load(cls, folder: Path) -> Segment:
        with (folder / "meta.json").open(encoding="utf-8") as fh:
            meta = json.load(fh)
        fields = {}
        n = len(meta["ids"])
        for fname in FIELDS:
            if not (folder / f"{fname}.npz").exists():  # written before the field existed: empty
                fields[fname] = Postings({}, np.zeros(1, np.int64), np.zeros(0, np.int32),
                                         np.zeros(0, np.float32), np.zeros(n, np.int64))  # fmt: skip
                continue
            with np.load(folder / f"{fname}.npz") as z:
                vocab = {t: i for i, t in enumerate(meta["vocab"][fname])}
                fields[fname] = Postings(vocab, z["indptr"], z["rows"], z["tf"], z["lengths"])
        for c in COLUMNS:  # a segment written before a column existed: its default for every row
            meta["columns"].setdefault(c, [""] * n)
        for c in COUNT_COLUMNS:
            meta["columns"].setdefault(c, [0] * n)
        return cls(folder.name, meta["ids"], meta["columns"], meta["sources"], meta["cites"], fields)


def merge_segments(name: str, parts: list[Segment]) -> Segment:
    """One segment holding all rows of `parts` in order (their postings re-mapped onto one
    vocabulary; terms no row uses any more are dropped). No token is computed again."""
    fields: dict[str, Postings] = {}
    for fname in FIELDS:
        vocab: dict[str, int] = {}
        blocks = []
        for seg in parts:
            p = seg.fields[fname]
            remap = np.fromiter((vocab.setdefault(t, len(vocab)) for t in p.vocab), np.int64, len(p.vocab))
            coo = p.matrix().tocoo()
            blocks.append((coo.row, remap[coo.col] if len(remap) else coo.col, coo.data, len(seg)))
        offsets = np.cumsum([0] + [b[3] for b in blocks])
        rows = np.concatenate([b[0] + off for b, off in zip(blocks, offsets, strict=False)] or [[]])
        cols = np.concatenate([b[1] for b in blocks] or [[]])
        data = np.concatenate([b[2] for b in blocks] or [[]]).astype(np.float32)
        m = sparse.coo_matrix((data, (rows, cols)), shape=(int(offsets[-1]), len(vocab))).tocsc()
        used = np.flatnonzero(np.diff(m.indptr) > 0)
        terms = list(vocab)
        m = m[:, used]
        lengths = np.concatenate([seg.fields[fname].lengths for seg in parts] or [np.zeros(0, np.int64)])
        fields[fname] = Postings.from_matrix(m, {terms[i]: j for j, i in enumerate(used)}, lengths)
    columns = {c: [v for seg in parts for v in seg.columns[c]] for c in parts[0].columns} if parts else {}
    return Segment(
        name,
        [i for seg in parts for i in seg.ids],
        columns,
        [s for seg in parts for s in seg.sources],
        [c for seg in parts for c in seg.cites],
        fields,
    )
