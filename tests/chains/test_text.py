"""Pure helpers: sentence splitting, evidence coverage, ranking, masking, token budgets."""

from __future__ import annotations

from assistant.chains.extractive import coverage, rank_for_question, select_diverse, term_weights
from assistant.chains.text import mask_personal_data, pack_by_tokens, split_sentences, truncate_to_tokens
from assistant.chains.types import format_source_label


def test_split_sentences_keeps_brackets_and_paragraphs() -> None:
    body = '① 신청은 문서(이하 "전자문서"라 한다. 이하 같다)로 하여야 한다. 다만, 예외가 있다.\n  1. 첫째 호\n② 둘째 항이다.'
    sents = split_sentences(body)
    assert [s.text for s in sents] == [
        '① 신청은 문서(이하 "전자문서"라 한다. 이하 같다)로 하여야 한다.',
        "다만, 예외가 있다.",
        "1. 첫째 호",
        "② 둘째 항이다.",
    ]
    assert [s.paragraph for s in sents] == [1, 1, 1, 2]


def test_coverage_ignores_stopwords_and_matches_compounds() -> None:
    weights = term_weights(["개인", "정보", "수집", "동의", "받다", "하다", "무엇", "법"])
    assert set(weights) == {"개인", "정보", "수집", "동의", "받다"} and weights["받다"] == 0.5
    assert coverage(weights, "개인정보처리자는 정보주체의 동의를 받아 수집할 수 있다") == 1.0
    off = term_weights(["화성", "탐사선", "연료", "효율"])
    assert coverage(off, "행정기관의 장은 효율적인 업무수행을 위하여") == 0.25
    assert coverage({}, "아무 텍스트") == 0.0


def test_ranking_and_diversity() -> None:
    weights = term_weights(["날짜", "표기"])
    scores = rank_for_question(
        weights, ["바코드를 표기할 수 있다.", "날짜는 숫자로 표기한다.", "용지는 A4로 한다."]
    )
    assert max(range(3), key=scores.__getitem__) == 1
    terms = [["a", "b"], ["a", "b"], ["c"]]
    assert select_diverse([3.0, 2.9, 1.0], terms, 2) == [0, 2]  # the repeat is skipped


def test_mask_personal_data() -> None:
    text = "민원인 홍길동(900101-1234567, 010-1234-5678, hong@example.com, 계좌 110-123-456789)"
    masked = mask_personal_data(text)
    for secret in ("1234567", "1234-5678", "hong@example.com", "110-123-456789"):
        assert secret not in masked
    assert "900101-1******" in masked and "010-****-5678" in masked


def test_token_budget_helpers() -> None:
    count = len  # one "token" per character is enough to test the arithmetic
    assert pack_by_tokens(["aaaa", "bb", "cccc", "d"], 6, count) == [[0, 1], [2, 3]]
    cut = truncate_to_tokens("첫째 줄\n둘째 줄\n셋째 줄", 10, count)
    assert cut.startswith("첫째 줄") and cut.endswith("…") and "셋째" not in cut


def test_source_labels() -> None:
    meta = {"law_title": "개인정보 보호법", "article": "제15조", "article_title": "개인정보의 수집ㆍ이용",
            "effective_date": "2025-10-02"}  # fmt: skip
    assert (
        format_source_label(meta, (1,))
        == "개인정보 보호법 제15조(개인정보의 수집ㆍ이용) 제1항 · 시행 2025-10-02"
    )
    assert (
        format_source_label({**meta, "is_addendum": True})
        == "개인정보 보호법 부칙 제15조(개인정보의 수집ㆍ이용) · 시행 2025-10-02"
    )
    doc = {"doc_title": "OO시 복무 지침", "section_path": "Ⅱ. 휴가 > 1. 연가", "page": 3}
    assert format_source_label(doc) == "OO시 복무 지침 · Ⅱ. 휴가 > 1. 연가 · 3쪽"
