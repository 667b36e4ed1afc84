"""Saved conversations (assistant.app.history) on real SQLite stores and, once, the real PostgreSQL server:
search, rename, delete, retention, one user never sees another's, personal data masked, and
reopened answers re-checked against the user's current access groups (the retriever's
group-checked get_chunks over the UI test index)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.app.history import HistoryStore, conversation_markdown, source_ids, visible_answer
from assistant.chains import Answer, Source
from assistant.search.retrieval import SearchFilters
from tests.conftest import PROJECT_ROOT, build_test_index
from tests.security.test_audit import postgres_url  # noqa: F401 - the real PostgreSQL fixture
from tests.test_access_groups import QUESTION, RESTRICTED
from tests.ui.conftest import UI_STATUTES
from tests.ui.test_auth import FakeClock as Clock


def answer(question: str, text: str = "답변입니다 [1].", ids: tuple[str, ...] = ("c1",)) -> Answer:
    sources = [
        Source(n, cid, f"제{n}조 본문", {"law_title": "민원 처리에 관한 법률"})
        for n, cid in enumerate(ids, 1)
    ]
    return Answer(question=question, text=text, sources=sources)


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def store(tmp_path: Path, clock: Clock) -> HistoryStore:
    s = HistoryStore(f"sqlite:///{tmp_path / 'history.sqlite3'}", retention_days=30, clock=clock)
    yield s
    s.close()


def exercise(store: HistoryStore, clock: Clock) -> None:
    """The store's contract, run on SQLite and on PostgreSQL."""
    first = store.save_turn("clerk", None, answer("민원 처리기간을 연장할 수 있나요?"))
    clock.now += 60
    assert (
        store.save_turn("clerk", first, answer("연장은 몇 번까지 되나요?", "한 번 연장할 수 있습니다."))
        == first
    )
    clock.now += 60
    other = store.save_turn("clerk", None, answer("공용차량 배차 신청 기한은?", "운행 3일 전까지 [1]."))
    theirs = store.save_turn("auditor", None, answer("민원 처리기간 질문", "감사 쪽 답변"))
    assert [c.id for c in store.conversations("clerk")] == [other, first]  # last updated first
    assert store.get("clerk", first).title == "민원 처리기간을 연장할 수 있나요?"
    assert [c.id for c in store.conversations("clerk", "몇 번까지")] == [first]  # a later question
    assert [c.id for c in store.conversations("clerk", "3일 전")] == [other]  # answer text
    assert store.conversations("clerk", "50%_") == []  # LIKE wildcards are plain characters
    assert [a.question for a in store.answers("clerk", first)] == [
        "민원 처리기간을 연장할 수 있나요?",
        "연장은 몇 번까지 되나요?",
    ]
    reopened = store.answers("clerk", first)[0]
    assert reopened.sources[0].chunk_id == "c1" and reopened.sources[0].metadata["law_title"]
    # Isolation: the other user's conversation is invisible and untouchable.
    assert [c.id for c in store.conversations("clerk", "감사")] == []
    assert store.answers("clerk", theirs) == [] and store.get("clerk", theirs) is None
    assert not store.rename("clerk", theirs, "남의 대화") and not store.delete("clerk", theirs)
    assert store.save_turn("clerk", theirs, answer("끼어들기")) != theirs  # a new one of clerk's
    assert [a.question for a in store.answers("auditor", theirs)] == ["민원 처리기간 질문"]
    assert (
        store.rename("clerk", first, "  처리기간\n연장  ")
        and store.get("clerk", first).title == "처리기간 연장"
    )
    with pytest.raises(ValueError, match="비어"):
        store.rename("clerk", first, "   ")
    assert store.delete("clerk", other) and store.get("clerk", other) is None
    assert store.answers("clerk", other) == []


def test_store_contract_on_sqlite(store: HistoryStore, clock: Clock) -> None:
    exercise(store, clock)


def test_store_contract_on_postgresql(postgres_url: str, clock: Clock) -> None:  # noqa: F811
    store = HistoryStore(postgres_url, retention_days=30, clock=clock)
    try:
        exercise(store, clock)
    finally:
        store.close()


def test_retention_purges_old_conversations_on_write_and_at_startup(tmp_path: Path, clock: Clock) -> None:
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    store = HistoryStore(url, retention_days=30, clock=clock)
    old = store.save_turn("clerk", None, answer("오래된 질문"))
    clock.now += 20 * 86400
    recent = store.save_turn("clerk", None, answer("최근 질문"))
    clock.now += 11 * 86400  # `old` is 31 days old now, `recent` 11
    store.save_turn("clerk", None, answer("오늘 질문"))  # a write purges
    assert store.get("clerk", old) is None and store.get("clerk", recent) is not None
    assert store.answers("clerk", old) == []
    store.close()
    clock.now += 20 * 86400
    reopened = HistoryStore(url, retention_days=30, clock=clock)  # startup purges
    assert reopened.get("clerk", recent) is None
    assert [c.title for c in reopened.conversations("clerk")] == ["오늘 질문"]
    reopened.close()


def test_personal_data_is_masked_in_saved_turns(store: HistoryStore) -> None:
    cid = store.save_turn("clerk", None, answer("주민등록번호 900101-1234567 민원인의 처리기간은?"))
    saved = store.answers("clerk", cid)[0]
    assert "1234567" not in saved.question and "1234567" not in store.get("clerk", cid).title
    assert store.conversations("clerk", "처리기간")  # the rest of the question is still searchable


def test_markdown_export_has_questions_answers_and_sources() -> None:
    text = conversation_markdown("처리기간", [answer("연장할 수 있나요?")])
    assert (
        text.startswith("# 처리기간") and "연장할 수 있나요?" in text and "[1] 민원 처리에 관한 법률" in text
    )


@pytest.fixture(scope="module")
def restricted_retriever(tmp_path_factory: pytest.TempPathFactory, embeddings: Any) -> Any:
    """A retriever over one shipped statute plus a guideline in a folder restricted to 감사."""
    from assistant.search.retrieval import HybridRetriever
    from ingest.core.settings import get_settings

    root = tmp_path_factory.mktemp("history-access")
    rules = json.dumps({str(root / "src" / "감사"): ["감사"]}, ensure_ascii=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CHROMA_URL", raising=False)
        mp.setenv("ASSISTANT_SECURITY__ACCESS_GROUPS", rules)
        get_settings.cache_clear()
        shipped = PROJECT_ROOT / "corpus" / "statutes" / "kr"
        built = build_test_index(root, shipped, [UI_STATUTES[0]], embeddings, {"감사/계획.md": RESTRICTED})
        yield HybridRetriever(built, embeddings=embeddings)
    get_settings.cache_clear()


def test_reopened_answers_hide_sources_the_user_can_no_longer_see(restricted_retriever: Any) -> None:
    """A saved answer citing a statute and the 감사-only guideline: whole for a 감사 member;
    for staff of 민원 the guideline and the text quoting it are hidden — the check is the
    retriever's own group-checked get_chunks."""
    r = restricted_retriever
    hits = r.search(QUESTION, k=5, filters=SearchFilters(groups=("감사",)))
    restricted = next(h.chunk.id for h in hits if "푸른참나무" in h.chunk.text)
    public = next(h.chunk.id for h in r.search("민원 처리기간", k=1))
    saved = answer("질문", "암호명은 푸른참나무입니다 [2].", (public, restricted))
    for groups, expected_hidden in ((("감사",), 0), (("민원",), 1)):
        allowed = {c.id for c in r.get_chunks(source_ids(saved), groups)}
        shown, hidden = visible_answer(saved, allowed)
        assert hidden == expected_hidden
        if hidden:
            assert [s.chunk_id for s in shown.sources] == [public]
            assert "푸른참나무" not in shown.text and "숨겼습니다" in shown.text
        else:
            assert shown == saved
