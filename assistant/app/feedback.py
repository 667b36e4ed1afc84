"""👍/👎 feedback on answers (``settings.ui.feedback_url``: SQLite by default, PostgreSQL when
several app instances run), and its review: a 👎 may name the right article; an admin marks
items reviewed or rejected and corrects that article; reviewed items export as the benchmark's
JSONL QA format, so staff corrections become regression tests::

    python -m assistant.app.feedback export OUT.jsonl     # then: python -m assistant.bench --qa OUT.jsonl

Question, answer, sources and comment are masked with the same function as the audit log
(:func:`mask_personal_data`) before they are stored: feedback must not become a store of
citizens' 주민등록번호 or e-mail addresses. The feedback table stays append-only; reviews live
in their own table.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, func, insert, select, update

from assistant.security.pii import mask_personal_data
from assistant.security.storage import make_engine
from ingest.legal.catalog import LawCatalog
from ingest.legal.titles import article_label, parse_article_label

STATUSES = {"new": "검토 전", "reviewed": "검토 완료", "rejected": "반려"}

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
review_table = Table(
    "feedback_review",
    _metadata,
    Column("feedback_id", Integer, primary_key=True),
    Column("law", String(200), nullable=False),  # the right article, as the user or reviewer named it
    Column("article", String(40), nullable=False),
    Column("status", String(16), nullable=False),  # new | reviewed | rejected
    Column("reviewer", String(128), nullable=False),
    Column("reviewed_at", String(40), nullable=False),
)


@dataclass(frozen=True)
class Review:
    """The review state of one feedback item."""

    law: str = ""
    article: str = ""
    status: str = "new"
    reviewer: str = ""
    reviewed_at: str = ""


def gold_reference(law: str, article: str, titles: Iterable[str]) -> tuple[str, str]:
    """(official law title, canonical article label) of a named article, both empty when
    neither is given; ValueError with a Korean reason when the law is not among `titles` (the
    indexed laws the user may see) or the article label is not one (pure)."""
    law, article = law.strip(), article.strip()
    if not law and not article:
        return "", ""
    if not law or not article:
        raise ValueError("법령명과 조문(예: 제17조)을 함께 적어 주세요.")
    title = LawCatalog(titles).resolve(law)
    if title is None:
        raise ValueError(f"'{law}' 은(는) 색인된 법령에 없습니다. 법령의 정식 이름이나 약칭을 적어 주세요.")
    parsed = parse_article_label(article)
    if parsed is None:
        raise ValueError(f"'{article}' 은(는) 조문 번호가 아닙니다 (예: 제17조, 제15조의2).")
    return title, article_label(*parsed)


def benchmark_line(record: FeedbackRecord, review: Review) -> dict[str, object]:
    """One reviewed item in the benchmark's JSONL QA format (``assistant.bench.datasets``; pure)."""
    return {
        "id": f"feedback-{record.id}",
        "question": record.question,
        "references": [{"law": review.law, "article": review.article}],
        "source": "feedback",
    }


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
        gold: tuple[str, str] = ("", ""),
    ) -> int:
        """Store one rating (+1/-1) with an optional comment, personal data masked, and for a 👎
        the right (law, article) when the user named one (checked by :func:`gold_reference`); its id."""
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
            new_id = int(conn.execute(insert(feedback_table).values(**row)).inserted_primary_key[0])
            if rating < 0 and all(gold):
                conn.execute(
                    insert(review_table).values(
                        feedback_id=new_id,
                        law=gold[0],
                        article=gold[1],
                        status="new",
                        reviewer="",
                        reviewed_at="",
                    )
                )
        return new_id

    def recent(self, limit: int = 50) -> list[FeedbackRecord]:
        t = feedback_table
        with self._engine.connect() as conn:
            rows = conn.execute(select(t).order_by(t.c.id.desc()).limit(limit)).mappings().all()
        return [_record(r) for r in rows]

    def queue(self, status: str | None = None, limit: int = 100) -> list[tuple[FeedbackRecord, Review]]:
        """👎 items with their review state (no review row = "new"), newest first; with
        `status`, only those in it."""
        t, r = feedback_table, review_table
        stmt = select(t, r.c.law, r.c.article, r.c.status, r.c.reviewer, r.c.reviewed_at).outerjoin(
            r, r.c.feedback_id == t.c.id
        )
        stmt = stmt.where(t.c.rating < 0)
        if status == "new":
            stmt = stmt.where(r.c.status.is_(None) | (r.c.status == "new"))
        elif status:
            stmt = stmt.where(r.c.status == status)
        with self._engine.connect() as conn:
            rows = conn.execute(stmt.order_by(t.c.id.desc()).limit(limit)).mappings().all()
        return [(_record(row), _review(row)) for row in rows]

    def review(self, feedback_id: int, status: str, reviewer: str, gold: tuple[str, str] = ("", "")) -> None:
        """Mark one item reviewed or rejected (or back to new), with the (checked) gold article."""
        if status not in STATUSES:
            raise ValueError(f"알 수 없는 상태 {status!r}")
        if status == "reviewed" and not all(gold):
            raise ValueError("검토 완료로 표시하려면 올바른 법령과 조문을 적어 주세요.")
        values = {
            "law": gold[0],
            "article": gold[1],
            "status": status,
            "reviewer": reviewer,
            "reviewed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        r = review_table
        with self._lock, self._engine.begin() as conn:
            if (
                conn.execute(select(feedback_table.c.id).where(feedback_table.c.id == feedback_id)).first()
                is None
            ):
                raise ValueError(f"피드백 {feedback_id} 이(가) 없습니다.")
            done = conn.execute(update(r).where(r.c.feedback_id == feedback_id).values(**values))
            if not done.rowcount:
                conn.execute(insert(r).values(feedback_id=feedback_id, **values))

    def benchmark_lines(self) -> list[dict[str, object]]:
        """Reviewed items as benchmark JSONL records, oldest first."""
        items = self.queue("reviewed", limit=1_000_000)
        return [benchmark_line(rec, rev) for rec, rev in reversed(items) if rev.law and rev.article]

    def export_benchmark(self, path: Path) -> int:
        """Write :meth:`benchmark_lines` to `path` (UTF-8 JSONL); how many lines."""
        lines = self.benchmark_lines()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
        return len(lines)

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


def _record(r: object) -> FeedbackRecord:
    return FeedbackRecord(
        r["id"], r["created_at"], r["session_id"], r["message_id"], r["question"], r["answer"],
        json.loads(r["sources"]), r["mode"], bool(r["no_evidence"]), r["rating"], r["comment"],
    )  # type: ignore[index]  # fmt: skip


def _review(r: object) -> Review:
    if r["status"] is None:  # type: ignore[index]
        return Review()
    return Review(r["law"], r["article"], r["status"], r["reviewer"], r["reviewed_at"])  # type: ignore[index]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m assistant.app.feedback export OUT.jsonl``: reviewed feedback as a benchmark QA file."""
    from ingest.core.settings import get_settings

    parser = argparse.ArgumentParser(
        prog="python -m assistant.app.feedback", description="피드백 검토 결과 내보내기"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="검토 완료 항목을 벤치마크 JSONL 로 씁니다")
    export.add_argument("out", type=Path, help="출력 파일 (python -m assistant.bench --qa 로 읽습니다)")
    export.add_argument("--url", help="피드백 DB URL (기본: ui.feedback_url)")
    args = parser.parse_args(argv)
    store = FeedbackStore(args.url or get_settings().ui.feedback_url)
    try:
        n = store.export_benchmark(args.out)
    except OSError as exc:
        print(f"오류: {args.out}: 쓸 수 없습니다 ({exc.strerror or exc})", file=sys.stderr)
        return 2
    finally:
        store.close()
    if n == 0:
        print(f"검토 완료된 항목이 없어 빈 파일을 썼습니다: {args.out}", file=sys.stderr)
        return 1
    print(f"{n}개 항목을 썼습니다: {args.out}  (python -m assistant.bench --qa {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
