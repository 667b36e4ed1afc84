"""👍/👎 feedback on answers, kept in SQLite (``settings.ui.feedback_db``)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    session_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,
    mode TEXT NOT NULL,
    no_evidence INTEGER NOT NULL,
    rating INTEGER NOT NULL,
    comment TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_created ON feedback(created_at);
"""


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    created_at: str
    session_id: str
    message_id: str
    question: str
    answer: str
    sources: list[str]
    mode: str
    no_evidence: bool
    rating: int  # +1 👍, -1 👎
    comment: str


class FeedbackStore:
    """Append-only feedback table; one short-lived connection per call (Streamlit serves
    each browser session from its own thread)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(str(self.path), timeout=10)

    def add(
        self,
        *,
        session_id: str,
        message_id: str,
        question: str,
        answer: str,
        sources: list[str],
        mode: str,
        no_evidence: bool,
        rating: int,
        comment: str = "",
    ) -> int:
        """Store one rating (+1/-1) with an optional comment; returns its id."""
        if rating not in (1, -1):
            raise ValueError("rating must be +1 or -1")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback(created_at, session_id, message_id, question, answer, sources, mode,"
                " no_evidence, rating, comment) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    now,
                    session_id,
                    message_id,
                    question,
                    answer,
                    json.dumps(sources, ensure_ascii=False),
                    mode,
                    int(no_evidence),
                    rating,
                    comment.strip(),
                ),
            )
            return int(cur.lastrowid or 0)

    def recent(self, limit: int = 50) -> list[FeedbackRecord]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, created_at, session_id, message_id, question, answer, sources, mode, no_evidence,"
                " rating, comment FROM feedback ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            FeedbackRecord(
                r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], bool(r[8]), r[9], r[10]
            )
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        """{"up": n, "down": n, "comments": n}."""
        with self._connect() as db:
            up, down, comments = db.execute(
                "SELECT COALESCE(SUM(rating > 0), 0), COALESCE(SUM(rating < 0), 0),"
                " COALESCE(SUM(comment != ''), 0) FROM feedback"
            ).fetchone()
        return {"up": int(up), "down": int(down), "comments": int(comments)}
