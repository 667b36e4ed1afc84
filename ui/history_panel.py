"""The 질의응답 page's saved conversations (``assistant.app.history``): each answered question is saved to
the user's current conversation, whose id is kept in the URL (``?c=…``) so that a reload or a
new tab of a logged-in browser shows it again; the sidebar lists, searches, reopens, renames,
deletes and exports the user's conversations. A reopened answer shows only the sources the
user may see now (the retriever's group-checked ``get_chunks``)."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from assistant.app.ask import Answer, IndexMissingError
from assistant.app.draft import draft_docx_bytes
from assistant.app.history import (
    HistoryStore,
    conversation_markdown,
    conversation_plain,
    source_ids,
    visible_answer,
)
from ui import components, state

CONV_KEY = "conversation_id"
URL_PARAM = "c"
URL_TRIED_KEY = "conversation_url_tried"
LIST_LIMIT = 20


def store() -> HistoryStore:
    """The process's history store for ``ui.history_url`` (old conversations purged on opening)."""
    ui = state.settings().ui
    key = f"{ui.history_url}|{ui.history_retention_days}|{ui.history_mask_personal_data}"
    return state.shared(
        "history",
        key,
        lambda: HistoryStore(ui.history_url, ui.history_retention_days, ui.history_mask_personal_data),
    )


def _login() -> str:
    user = state.current_user()
    return user.login if user else ""


def forget_current() -> None:
    """A new conversation: the next question starts a new saved one."""
    st.session_state.pop(CONV_KEY, None)
    st.query_params.pop(URL_PARAM, None)


def save(answer: Answer) -> None:
    """Save one answered question to the current conversation (a failure is shown, not raised)."""
    login = _login()
    if not login:
        return
    try:
        cid = store().save_turn(login, st.session_state.get(CONV_KEY), answer)
    except Exception as exc:  # a full disk or a locked DB must not break the chat
        components.log.exception("conversation not saved", exc_info=exc)
        st.caption(":material/warning: 대화 기록에 저장하지 못했습니다.")
        return
    started = st.session_state.get(CONV_KEY) != cid
    st.session_state[CONV_KEY] = cid
    st.query_params[URL_PARAM] = cid
    if started:  # the sidebar above was drawn before it existed: draw the page again
        st.rerun()


def checked_answers(cid: str) -> list[Answer]:
    """The user's saved answers of `cid` as they may see them now (hidden sources dropped)."""
    return recheck(store().answers(_login(), cid))


def recheck(answers: list[Answer]) -> list[Answer]:
    """`answers` as the user may see them now: sources outside their current groups (or gone
    from the index) are dropped, with the text that quotes them (``assistant.app.history.visible_answer``)."""
    user = state.current_user()
    groups = user.groups if user else ()
    ids = [i for a in answers for i in source_ids(a)]
    try:
        allowed = {c.id for c in state.retriever().get_chunks(ids, groups)} if ids else set()
    except IndexMissingError:
        allowed = set()
    return [visible_answer(a, allowed)[0] for a in answers]


def reopen(cid: str) -> None:
    """Show the saved conversation `cid` as the page's conversation (button callback)."""
    answers = checked_answers(cid)
    if not answers:
        st.session_state["history_flash"] = "대화를 찾을 수 없습니다 (삭제되었거나 보존 기간이 지났습니다)."
        forget_current()
        return
    messages = []
    for n, answer in enumerate(answers):
        messages.append({"id": f"h{n}u-{cid[:8]}", "role": "user", "text": answer.question, "answer": None})
        messages.append(
            {"id": f"h{n}a-{cid[:8]}", "role": "assistant", "text": answer.text, "answer": answer}
        )
    st.session_state["chat"] = messages
    st.session_state["feedback_done"] = {}
    st.session_state[CONV_KEY] = cid
    st.query_params[URL_PARAM] = cid


def reopen_from_url() -> None:
    """Once per browser session: the conversation named in the URL (a reload, a new tab)."""
    if st.session_state.get(URL_TRIED_KEY):
        return
    st.session_state[URL_TRIED_KEY] = True
    cid = st.query_params.get(URL_PARAM)
    if cid and not st.session_state.get("chat"):
        reopen(str(cid))


def _rename(cid: str) -> None:
    title = str(st.session_state.get(f"hist_title_{cid}", ""))
    try:
        store().rename(_login(), cid, title)
    except ValueError as exc:
        st.session_state["history_flash"] = str(exc)


def _delete(cid: str) -> None:
    store().delete(_login(), cid)
    if st.session_state.get(CONV_KEY) == cid:
        st.session_state["chat"] = []
        forget_current()


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%m-%d %H:%M")


def _current_tools(cid: str) -> None:
    conv = store().get(_login(), cid)
    if conv is None:
        return
    st.markdown(f"**현재 대화** · {conv.title}")
    st.text_input("대화 이름", value=conv.title, key=f"hist_title_{cid}", max_chars=200)
    st.button("이름 바꾸기", key="hist_rename", on_click=_rename, args=(cid,), icon=":material/edit:")
    answers = checked_answers(cid)
    c1, c2 = st.columns(2)
    c1.download_button(
        ".md",
        conversation_markdown(conv.title, answers).encode("utf-8"),
        file_name="대화.md",
        mime="text/markdown",
        key="hist_md",
        icon=":material/download:",
    )
    c2.download_button(
        ".docx",
        draft_docx_bytes(conversation_plain(conv.title, answers), kind="보고서"),
        file_name="대화.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="hist_docx",
        icon=":material/download:",
    )
    sure = st.checkbox("이 대화를 삭제합니다", key="hist_delete_ok")
    st.button(
        "대화 삭제",
        key="hist_delete",
        disabled=not sure,
        on_click=_delete,
        args=(cid,),
        icon=":material/delete:",
    )


def sidebar() -> None:
    """The sidebar's 대화 기록: search, the user's conversations, tools for the open one."""
    reopen_from_url()
    s = state.settings()
    with st.sidebar, st.expander("대화 기록", icon=":material/history:", expanded=True):
        flash = st.session_state.pop("history_flash", None)
        if flash:
            st.warning(flash)
        query = st.text_input("대화 검색", key="hist_query", placeholder="질문이나 답변의 낱말")
        try:
            found = store().conversations(_login(), query, LIST_LIMIT)
        except Exception as exc:
            components.log.exception("history list failed", exc_info=exc)
            st.error("대화 기록을 불러오지 못했습니다. 관리자에게 알려 주세요.")
            return
        if not found:
            st.caption("찾는 대화가 없습니다." if query.strip() else "저장된 대화가 없습니다.")
        current = st.session_state.get(CONV_KEY)
        with st.container(key="history_list"):
            for conv in found:
                st.button(
                    f"{conv.title} · {_when(conv.updated_at)}",
                    key=f"hist_open_{conv.id}",
                    on_click=reopen,
                    args=(conv.id,),
                    type="primary" if conv.id == current else "secondary",
                    width="stretch",
                )
        if current:
            _current_tools(str(current))
        days, masked = s.ui.history_retention_days, s.ui.history_mask_personal_data
        kept = f"마지막 사용 후 {days}일 동안 보관됩니다." if days > 0 else "직접 지울 때까지 보관됩니다."
        st.caption("대화는 " + kept + (" 개인정보(주민등록번호 등)는 가려서 저장합니다." if masked else ""))
