"""The citation checker on crafted good and bad answers (pure, no index)."""

from __future__ import annotations

import pytest

from assistant.chains.citations import FLAG, check_citations, claim_paragraphs, normalize_markers, renumber
from assistant.chains.types import Source
from ingest.legal.catalog import LawCatalog

CATALOG = LawCatalog(
    [
        "개인정보 보호법",
        "개인정보 보호법 시행령",
        "민원 처리에 관한 법률",
        "민원 처리에 관한 법률 시행령",
        "행정절차법",
    ]
)


def _src(n: int, law: str, article: str, title: str, body: str) -> Source:
    meta = {
        "law_title": law,
        "article": article,
        "article_title": title,
        "effective_date": "2025-10-02",
        "doc_type": "statute",
        "is_addendum": False,
    }
    return Source(n, f"id{n}", f"{law} {article} ({title})\n{body}", meta)


SOURCES = [
    _src(
        1,
        "개인정보 보호법",
        "제15조",
        "개인정보의 수집ㆍ이용",
        "① 개인정보처리자는 다음 각 호의 어느 하나에 해당하는 경우에는 개인정보를 수집할 수 있다.\n"
        "  1. 정보주체의 동의를 받은 경우\n"
        "② 개인정보처리자는 제1항제1호에 따른 동의를 받을 때에는 다음 각 호의 사항을 정보주체에게 알려야 한다.",
    ),
    _src(
        2,
        "개인정보 보호법 시행령",
        "제3조",
        "정의",
        "법 제2조제5호에서 대통령령으로 정하는 자란 다음 각 호의 자를 말한다.",
    ),
    _src(
        3,
        "민원 처리에 관한 법률",
        "제17조",
        "법정민원의 처리기간 설정ㆍ공표",
        "① 행정기관의 장은 법정민원의 처리기간을 미리 정하여 공표하여야 한다.\n"
        "② 행정기관의 장은 제18조에 따른 처리기간을 민원편람에 수록하여야 한다.",
    ),
]


def test_good_answer_passes_unchanged() -> None:
    text = (
        "개인정보는 정보주체의 동의를 받은 경우 수집할 수 있습니다 [1]. "
        "개인정보 보호법 제15조제2항에 따라 동의를 받을 때에는 수집 목적 등을 알려야 합니다 [1]. "
        "같은 법 시행령 제3조도 함께 확인하세요 [2]."
    )
    check = check_citations(text, SOURCES, CATALOG)
    assert check.corrections == [] and check.text == text
    assert check.cited == [1, 2]


def test_marker_to_a_source_that_was_not_retrieved_is_removed() -> None:
    check = check_citations(
        "법정민원은 처리기간을 공표해야 합니다 [3][7]. 그 밖의 경우는 [9] 없습니다.", SOURCES, CATALOG
    )
    assert "[7]" not in check.text and "[9]" not in check.text and "[3]" in check.text
    assert check.removed_markers == ["7", "9"]
    assert any("[7]" in c and "삭제" in c for c in check.corrections)
    assert check.cited == [3]


def test_marker_lists_and_ranges_are_normalised() -> None:
    out, removed = normalize_markers("근거는 다음과 같습니다 [1, 3]. 또 [1-3] 참조.", {1, 2, 3})
    assert out == "근거는 다음과 같습니다 [1][3]. 또 [1][2][3] 참조."
    assert removed == []


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("야간주거침입절도는 형법 제330조에 따라 처벌됩니다 [1].", "형법 제330조"),  # law not indexed
        (
            "민원 처리에 관한 법률 제99조에 따라 처리합니다 [3].",
            "민원 처리에 관한 법률 제99조",
        ),  # not retrieved
        (
            "행정절차법 제21조에 따라 사전 통지해야 합니다 [1].",
            "행정절차법 제21조",
        ),  # known law, not retrieved
    ],
)
def test_article_reference_without_evidence_is_flagged(text: str, raw: str) -> None:
    check = check_citations(text, SOURCES, CATALOG)
    assert raw in check.flagged_refs[0] or check.flagged_refs[0] in raw
    assert FLAG in check.text
    assert check.text.index(FLAG) > check.text.index(raw.split()[-1])  # right after the reference
    assert check.changed


def test_bare_article_belongs_to_the_cited_law() -> None:
    ok = check_citations("제17조에 따라 처리기간을 공표해야 합니다 [3].", SOURCES, CATALOG)
    assert ok.corrections == []
    bad = check_citations(
        "제18조에 따라 처리기간을 공표해야 합니다 [3]. 제40조도 있습니다 [3].", SOURCES, CATALOG
    )
    # 제18조 is mentioned in the cited article's text ("제18조에 따른 처리기간"), 제40조 is not
    assert [r for r in bad.flagged_refs] == ["제40조"]


def test_reference_to_retrieved_but_uncited_source_gets_its_marker() -> None:
    check = check_citations(
        "동의를 받아야 합니다 [1]. 같은 법 시행령 제3조에 정의가 있습니다.", SOURCES, CATALOG
    )
    assert "시행령 제3조[2]" in check.text
    assert check.added_markers == ["[2]"]
    assert check.cited == [1, 2]


def test_missing_paragraph_is_flagged() -> None:
    check = check_citations("개인정보 보호법 제15조제5항에 따라 수집할 수 있습니다 [1].", SOURCES, CATALOG)
    assert check.flagged_refs == ["개인정보 보호법 제15조제5항"]
    assert FLAG in check.text


def test_uncited_sentences_are_warned_about() -> None:
    check = check_citations(
        "개인정보는 동의를 받아 수집합니다. 이 문장에는 출처 표시가 전혀 없습니다 [1].", SOURCES, CATALOG
    )
    assert check.warnings and "1개" in check.warnings[0]


def test_checker_without_catalog_still_checks_bare_articles() -> None:
    check = check_citations("제15조에 따릅니다 [1]. 제77조에 따릅니다 [1].", SOURCES, None)
    assert check.flagged_refs == ["제77조"]


def test_renumber_and_claim_paragraphs() -> None:
    text, mapping = renumber("처리기간을 공표합니다 [3]. 동의가 필요합니다 [1].", [3, 1])
    assert text == "처리기간을 공표합니다 [1]. 동의가 필요합니다 [2]."
    assert mapping == {3: 1, 1: 2}
    src = Source(2, "id1", SOURCES[0].text, SOURCES[0].metadata)
    answer = "동의를 받을 때에는 정보주체에게 알려야 합니다 [2]."
    assert claim_paragraphs(answer, src) == (2,)
    assert claim_paragraphs("개인정보 보호법 제15조제1항에 따라 수집합니다 [2].", src) == (1,)
