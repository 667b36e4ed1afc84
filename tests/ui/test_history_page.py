"""The 질의응답 page saves each answered question to the user's conversation, names it in the
URL, reopens it in a new session (a reload), and finds it with the sidebar search; another
user's URL shows nothing (AppTest, real stores over the UI test index)."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from tests.ui.conftest import ADMIN, APP, QUESTION, STAFF, open_app
from ui.state import USER_KEY


def chat_text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def reload_with(cid: str, user: Any) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state[USER_KEY] = user
    at.query_params["c"] = cid
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_answered_questions_are_saved_reopened_and_searchable(app_env: dict[str, str]) -> None:
    at = open_app()
    at.chat_input(key="question").set_value(QUESTION).run()
    assert not at.exception
    cid = at.query_params["c"]
    cid = cid[0] if isinstance(cid, list) else cid
    assert cid
    assert any(b.key == f"hist_open_{cid}" for b in at.button)  # listed at once, not after the next click
    assert QUESTION in chat_text(at)
    again = reload_with(cid, STAFF[2])
    assert QUESTION in chat_text(again)  # the conversation is back after a "reload"
    assert "민원 처리에 관한 법률 시행령" in "\n".join(str(e.label) for e in again.expander)
    again.text_input(key="hist_query").set_value("처리기간").run()
    assert any(b.key == f"hist_open_{cid}" for b in again.button)
    again.text_input(key="hist_query").set_value("없는낱말").run()
    assert not any(b.key == f"hist_open_{cid}" for b in again.button)
    stranger = reload_with(cid, ADMIN[2])  # another user with the same URL
    assert QUESTION not in chat_text(stranger)
    assert not any(b.key == f"hist_open_{cid}" for b in stranger.button)
