"""Drafting: the form (symbols, 붙임, 끝, 결문) with and without a model, the basis, .docx export."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.shared import Mm

from assistant.chains import Draft, DraftRequest, check_format, draft_document, stream_draft
from assistant.chains.citations import FLAG
from assistant.chains.drafting import attachment_lines, normalize_dates, number_items, parse_outline
from assistant.chains.format_check import errors
from tests.chains.conftest import fake_llm

REQUEST = DraftRequest(
    kind="공문",
    subject="민원 처리기간 준수 협조 요청",
    recipient="○○구청장(민원여권과장), △△구청장(민원여권과장)",
    key_points=["법정민원 처리기간 준수 철저", "처리기간 연장 시 민원인에게 2026년 12월 1일까지 통지"],
    question="법정민원의 처리기간 설정 공표",
    attachments=["처리기간 점검표", "민원편람 발췌 2부"],
)


def test_helpers() -> None:
    assert number_items([(0, "a"), (1, "b"), (1, "c"), (2, "d"), (0, "e"), (1, "f")]) == [
        "1. a", "  가. b", "  나. c", "    1) d", "2. e", "  가. f",
    ]  # fmt: skip
    assert number_items([(0, "a"), (3, "too deep")]) == ["1. a", "  가. too deep"]
    assert (
        normalize_dates("2026년 12월 1일 오후 2시 30분, 2026-12-05, 12월 7일")
        == "2026. 12. 1. 14:30, 2026. 12. 5., 12. 7."
    )
    assert attachment_lines(["점검표"]) == ["붙임  점검표 1부."]
    assert attachment_lines(["점검표", "서식 2부"]) == ["붙임  1. 점검표 1부.", "      2. 서식 2부."]
    outline = parse_outline(
        "[추진 배경]\n1. 첫째 끝.\n  가. 둘째 [1]\n[주요 내용]\n- 셋째", ("추진 배경", "주요 내용")
    )
    assert outline == {"추진 배경": [(0, "첫째"), (1, "둘째")], "주요 내용": [(0, "셋째")]}


def test_letter_without_llm(make_ctx) -> None:
    draft = draft_document(REQUEST, ctx=make_ctx())
    text = draft.text
    assert draft.mode == "extractive" and draft.issues == [], draft.issues
    assert text.startswith("○○시\n수신  수신자 참조\n(경유)\n제목  민원 처리기간 준수 협조 요청")
    assert "1. 관련 근거\n  가. 「민원 처리에 관한 법률」 제17조(법정민원의 처리기간 설정ㆍ공표)" in text
    assert "2. 위 호와 관련하여 민원 처리기간 준수에 관하여 다음과 같이 요청하오니" in text
    assert "  나. 처리기간 연장 시 민원인에게 2026. 12. 1.까지 통지" in text
    assert "붙임  1. 처리기간 점검표 1부.\n      2. 민원편람 발췌 2부.  끝." in text
    assert "\n○○시장\n\n수신자  ○○구청장(민원여권과장), △△구청장(민원여권과장)\n" in text
    assert draft.basis and draft.basis[0].article == "제17조"


def test_report_without_llm(make_ctx) -> None:
    req = DraftRequest(kind="보고서", subject="공문서 작성 기준 교육 계획", key_points=["대상: 신규 공무원", "일시: 2026. 12. 3. 14:00"],
                       question="공문서 항목 구분 기호와 끝 표시")  # fmt: skip
    draft = draft_document(req, ctx=make_ctx())
    # 문제점 · 개선 방안 · 향후 계획 have no input: visible placeholders that the check refuses.
    assert {i.code for i in draft.issues} == {"placeholder"}, draft.issues
    lines = draft.text.split("\n")
    assert lines[0] == "공문서 작성 기준 교육 계획" and lines[2].startswith("〈요약〉")
    for heading in ("□ 추진 배경", "□ 관련 근거", "□ 현황", "□ 문제점", "□ 개선 방안", "□ 향후 계획"):
        assert heading in lines
    assert " ○ 「행정업무의 운영 및 혁신에 관한 규정 시행규칙」 제2조(공문서 작성의 방법)" in draft.text
    assert draft.text.rstrip().endswith("  끝.") and "기안자" not in draft.text
    assert "발신" not in draft.text and "수신" not in draft.text  # internal form


def test_letter_with_a_messy_model_reply(make_ctx) -> None:
    reply = (
        "제목: 아무거나\n"
        "1. 민원 처리기간을 준수하여 주시기 바랍니다 [1].\n"
        "  가. 처리기간은 2026년 12월 1일부터 적용함\n"
        "      - 너무 깊은 들여쓰기\n"
        "2. 민원 처리에 관한 법률 제99조에 따라 보고하여 주시기 바랍니다.  끝.\n"
        "붙임 아무것"
    )
    llm = fake_llm(reply)
    items = list(stream_draft(REQUEST, ctx=make_ctx(llm)))
    draft = items[-1]
    assert isinstance(draft, Draft) and draft.mode == "generated"
    assert "".join(i for i in items if isinstance(i, str)) == reply
    assert errors(draft.issues) == [], draft.issues
    assert "2. 민원 처리기간을 준수하여 주시기 바랍니다." in draft.text  # numbered after 관련 근거
    assert "  가. 처리기간은 2026. 12. 1.부터 적용함" in draft.text
    assert "    1) 너무 깊은 들여쓰기" in draft.text
    assert f"제99조 {FLAG}" in draft.text and draft.corrections
    assert "아무거나" not in draft.text and "[1]" not in draft.text
    assert draft.text.count("끝.") == 1
    prompt = llm.calls[0][-1].text
    assert "<자료>" in prompt and "민원 처리기간 준수 협조 요청" in prompt


def test_report_with_model_sections(make_ctx) -> None:
    reply = (
        "[요약]\n교육을 실시함\n[추진 배경]\n공문서 오류 증가\n  반려 사례 다수\n[현황]\n기호 체계 교육 미실시\n"
        "[문제점]\n반려 증가\n[개선 방안]\n기호 체계 교육\n[향후 계획]\n만족도 조사"
    )
    req = DraftRequest(
        kind="보고서", subject="공문서 작성 교육 계획", key_points=["기호 체계"], use_basis=False
    )
    draft = draft_document(req, ctx=make_ctx(fake_llm(reply)))
    assert draft.issues == [] and draft.mode == "generated"
    assert "〈요약〉 교육을 실시함" in draft.text
    assert "□ 추진 배경\n ○ 공문서 오류 증가\n   - 반려 사례 다수\n\n□ 현황" in draft.text
    assert "□ 관련 근거" not in draft.text


@pytest.mark.parametrize("kind", ["공문", "보고서"])
def test_unparseable_reply_falls_back_to_the_inputs(make_ctx, kind: str) -> None:
    req = DraftRequest(kind=kind, subject="점검 결과 보고", key_points=["이상 없음"], use_basis=False)
    draft = draft_document(req, ctx=make_ctx(fake_llm("제목\n끝.")))
    assert draft.mode == "extractive" and "입력 내용으로" in draft.fallback_reason
    assert {i.code for i in errors(check_format(draft.text, kind))} <= {"placeholder"}


def test_docx_export(make_ctx) -> None:
    draft = draft_document(REQUEST, ctx=make_ctx())
    doc = Document(io.BytesIO(draft.to_docx()))
    sec = doc.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(0.1) and abs(sec.page_height - Mm(297)) < Mm(0.1)
    paragraphs = [p for p in doc.paragraphs]
    texts = [p.text for p in paragraphs]
    assert texts[:4] == ["○○시", "수신  수신자 참조", "(경유)", "제목  민원 처리기간 준수 협조 요청"]
    assert paragraphs[0].runs[0].bold and paragraphs[3].runs[0].bold
    assert [t for t in texts if t.strip()] == [ln.strip() for ln in draft.text.split("\n") if ln.strip()]
    top = paragraphs[texts.index("1. 관련 근거")]
    sub = next(p for p in paragraphs if p.text.startswith("가. 「민원 처리에 관한 법률」"))
    assert sub.paragraph_format.left_indent > top.paragraph_format.left_indent  # 2 columns per level
    assert sub.paragraph_format.first_line_indent < 0  # hanging: wrapped lines align after "가. "
    attach2 = next(p for p in paragraphs if p.text.startswith("2. 민원편람"))
    assert attach2.paragraph_format.left_indent > top.paragraph_format.left_indent


def test_prompt_echo_falls_back_to_the_inputs(make_ctx) -> None:
    req = DraftRequest(subject="점검 결과 보고", key_points=["이상 없음"], use_basis=False)
    draft = draft_document(req, ctx=make_ctx(fake_llm('<자료>\n<근거 번호="1">\n본문\n</근거>\n</자료>')))
    assert draft.mode == "extractive" and "되풀이" in draft.fallback_reason and "<자료>" not in draft.text
    assert errors(draft.issues) == []
