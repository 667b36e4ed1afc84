"""Page logic through ``streamlit.testing.v1.AppTest`` (in-process, real index, extractive mode),
logged in by putting the user into the session state (the login itself: test_login.py)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from assistant.app.feedback import FeedbackStore
from tests.ui.conftest import ADMIN, GUIDELINE_TEXT, OFF_TOPIC, QUESTION, open_app

pytestmark = pytest.mark.usefixtures("app_env")


def texts(elements: Any) -> list[str]:
    return [str(e.value) for e in elements]


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input(key="question").set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- 질의응답 --------------------------------------------------------------------------------------


def test_status_line_says_extractive_mode() -> None:
    at = open_app()
    assert any("발췌 모드" in c for c in texts(at.caption))
    assert at.title[0].value == "질의응답"
    at = ask(at, QUESTION)  # reruns go through ui/app.py too: the status line stays
    assert any("발췌 모드" in c for c in texts(at.caption))


def test_answer_has_numbered_sources_with_highlighted_full_text() -> None:
    at = ask(open_app(), QUESTION)
    answer = next(m for m in texts(at.markdown) if "\\[1\\]" in m)  # brackets escaped: shown, never a link
    assert "처리기간" in answer
    labels = [e.label for e in at.expander]
    assert labels[0].startswith("[1] 민원 처리에 관한 법률") and "처리기간" in labels[0]
    source = at.expander[0]
    facts = " ".join(texts(source.caption))
    for part in ("**법령** 민원 처리에 관한 법률", "**조문** 제", "**시행일** ", "**파일** "):
        assert part in facts
    body = next(m for m in texts(source.markdown) if "source-text" in m)
    assert "<mark" in body and "처리기간" in body
    assert "답변 복사" in labels
    assert "[1]" in at.code[0].value  # the copy block holds the answer and its sources


# Expanders of the page that are not sources: copy the answer, name the right article (👎), history.
UI_EXPANDERS = ("답변 복사", "맞는 조문 알려 주기", "대화 기록")


def source_expanders(at: AppTest) -> list:
    return [e for e in at.expander if not e.label.startswith(UI_EXPANDERS)]


def test_no_evidence_answer_looks_different() -> None:
    at = ask(open_app(), OFF_TOPIC)
    assert any("관련 근거를 찾지 못했습니다" in w for w in texts(at.warning))
    assert any(m.endswith("근거 없음") and m.startswith("#####") for m in texts(at.markdown))
    assert not [e for e in at.expander if e.label.startswith("[")]  # no numbered citations
    assert all(e.label.startswith("후보 · ") for e in source_expanders(at))


def test_feedback_with_comment_is_stored(app_env: dict[str, str]) -> None:
    at = ask(open_app(), QUESTION)
    comment = next(t for t in at.text_input if t.key and t.key.startswith("fb_comment_"))
    comment.input("제21조 외에 법률 조문도 보여 주세요")
    up = next(b for b in at.button if b.key and b.key.startswith("fb_up_"))
    up.click().run()
    assert any("의견이 저장되었습니다" in s for s in texts(at.success))
    record = FeedbackStore(app_env["ASSISTANT_UI__FEEDBACK_URL"]).recent(1)[0]
    assert (record.rating, record.comment, record.question) == (
        1,
        "제21조 외에 법률 조문도 보여 주세요",
        QUESTION,
    )
    assert record.sources and record.mode == "extractive"


def test_conversation_is_kept_and_new_chat_resets_it() -> None:
    at = ask(open_app(), QUESTION)
    at = ask(at, "고충민원은 며칠 안에 처리해야 하나요?")
    assert len([m for m in at.chat_message if m.name == "user"]) == 2
    at.button(key="new_chat").click().run()
    assert not at.chat_message
    assert any("무엇이든 물어보세요" in i for i in texts(at.info))


def source_labels(at: AppTest) -> list[str]:
    """Labels of the cited sources and of the candidates, without "[n] " / "후보 · " prefixes."""
    labels = [e.label for e in source_expanders(at)]
    return [re.sub(r"^(\[\d+\] |후보 · |참고 · )", "", label) for label in labels]


def test_filters_restrict_the_sources() -> None:
    at = open_app()
    at.radio(key="f_scope").set_value("지침만").run()
    at = ask(at, "민원 처리기간은 며칠인가요?")
    labels = source_labels(at)
    assert labels and all(label.startswith("[샘플]") for label in labels)
    at.button(key="new_chat").click().run()
    at.radio(key="f_scope").set_value("법령만").run()
    at.multiselect(key="f_laws").set_value(["민원 처리에 관한 법률"]).run()
    at = ask(at, "민원 처리기간은 며칠인가요?")
    labels = source_labels(at)
    assert labels and all(label.startswith("민원 처리에 관한 법률 제") for label in labels)
    at.button(key="new_chat").click().run()
    at.multiselect(key="f_laws").set_value([])
    at.multiselect(key="f_kinds").set_value(["대통령령"]).run()
    at = ask(at, "민원 처리기간은 며칠인가요?")
    labels = source_labels(at)
    assert labels and all(
        label.startswith(("민원 처리에 관한 법률 시행령", "행정업무의")) for label in labels
    )
    assert any(label[-10:] > "2024-01-01" for label in labels)  # the 시행령 is in force since 2026
    at.button(key="new_chat").click().run()
    at.multiselect(key="f_kinds").set_value([])
    at.radio(key="f_scope").set_value("법령만")
    at.date_input(key="f_date").set_value(date(2024, 1, 1)).run()
    at = ask(at, "민원 처리기간은 며칠인가요?")
    dates = [re.search(r"시행 (\d{4}-\d{2}-\d{2})$", label) for label in source_labels(at)]
    assert dates and all(d and d.group(1) <= "2024-01-01" for d in dates)  # in force on that date


def test_missing_index_is_a_korean_message(env_override: Any, tmp_path: Path) -> None:
    env_override(ASSISTANT_STORE__DB_DIR=str(tmp_path / "none"))
    at = open_app()
    assert any("색인이 없습니다" in e for e in texts(at.error))
    assert any("관리자에게" in i for i in texts(at.info))  # staff: ask an admin
    assert not at.chat_input
    at = open_app(user=ADMIN[2])
    assert any("**관리** 페이지에서" in i for i in texts(at.info))  # admins: where to index


def test_llm_down_status_and_fallback(env_override: Any) -> None:
    env_override(
        ASSISTANT_LLM__BACKEND="openai",
        ASSISTANT_LLM__BASE_URL="http://127.0.0.1:9/v1",  # nothing listens on the discard port
        ASSISTANT_LLM__TIMEOUT_S="2",
        ASSISTANT_LLM__MAX_RETRIES="0",
    )
    at = open_app()
    assert any("LLM 연결 안 됨" in c for c in texts(at.caption))
    at = ask(at, QUESTION)
    assert any("발췌 답변으로 대신합니다" in w for w in texts(at.warning))
    assert any(e.label.startswith("[1] ") for e in at.expander)


def test_unexpected_error_is_a_korean_message_not_a_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.app.ask

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(assistant.app.ask, "stream_answer", broken)
    at = ask(open_app(), QUESTION)
    assert any("예기치 않은 오류" in e and "관리자" in e for e in texts(at.error))
    assert not at.exception


# --- 문서 요약 -------------------------------------------------------------------------------------


def test_summary_of_an_indexed_document() -> None:
    at = open_app("views/summary.py")
    at.selectbox(key="sum_doc").select("[샘플] 민원 처리 안내서 (OO시 민원여권과)").run()
    at.button(key="sum_run").click().run()
    assert not at.error
    assert at.subheader[0].value == "[샘플] 민원 처리 안내서 (OO시 민원여권과) 요약"
    assert "#### 핵심 요약" in texts(at.markdown)
    assert at.status[0].label.startswith("요약 완료")
    assert at.download_button(key="summary_download").label.endswith("(.md)")


def test_summary_of_an_upload_and_rejections(env_override: Any) -> None:
    at = open_app("views/summary.py")
    at.radio(key="sum_mode").set_value("파일 올리기").run()
    at.file_uploader(key="sum_upload").upload(
        "공용차량_지침.md", GUIDELINE_TEXT.encode(), "text/markdown"
    ).run()
    at.button(key="sum_run").click().run()
    assert at.subheader[0].value == "[테스트] OO시 공용차량 운영 지침 요약"
    assert any("공용차량_지침.md" in c for c in texts(at.caption))

    at.file_uploader(key="sum_upload").upload("깨진.pdf", b"%PDF-1.4 broken", "application/pdf").run()
    at.button(key="sum_run").click().run()
    assert any(e.startswith("파일을 읽지 못했습니다") for e in texts(at.error))
    assert not at.subheader  # the previous summary is gone

    env_override(ASSISTANT_INGEST__MAX_FILE_MB="0.0001")
    at = open_app("views/summary.py")
    at.radio(key="sum_mode").set_value("파일 올리기").run()
    at.file_uploader(key="sum_upload").upload("큰파일.txt", ("가" * 1000).encode(), "text/plain").run()
    at.button(key="sum_run").click().run()
    assert any("파일 크기 제한 초과" in e for e in texts(at.error))


# --- 초안 작성 -------------------------------------------------------------------------------------


def fill_draft(at: AppTest, kind: str = "공문") -> AppTest:
    at.radio(key="d_kind").set_value(kind)
    at.text_input(key="d_recipient").input("○○구청장(민원여권과장)")
    at.text_input(key="d_subject").input("민원 처리기간 준수 협조 요청")
    at.text_area(key="d_points").input(
        "처리기간을 지켜 주시기 바랍니다\n연장할 때에는 민원인에게 알려 주십시오"
    )
    at.text_input(key="d_question").input("민원 처리기간 연장")
    return at.button(key="d_submit").click().run()


def test_draft_preview_edit_and_format_check() -> None:
    at = fill_draft(open_app("views/draft.py"))
    assert not at.exception and not at.error
    text = at.text_area(key="draft_text").value
    assert text.startswith("○○시\n수신  ○○구청장(민원여권과장)") and "  끝." in text
    assert any(
        'class="draft-page"' in m and "제목  민원 처리기간 준수 협조 요청" in m for m in texts(at.markdown)
    )
    assert any("서식 검사 통과" in s for s in texts(at.success))
    assert at.download_button(key="draft_download").label.endswith("(.docx)")
    assert at.download_button(key="draft_download_hwpx").label == "한글(.hwpx) 내려받기"
    assert any(e.label.startswith("[1] 민원 처리에 관한 법률") for e in at.expander)  # 관련 근거

    at.text_area(key="draft_text").input(text.replace("  끝.", "")).run()
    assert any("'끝.' 표시가 없습니다" in e for e in texts(at.error))
    assert any('class="draft-page"' in m and "끝." not in m.split("기안자")[0] for m in texts(at.markdown))


def test_report_draft_and_missing_subject() -> None:
    at = fill_draft(open_app("views/draft.py"), kind="보고서")
    assert at.text_area(key="draft_text").value.startswith("민원 처리기간 준수 협조 요청\n")
    at = open_app("views/draft.py")
    at.button(key="d_submit").click().run()
    assert any(e.startswith("제목을 입력하세요") for e in texts(at.error))


# --- 관리 ----------------------------------------------------------------------------------------


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_admin_stats_system_and_upload_then_remove(app_env: dict[str, str]) -> None:
    at = open_app("views/admin.py", ADMIN[2])
    assert metric(at, "문서") == "6"
    assert metric(at, "법령 / 지침") == "3 / 3"
    assert any("ko-static-v1" in m for m in texts(at.markdown))
    assert any("발췌 모드" in i for i in texts(at.info))

    at.file_uploader(key="adm_upload").set_value(
        [
            ("공용차량_지침.md", GUIDELINE_TEXT.encode(), "text/markdown"),
            ("깨진.pdf", b"%PDF-1.4 broken", "application/pdf"),
        ]
    ).run()
    at.button(key="adm_upload_run").click().run()
    assert not at.exception
    assert any("추가 1" in w and "실패 1" in w for w in texts(at.warning))
    assert metric(at, "문서") == "7"
    uploaded = Path(app_env["ASSISTANT_UI__UPLOAD_DIR"]) / "공용차량_지침.md"
    assert uploaded.exists() and not uploaded.with_name("깨진.pdf").exists()

    # the new guideline answers questions at once (the shared retriever picks up the new snapshot)
    qa = ask(open_app(), "공용차량 배차는 언제까지 신청해야 하나요?")
    assert any("공용차량" in label for label in source_labels(qa))

    at = open_app("views/admin.py", ADMIN[2])
    choice = next(o for o in at.selectbox(key="adm_remove_doc").options if "공용차량" in o)
    at.selectbox(key="adm_remove_doc").select(choice)
    at.checkbox(key="adm_remove_ok").check().run()
    at.button(key="adm_remove_run").click().run()
    assert any(s.startswith("삭제했습니다") for s in texts(at.success))
    assert metric(at, "문서") == "6" and not uploaded.exists()


def test_admin_folder_reindex_and_bad_path(tmp_path: Path) -> None:
    folder = tmp_path / "지침"
    folder.mkdir()
    (folder / "차량.md").write_text(GUIDELINE_TEXT, encoding="utf-8")
    at = open_app("views/admin.py", ADMIN[2])
    # offered first: the guidelines, never the whole shipped statute book (indexed in the background)
    assert Path(at.text_input(key="adm_folder").value).parts[-2:] == ("corpus", "guidelines")
    at.text_input(key="adm_folder").input(str(folder))
    at.button(key="adm_reindex").click().run()
    assert any("추가 1" in s for s in texts(at.success))
    at.text_input(key="adm_folder").input(str(tmp_path / "없는폴더"))
    at.button(key="adm_reindex").click().run()
    assert any(e.startswith("경로를 찾을 수 없습니다") for e in texts(at.error))
