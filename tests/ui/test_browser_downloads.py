"""Issue 31 findings 1, 2, 3 and 7 against the real server (``python -m ui.serve``, the gate) with
Debian's Chromium, and a second client speaking Streamlit's WebSocket protocol the way an attacker
would: a download URL is worthless without the tab and session that clicked, another session
cannot run a deferred download, a group removed before the click refuses the original,
host-config tells nothing, and a forged widget id is one log line."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from assistant.security.accounts import load_accounts, save_account
from tests.conftest import PRESS_PDF
from tests.ui.conftest import ADMIN, PDF_QUESTION
from tests.ui.test_browser import ask, browser, chromium, open_page, serve_app, wait_until_idle  # noqa: F401

pytestmark = pytest.mark.browser
CHAT_INPUT = '[data-testid="stChatInputTextArea"]'
RESTRICTED_QUESTION = "보건의료 빅데이터 플랫폼 시범사업 추진 계획"


@pytest.fixture(scope="module")
def app(
    chromium: str,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    original_index_template: Path,
) -> Iterator[dict[str, Any]]:
    with serve_app(tmp_path_factory.mktemp("ui-browser-downloads"), original_index_template) as served:
        yield served


@pytest.fixture()
def tab(browser: Any, app: dict[str, Any]) -> Iterator[Any]:  # noqa: F811
    page = browser.new_page()
    yield page
    page.close()


def fetch(url: str, cookie: str = "") -> tuple[int, bytes]:
    """GET `url` outside the browser (no cookie unless given): (status, body)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def audit_rows(app: dict[str, Any], event: str) -> list[tuple[str, str]]:
    db = app["env"]["ASSISTANT_SECURITY__AUDIT_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT user, detail FROM audit_log WHERE event = ?", (event,)).fetchall()


def eventually(check: Callable[[], bool], seconds: float = 5) -> bool:
    """True as soon as `check()` is; False if it is still false after `seconds`."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def open_source(tab: Any, label: str | re.Pattern[str]) -> Any:
    source = tab.get_by_test_id("stExpander").filter(has_text=label).first
    source.wait_for()
    wait_until_idle(tab)
    source.locator("summary").click()
    wait_until_still(source)
    return source


def wait_until_still(locator: Any) -> None:
    """Wait until `locator` has kept its place and size for 300 ms (and 5 frames). An expander
    opens with a half-second animation while the chat scrolls along: Playwright can find a button
    in it still for two frames, then press where it was, and the click lands on the text that slid
    under the pointer (no download starts)."""
    locator.evaluate(
        """async (e) => {
            let last = "", since = performance.now(), frames = 0;
            const deadline = since + 10000;
            while (performance.now() < deadline) {
                await new Promise(r => requestAnimationFrame(r));
                const r = e.getBoundingClientRect();
                const now = [r.x, r.y, r.width, r.height].join();
                if (now !== last) { last = now; since = performance.now(); frames = 0; }
                else if (++frames >= 5 && performance.now() - since >= 300) return;
            }
        }"""
    )


def test_a_download_url_needs_the_tab_and_session_that_clicked(
    tab: Any, app: dict[str, Any], documents_dir: Path
) -> None:
    open_page(tab, app, "", CHAT_INPUT)
    ask(tab, PDF_QUESTION)
    source = open_source(tab, re.compile(r"\[1\] 영양소 보도자료"))
    with tab.expect_download() as download:
        source.get_by_role("button", name=re.compile("원본 내려받기")).click()
    url = download.value.url
    assert "/media/" in url
    assert Path(download.value.path()).read_bytes() == (documents_dir / PRESS_PDF).read_bytes()
    status, body = fetch(url)  # a leaked URL: no cookie
    assert status in (403, 404) and not body.startswith(b"%PDF")
    assert fetch(url, "assistant_tab=someone-else")[0] in (403, 404)

    source.get_by_role("button", name=re.compile("원문 보기")).click()
    image = tab.get_by_role("dialog").locator(".st-key-original_page img").first
    image.wait_for()
    src = image.get_attribute("src") or ""
    assert tab.request.get(src).status == 200  # the tab that shows it
    assert fetch(src)[0] == 403  # the page image, without the session
    assert ("clerk", "원본 내려받기") in audit_rows(app, "open_original")


def test_a_summary_download_needs_the_session(tab: Any, app: dict[str, Any]) -> None:
    open_page(tab, app, "summary", '[data-testid="stSelectbox"]')
    tab.get_by_test_id("stSelectbox").first.click()
    tab.get_by_role("option", name="[샘플] 민원 처리 안내서 (OO시 민원여권과)").click()
    tab.get_by_role("button", name="요약하기").click()
    tab.get_by_text("요약 완료").first.wait_for()
    with tab.expect_download() as download:
        tab.get_by_role("button", name=re.compile("요약 내려받기")).click()
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("## [샘플] 민원 처리 안내서")
    status, body = fetch(download.value.url)
    assert status in (403, 404) and "핵심 요약".encode() not in body


# --- a second client on Streamlit's WebSocket ------------------------------------------------------


class StreamClient:
    """A bare Streamlit client (no browser, no cookie): what anyone who reaches the port can run."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.session_id = ""

    def send(self, msg: Any) -> None:
        self.ws.send(msg.SerializeToString())

    def until(self, wanted: Any, timeout: float = 60) -> Any:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        while True:
            msg = ForwardMsg.FromString(self.ws.recv(timeout=timeout))
            if msg.WhichOneof("type") == "new_session":
                self.session_id = msg.new_session.initialize.session_id
            if wanted(msg):
                return msg

    def run(self, widgets: list[Any] = ()) -> None:  # type: ignore[assignment]
        """One script run (the login page), with `widgets` as the widget states sent."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ClientState_pb2 import ClientState
        from streamlit.proto.WidgetStates_pb2 import WidgetStates

        state = ClientState(query_string="", widget_states=WidgetStates(widgets=widgets))
        self.send(BackMsg(rerun_script=state))
        self.until(lambda m: m.WhichOneof("type") == "script_finished")


@contextmanager
def stream_client(url: str) -> Iterator[StreamClient]:
    from websockets.sync.client import connect

    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    with connect(stream, subprotocols=["streamlit"], origin=url, max_size=None) as ws:  # type: ignore[list-item,arg-type]
        yield StreamClient(ws)


def deferred_ids(frames: list[bytes]) -> dict[str, str]:
    """{button label: deferred file id} of the download buttons the server sent to a browser."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    found = {}
    for frame in frames:
        msg = ForwardMsg.FromString(frame)
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "download_button" and element.download_button.deferred_file_id:
                found[element.download_button.label] = element.download_button.deferred_file_id
    return found


def test_another_sessions_deferred_download_is_refused(tab: Any, app: dict[str, Any]) -> None:
    from streamlit.proto.BackMsg_pb2 import BackendOperationRequest, BackMsg, DeferredFileRequestPayload

    frames: list[bytes] = []
    tab.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda p: frames.append(p) if isinstance(p, bytes) else None),
    )
    open_page(tab, app, "", CHAT_INPUT)
    ask(tab, PDF_QUESTION)
    open_source(tab, re.compile(r"\[1\] 영양소 보도자료"))
    wait_until_idle(tab)
    file_id = next(v for k, v in deferred_ids(frames).items() if k.startswith("원본 내려받기"))
    before = audit_rows(app, "open_original")

    with stream_client(app["url"]) as other:  # never logged in
        other.run()
        request = BackendOperationRequest(
            request_id="r1",
            session_id=other.session_id,
            deferred_file=DeferredFileRequestPayload(file_id=file_id),
        )
        other.send(BackMsg(backend_operation_request=request))
        answer = other.until(
            lambda m: m.WhichOneof("type") == "backend_operation_response"
        ).backend_operation_response
    if answer.deferred_file.url:  # Streamlit runs it; the file behind the URL must stay out of reach
        status, body = fetch(app["url"] + answer.deferred_file.url)
        assert status in (403, 404) and not body.startswith(b"%PDF")
    assert audit_rows(app, "open_original") == before  # nothing read, nobody recorded as reading it


def test_a_removed_group_refuses_the_download_drawn_before(tab: Any, app: dict[str, Any]) -> None:
    accounts = Path(app["env"]["ASSISTANT_SECURITY__ACCOUNTS_FILE"])
    admin = load_accounts(accounts)[ADMIN[0]]
    open_page(tab, app, "", CHAT_INPUT, who=ADMIN)
    ask(tab, RESTRICTED_QUESTION)
    source = open_source(tab, re.compile(r"\[\d+\] 감사 계획"))
    button = source.get_by_role("button", name=re.compile("원본 내려받기"))
    button.wait_for()
    wait_until_idle(tab)  # a click during a script run is lost when the button re-renders
    served, denied = audit_rows(app, "open_original"), audit_rows(app, "denied")
    # 감사 is removed after the button was drawn. Nothing reruns the page before the click (the
    # button does not), so the shown-sources re-check cannot hide it: what refuses the file is the
    # check at the moment of download, on both of the page's requests (the URL check and the
    # download itself).
    save_account(accounts, replace(admin, groups=()))
    try:
        with tab.expect_download() as download:
            button.click()
        assert download.value.failure()  # the browser saved nothing
        refused = tab.request.get(download.value.url)  # the gate's answer to this tab and session
        assert refused.status == 403 and "권한" in refused.text()
    finally:
        save_account(accounts, admin)
    # One row per click: the first of the page's two requests writes it, maybe still doing so as
    # the other is answered.
    assert eventually(lambda: audit_rows(app, "denied") == [*denied, (ADMIN[0], "원본 내려받기")])
    assert audit_rows(app, "open_original") == served  # the file was never served


def test_host_config_tells_an_anonymous_client_nothing(app: dict[str, Any]) -> None:
    status, body = fetch(app["url"] + "/_stcore/host-config")
    assert status == 200
    assert json.loads(body)["allowedOrigins"] == []


def test_a_forged_widget_id_is_one_log_line(app: dict[str, Any]) -> None:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    log = Path(app["root"]) / "streamlit.log"
    before = log.read_text(encoding="utf-8", errors="replace")
    with stream_client(app["url"]) as client:
        client.run()
        client.run([WidgetState(id="login_submit", trigger_value=True)])  # a key, not a widget id
    added = log.read_text(encoding="utf-8", errors="replace")[len(before) :]
    assert "Traceback" not in added and "KeyError" not in added
    assert len([line for line in added.splitlines() if "forged widget" in line]) == 1
