"""The statute book and the lay table shipped in corpus/: a fresh clone (no ../shared) answers a
civil servant's first questions, and answers, quotes and exports carry no markup debris.

A small part of the shipped book is indexed (the default settings: ko-static-v1, the shipped lay
table); the whole book is indexed by scripts/run-app.sh in the background (tests/test_book.py
covers that mechanism on a few laws)."""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from assistant.app.history import conversation_plain
from assistant.chains.context import make_context
from assistant.chains.docx_export import draft_docx_bytes
from assistant.chains.qa import answer_question
from assistant.search.retrieval import HybridRetriever, SearchFilters
from ingest.core.settings import Settings, load_settings
from ingest.job.pipeline import run_ingest
from tests.conftest import PROJECT_ROOT

BOOK = PROJECT_ROOT / "corpus" / "statutes" / "kr"
LAWS = ["주민등록법", "주택임대차보호법", "지방공무원복무규정", "공공기관의정보공개에관한법률"]
# The first questions of a civil servant, and the core-law ones of the UI tests.
QUESTIONS = [
    "전입신고는 언제까지 해야 하나요?",
    "집주인이 보증금을 안 돌려줘요",
    "공무원 연가 일수는 며칠인가요?",
    "정보공개 청구를 받으면 며칠 안에 결정해야 하나요?",
    "정보공개 결정기간을 연장할 수 있나요?",
    "이웃집 소음 때문에 민원을 넣고 싶어요",
    "오늘 점심 메뉴 추천해 줘",
]
QUOTE_MARKER = re.compile(r"(?m)^\s*>")
TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")
URL = re.compile(r"(?i)https?://|www\.")


@pytest.fixture(scope="module")
def book_index(tmp_path_factory: pytest.TempPathFactory, embeddings: Any) -> Settings:
    s = load_settings()
    s.store.db_dir = tmp_path_factory.mktemp("shipped-book") / "index"
    s.store.chroma_url = None
    s.llm.backend = "none"
    report = run_ingest([BOOK / law for law in LAWS], s, embeddings=embeddings)
    assert not report.failed, report.summary()
    return s


@pytest.fixture(scope="module")
def ctx(book_index: Settings, embeddings: Any) -> Any:
    return make_context(book_index, retriever=HybridRetriever(book_index, embeddings=embeddings), llm=None)


def _found(hits: list[Any]) -> list[tuple[str, str]]:
    return [(h.chunk.metadata["law_title"], h.chunk.metadata["article"]) for h in hits]


def test_the_whole_book_and_the_lay_table_ship_with_the_product() -> None:
    s = load_settings()
    assert len(list(BOOK.glob("*/*.md"))) == 1931
    assert all((BOOK / law).is_dir() for law in s.statutes.core_laws)
    assert s.statutes.book_dir == BOOK.parent
    lay = s.ingest.lay_sentences
    assert lay == PROJECT_ROOT / "corpus" / "lay" / "easylaw-sentences.jsonl.gz" and lay.is_file()
    with gzip.open(lay, "rt", encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == 57_224


def test_first_questions_find_their_articles(book_index: Settings, embeddings: Any) -> None:
    retriever = HybridRetriever(book_index, embeddings=embeddings)
    statutes = SearchFilters(doc_type="statute")
    moving = _found(retriever.search("전입신고는 언제까지 해야 하나요?", k=3, filters=statutes))
    assert ("주민등록법", "제16조") in moving, moving
    hits = retriever.search("집주인이 보증금을 안 돌려줘요", k=5, filters=statutes)
    assert ("주택임대차보호법", "제3조의2") in _found(hits), _found(hits)
    assert any("lay_bigram" in h.signals for h in hits)  # the shipped lay table is in the index


def test_answers_quotes_and_exports_carry_no_markup(ctx: Any) -> None:
    answers = [answer_question(q, ctx) for q in QUESTIONS]
    exported = conversation_plain("대화", answers)
    doc = Document(io.BytesIO(draft_docx_bytes(exported, kind="보고서")))
    docx_text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for name, text in [
        *((a.question, a.text) for a in answers),
        ("export", exported),
        ("docx", docx_text + "\n".join(cells)),
    ]:
        assert not QUOTE_MARKER.search(text), (name, text)
        assert not TAG.search(text), (name, TAG.search(text))
        assert not URL.search(text), (name, text)
    leave = answers[QUESTIONS.index("공무원 연가 일수는 며칠인가요?")]
    assert "| 재직기간 | 연가 일수 |" in leave.text and "| 6년 이상 | 21 |" in leave.text
    assert "연가 일수" in cells and "21" in cells  # drawn as a table in the .docx too


def test_the_extractive_answer_keeps_the_clause_that_decides(ctx: Any) -> None:
    """정보공개법 제11조: ① 10일, and ② the 10-day extension that qualifies it, not cut to "…"."""
    answer = answer_question("정보공개 청구를 받으면 며칠 안에 결정해야 하나요?", ctx)
    first = answer.sources[0]
    assert (first.law_title, first.article) == ("공공기관의 정보공개에 관한 법률", "제11조")
    assert "10일 이내에 공개 여부를 결정하여야 한다" in answer.text
    assert "10일의 범위에서 공개 여부 결정기간을 연장할 수 있다" in answer.text


def test_no_evidence_lists_no_unrelated_nearest_articles(ctx: Any) -> None:
    answer = answer_question("오늘 점심 메뉴 추천해 줘", ctx)
    assert answer.no_evidence and not answer.candidates
    assert "가까운 후보" not in answer.text and "법령명" in answer.text


def test_shipped_files_are_indexed_from_the_repository(book_index: Settings) -> None:
    from ingest.index.stats import open_manifest

    manifest = open_manifest(book_index)
    assert manifest is not None
    try:
        assert all(Path(p).is_relative_to(BOOK.resolve()) for p in manifest.files())
    finally:
        manifest.close()
