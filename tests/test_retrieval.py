"""Hybrid, law-aware retrieval on a real index of the statute sample and the sample guidelines."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.search.retrieval import (
    HybridRetriever,
    IndexMissingError,
    SearchFilters,
    analyze_query,
    hint_refs,
    rescale_rows_lacking,
    rrf_fuse,
    top_rows,
)
from ingest.core.settings import Settings, load_settings
from ingest.job.pipeline import run_ingest
from ingest.legal.titles import is_repealed
from tests.conftest import build_test_index

LAWS = [
    "민원처리에관한법률/법률.md",
    "민원처리에관한법률/시행령.md",
    "개인정보보호법/법률.md",
    "개인정보보호법/시행령.md",
    "지방공무원복무규정/대통령령.md",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, statute_sample: Path, embeddings) -> Settings:
    region = (
        "1. 지역 안내\n서울 소재 민원실은 토요일에도 운영한다.\n2. 기타\n부산 소재 민원실은 평일만 운영한다."
    )
    return build_test_index(
        tmp_path_factory.mktemp("retrieval"),
        statute_sample,
        LAWS,
        embeddings,
        {"guidelines/지역.txt": region},
        guidelines=True,
    )


@pytest.fixture(scope="module")
def retriever(index: Settings, embeddings) -> HybridRetriever:
    return HybridRetriever(index, embeddings=embeddings)


def _labels(hits) -> list[tuple[str, str]]:
    return [(h.chunk.metadata["law_title"], h.chunk.metadata["article"]) for h in hits]


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    s = load_settings()
    s.store.db_dir = tmp_path / "nothing"
    with pytest.raises(IndexMissingError, match="python -m ingest"):
        HybridRetriever(s)


def test_rrf_fuse_and_top_rows() -> None:
    fused = rrf_fuse({"a": [3, 1], "b": [1], "c": [9]}, {"a": 1.0, "b": 2.0, "c": 0.0}, k=60)
    assert set(fused) == {1, 3}
    assert fused[1] == pytest.approx(1 / 62 + 2 / 61)
    assert fused[3] == pytest.approx(1 / 61)
    import numpy as np

    assert top_rows(np.array([0.0, 2.0, 1.0, 3.0]), 10) == [3, 1, 2]


def test_rows_that_cannot_have_lay_text_are_scored_on_the_weight_they_can_reach() -> None:
    import numpy as np

    weights = {"body": 1.0, "dense": 0.5, "lay_bigram": 0.5, "xref": 0.0}
    # row 0: a statute article first in every list; row 1: a guideline first in every list it can be in
    ranked = {"body": [0, 1], "dense": [1, 0], "lay_bigram": [0], "xref": [2]}
    fused = rrf_fuse(ranked, weights, k=20)
    lacking = np.array([False, True, True])
    rescale_rows_lacking(fused, lacking, "lay_bigram", ranked, weights)
    assert fused[1] == pytest.approx((1 / 22 + 0.5 / 21) * 2.0 / 1.5)
    assert fused[0] == pytest.approx(1 / 21 + 0.5 / 22 + 0.5 / 21)  # untouched
    # switched off, or no row with lay text matched: nothing to make up for
    for off_weights, off_ranked in (
        ({**weights, "lay_bigram": 0.0}, ranked),
        (weights, {**ranked, "lay_bigram": []}),
    ):
        again = rrf_fuse(off_ranked, off_weights, k=20)
        before = dict(again)
        rescale_rows_lacking(again, lacking, "lay_bigram", off_ranked, off_weights)
        assert again == before


def test_query_analysis(retriever: HybridRetriever) -> None:
    a = analyze_query("민원처리법 제17조에 따른 처리기간은?", retriever.catalog)
    assert [(r.law, r.article) for r in a.refs] == [("민원 처리에 관한 법률", "제17조")]
    assert a.laws == ["민원 처리에 관한 법률"]
    b = analyze_query("개인정보보호법 15조", retriever.catalog)
    assert [(r.law, r.article) for r in b.refs] == [("개인정보 보호법", "제15조")]
    assert not b.wants_addenda
    assert analyze_query("개인정보 보호법 부칙 시행일", retriever.catalog).wants_addenda


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("민원처리법 제17조", ("민원 처리에 관한 법률", "제17조")),
        ("개인정보보호법 15조", ("개인정보 보호법", "제15조")),
        ("개인정보 보호법 시행령 제3조", ("개인정보 보호법 시행령", "제3조")),
    ],
)
def test_exact_lookup_first(retriever: HybridRetriever, query: str, expected: tuple[str, str]) -> None:
    assert _labels(retriever.search(query, 5))[0] == expected


def test_natural_question_finds_the_article(retriever: HybridRetriever) -> None:
    hits = retriever.search("개인정보를 수집할 때 정보주체의 동의를 받아야 하는 경우는?", 5)
    assert ("개인정보 보호법", "제15조") in _labels(hits)


def test_particles_do_not_block_matches(retriever: HybridRetriever) -> None:
    hits = retriever.search("서울은 토요일에 민원실을 여나요?", 3, SearchFilters(doc_type="guideline"))
    assert "서울 소재 민원실은 토요일에도" in hits[0].chunk.text


def test_filters(retriever: HybridRetriever) -> None:
    only_guidelines = retriever.search("개인정보 파기", 5, SearchFilters(doc_type="guideline"))
    assert only_guidelines and all(h.chunk.metadata["doc_type"] == "guideline" for h in only_guidelines)
    one_law = retriever.search("개인정보 파기", 5, SearchFilters(laws=("개인정보 보호법 시행령",)))
    assert one_law and all(h.chunk.metadata["law_title"] == "개인정보 보호법 시행령" for h in one_law)
    decrees = retriever.search("민원 처리기간", 5, SearchFilters(law_types=("대통령령",)))
    assert decrees and all(h.chunk.metadata["law_type"] == "대통령령" for h in decrees)
    assert not retriever.search(
        "민원 처리기간", 5, SearchFilters(effective_on="1990-01-01", doc_type="statute")
    )


def test_addenda_only_when_asked(retriever: HybridRetriever) -> None:
    assert not any(
        h.chunk.metadata["is_addendum"]
        for h in retriever.search("개정규정은 이 법 시행 이후 처리하는 경우부터 적용한다", 10)
    )
    assert any(h.chunk.metadata["is_addendum"] for h in retriever.search("개인정보 보호법 부칙 시행일", 10))


def test_cross_references_are_followed(retriever: HybridRetriever) -> None:
    hits = retriever.search("개인정보 보호법 제15조", 10)
    # 제15조 refers to 제22조 (동의를 받는 방법) and 제17조; at least one is pulled in by the xref signal
    xref = [h for h in hits if "xref" in h.signals]
    assert xref, "cross-referenced articles expected among the hits"


def test_split_article_comes_back_whole(retriever: HybridRetriever) -> None:
    hits = retriever.search("개인정보 보호법 제15조", 3)
    top = hits[0]
    assert top.chunk.metadata["article"] == "제15조"
    assert top.chunk.text.count("개인정보 보호법 제15조") == 1, "parts merged under one header"
    assert "①" in top.chunk.text and "③" in top.chunk.text
    assert (
        len(
            [
                h
                for h in hits
                if h.chunk.metadata["article"] == "제15조"
                and h.chunk.metadata["law_title"] == "개인정보 보호법"
            ]
        )
        == 1
    )


def test_langchain_retriever(retriever: HybridRetriever) -> None:
    docs = retriever.as_langchain(k=3).invoke("민원처리법 제17조")
    assert docs[0].metadata["article"] == "제17조"
    assert docs[0].page_content.startswith("민원 처리에 관한 법률 제17조")


def test_new_snapshot_is_picked_up(index: Settings, embeddings, tmp_path: Path) -> None:
    settings = index.model_copy(deep=True)
    r = HybridRetriever(settings, embeddings=embeddings)
    before = len(r)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "추가지침.txt").write_text(
        "1. 목적\n드론 촬영 허가 절차를 정한다.\n2. 절차\n드론 촬영은 7일 전에 신청한다.", encoding="utf-8"
    )
    run_ingest([extra], settings, embeddings=embeddings)
    hits = r.search("드론 촬영 신청", 3)
    assert len(r) > before
    assert "드론" in hits[0].chunk.text


def test_hint_refs_keep_the_named_articles_in_order(retriever: HybridRetriever) -> None:
    hint = "개인정보 보호법 제17조(개인정보의 제공)\n민원처리법 제9조\n가나다라법 제3조\n용어: 제3자 제공"
    refs = hint_refs(hint, retriever.catalog)
    assert refs[:2] == [("개인정보 보호법", "제17조"), ("민원 처리에 관한 법률", "제9조")]
    assert all(law != "가나다라법" for law, _ in refs)


def test_llm_hint_brings_the_named_article_up(retriever: HybridRetriever) -> None:
    query = "회사가 내 정보를 다른 곳에 넘겨도 되나요?"  # lay wording: no 제3자·제공 in it
    target = ("개인정보 보호법", "제17조")
    hint = "개인정보 보호법 제17조(개인정보의 제공)\n용어: 제3자 제공, 정보주체의 동의"
    plain = _labels(retriever.search(query, 10))
    hits = retriever.search(query, 10, hint=hint)
    assert _labels(hits)[0] == target and "hint_refs" in hits[0].signals
    assert target not in plain[:1]
    # An invented provision finds nothing: the named-article signal stays empty.
    invented = retriever.search(query, 10, hint="가나다라법 제999조(없는 조문)")
    assert not any("hint_refs" in h.signals for h in invented)


def test_repealed_provisions_only_when_asked_or_named(retriever: HybridRetriever) -> None:
    def repealed(hits) -> list[str]:
        return [h.chunk.metadata["article"] for h in hits if is_repealed(h.chunk.text)]

    assert not repealed(retriever.search("개인정보 보호법 시행령 삭제", 10))
    assert not repealed(retriever.search("정보주체가 개인정보의 삭제를 요구하면?", 10))
    named = retriever.search("개인정보 보호법 시행령 제4조", 3)
    assert _labels(named)[0] == ("개인정보 보호법 시행령", "제4조") and repealed(named[:1]) == ["제4조"]
    assert repealed(retriever.search("개인정보 보호법 시행령에서 삭제된 조문", 10))
