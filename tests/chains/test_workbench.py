"""정보공개 청구 workbench and 보도자료: rule-based proposals with retrieved, cited grounds, the
computed deadline and 구제 절차 in the 통지서, both exported as .hwpx and .docx (no LLM)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from hwpx import HwpxDocument
from hwpx.tools.package_validator import validate_package

from assistant.chains.context import ChainContext, make_context
from assistant.chains.info_disclosure import PROPOSAL_NOTE, classify_item, review_request, split_items
from assistant.chains.press_release import PressRequest, draft_press_release
from ingest.core.settings import Settings
from tests.conftest import build_test_index

REQUEST = """1. 2025년 ○○동 주민센터 신축 공사 관련 주민 설명회 참석자 명단(성명, 연락처 포함)
2. 주민센터 신축 부지 선정에 관한 내부 검토 보고서 및 부지선정위원회 회의록
3. 주민센터 신축 공사 예산 집행 내역"""


@pytest.fixture(scope="module")
def disclosure_settings(
    tmp_path_factory: pytest.TempPathFactory, statute_sample: Path, embeddings: Any
) -> Settings:
    return build_test_index(
        tmp_path_factory.mktemp("disclosure"),
        statute_sample,
        ["공공기관의정보공개에관한법률/법률.md", "개인정보보호법/법률.md", "민원처리에관한법률/법률.md"],
        embeddings,
    )


@pytest.fixture()
def ctx(disclosure_settings: Settings, embeddings: Any) -> ChainContext:
    from assistant.search.retrieval import HybridRetriever

    retriever = HybridRetriever(disclosure_settings, embeddings=embeddings)
    return make_context(disclosure_settings, retriever=retriever, llm=None)


def test_items_and_rules() -> None:
    assert len(split_items(REQUEST)) == 3
    assert split_items("예산 집행 내역을 공개해 주십시오. 계약서 사본도 요청합니다.") == [
        "예산 집행 내역을 공개해 주십시오.",
        "계약서 사본도 요청합니다.",
    ]
    assert classify_item(1, "공사 예산 집행 내역").decision == "공개"
    ongoing = classify_item(1, "검토 중인 도시계획 변경(안) 내부 검토 보고서")
    assert ongoing.decision == "비공개" and ongoing.grounds == [5]


def test_mixed_request_proposes_partial_disclosure_with_grounds_cited(ctx: ChainContext) -> None:
    # Received 2025. 9. 26.(금): 10 working days, first day counted (정보공개법 제29조②) → 10. 16.(목)
    # (추석 10. 5.–7., 대체공휴일 10. 8., 개천절, 한글날 and weekends skipped; see tests/test_deadlines.py).
    review = review_request(REQUEST, date(2025, 9, 26), ctx, applicant="홍길동")
    assert review.decision == "부분공개"
    by_n = {i.n: i for i in review.items}
    assert by_n[1].decision == "부분공개" and by_n[1].grounds == [6] and by_n[1].privacy
    assert 5 in by_n[2].grounds and by_n[2].decision == "부분공개"
    assert by_n[3].decision == "공개" and not by_n[3].grounds
    # The grounds are retrieved provisions, cited by number: 제9조 of 정보공개법, 제2조 of 개인정보 보호법.
    cited = {(s.law_title, s.article) for s in review.sources}
    assert ("공공기관의 정보공개에 관한 법률", "제9조") in cited and ("개인정보 보호법", "제2조") in cited
    art9 = next(s for s in review.sources if s.article == "제9조")
    assert "사생활의 비밀" in art9.text and "의사결정 과정" in art9.text
    notice = review.notice
    n9 = review.citations["제9조제1항제6호"]
    assert f"「공공기관의 정보공개에 관한 법률」 제9조제1항제6호 [{n9}]" in notice
    assert f"「공공기관의 정보공개에 관한 법률」 제9조제1항제5호 [{n9}]" in notice
    assert (
        f"「개인정보 보호법」 제2조제1호(개인정보의 정의) [{review.citations['개인정보 보호법']}]" in notice
    )
    assert PROPOSAL_NOTE in notice and "결정 구분  부분 공개" in notice
    # The computed deadline and the 구제 절차 with their periods (and last days from the deadline).
    assert review.deadline.due == date(2025, 10, 16)
    assert "결정 기한  2025. 10. 16.(목)까지" in notice
    assert "연장 시 2025. 10. 30.(목)까지" in notice
    for remedy in ("이의신청: 결정 통지를 받은 날부터 30일", "행정심판: 처분이 있음을 알게 된 날부터 90일",
                   "행정소송: 처분 등이 있음을 안 날부터 90일"):  # fmt: skip
        assert remedy in notice
    # 구제 기간 follow 민법 (제29조①): 10. 16. + 30일 = 11. 15.(토) → 11. 17.(월); + 90일 = 2026. 1. 14.(수).
    assert "이의신청 2025. 11. 17.(월)까지" in notice and "행정심판 2026. 1. 14.(수)까지" in notice


def test_notice_exports_hwpx_and_docx(ctx: ChainContext) -> None:
    review = review_request(REQUEST, date(2025, 9, 26), ctx)
    data = review.to_hwpx()
    assert validate_package(data).ok
    text = HwpxDocument.open(io.BytesIO(data)).text.plain()
    assert "결정 기한  2025. 10. 16.(목)까지" in text
    assert "행정소송" in text
    section = zipfile.ZipFile(io.BytesIO(data)).read("Contents/section0.xml").decode()
    assert section.count("<hp:tbl ") == 1  # 접수번호·청구인·결정 구분 head table
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(review.to_docx())).paragraphs)
    assert "정보(공개, 부분 공개, 비공개)결정 통지서" in docx_text and "이의신청" in docx_text


def test_without_index_grounds_are_named_not_quoted(disclosure_settings: Settings, tmp_path: Path) -> None:
    settings = disclosure_settings.model_copy(deep=True)
    settings.store.db_dir = tmp_path / "no-index"
    broken = make_context(settings, llm=None, embeddings=None)
    review = review_request("민원인 성명과 주소 목록", date(2026, 9, 16), broken)
    assert review.items[0].decision == "부분공개"
    assert review.deadline.due == date(2026, 10, 1)
    assert "제9조제1항제6호" in review.notice


def test_press_release(ctx: ChainContext) -> None:
    req = PressRequest(
        title="○○시, 정보공개 청구 처리기간 단축 추진",
        subtitles=["청구 접수부터 결정까지 평균 7일로 단축"],
        embargo="2026. 11. 25.(수) 06:00 이후",
        department="총무과",
        contact_person="주무관 김○○",
        phone="02-000-0000",
        key_points=[
            "정보공개 청구 처리기간 단축 : 공개 여부 결정 기간을 법정 10일보다 앞당김",
            "시민 만족도 조사 실시",
        ],
        question="정보공개 여부 결정 기간 10일",
        attachments=["처리 현황"],
    )
    release = draft_press_release(req, ctx)
    text = release.text
    lines = text.split("\n")
    assert lines[0] == "보 도 자 료" and lines[1] == "○○시"
    assert "보도 시점  2026. 11. 25.(수) 06:00 이후" in lines
    assert any(ln.startswith("담당 부서  총무과") and "연락처  02-000-0000" in ln for ln in lines)
    assert (
        "○○시, 정보공개 청구 처리기간 단축 추진" in lines
        and "- 청구 접수부터 결정까지 평균 7일로 단축 -" in lines
    )
    assert (
        "□ 정보공개 청구 처리기간 단축" in lines and " ○ 공개 여부 결정 기간을 법정 10일보다 앞당김" in lines
    )
    assert "붙임  처리 현황 1부." in lines
    # Same citation rules as Q&A: the sentence from a source ends with its [n], listed under ※ 근거.
    src = release.sources[0]
    assert src.article == "제11조" and "정보공개" in src.law_title
    assert any(
        ln.startswith(" ○ 「공공기관의 정보공개에 관한 법률」 제11조") and ln.endswith("[1]") for ln in lines
    )
    refs = lines[lines.index("※ 근거") + 1 :]
    assert refs[0].startswith("  [1] 「공공기관의 정보공개에 관한 법률」 제11조(정보공개 여부의 결정)")
    hwpx = release.to_hwpx()
    assert validate_package(hwpx).ok
    read = HwpxDocument.open(io.BytesIO(hwpx)).text.plain()
    assert (
        "보도 시점\t2026. 11. 25.(수) 06:00 이후" in read or "보도 시점  2026. 11. 25.(수) 06:00 이후" in read
    )
    assert "○○시, 정보공개 청구 처리기간 단축 추진" in read
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(release.to_docx())).paragraphs)
    assert "보 도 자 료" in docx_text and "□ 시민 만족도 조사 실시" in docx_text
    with pytest.raises(ValueError, match="제목"):
        draft_press_release(PressRequest(), ctx)
