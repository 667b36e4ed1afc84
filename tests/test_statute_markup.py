"""The law.go.kr export's markup debris becomes text and tables (pure), over the real shipped book."""

from __future__ import annotations

import re

from ingest.documents.loaders import load_document
from ingest.legal.markup import IMAGE_NOTE, box_table_rows, clean_quote, clean_statute_markup
from tests.conftest import PROJECT_ROOT

BOOK = PROJECT_ROOT / "corpus" / "statutes" / "kr"
DEBRIS = re.compile(r"<[A-Za-z/]|https?://|www\.|[┌┐└┘├┤│]")

ANNUAL_LEAVE = """**①** 공무원의 재직기간별 연가일수는 다음과 같다. <개정 2013.12.11, 2024.7.2>
\t\t\t\t
\t\t\t\t<img src="http://www.law.go.kr/flDownload.do?flSeq=141575695"  alt="img141575695" >
\t\t\t\t
\t\t\t\t  ┌──────────┬─────┐
\t\t\t\t
\t\t\t\t│재직기간            │연가 일수 │
\t\t\t\t
\t\t\t\t├──────────┼─────┤
\t\t\t\t
\t\t\t\t│1개월 이상 1년 미만 │11        │
\t\t\t\t
\t\t\t\t│6년 이상            │21        │
\t\t\t\t
\t\t\t\t└──────────┴─────┘
\t\t\t\t
\t\t\t\t</img>

**②** 제1항에서 "재직기간"이란 …
"""


def test_a_box_table_in_an_image_tag_becomes_a_table_without_the_link() -> None:
    out = clean_statute_markup(ANNUAL_LEAVE)
    assert "| 재직기간 | 연가 일수 |\n|---|---|\n| 1개월 이상 1년 미만 | 11 |\n| 6년 이상 | 21 |" in out
    assert not DEBRIS.search(out)
    assert "<개정 2013.12.11, 2024.7.2>" in out  # amendment notes are not HTML
    assert "**②** 제1항에서" in out


def test_images_without_text_and_other_tags() -> None:
    assert (
        clean_statute_markup('가. 표지판 <img id="13860085"></img> 참조') == f"가. 표지판 {IMAGE_NOTE} 참조"
    )
    assert clean_quote("<p>본문 <b>굵게</b> http://evil.example/x?q=1 끝</p>") == "본문 굵게  끝"


def test_rows_separated_by_rules_merge_wrapped_cells() -> None:
    rows = box_table_rows(
        ["┌────┬────┐", "│구분│기준│", "├────┼────┤", "│주거│5천만│", "│지역│원 이하│", "├────┼────┤",
         "│상업│3천만원│", "└────┴────┘"]
    )  # fmt: skip
    assert rows == [["구분", "기준"], ["주거 지역", "5천만 원 이하"], ["상업", "3천만원"]]


def test_the_annual_leave_table_of_the_shipped_book_loads_as_a_table() -> None:
    doc = load_document(BOOK / "지방공무원복무규정" / "대통령령.md")
    assert "| 1년 이상 3년 미만 | 15 |" in doc.text
    assert not DEBRIS.search(doc.text)


def test_no_statute_of_the_shipped_book_keeps_markup() -> None:
    """Every file with an image tag, a box table or an outside link (≈150 of 1,931) comes out clean."""
    dirty = 0
    for path in sorted(BOOK.glob("*/*.md")):
        raw = path.read_text(encoding="utf-8")
        # the front matter keeps its 출처 link: metadata, never shown as text
        body = raw.split("\n---\n", 1)[1]
        if DEBRIS.search(body):
            dirty += 1
            assert not DEBRIS.search(clean_statute_markup(body)), path
    assert dirty > 100
