"""Saved conversations (``settings.ui.history_url``: SQLite by default, PostgreSQL when several
app instances run): each user's questions and answers, to list, search, reopen, rename, delete
and export. Every call names the user; a user never reads or changes another's conversations.

Retention: conversations not updated for ``ui.history_retention_days`` are deleted on each save
and when the store opens. With ``ui.history_mask_personal_data`` questions and answer texts are
stored masked (:func:`mask_personal_data`, as in the audit log). A reopened answer is shown only
with the sources the user may still see (:func:`visible_answer`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)

from assistant.chains import Answer, Source
from assistant.security.pii import mask_personal_data
from assistant.security.storage import TableStore
from ingest.legal.markup import clean_quote

TITLE_CHARS = 60
HIDDEN_NOTE = (
    "이 답변의 출처 {n}건은 지금 권한으로 볼 수 없거나 색인에서 빠져 답변 본문과 함께 숨겼습니다. "
    "같은 질문을 다시 하면 지금 볼 수 있는 자료로 답합니다."
)

_metadata = MetaData()
conversations_table = Table(
    "conversations",
    _metadata,
    Column("id", String(32), primary_key=True),
    Column("login", String(128), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False, index=True),
)
messages_table = Table(
    "history_messages",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(32), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer_text", Text, nullable=False),
    Column("answer_json", Text, nullable=False),  # the whole Answer: reopened as it was shown
    Column("created_at", Float, nullable=False),
)


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    created_at: float
    updated_at: float


# --- pure functions -----------------------------------------------------------------------------


def title_of(question: str) -> str:
    """A conversation's first title: its first question, on one line, cut to TITLE_CHARS."""
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"


def answer_to_json(answer: Answer) -> str:
    return json.dumps(asdict(answer), ensure_ascii=False)


def _source(data: dict[str, Any]) -> Source:
    data = dict(data)
    for key in ("paragraphs", "highlights"):
        data[key] = tuple(data.get(key) or ())
    return Source(**data)


def answer_from_json(raw: str) -> Answer:
    data = json.loads(raw)
    data["sources"] = [_source(s) for s in data.get("sources", [])]
    data["candidates"] = [_source(s) for s in data.get("candidates", [])]
    return Answer(**data)


def masked_answer(answer: Answer) -> Answer:
    """The answer with personal data masked in what the user and the model wrote."""
    return replace(
        answer,
        question=mask_personal_data(answer.question),
        text=mask_personal_data(answer.text),
        standalone_question=mask_personal_data(answer.standalone_question),
    )


def source_ids(answer: Answer) -> list[str]:
    return [s.chunk_id for s in [*answer.sources, *answer.candidates]]


def visible_answer(answer: Answer, allowed: Collection[str]) -> tuple[Answer, int]:
    """(the answer as the user may see it now, how many sources were hidden): sources and
    candidates outside `allowed` are dropped, and then the text too (it quotes and names them),
    replaced by a Korean note."""
    sources = [s for s in answer.sources if s.chunk_id in allowed]
    candidates = [s for s in answer.candidates if s.chunk_id in allowed]
    hidden = len(answer.sources) + len(answer.candidates) - len(sources) - len(candidates)
    if not hidden:
        return answer, 0
    note = HIDDEN_NOTE.format(n=hidden)
    return replace(answer, text=note, sources=sources, candidates=candidates), hidden


def conversation_markdown(title: str, answers: Sequence[Answer]) -> str:
    """The conversation as Markdown: title, then each question with its answer and sources."""
    parts = [f"# {title}"]
    for n, answer in enumerate(answers, start=1):
        parts.append(f"## 질문 {n}\n\n{answer.question}")
        parts.append(f"### 답변\n\n{answer.to_markdown()}")
    return "\n\n".join(parts) + "\n"


def conversation_plain(title: str, answers: Sequence[Answer]) -> str:
    """The conversation as plain lines for the .docx export (first line = title)."""
    lines = [title, ""]
    for n, answer in enumerate(answers, start=1):
        # a generated answer may carry a tag or a link the model copied: the document gets neither
        lines += [f"질문 {n}. {answer.question}", "", clean_quote(answer.text.replace("**", "")), ""]
        lines += [f"  [{s.n}] {s.label}" for s in answer.sources]
        lines.append("")
    return "\n".join(lines)


# --- the store ----------------------------------------------------------------------------------


class HistoryStore(TableStore):
    """Conversations and their turns, safe to share between Streamlit's session threads."""

    def __init__(
        self,
        url: str,
        retention_days: int = 90,
        mask: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(url, _metadata, clock)
        self.retention_days = retention_days
        self.mask = mask
        self.purge()

    def save_turn(self, login: str, conversation_id: str | None, answer: Answer) -> str:
        """Append one question and its answer to the user's conversation (a new one when
        `conversation_id` is None or not theirs); the conversation's id."""
        now = self.clock()
        stored = masked_answer(answer) if self.mask else answer
        c, m = conversations_table, messages_table
        with self._lock, self._engine.begin() as conn:
            self._purge(conn, now)
            owned = (
                conversation_id
                and conn.execute(select(c.c.id).where(c.c.id == conversation_id, c.c.login == login)).first()
            )
            if not owned:
                conversation_id = uuid.uuid4().hex
                row = {"id": conversation_id, "login": login, "title": title_of(stored.question)}
                conn.execute(insert(c).values(**row, created_at=now, updated_at=now))
            else:
                conn.execute(update(c).where(c.c.id == conversation_id).values(updated_at=now))
            position = conn.execute(
                select(func.count()).select_from(m).where(m.c.conversation_id == conversation_id)
            ).scalar_one()
            conn.execute(
                insert(m).values(
                    conversation_id=conversation_id,
                    position=int(position),
                    question=stored.question,
                    answer_text=stored.text,
                    answer_json=answer_to_json(stored),
                    created_at=now,
                )
            )
        return str(conversation_id)

    def conversations(self, login: str, query: str = "", limit: int = 50) -> list[Conversation]:
        """The user's conversations, last updated first; with `query`, those whose title,
        questions or answers contain it."""
        c, m = conversations_table, messages_table
        stmt = select(c).where(c.c.login == login)
        query = query.strip()
        if query:
            hit = (
                select(m.c.id)
                .where(m.c.conversation_id == c.c.id)
                .where(
                    m.c.question.contains(query, autoescape=True)
                    | m.c.answer_text.contains(query, autoescape=True)
                )
                .exists()
            )
            stmt = stmt.where(c.c.title.contains(query, autoescape=True) | hit)
        stmt = stmt.order_by(c.c.updated_at.desc()).limit(limit)
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).mappings().all()
        return [Conversation(r["id"], r["title"], r["created_at"], r["updated_at"]) for r in rows]

    def get(self, login: str, conversation_id: str) -> Conversation | None:
        c = conversations_table
        with self._engine.connect() as conn:
            r = (
                conn.execute(select(c).where(c.c.id == conversation_id, c.c.login == login))
                .mappings()
                .first()
            )
        return Conversation(r["id"], r["title"], r["created_at"], r["updated_at"]) if r else None

    def answers(self, login: str, conversation_id: str) -> list[Answer]:
        """The turns of the user's conversation in order ([] when it is not theirs)."""
        c, m = conversations_table, messages_table
        stmt = (
            select(m.c.answer_json)
            .join(c, c.c.id == m.c.conversation_id)
            .where(c.c.id == conversation_id, c.c.login == login)
            .order_by(m.c.position)
        )
        with self._engine.connect() as conn:
            return [answer_from_json(raw) for (raw,) in conn.execute(stmt)]

    def rename(self, login: str, conversation_id: str, title: str) -> bool:
        """Give the user's conversation a new title (one line, at most 200 characters)."""
        title = " ".join(title.split())[:200]
        if not title:
            raise ValueError("대화 이름이 비어 있습니다.")
        c = conversations_table
        with self._lock, self._engine.begin() as conn:
            done = conn.execute(
                update(c).where(c.c.id == conversation_id, c.c.login == login).values(title=title)
            )
        return bool(done.rowcount)

    def delete(self, login: str, conversation_id: str) -> bool:
        """Delete the user's conversation with its turns; False when it is not theirs."""
        c, m = conversations_table, messages_table
        with self._lock, self._engine.begin() as conn:
            done = conn.execute(delete(c).where(c.c.id == conversation_id, c.c.login == login))
            if done.rowcount:
                conn.execute(delete(m).where(m.c.conversation_id == conversation_id))
        return bool(done.rowcount)

    def purge(self) -> int:
        """Delete conversations past the retention period; how many."""
        with self._lock, self._engine.begin() as conn:
            return self._purge(conn, self.clock())

    def _purge(self, conn: Any, now: float) -> int:
        if self.retention_days <= 0:
            return 0
        c, m = conversations_table, messages_table
        old = select(c.c.id).where(c.c.updated_at < now - self.retention_days * 86400)
        conn.execute(delete(m).where(m.c.conversation_id.in_(old)))
        return int(conn.execute(delete(c).where(c.c.id.in_(old))).rowcount or 0)
