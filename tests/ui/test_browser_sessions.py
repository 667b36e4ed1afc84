"""Issue 19's browser checks of persistent sessions and history, in Debian's Chromium against
the real server (``python -m ui.serve`` with the gate): a reload keeps the user logged in and
the conversation visible; a new tab is logged in too; logout ends it for the browser; the
sidebar's history search finds an old question and reopens it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assistant.chains.qa import NO_EVIDENCE
from assistant.security.sessions import COOKIE_NAME
from tests.ui.conftest import OFF_TOPIC, QUESTION
from tests.ui.test_browser import (  # noqa: F401 - the module's fixtures: one served app, one Chromium
    LOAD_TIMEOUT_MS,
    ask,
    browser,
    chromium,
    goto_login,
    open_page,
    page,
    served_app,
)
from ui.persistent_login import SAVED_MARK

pytestmark = pytest.mark.browser
CHAT_INPUT = '[data-testid="stChatInputTextArea"]'


def cookie_saved(tab: Any) -> None:
    """Wait until the gate has set the login cookie (the page marks <body> when it answered)."""
    mark = re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), SAVED_MARK)
    tab.locator(f"body[data-{mark}='session']").wait_for(state="attached")


def answered(tab: Any, question: str) -> None:
    ask(tab, question)
    tab.get_by_test_id("stChatMessage").filter(has_text=question).first.wait_for()
    # done: a numbered source, or 근거 없음 (with nearest candidates only above the relevance floor)
    tab.get_by_test_id("stExpander").filter(has_text=re.compile(r"\[1\] |후보")).or_(
        tab.get_by_text(NO_EVIDENCE)
    ).first.wait_for()


def test_reload_keeps_the_login_and_the_conversation(page: Any, served_app: dict[str, Any]) -> None:  # noqa: F811
    open_page(page, served_app, "", CHAT_INPUT)
    cookie_saved(page)
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find(COOKIE_NAME) < 0  # invisible to scripts
    answered(page, QUESTION)
    page.wait_for_url(re.compile(r"[?&]c=[0-9a-f]{32}"))

    page.reload()
    page.locator(CHAT_INPUT).wait_for(timeout=LOAD_TIMEOUT_MS)
    assert page.get_by_role("button", name="로그인", exact=True).count() == 0
    assert "이주무" in page.locator(".st-key-account_box").inner_text()
    page.get_by_test_id("stChatMessage").filter(has_text=QUESTION).first.wait_for()
    page.get_by_test_id("stExpander").filter(has_text=re.compile(r"\[1\] ")).first.wait_for()

    typed = page.context.new_page()  # a new tab with a typed URL: logged in, a new conversation
    typed.goto(served_app["url"])
    typed.locator(CHAT_INPUT).wait_for(timeout=LOAD_TIMEOUT_MS)
    assert typed.get_by_test_id("stChatMessage").count() == 0
    typed.get_by_role("button", name=re.compile("로그아웃")).click()
    typed.get_by_text("로그아웃했습니다.").first.wait_for()
    typed.locator("body[data-session-saved='logout']").wait_for(state="attached")
    assert not [c for c in page.context.cookies() if c["name"] == COOKIE_NAME]
    typed.close()

    page.reload()  # the token was revoked on the server and the cookie cleared
    page.get_by_role("button", name="로그인", exact=True).wait_for(timeout=LOAD_TIMEOUT_MS)
    assert page.get_by_test_id("stChatMessage").count() == 0


def test_history_search_finds_an_old_question(page: Any, served_app: dict[str, Any]) -> None:  # noqa: F811
    old_question = "민원 처리기간 연장은 몇 번 할 수 있나요?"
    open_page(page, served_app, "", CHAT_INPUT)
    answered(page, old_question)
    page.get_by_role("button", name="새 대화").click()
    page.wait_for_url(re.compile(r"^[^?]*$"))
    answered(page, OFF_TOPIC)

    search = page.get_by_label("대화 검색")
    search.fill("몇 번")
    search.press("Enter")
    found = page.locator(".st-key-history_list").get_by_role("button", name=re.compile("몇 번 할 수 있나요"))
    found.first.wait_for()
    from playwright.sync_api import expect

    # the list re-renders after the search: wait for the other conversation to leave it
    expect(page.locator(".st-key-history_list").get_by_role("button", name=re.compile("점심"))).to_have_count(
        0
    )
    found.first.click()
    page.get_by_test_id("stChatMessage").filter(has_text=old_question).first.wait_for()
    page.get_by_test_id("stChatMessage").filter(has_text=OFF_TOPIC).first.wait_for(state="detached")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile(r"\.md")).click()
    assert old_question in Path(download.value.path()).read_text(encoding="utf-8")
