"""👍/👎 feedback on answers (``settings.ui.feedback_url``: SQLite by default, PostgreSQL when
several app instances run).

Question, answer, sources and comment are masked with the same function as the audit log
(:func:`mask_personal_data`) before they are stored: feedback must not become a store of
citizens' 주민등록번호 or e-mail addresses.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, func, insert, select

from assistant.security.pii import mask_personal_data
from assistant.security.storage import make_engine

_metadata = MetaData()
feedback_table = Table(
    "feedback",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", String(40), nullable=False, index=True),
    Column("session_id", String(64), nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("sources", Text, nullable=False),
    Column("mode", String(32), nullable=False),
    Column("no_evidence", Integer, nullable=False),
    Column("rating", Integer, nullable=False),
    Column("comment", Text, nullable=False),
)


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
    """Append-only feedback table, safe to share between Streamlit's session threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = make_engine(url)
        self._lock = threading.Lock()
        with self._engine.begin() as conn:
            _metadata.create_all(conn, checkfirst=True)

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
        """Store one rating (+1/-1) with an optional comment, personal data masked; its id."""
        if rating not in (1, -1):
            raise ValueError("rating must be +1 or -1")
        row = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "session_id": session_id,
            "message_id": message_id,
            "question": mask_personal_data(question),
            "answer": mask_personal_data(answer),
            "sources": json.dumps([mask_personal_data(s) for s in sources], ensure_ascii=False),
            "mode": mode,
            "no_evidence": int(no_evidence),
            "rating": rating,
            "comment": mask_personal_data(comment.strip()),
        }
        with self._lock, self._engine.begin() as conn:
            return int(conn.execute(insert(feedback_table).values(**row)).inserted_primary_key[0])

    def recent(self, limit: int = 50) -> list[FeedbackRecord]:
        t = feedback_table
        with self._engine.connect() as conn:
            rows = conn.execute(select(t).order_by(t.c.id.desc()).limit(limit)).mappings().all()
        return [
            FeedbackRecord(
                r["id"],
                r["created_at"],
                r["session_id"],
                r["message_id"],
                r["question"],
                r["answer"],
                json.loads(r["sources"]),
                r["mode"],
                bool(r["no_evidence"]),
                r["rating"],
                r["comment"],
            )
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        """{"up": n, "down": n, "comments": n}."""
        t = feedback_table
        query = select(
            func.coalesce(func.sum((t.c.rating > 0).cast(Integer)), 0),
            func.coalesce(func.sum((t.c.rating < 0).cast(Integer)), 0),
            func.coalesce(func.sum((t.c.comment != "").cast(Integer)), 0),
        )
        with self._engine.connect() as conn:
            up, down, comments = conn.execute(query).one()
        return {"up": int(up), "down": int(down), "comments": int(comments)}

    def close(self) -> None:
        self._engine.dispose()
