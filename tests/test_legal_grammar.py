"""The grammar of Korean legal text in one home (ingest.legal.marks / articles / metadata): what each
shared pattern matches and what it refuses, including the variants kept on purpose."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.legal import articles, marks
from ingest.legal.metadata import front_matter_metadata, normalize_law_type, title_block_metadata


def _group1(pattern, text: str) -> str | None:
    m = pattern.match(text)
    return m.group(1) if m else None


# --- symbols ------------------------------------------------------------------------------------


def test_symbol_orders() -> None:
    assert len(marks.CIRCLED_NUMBERS) == 35 and marks.CIRCLED_NUMBERS_20[-1] == "⑳"
    assert len(marks.HANGUL_ORDER) == 14 and marks.HANGUL_ORDER_LONG.startswith(marks.HANGUL_ORDER)
    assert len(marks.CIRCLED_HANGUL) == 14
    assert marks.circled_number("③") == 3 and marks.circled_number("㉟") == 35
    assert marks.circled_number("가") == 0 and marks.circled_number("") == 0


def test_range_classes_cover_the_listed_symbols() -> None:
    """The literal ranges in the fragments are the same symbols as the ordered strings."""
    import re

    assert re.findall(marks.CIRCLED_20_CLASS, marks.CIRCLED_NUMBERS) == list(marks.CIRCLED_NUMBERS_20)
    assert "".join(re.findall(marks.CIRCLED_HANGUL_CLASS, marks.CIRCLED_HANGUL)) == marks.CIRCLED_HANGUL


# --- 공문서 item levels --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level", "token"),
    [
        ("1. 개요", 1, "1"),
        ("가. 목적", 2, "가"),
        ("1) 세부", 3, "1"),
        ("가) 세부", 4, "가"),
        ("(1) 세부", 5, "1"),
        ("(가) 세부", 6, "가"),
        ("① 세부", 7, "①"),
        ("㉮ 세부", 8, "㉮"),
    ],
)
def test_item_levels(line: str, level: int, token: str) -> None:
    found = [(lv, m.group(1)) for lv, p in marks.ITEM_LEVELS if (m := p.match(line))]
    assert found[0] == (level, token)
    assert marks.symbol_for(level, marks.item_ordinal(token)) == line.split(" ")[0]


def test_item_levels_use_the_14_letters_not_the_range() -> None:
    letter_levels = [p for lv, p in marks.ITEM_LEVELS if lv in (2, 4, 6)]
    for line in ("각. 항목", "한) 항목", "(갸) 항목", "거. 항목"):
        assert not any(p.match(line) for p in letter_levels), line
    level1 = dict(marks.ITEM_LEVELS)[1]
    assert not level1.match("1.5배") and not level1.match("123. 항목")
    assert dict(marks.ITEM_LEVELS)[7].match("㉑") is None  # 공문서 items stop at ⑳


def test_symbol_for_and_ordinal() -> None:
    assert [marks.symbol_for(lv, 3) for lv in range(1, 9)] == [
        "3.",
        "다.",
        "3)",
        "다)",
        "(3)",
        "(다)",
        "③",
        "㉰",
    ]
    assert marks.symbol_for(2, 15) == "가."  # wraps after 하
    assert [marks.item_ordinal(t) for t in ("12", "다", "③", "㉰")] == [12, 3, 3, 3]


def test_special_symbols() -> None:
    assert _group1(marks.SPECIAL_LINE, "□ 추진 배경") == "□"
    assert marks.SPECIAL_LEVELS["◦"] == 2 and marks.SPECIAL_LEVELS["·"] == 4
    assert marks.SPECIAL_LINE.match("□추진") is None  # a space must follow


# --- statute marks -------------------------------------------------------------------------------


def test_paragraph_and_item_lines_of_statute_markdown() -> None:
    assert _group1(marks.PARAGRAPH_START, "  **③** 본문") == "③"
    assert _group1(marks.PARAGRAPH_START, "㉟ 본문") == "㉟"
    assert marks.PARAGRAPH_START.match("㊱ 본문") is None
    assert marks.ITEM_LINE_START.match("1. 정의")
    assert marks.ITEM_LINE_START.match("  2의3\\. escaped")
    assert marks.ITEM_LINE_START.match("1.정의") is None  # a space must follow


def test_statute_pdf_line_starts() -> None:
    assert marks.PDF_PARAGRAPH.match("㊿") and marks.PDF_PARAGRAPH.match("①")  # wider: up to ㊿
    assert marks.PDF_ITEM.match("3의2. 항목").groups() == ("3", "2")
    assert marks.PDF_ITEM.match("1.5배") is None  # a space or the end must follow
    assert _group1(marks.PDF_SUBITEM, "거. 목") == "거"  # range: the caller checks the order
    assert _group1(marks.PDF_SUBSUB_NUMBER, "2) 세목") == "2"
    assert _group1(marks.PDF_SUBSUB_LETTER, "나)") == "나"
    assert marks.PDF_SUBSUB_LETTER.match("나)본문") is None


def test_guideline_heading_levels() -> None:
    def level(line: str) -> int:
        return next((lv for lv, p in marks.GUIDELINE_HEADING_LEVELS if p.match(line)), 0)

    assert [level(s) for s in ("Ⅱ. 현황", "IV. 결론", "제2장 총칙", "3. 추진", "제1절 통칙", "가. 목적")] == [
        1,
        1,
        1,
        2,
        2,
        3,
    ]
    assert [level(s) for s in ("□ 배경", "○ 내용", "본문입니다")] == [4, 5, 0]
    assert level("각. 항목") == 3  # 가-하 is a range here (kept as it was)


# --- leading-mark variants ----------------------------------------------------------------------


def test_lead_mark_variants_differ_on_purpose() -> None:
    # (가) and ㉮ are marks of drafts only
    assert marks.DRAFT_LEAD_MARK.sub("", "(가) 내용") == "내용"
    assert marks.DRAFT_LEAD_MARK.sub("", "㉮ 내용") == "내용"
    assert marks.DRAFT_LEAD_MARK.sub("", "## 제목") == "제목"
    assert marks.POINT_LEAD_MARK.sub("", "(가) 내용") == "(가) 내용"
    # "○○공사" is a masked name, not a bullet
    assert marks.POINT_LEAD_MARK.sub("", "○○공사가 시행") == "○○공사가 시행"
    assert marks.POINT_LEAD_MARK.sub("", "> ③ 인용") == "③ 인용"
    assert marks.REPLY_BULLET.sub("", "- 요점") == "요점"
    assert marks.REPLY_BULLET.match("① 요점") is None
    assert marks.REQUEST_ITEM_MARK.sub("", "(2) 회의록") == "회의록"
    assert marks.REQUEST_ITEM_MARK.match("(가) 회의록") is None


def test_inline_item_mark_groups() -> None:
    found = [m.groups() for m in marks.INLINE_ITEM_MARK.finditer("1. 회의록 (2) 예산서 ③ 명단 라. 계약서")]
    assert found == [
        ("1", None, None, None),
        (None, "2", None, None),
        (None, None, "③", None),
        (None, None, None, "라"),
    ]
    assert not list(marks.INLINE_ITEM_MARK.finditer("항목1. 끝"))  # only at a word start


def test_label_and_value_leads() -> None:
    import re

    label = re.compile(marks.LABEL_LEAD + "사업명")
    assert label.match("□ 사업명") and label.match("(1) 사업명") and label.match("사업명")
    assert marks.VALUE_LEAD.sub("", "① 서울시") == "서울시"
    assert marks.VALUE_LEAD.sub("", "-1,000원") == "-1,000원"  # a bullet needs a space after it
    assert marks.VALUE_LEAD.sub("", "1.5억") == "1.5억"


# --- articles -----------------------------------------------------------------------------------


def test_article_strictness_variants() -> None:
    assert articles.ARTICLE_NO.match("제15조의2").groups() == ("15", "2")
    assert articles.ARTICLE_NO.match("제 15 조") is None  # strict
    assert articles.ARTICLE_HEAD.match("제15조(목적)") and articles.ARTICLE_HEAD.match("제15조")
    assert articles.ARTICLE_HEAD.match("제15조제1항") is None  # a reference, not a heading
    m = articles.ARTICLE_HEADING_MD.match("##### 제 3 조 의 2 (정의(定義)) 본문")
    assert m and m.groups() == ("3", "2", "정의(定義)", "본문")
    assert articles.ARTICLE_HEADING_MD.match("### 제3조") is None  # articles are ####–######
    assert articles.ARTICLE_LINE.match("제1조(시행일) 공포한 날").groups() == (
        "1",
        None,
        "시행일",
        "공포한 날",
    )
    assert articles.ARTICLE_LINE.match("제 1 조(시행일)") is None  # strict
    assert articles.REGULATION_ARTICLE.match("제 1 조 (목적) 이 규정은").groups() == (
        "1",
        None,
        "목적",
        "이 규정은",
    )
    assert articles.REGULATION_ARTICLE.match("제1조(" + "가" * 41 + ")") is None  # titles ≤ 40


def test_bare_article_reference_tolerates_one_space() -> None:
    m = articles.BARE_ARTICLE_REF.search("같은 법 제 15 조의 2 제3항에 따라")
    assert m and m.groups() == ("15", "2", "3")
    assert articles.BARE_ARTICLE_REF.search("제  15조") is None  # two spaces: not a reference here


def test_reference_joints_of_wrapped_pdf_lines() -> None:
    assert articles.REF_AT_END.search("같은 법 제13조") and articles.REF_AT_END.search("제3호의2")
    assert articles.REF_AT_END.search("제13조 ") is None
    assert articles.REF_AT_START.match("제5항에") and articles.REF_AT_START.match("5항") is None


@pytest.mark.xfail(
    strict=True, reason="statutes write 제3장의2; DIVISION_HEAD expects 제3의2장 (issue 33 report)"
)
def test_division_branch_as_statutes_write_it() -> None:
    assert articles.DIVISION_HEAD.match("제3장의2 보칙")


def test_divisions_and_addenda() -> None:
    assert articles.DIVISION_HEAD.match("제2장 총칙").groups() == ("2", None, "장")
    assert articles.DIVISION_HEAD.match("제3의2장 보칙").groups() == ("3", "2", "장")
    assert articles.DIVISION_HEAD.match("제1편").group(3) == "편"
    assert articles.DIVISION_HEAD.match("제3조 목적") is None
    assert articles.DIVISION_HEADING_MARK["관"] == "####"
    m = articles.REGULATION_DIVISION.match("제 2 장 민원의 처리")
    assert m and articles.REGULATION_DIVISION_LEVELS[m.group(1)] == 1
    assert articles.REGULATION_DIVISION.match("제2편 총칙") is None  # 편 is not a regulation level
    assert articles.ADDENDUM_HEADING_MD.match("## 부 칙 <제1호>").group(1) == " <제1호>"
    assert articles.ADDENDUM_LINE.match("부칙 <제123호, 2020. 1. 1.>")
    assert articles.ADDENDUM_LINE.match("부칙 (2020. 1. 1.)") is None
    assert articles.REGULATION_ADDENDUM.match("부칙 (2020. 1. 1.)")
    assert articles.ADDENDUM_START.match("부칙<제1호>") and articles.ADDENDUM_START.match("부칙의") is None


# --- statute metadata -----------------------------------------------------------------------------


def test_front_matter_metadata() -> None:
    fm = {
        "제목": "민원 처리에 관한 법률",
        "법령구분": "법률",
        "시행일자": dt.date(2024, 1, 2),
        "소관부처": ["행정안전부"],
    }
    assert front_matter_metadata(fm) == {
        "law_title": "민원 처리에 관한 법률",
        "law_type": "법률",
        "effective_date": "2024-01-02",
        "ministry": "행정안전부",
    }


def test_title_block_metadata_and_law_type() -> None:
    meta = title_block_metadata(
        "개인정보 보호법 ( 약칭: 개인정보법 )",
        "[시행 2025. 10. 2.] [법률 제20897호, 2025. 4. 1., 일부개정]",
        ["개인정보보호위원회(조사총괄과) 02-2100-3000"],
        "x",
    )
    assert meta == {
        "law_title": "개인정보 보호법",
        "abbreviation": "개인정보법",
        "effective_date": "2025-10-02",
        "law_type": "법률",
        "law_number": "20897",
        "promulgated_date": "2025-04-01",
        "revision_type": "일부개정",
        "ministry": "개인정보보호위원회",
    }
    from_name = title_block_metadata("", "", [], "민원법 시행령(대통령령)(제1호)(20200101)")
    assert from_name["law_type"] == "대통령령" and from_name["effective_date"] == "2020-01-01"
    assert (
        normalize_law_type("개인정보보호위원회고시") == "고시" and normalize_law_type(" 총리령 ") == "총리령"
    )
