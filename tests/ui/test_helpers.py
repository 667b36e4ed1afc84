"""Pure parts of the UI: feedback store, admin role checks and upload screening, rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import index_admin as admin
from assistant.app.feedback import FeedbackStore
from assistant.security.auth import User
from ingest.core.settings import Settings
from ui.components import highlight_html, source_facts


def test_feedback_store_round_trip(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fb' / 'feedback.sqlite3'}"
    store = FeedbackStore(url)
    common = {
        "session_id": "s",
        "answer": "답",
        "sources": ["[1] 민원 처리에 관한 법률 제17조"],
        "mode": "extractive",
    }
    store.add(message_id="a", question="질문1", no_evidence=False, rating=1, **common)
    store.add(message_id="b", question="질문2", no_evidence=True, rating=-1, comment=" 틀렸어요 ", **common)
    again = FeedbackStore(url)  # persistent
    latest = again.recent(1)[0]
    assert (latest.question, latest.rating, latest.comment, latest.no_evidence) == (
        "질문2",
        -1,
        "틀렸어요",
        True,
    )
    assert latest.sources == ["[1] 민원 처리에 관한 법률 제17조"]
    assert again.counts() == {"up": 1, "down": 1, "comments": 1}
    with pytest.raises(ValueError):
        store.add(message_id="c", question="q", no_evidence=False, rating=0, **common)


def test_highlight_html_escapes_and_marks() -> None:
    text = "① 행정기관의 장은 <기한> 내에 처리하여야 한다.\n  1. 다만, 연장할 수 있다."
    out = highlight_html(text, ["다만, 연장할 수 있다."])
    assert "&lt;기한&gt;" in out and "<기한>" not in out
    assert out.count("<mark") == 1 and "<br>" in out
    assert ">다만, 연장할 수 있다.</mark>" in out


def test_source_facts_for_statutes_and_guidelines() -> None:
    statute = {
        "law_title": "민원 처리에 관한 법률",
        "article": "제17조",
        "article_title": "법정민원의 처리기간 등",
        "effective_date": "2022-07-12",
        "source": "/x/민원처리에관한법률/법률.md",
    }
    assert source_facts(statute) == [
        ("법령", "민원 처리에 관한 법률"),
        ("조문", "제17조(법정민원의 처리기간 등)"),
        ("시행일", "2022-07-12"),
        ("파일", "법률.md"),
    ]
    guide = {"doc_title": "지침", "section_path": "Ⅱ. 처리 > 1. 기간", "page": 3, "source": "/x/지침.pdf"}
    assert source_facts(guide) == [
        ("문서", "지침"),
        ("위치", "Ⅱ. 처리 > 1. 기간"),
        ("쪽", "3"),
        ("파일", "지침.pdf"),
    ]


def test_admin_actions_check_the_role(tmp_path: Path) -> None:
    s = Settings()
    s.store.db_dir = tmp_path / "index"
    s.security.audit_url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    clerk = User("clerk", "주무관", "staff")
    for action in (
        lambda: admin.corpus_stats(s, clerk),
        lambda: admin.documents(s, clerk),
        lambda: admin.save_uploads([("a.md", b"x")], s, clerk),
        lambda: admin.reindex([tmp_path], s, clerk),
        lambda: admin.remove_document("a.md", s, clerk),
    ):
        with pytest.raises(admin.AdminError, match="관리자만"):
            action()
    assert not (tmp_path / "index").exists()


def test_save_uploads_screens_files(tmp_path: Path) -> None:
    s = Settings()
    s.ui.upload_dir = tmp_path / "uploads"
    s.ingest.max_file_mb = 0.001
    good = "# 지침\n\n## 1. 목적\n이 지침은 공용차량 운영에 필요한 사항을 정한다.\n".encode()
    result = admin.save_uploads(
        [
            ("../../차량 지침.md", good),
            ("표.xlsx", b"x"),
            ("큰.txt", b"x" * 2000),
            ("빈.txt", b""),
            ("설명.pdf", b"MZ\x90\x00" + b"\x00" * 60),  # an executable renamed .pdf
        ],
        s,
        User("admin", "관리자", "admin"),
    )
    assert result.saved == [tmp_path / "uploads" / "차량 지침.md"]
    reasons = dict(result.rejected)
    assert "지원하지 않는 파일 형식" in reasons["표.xlsx"]
    assert "크기 제한 초과" in reasons["큰.txt"]
    assert "실행 파일" in reasons["설명.pdf"]  # judged by content, not by extension
    assert reasons["빈.txt"]  # the loader's own Korean reason
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["차량 지침.md"]


def test_safe_name() -> None:
    assert admin.safe_name("../a/b:c?.md") == "b_c_.md"
    assert admin.safe_name("..") == "문서"
