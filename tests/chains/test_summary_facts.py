"""Summaries that start from what the document is: an RFP's or 공고's fact sheet (values from text
and tables, each with where it was found), the cover title, sections once; a 규정's 부칙 in its
own short section, never among key points or deadlines. No LLM, no index."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.bench.facts.__main__ import main as fact_bench
from assistant.bench.facts.documents import RFP_TITLE, regulation_text, rfp_docx
from assistant.chains import Summary, UploadedFile, summarize
from assistant.chains.context import ChainContext, make_context
from assistant.chains.doc_facts import parse_amount, won_label
from assistant.chains.hwpx_export import draft_hwpx_bytes
from ingest.core.settings import load_settings

DIST_NOTICE = "hwp/EDGE_배포용문서_강남세움복지관_공고_제2024-08호_시설관리원_용역입찰.hwp"


def _ctx(folder: Path) -> ChainContext:
    settings = load_settings()
    settings.ui.upload_dir = folder
    return make_context(settings, retriever=None, llm=None, embeddings=None, judge=None)


def _summary(folder: Path, name: str, data: bytes) -> Summary:
    path = folder / name
    path.write_bytes(data)
    return summarize(UploadedFile(path, name), ctx=_ctx(folder))


def test_amounts_in_every_notation() -> None:
    assert parse_amount("₩19,209,180,000 (부가가치세 포함)") == 19_209_180_000
    assert parse_amount("금72,300,000원(금칠천이백삼십만원)") == 72_300_000
    assert parse_amount("72,300천원") == 72_300_000
    assert parse_amount("19,209백만원") == 19_209_000_000
    assert parse_amount("1억 2,000만원") == 120_000_000
    assert parse_amount("3천 명") is None and parse_amount("24개월") is None
    assert won_label(19_209_180_000) == "192억 918만 원"


def test_rfp_summary_starts_with_its_facts(tmp_path: Path) -> None:
    summary = _summary(tmp_path, "rfp.docx", rfp_docx())  # metadata title: "문서 이력 정보"
    assert summary.title == RFP_TITLE and summary.kind == "제안요청서"
    facts = {f.name: f for f in summary.facts}
    assert facts["사업명"].value == "○○공사 디지털플랫폼 구축 사업"
    assert facts["사업기간"].value == "계약일로부터 24개월"
    assert facts["사업금액"].value == "₩19,209,180,000 (부가가치세 포함) (192억 918만 원)"
    assert facts["사업금액"].location == "2. 사업 개요 · 표 2. 사업 개요"  # found in the table
    assert facts["제출기한"].value.startswith("2025. 3. 14.(금) 17:00")
    assert "협상에 의한 계약" in facts["평가방식"].value and "디지털혁신팀" in facts["담당"].value
    assert facts["발주기관"].value == "○○공사"
    titles = [s.title for s in summary.sections]
    assert len(titles) == len(set(titles)) and titles.count("1. 제안공모요강") == 1  # 목차 + body: once
    body = " ".join(summary.key_points + [p for s in summary.sections for p in s.points])
    assert "고객관리시스템" not in body and "버전" not in body  # table rows are facts, not key points
    md = summary.to_markdown()
    assert md.index("### 사업 개요 (제안요청서)") < md.index("### 핵심 요약")
    assert "- **사업금액**: ₩19,209,180,000" in md


def test_regulation_addenda_stay_apart(tmp_path: Path) -> None:
    summary = _summary(tmp_path, "upload.hwpx", draft_hwpx_bytes(regulation_text(n_addenda=25), "규정"))
    assert summary.kind is None and not summary.facts  # a 규정 has no 사업 fact sheet
    body = summary.key_points + [p for s in summary.sections for p in s.points]
    body += [f.text for f in summary.findings]
    assert not [b for b in body if "부터 시행한다" in b or "종전의 규정" in b]
    assert "부칙" not in {s.title for s in summary.sections}
    assert any(f.kind == "기한" and f.match == "30일 이내" for f in summary.findings)
    assert len(summary.addenda) == 4  # the last three 부칙, then how many were left out
    assert summary.addenda[-2].startswith("부칙 <2025. 7. 1.> — 시행: 이 규정은 2025년 7월 1일부터 시행한다.")
    assert "경과조치: 이 규정 시행 당시 종전의 규정에 따라" in summary.addenda[-2]
    assert summary.addenda[-1] == "그 밖의 부칙 23개는 생략했습니다 (원문 참조)."
    assert "### 부칙 (시행일·경과조치)" in summary.to_markdown()


def test_real_distribution_notice_facts(tmp_path: Path, documents_dir: Path) -> None:
    summary = _summary(tmp_path, "notice.hwp", (documents_dir / DIST_NOTICE).read_bytes())
    assert summary.kind == "공고"
    facts = {f.name: f.value for f in summary.facts}
    assert facts["사업금액"].startswith("금72,300,000원") and facts["사업금액"].endswith("(7,230만 원)")
    assert facts["사업기간"] == "2025년 1월 1일 ~ 2025년 12월 31일"
    assert facts["제출기한"] == "2024. 12. 13(수) 10:10 ~ 2024. 12. 20(금) 17:00"
    assert facts["발주기관"] == "강남세움복지관" and "최저가격 낙찰" in facts["평가방식"]
    assert "운영지원팀" in facts["담당"]


def test_fact_bench_reports_found_over_expected(capsys: pytest.CaptureFixture[str]) -> None:
    assert fact_bench([]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("RFP (DOCX, 표 안의 금액): ") and out[-1].startswith("합계: ")
    found, expected = out[-1].removeprefix("합계: ").split("/")
    assert found == expected and int(expected) >= 20


def test_real_hwpx_rfp_facts_and_contents_sections(tmp_path: Path, documents_dir: Path) -> None:
    rfp = documents_dir / "hwpx/서울특별시_강북구_제2회_가을밤의_음악축제_행사대행용역_제안요청서_202307.hwpx"
    summary = _summary(tmp_path, "rfp.hwpx", rfp.read_bytes())
    facts = {f.name: f for f in summary.facts}
    assert facts["사업명"].value == "제2회 가을밤의 음악축제 행사대행 용역"  # label written "과 업 명"
    assert facts["사업기간"].value == "계약체결일 ~ 2023. 11. 30.(목)까지"
    assert facts["사업금액"].value.endswith("(2억 7,000만 원)")
    assert facts["사업금액"].location == "I. 과업안내 > 2. 과업개요"
    titles = [s.title for s in summary.sections]
    # the contents page ("Ⅰ. 과업안내\t 1") and the body ("I. 과업안내") are one section, in body order
    assert titles[1:] == ["I. 과업안내", "Ⅱ. 과업 세부내용", "Ⅲ. 입찰 및 계약", "Ⅳ. 제안서 및 입찰서류 작성 지침",
                          "Ⅴ. 과업의 일반지침", "Ⅵ. 제출목록 및 서식"]  # fmt: skip
