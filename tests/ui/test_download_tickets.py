"""The rules of ``ui.downloads`` on plain data (issue 31 findings 1-3): a ticket is good for one
browser tab and session, for ``ui.download_ticket_seconds``, and for the user's groups at the
moment of the fetch; its audit row is written once, as the user who fetched it. Also the gate's
filter of forged widget ids (finding 7)."""

from __future__ import annotations

from dataclasses import replace

from assistant.security.auth import User
from ingest.core.settings import Settings
from tests.ui.conftest import ADMIN
from ui.downloads import TICKET_MARK, DownloadRefused, Offer, Tickets, redeem, ticket_id_of
from ui.gate import media_name, without_forged_widgets

TTL = Settings().ui.download_ticket_seconds


def test_a_ticket_serves_only_its_tab_session_and_current_groups() -> None:
    now = [1000.0]
    tickets = Tickets(clock=lambda: now[0])
    records: list[tuple[str, tuple[str, ...]]] = []

    def produce(user: User) -> bytes:
        if "감사" not in user.groups:
            raise DownloadRefused("볼 권한이 없는 문서입니다.")
        return b"%PDF restricted"

    offer = Offer(
        "감사_계획.pdf",
        "application/pdf",
        produce,
        served=lambda u: records.append(("served", u.groups)),
        denied=lambda u: records.append(("denied", u.groups)),
    )
    admin = ADMIN[2]
    live = {"s1": (admin, "password")}
    groups = {"now": admin.groups}

    def fetch(ticket_id: str, tab: str) -> tuple[int, bytes]:
        outcome = redeem(
            tickets, ticket_id, tab, TTL, live.get, lambda user, via: replace(user, groups=groups["now"])
        )
        return outcome.status, outcome.body

    ticket = tickets.issue("s1", admin.login, "tab-a", offer, TTL)
    assert ticket_id_of(TICKET_MARK + ticket.id.encode()) == ticket.id and ticket_id_of(b"%PNG") is None
    assert fetch(ticket.id, "tab-a") == (200, b"%PDF restricted")
    assert fetch(ticket.id, "tab-a")[0] == 200  # the page checks the URL before it downloads
    assert records == [("served", ("감사",))]  # one audit row per click
    assert fetch(ticket.id, "")[0] == 404 and fetch(ticket.id, "tab-b")[0] == 404  # a leaked URL
    assert fetch("0" * 32, "tab-a")[0] == 404

    groups["now"] = ()  # 감사 removed after the button was drawn
    refused = tickets.issue("s1", admin.login, "tab-a", offer, TTL)
    status, body = fetch(refused.id, "tab-a")
    assert status == 403 and "권한" in body.decode()
    assert records[-1] == ("denied", ())

    groups["now"] = admin.groups
    late = tickets.issue("s1", admin.login, "tab-a", offer, TTL)
    now[0] += TTL + 1
    assert fetch(late.id, "tab-a")[0] == 404  # expired

    gone = tickets.issue("s1", admin.login, "tab-a", offer, TTL)
    del live["s1"]  # logged out, or the session ended
    assert fetch(gone.id, "tab-a")[0] == 403


def test_forged_widget_ids_are_dropped_and_media_urls_found() -> None:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

    real = WidgetState(id="$$ID-0123456789abcdef-login_submit", trigger_value=True)
    forged = WidgetState(id="login_submit\nfake log line", trigger_value=True)
    msg = BackMsg(rerun_script=ClientState(widget_states=WidgetStates(widgets=[real, forged])))
    cleaned, dropped = without_forged_widgets(msg.SerializeToString())
    assert dropped == ["login_submit\nfake log line"]
    assert [w.id for w in BackMsg.FromString(cleaned).rerun_script.widget_states.widgets] == [real.id]
    untouched = BackMsg(
        rerun_script=ClientState(widget_states=WidgetStates(widgets=[real]))
    ).SerializeToString()
    assert without_forged_widgets(untouched) == (untouched, [])
    assert without_forged_widgets(b"\xff not a message")[1] == []
    assert media_name("/app/media/abc.pdf") == "abc.pdf" and media_name("/_stcore/health") is None
    # the app's fonts and images are served to the login page too
    assert media_name("/static/media/MaterialSymbolsRounded.C7IFxh57.woff2") is None
    assert media_name("/app/static/media/SourceSansVF-Upright.ttf.BsWL4Kly.woff2") is None
