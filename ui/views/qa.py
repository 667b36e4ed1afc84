"""질의응답: chat over the indexed statutes and guidelines, with numbered sources and feedback."""

from __future__ import annotations

import uuid
from typing import Any

import streamlit as st

from assistant.app.ask import Answer, IndexMissingError, SearchFilters, stream_answer
from assistant.security.guard import InputRejected, check_question
from ui import audit, components, feedback_review, history_panel, state

SCOPES = {"전체": None, "법령만": "statute", "지침만": "guideline"}
PLACEHOLDER = "법령이나 지침에 대해 물어보세요 (예: 민원 처리기간을 연장할 수 있나요?)"


def chat() -> list[dict[str, Any]]:
    """This browser session's conversation: {"id", "role", "text", "answer"}."""
    return st.session_state.setdefault("chat", [])


def new_conversation() -> None:
    st.session_state["chat"] = []
    st.session_state["feedback_done"] = {}
    history_panel.forget_current()


def history() -> list[tuple[str, str]]:
    return [(m["role"], m["text"]) for m in chat()]


def filters_sidebar() -> SearchFilters:
    """Law / law type / statutes-or-guidelines filters, always with the user's access groups."""
    with st.sidebar:
        st.button(
            "새 대화",
            icon=":material/add_comment:",
            on_click=new_conversation,
            width="stretch",
            key="new_chat",
        )
        st.markdown("**검색 범위**")
        scope = st.radio("자료", list(SCOPES), horizontal=True, key="f_scope", label_visibility="collapsed")
        user = state.current_user()
        groups = user.groups if user else ()
        r = state.retriever()
        r.refresh()
        laws = st.multiselect("법령", sorted(r.law_titles(groups)), key="f_laws", placeholder="모든 법령")
        kinds = st.multiselect(
            "법령 종류", sorted(r.law_types(groups)), key="f_kinds", placeholder="모든 종류"
        )
        on = st.date_input(
            "시행일 기준",
            value=None,
            key="f_date",
            format="YYYY-MM-DD",
            help="이 날짜에 시행 중인 조문만 찾습니다(시행 예정인 개정 조문 제외). 비우면 모두.",
        )
    return SearchFilters(
        laws=tuple(laws),
        law_types=tuple(kinds),
        doc_type=SCOPES[scope],
        effective_on=on.isoformat() if on else None,
        groups=groups,
    )


def save_feedback(msg_id: str, rating: int) -> None:
    """Button callback: store 👍/👎 (and the optional comment) of one answer."""
    msg = next((m for m in chat() if m["id"] == msg_id), None)
    if msg is None:
        return
    answer: Answer = msg["answer"]
    try:
        gold = feedback_review.gold_of(msg_id) if rating < 0 else ("", "")
    except ValueError as exc:  # a wrong article name: say why, keep the form
        st.session_state.setdefault("feedback_error", {})[msg_id] = str(exc)
        return
    try:
        state.feedback_store().add(
            session_id=state.session_id(),
            message_id=msg_id,
            question=answer.question,
            answer=answer.text,
            sources=[s.label for s in answer.sources],
            mode=answer.mode,
            no_evidence=answer.no_evidence,
            rating=rating,
            comment=str(st.session_state.get(f"fb_comment_{msg_id}", "")),
            gold=gold,
        )
    except Exception as exc:  # a full disk or a locked DB must not break the chat
        components.log.exception("feedback not stored", exc_info=exc)
        st.session_state.setdefault("feedback_done", {})[msg_id] = 0
        return
    st.session_state.setdefault("feedback_done", {})[msg_id] = rating


def feedback_widget(msg_id: str) -> None:
    done = st.session_state.get("feedback_done", {}).get(msg_id)
    if done == 0:
        st.error("의견을 저장하지 못했습니다. 잠시 후 다시 시도하거나 관리자에게 알려 주세요.")
    if problem := st.session_state.get("feedback_error", {}).pop(msg_id, None):
        st.error(problem, icon=":material/gavel:")
    elif done:
        st.success(
            f"의견이 저장되었습니다 ({'도움됨' if done > 0 else '아쉬움'}). 고맙습니다.",
            icon=":material/check:",
        )
        return
    with st.container(key=f"feedback_{msg_id}", horizontal=True, vertical_alignment="bottom"):
        st.text_input(
            "의견 (선택)",
            key=f"fb_comment_{msg_id}",
            placeholder="틀린 점이나 부족한 점을 적어 주세요 (선택)",
            width=520,
        )
        st.button(
            "도움됨",
            icon=":material/thumb_up:",
            key=f"fb_up_{msg_id}",
            help="이 답변이 도움이 되었어요",
            on_click=save_feedback,
            args=(msg_id, 1),
        )
        st.button(
            "아쉬움",
            icon=":material/thumb_down:",
            key=f"fb_down_{msg_id}",
            help="이 답변이 부족하거나 틀렸어요",
            on_click=save_feedback,
            args=(msg_id, -1),
        )
    feedback_review.gold_inputs(msg_id)


def shown_chat() -> list[dict[str, Any]]:
    """The conversation as the user may see it now, re-checked on every rerun like reopened
    history: a group removed since an answer was given hides that answer's restricted sources
    and the text quoting them (with a note saying so)."""
    messages = chat()
    checked = iter(history_panel.recheck([m["answer"] for m in messages if m["answer"] is not None]))
    return [m if m["answer"] is None else {**m, "answer": next(checked)} for m in messages]


def show_message(msg: dict[str, Any]) -> None:
    with st.chat_message(msg["role"]):
        if msg["role"] == "user":
            st.markdown(components.safe_markdown(msg["text"]))
            return
        components.render_answer(msg["answer"], msg["id"])
        feedback_widget(msg["id"])


def ask(question: str, filters: SearchFilters) -> None:
    """Stream the answer to `question` into the chat and keep it in the conversation."""
    try:
        question = check_question(question, state.settings())
    except InputRejected as exc:  # e.g. a 100k-character paste: refused before it is shown or sent
        st.error(str(exc), icon=":material/block:")
        audit.record(state.settings(), "input_rejected", state.current_user(), detail=f"질문: {exc.kind}")
        return
    turns = history()
    user_msg = {"id": uuid.uuid4().hex[:12], "role": "user", "text": question, "answer": None}
    show_message(user_msg)
    s = state.settings()
    with (
        st.chat_message("assistant"),
        audit.action(s, "ask", state.current_user(), question=question) as done,
    ):
        box = st.empty()
        box.markdown(":material/hourglass_top: 근거를 찾는 중…")
        try:
            ctx = state.chain_context()
            answer: Answer | None = None
            streamed = ""
            for item in stream_answer(question, history=turns, filters=filters, ctx=ctx):
                if isinstance(item, Answer):
                    answer = item
                else:
                    streamed += item
                    box.markdown(components.safe_markdown(streamed) + " ▌")
        except IndexMissingError as exc:
            box.empty()
            components.index_missing(exc)
            done.detail = "색인 없음"
            return
        box.empty()
        assert answer is not None
        done.sources = [src.label for src in answer.sources]
        done.backend = audit.backend_of(s, answer.mode)
        msg = {"id": uuid.uuid4().hex[:12], "role": "assistant", "text": answer.text, "answer": answer}
        components.render_answer(answer, msg["id"])
        feedback_widget(msg["id"])
    chat().extend([user_msg, msg])
    history_panel.save(answer)


st.title("질의응답")
st.caption(
    "법령·지침을 근거로 답합니다. 답변의 [번호]는 아래 출처를 가리킵니다. 중요한 결정 전에는 원문을 꼭 확인하세요."
)
try:
    state.retriever()  # loads the index and models once per process, before the input appears
except IndexMissingError as missing:
    components.index_missing(missing)
    st.stop()
search_filters = filters_sidebar()
history_panel.sidebar()
prompt = st.chat_input(PLACEHOLDER, key="question")
for message in shown_chat():
    show_message(message)
if not chat() and not prompt:
    st.info(
        "무엇이든 물어보세요. 예: **민원 처리기간을 연장할 수 있나요?**, **개인정보 파기 기한은?**",
        icon=":material/lightbulb:",
    )
if prompt is not None:
    ask(prompt, search_filters)
