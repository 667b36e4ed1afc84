"""A real 보고서: five sections from the inputs and the sources, placeholders the format check
refuses, no 기안문 footer, 관련 근거 only above the evidence gate."""

from __future__ import annotations

from assistant.chains import DraftRequest, check_format, draft_document
from assistant.chains.format_check import errors
from assistant.chains.qa import is_adequate
from assistant.chains.report_parts import REPORT_SECTIONS, placeholder, report_sections, section_of

FILLED = """공문서 작성 교육 결과 보고

〈요약〉 교육을 실시함

□ 추진 배경
 ○ 공문서 반려 증가

□ 현황
 ○ {body}  끝."""


def _section(text: str, name: str) -> str:
    return text.split(f"□ {name}\n", 1)[1].split("\n\n", 1)[0]


def test_a_placeholder_fails_the_format_check() -> None:
    assert errors(check_format(FILLED.format(body="신규 공무원 30명 참석"), "보고서")) == []
    for body in ("(내용 입력)", placeholder("현황"), "(내용 입력) 추가 예정"):
        issues = errors(check_format(FILLED.format(body=body), "보고서"))
        assert [i.code for i in issues] == ["placeholder"] and issues[0].line == 9


def test_key_points_go_to_their_sections() -> None:
    assert section_of("처리 지연으로 민원 증가") == "문제점"
    assert section_of("전자결재 도입") == "개선 방안"
    assert section_of("2027년 상반기까지 완료") == "향후 계획"
    assert section_of("대상: 신규 공무원 30명") == "현황"
    sections = report_sections("교육", ["대상: 신규 공무원"], (), "")
    assert list(sections) == list(REPORT_SECTIONS)
    assert sections["추진 배경"] == [(0, placeholder("추진 배경"))]  # no basis: nothing invented


def test_report_from_inputs_and_sources(make_ctx) -> None:
    question = "민원 처리기간 연장 통지"
    req = DraftRequest(
        kind="보고서",
        subject="민원 처리기간 관리 개선 계획",
        key_points=[
            "처리기간 연장 통지 누락 사례 발생",  # → 현황
            "처리 지연으로 민원 증가",  # → 문제점
            "연장 통지 자동 알림 도입",  # → 개선 방안
            "2027년 상반기까지 시스템 반영",  # → 향후 계획
        ],
        question=question,
    )
    ctx = make_ctx()
    draft = draft_document(req, ctx=ctx)
    text = draft.text
    assert draft.basis, "the index has 민원 처리에 관한 법률"
    background = _section(text, "추진 배경")
    assert question not in background  # not the search query pasted in
    assert "에 따른 민원 처리기간 관리 개선 계획 필요" in background and "「" in background
    assert "처리 지연으로 민원 증가" in _section(text, "문제점")
    assert "연장 통지 자동 알림 도입" in _section(text, "개선 방안")
    assert "2027년 상반기까지" in _section(text, "향후 계획")
    assert draft.issues == [], draft.issues  # every section filled
    for footer in ("기안자", "결재권자", "시행  (처리과명)", "접수  (처리과명)", "우 (우편번호)"):
        assert footer not in text
    assert all(is_adequate(s, ctx.settings.chains) for s in draft.basis)


def test_unrelated_articles_are_not_basis(make_ctx) -> None:
    """A strict gate leaves 관련 근거 empty rather than listing what was merely retrieved."""
    req = DraftRequest(kind="보고서", subject="청사 주차장 도색 계획", key_points=["주차면 정비"])
    draft = draft_document(req, ctx=make_ctx(min_similarity=0.99, min_evidence=0.99))
    assert draft.basis == [] and "□ 관련 근거" not in draft.text
    assert "placeholder" in {i.code for i in draft.issues}  # 추진 배경 has nothing to say
