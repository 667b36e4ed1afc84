"""The ingest manifest: source file → content hash → chunks (SQLite, one transaction per file).

It is the source of truth for what is indexed. Chroma holds the vectors of exactly the chunk
ids listed here once a run has finished; a run killed half-way leaves extra vectors that the
next run removes (orphans) and missing vectors that the next run adds.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.core.model import Chunk, text_key

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    n_chunks INTEGER NOT NULL,
    indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL,
    tokens TEXT,
    text_key TEXT
);
CREATE INDEX IF NOT EXISTS chunks_path ON chunks(path);
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class FileRecord:
    path: str
    doc_id: str
    content_hash: str
    title: str
    doc_type: str
    n_chunks: int
    indexed_at: str


class Manifest:
    """SQLite manifest at `db_dir/manifest.sqlite3` (WAL: readers never block the writer)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        self._db.commit()
        self._add_text_keys()

    def _add_text_keys(self) -> None:
        # Manifests written before chunks had a text key get one (= the chunks' text_hash).
        if "text_key" not in {row[1] for row in self._db.execute("PRAGMA table_info(chunks)")}:
            with self._db:
                self._db.execute("ALTER TABLE chunks ADD COLUMN text_key TEXT")
                self._db.execute("UPDATE chunks SET text_key = json_extract(metadata, '$.text_hash')")
        with self._db:
            self._db.execute("CREATE INDEX IF NOT EXISTS chunks_text_key ON chunks(text_key)")

    def close(self) -> None:
        self._db.close()

    # --- info (embedding model, keyword index version …) ---
    def get_info(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM info WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_info(self, key: str, value: str) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO info(key, value) VALUES (?, ?)", (key, value))

    # --- files ---
    def files(self) -> dict[str, FileRecord]:
        rows = self._db.execute(
            "SELECT path, doc_id, content_hash, title, doc_type, n_chunks, indexed_at FROM files"
        )
        return {r[0]: FileRecord(*r) for r in rows}

    def file(self, path: str) -> FileRecord | None:
        """The record of one indexed file, or None when `path` is not indexed."""
        row = self._db.execute(
            "SELECT path, doc_id, content_hash, title, doc_type, n_chunks, indexed_at FROM files WHERE path=?",
            (path,),
        ).fetchone()
        return FileRecord(*row) if row else None

    def chunk_ids(self, path: str | None = None) -> set[str]:
        if path is None:
            return {r[0] for r in self._db.execute("SELECT id FROM chunks")}
        return {r[0] for r in self._db.execute("SELECT id FROM chunks WHERE path=?", (path,))}

    def replace_file(self, record: FileRecord, chunks: list[Chunk], tokens: list[str | None]) -> None:
        """Atomically make `chunks` the indexed content of `record.path`."""
        with self._db:
            self._db.execute("DELETE FROM chunks WHERE path=?", (record.path,))
            self._db.execute("DELETE FROM files WHERE path=?", (record.path,))
            self._db.execute(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record.path,
                    record.doc_id,
                    record.content_hash,
                    record.title,
                    record.doc_type,
                    record.n_chunks,
                    record.indexed_at,
                ),
            )
            self._db.executemany(
                "INSERT INTO chunks(id, path, ord, text, metadata, tokens, text_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.id,
                        record.path,
                        i,
                        c.text,
                        json.dumps(c.metadata, ensure_ascii=False),
                        tok,
                        text_key(c.search_text),
                    )
                    for i, (c, tok) in enumerate(zip(chunks, tokens, strict=True))
                ],
            )

    def remove_file(self, path: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM chunks WHERE path=?", (path,))
            self._db.execute("DELETE FROM files WHERE path=?", (path,))

    def same_text(self, texts: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        """Text key → (id, keyword tokens) of an indexed chunk with exactly that text, for the
        `texts` that have one: a moved file, a past version or a repeated passage reuses the
        tokens and vector computed for it once."""
        out: dict[str, tuple[str, str | None]] = {}
        keys = list(dict.fromkeys(text_key(t) for t in texts))
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            q = f"SELECT text_key, id, tokens FROM chunks WHERE text_key IN ({','.join('?' * len(part))})"
            for key, cid, tokens in self._db.execute(q, part):
                if key not in out or (out[key][1] is None and tokens is not None):
                    out[key] = (cid, tokens)
        return out

    def iter_chunks(self) -> Iterator[tuple[str, str, dict, str | None]]:
        """(id, text, metadata, tokens) of every indexed chunk, in file and chunk order."""
        rows = self._db.execute("SELECT id, text, metadata, tokens FROM chunks ORDER BY path, ord")
        for cid, text, meta, tokens in rows:
            yield cid, text, json.loads(meta), tokens

    def iter_file_chunks(
        self, paths: Iterable[str] | None = None
    ) -> Iterator[tuple[str, str, str, dict, str | None]]:
        """(path, id, text, metadata, tokens) of the chunks of `paths` (all files when None), in
        file and chunk order."""
        if paths is None:
            rows = self._db.execute("SELECT path, id, text, metadata, tokens FROM chunks ORDER BY path, ord")
            for path, cid, text, meta, tokens in rows:
                yield path, cid, text, json.loads(meta), tokens
            return
        for path in sorted(set(paths)):
            q = "SELECT path, id, text, metadata, tokens FROM chunks WHERE path=? ORDER BY ord"
            for p, cid, text, meta, tokens in self._db.execute(q, (path,)).fetchall():
                yield p, cid, text, json.loads(meta), tokens

    def get_chunks(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        out: dict[str, tuple[str, dict]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = f"SELECT id, text, metadata FROM chunks WHERE id IN ({','.join('?' * len(part))})"
            out.update({r[0]: (r[1], json.loads(r[2])) for r in self._db.execute(q, part)})
        return out

    def access_groups(self) -> dict[str, str]:
        """Path → encoded access groups of each file (from its first chunk)."""
        rows = self._db.execute("SELECT path, metadata FROM chunks WHERE ord = 0")
        return {path: json.loads(meta).get("access_groups", "") for path, meta in rows}

    def counts(self) -> dict[str, int]:
        n_files = self._db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        n_chunks = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return {"files": n_files, "chunks": n_chunks}
