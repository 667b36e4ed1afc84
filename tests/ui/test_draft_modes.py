"""초안 작성 modes through AppTest: 보도자료, 정보공개 청구 검토 (통지서), the 기한 계산 panel, and
the .hwpx/.docx downloads of each (extractive mode, the UI test index)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import open_app

pytestmark = pytest.mark.usefixtures("app_env")


def texts(elements: Any) -> list[str]:
    return [str(e.value) for e in elements]


def submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_press_release_mode() -> None:
    at = open_app("views/draft.py")
    at.radio(key="d_mode").set_value("보도자료").run()
    at.text_input(key="p_title").input("○○시, 민원 처리기간 단축 추진")
    at.text_input(key="p_dept").input("민원여권과")
    at.text_input(key="p_phone").input("02-000-0000")
    at.text_area(key="p_points").input("민원 처리기간 단축 : 법정 처리기간보다 빨리 처리\n만족도 조사")
    at.text_input(key="p_question").input("민원 처리기간")
    at = submit(at, "보도자료 만들기")
    text = at.text_area(key="press_text").value
    assert text.startswith("보 도 자 료\n○○시\n보도 시점  즉시 보도") and "□ 민원 처리기간 단축" in text
    assert "※ 근거" in text  # retrieved 민원처리법 provisions, cited by number
    assert at.download_button(key="press_download_hwpx").label == "한글(.hwpx) 내려받기"
    assert at.download_button(key="press_download_docx").label.endswith("(.docx)")


def test_disclosure_workbench_mode() -> None:
    at = open_app("views/draft.py")
    at.radio(key="d_mode").set_value("정보공개 청구 검토").run()
    at.text_area(key="i_request").input(
        "1. 설명회 참석자 명단(성명, 연락처)\n2. 부지 선정 내부 검토 보고서\n3. 예산 집행 내역"
    )
    at.date_input(key="i_received").set_value(date(2025, 9, 26))
    at = submit(at, "검토하고 통지서 만들기")
    assert any("제안: 부분공개" in m and "2025. 10. 16.(목)까지" in m for m in texts(at.markdown))
    notice = at.text_area(key="disclosure_notice").value
    assert "제9조제1항제6호" in notice and "제9조제1항제5호" in notice and "행정소송" in notice
    assert at.download_button(key="notice_download_hwpx").label == "한글(.hwpx) 내려받기"
    assert at.download_button(key="notice_download_docx").label.endswith("(.docx)")


def test_deadline_panel() -> None:
    """The fields are a form: Enter (or the button) computes with what was typed at once."""
    at = open_app("views/draft.py")
    at.date_input(key="draft_dl_date").set_value(date(2027, 1, 29))
    at = submit(at, "기한 계산")
    assert any(
        "결정 기한: 2027. 2. 15.(월)까지" in m and "2027. 3. 2.(화)까지" in m for m in texts(at.markdown)
    )
    at.radio(key="draft_dl_kind").set_value("민원 처리").run()
    at.selectbox(key="draft_dl_unit").set_value("즉시").run()
    at.date_input(key="draft_dl_date").set_value(date(2027, 2, 5))
    at.time_input(key="draft_dl_time").set_value(time(17, 0))
    at = submit(at, "기한 계산")
    assert any("처리 기한: 2027. 2. 10.(수) 11:00" in m for m in texts(at.markdown))


def test_agency_is_remembered_and_press_release_is_editable() -> None:
    """행정기관명 set on the page goes into the drafts and is this user's next time; the 보도자료
    is an editable box like the 공문 editor."""
    at = open_app("views/draft.py")
    at.radio(key="d_mode").set_value("보도자료").run()
    at.text_input(key="d_agency").input("가나구").run()
    at.text_input(key="p_title").input("가나구, 민원 처리기간 단축 추진")
    at = submit(at, "보도자료 만들기")
    box = at.text_area(key="press_text")
    assert not box.disabled and box.value.startswith("보 도 자 료\n가나구\n")
    box.input(box.value + "\n고친 문장").run()
    assert at.text_area(key="press_text").value.endswith("고친 문장")
    again = open_app("views/draft.py")  # a new session of the same user
    assert again.text_input(key="d_agency").value == "가나구"
