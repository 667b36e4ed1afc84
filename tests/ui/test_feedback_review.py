"""Feedback review (assistant.app.feedback): a 👎 names the right article (checked against the indexed law
titles with ingest.legal.refs), the review queue marks items reviewed/rejected with a
corrected article, and the export is read back by the benchmark's own reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app.feedback import FeedbackStore, gold_reference, main
from assistant.bench.datasets import read_qa_file

TITLES = ["민원 처리에 관한 법률", "민원 처리에 관한 법률 시행령", "개인정보 보호법"]


@pytest.fixture()
def store(tmp_path: Path) -> FeedbackStore:
    s = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.sqlite3'}")
    yield s
    s.close()


def down(store: FeedbackStore, question: str, gold: tuple[str, str] = ("", "")) -> int:
    return store.add(
        session_id="s", message_id="m", question=question, answer="답", sources=[], mode="extractive",
        no_evidence=False, rating=-1, comment="틀렸어요", gold=gold,
    )  # fmt: skip


def test_gold_reference_is_checked_and_canonical() -> None:
    assert gold_reference("민원처리법", "17조", TITLES) == ("민원 처리에 관한 법률", "제17조")
    assert gold_reference(" 개인정보 보호법 ", "제15조의2(목적)", TITLES) == ("개인정보 보호법", "제15조의2")
    assert gold_reference("", "", TITLES) == ("", "")
    with pytest.raises(ValueError, match="색인된 법령에 없습니다"):
        gold_reference("없는법", "제1조", TITLES)
    with pytest.raises(ValueError, match="조문 번호가 아닙니다"):
        gold_reference("개인정보 보호법", "첫째 조", TITLES)
    with pytest.raises(ValueError, match="함께"):
        gold_reference("개인정보 보호법", "", TITLES)


def test_reviewed_items_export_as_a_benchmark_the_bench_reads(store: FeedbackStore, tmp_path: Path) -> None:
    named = down(store, "민원 처리기간을 연장할 수 있나요?", ("민원 처리에 관한 법률 시행령", "제20조"))
    bare = down(store, "주민등록번호 900101-1234567 민원인은 무엇을 내야 하나요?")
    rejected = down(store, "점심 메뉴", ("개인정보 보호법", "제1조"))
    store.add(
        session_id="s", message_id="m", question="좋아요", answer="답", sources=[], mode="extractive",
        no_evidence=False, rating=1, gold=("개인정보 보호법", "제1조"),
    )  # fmt: skip  # a 👍 has no place in the queue
    queue = store.queue("new")
    assert [rec.id for rec, _ in queue] == [rejected, bare, named]
    assert dict((rec.id, rev.article) for rec, rev in queue)[named] == "제20조"
    store.review(named, "reviewed", "admin", ("민원 처리에 관한 법률 시행령", "제21조"))  # corrected
    store.review(bare, "reviewed", "admin", ("민원 처리에 관한 법률", "제10조"))
    store.review(rejected, "rejected", "admin")
    with pytest.raises(ValueError, match="올바른 법령과 조문"):
        store.review(rejected, "reviewed", "admin")
    assert [rec.id for rec, _ in store.queue("new")] == []
    assert [rec.id for rec, _ in store.queue("rejected")] == [rejected]

    out = tmp_path / "bench" / "feedback.jsonl"
    assert main(["export", str(out), "--url", store.url]) == 0
    dataset = read_qa_file(out)
    assert dataset.format == "jsonl" and not dataset.bad_lines
    assert [(i.id, i.question) for i in dataset.items][0] == (
        f"feedback-{named}",
        "민원 처리기간을 연장할 수 있나요?",
    )
    assert [i.raw_refs for i in dataset.items] == [
        [{"law": "민원 처리에 관한 법률 시행령", "article": "제21조"}],
        [{"law": "민원 처리에 관한 법률", "article": "제10조"}],
    ]
    assert "1234567" not in out.read_text(encoding="utf-8")  # stored masked, exported masked


def test_export_with_nothing_reviewed_says_so(store: FeedbackStore, tmp_path: Path) -> None:
    down(store, "질문")
    assert main(["export", str(tmp_path / "empty.jsonl"), "--url", store.url]) == 1
