"""The official-document format checker (pure) on good and broken drafts."""

from __future__ import annotations

import pytest

from assistant.chains.format_check import check_format, errors, parse_item, symbol_for

LETTER = """○○시
수신  ○○구청장(총무과장)
(경유)
제목  개인정보 처리 실태 점검 협조 요청

1. 관련 근거
  가. 「개인정보 보호법」 제15조(개인정보의 수집ㆍ이용)
  나. 「개인정보 보호법」 제29조(안전조치의무)
2. 위 호와 관련하여 다음과 같이 점검을 실시하오니 협조하여 주시기 바랍니다.
  가. 점검 기간: 2026. 12. 1.∼2026. 12. 5.
  나. 점검 대상
    1) 개인정보처리시스템
    2) 수기 문서 보관 현황
      가) 보관 장소
        (1) 잠금장치
          (가) 열쇠 관리
            ① 관리대장
              ㉮ 서명란
  다. 제출 기한: 2026. 11. 28. 18:00

붙임  1. 점검표 1부.
      2. 자체 점검 결과 서식 1부.  끝.

○○시장

기안자 (직위/직급) (서명)   검토자 (직위/직급) (서명)   결재권자 (직위/직급) (서명)
시행  (처리과명)-(일련번호) (시행일)   접수  (처리과명)-(일련번호) (접수일)
우 (우편번호)  (주소)  / (홈페이지 주소)
전화번호 (   )  팩스번호 (   )  / (공무원의 전자우편주소)  / (공개 구분)"""

REPORT = """민원 처리기간 단축 추진 계획

〈요약〉 법정민원 처리기간을 평균 2일 단축함

□ 추진 배경
 ○ 민원 처리 지연에 대한 불만 증가
   - 2025년 지연 처리 120건
□ 주요 내용
 ○ 처리기간 재설정
   - 민원편람 정비
     ㆍ 부서별 의견 수렴
□ 향후 조치
 ○ 2026. 1. 시행  끝."""


def codes(text: str, kind: str = "공문") -> list[str]:
    return [i.code for i in errors(check_format(text, kind))]


def test_good_letter_and_report_pass() -> None:
    assert check_format(LETTER) == []
    assert check_format(REPORT, "보고서") == []


def test_symbol_helpers() -> None:
    assert [symbol_for(level, 2) for level in range(1, 9)] == [
        "2.",
        "나.",
        "2)",
        "나)",
        "(2)",
        "(나)",
        "②",
        "㉯",
    ]
    assert parse_item("  가) 보관 장소").level == 4
    assert parse_item("2026. 11. 24. 시행") is None  # a date is not an item


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("  나. 점검 대상", "  다. 점검 대상", "symbol_order"),  # 가. → 다.
        ("    1) 개인정보처리시스템", "    2) 개인정보처리시스템", "symbol_order"),  # sub-items start at 1)
        ("      가) 보관 장소", "      (1) 보관 장소", "symbol_level"),  # 1) → (1) skips 가)
        (
            "  가. 「개인정보 보호법」 제15조(개인정보의 수집ㆍ이용)",
            "  1) 「개인정보 보호법」 제15조",
            "symbol_level",
        ),
        ("1. 관련 근거", "가. 관련 근거", "symbol_level"),  # the first level is 1.
    ],
)
def test_symbol_order_violations(old: str, new: str, code: str) -> None:
    assert old in LETTER
    assert code in codes(LETTER.replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("서식 1부.  끝.", "서식 1부.", "end_mark_missing"),
        ("서식 1부.  끝.", "서식 1부.끝.", "end_mark_spacing"),
        ("서식 1부.  끝.", "서식 1부.  끝", "end_mark_form"),
        ("서식 1부.  끝.", "서식 1부.  끝. 이상", "end_mark_form"),
    ],
)
def test_end_mark_rules(old: str, new: str, code: str) -> None:
    assert code in codes(LETTER.replace(old, new, 1))


def test_end_mark_goes_after_the_attachments() -> None:
    text = LETTER.replace("서식 1부.  끝.", "서식 1부.").replace("18:00\n", "18:00  끝.\n")
    assert "end_mark_position" in codes(text)
    assert "end_mark_repeated" in codes(LETTER.replace("18:00\n", "18:00  끝.\n"))


def test_end_mark_alone_on_the_next_line_is_allowed() -> None:
    text = LETTER.replace("서식 1부.  끝.", "서식 1부.\n  끝.")
    assert codes(text) == []


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("붙임  1. 점검표 1부.", "붙임: 1. 점검표 1부.", "attachment_format"),
        ("붙임  1. 점검표 1부.", "붙임1. 점검표 1부.", "attachment_format"),
        ("붙임  1. 점검표 1부.", "붙임  1. 점검표", "attachment_format"),  # no quantity
        ("붙임  1. 점검표 1부.", "붙임  점검표 1부.", "attachment_numbering"),  # two attachments, unnumbered
        ("      2. 자체", "      3. 자체", "attachment_numbering"),
    ],
)
def test_attachment_rules(old: str, new: str, code: str) -> None:
    assert code in codes(LETTER.replace(old, new, 1))


def test_single_attachment_needs_no_number() -> None:
    text = LETTER.replace(
        "붙임  1. 점검표 1부.\n      2. 자체 점검 결과 서식 1부.  끝.", "붙임  점검표 1부.  끝."
    )
    assert codes(text) == []


def test_letter_head_is_required() -> None:
    assert "recipient_missing" in codes(LETTER.replace("수신  ○○구청장(총무과장)\n", ""))
    assert "title_missing" in codes(LETTER.replace("제목  ", "건명  "))


def test_report_special_symbols_must_not_skip() -> None:
    assert "symbol_skip" in codes(REPORT.replace(" ○ 민원 처리 지연에 대한 불만 증가\n", ""), "보고서")


def test_style_warnings() -> None:
    text = LETTER.replace("2026. 11. 28. 18:00", "2026년 11월 28일 오후 6시 금50,000원")
    warn = {i.code for i in check_format(text) if i.severity == "warning"}
    assert {"date_format", "time_format", "amount_format"} <= warn
    assert codes(text) == []  # style issues are warnings, not errors
