"""Naming the right article with a 👎 (질의응답) and the 관리 page's 피드백 검토 queue: list 👎
items, mark them reviewed or rejected, correct the article, download the reviewed ones as a
benchmark JSONL (``python -m assistant.bench --qa FILE``). Articles are checked against the
laws of the index that the acting user may see."""

from __future__ import annotations

import json

import streamlit as st

from assistant.app import index_admin as admin
from assistant.app.ask import IndexMissingError
from assistant.app.feedback import STATUSES, gold_reference
from assistant.security.auth import User
from ui import audit, state

FILTERS = {"검토 전": "new", "검토 완료": "reviewed", "반려": "rejected", "전체": None}


def _titles(user: User | None) -> list[str]:
    try:
        return sorted(state.retriever().law_titles(user.groups if user else ()))
    except IndexMissingError:
        return []


def gold_inputs(msg_id: str) -> None:
    """The optional 'right article' fields under an answer (used by a 👎)."""
    with st.expander("맞는 조문 알려 주기 (아쉬움과 함께 저장)", icon=":material/gavel:"):
        c1, c2 = st.columns([3, 1])
        c1.text_input("법령", key=f"fb_law_{msg_id}", placeholder="예: 민원 처리에 관한 법률 시행령")
        c2.text_input("조문", key=f"fb_article_{msg_id}", placeholder="예: 제21조")


def gold_of(msg_id: str) -> tuple[str, str]:
    """The (law, article) typed under the answer, checked; ValueError (Korean) when wrong."""
    law = str(st.session_state.get(f"fb_law_{msg_id}", ""))
    article = str(st.session_state.get(f"fb_article_{msg_id}", ""))
    if not law.strip() and not article.strip():
        return "", ""
    return gold_reference(law, article, _titles(state.current_user()))


def _apply(feedback_id: int, status: str, user: User) -> None:
    s = state.settings()
    admin.require_admin(user, s, "feedback_review")
    law = str(st.session_state.get(f"fr_law_{feedback_id}", ""))
    article = str(st.session_state.get(f"fr_article_{feedback_id}", ""))
    try:
        gold = gold_reference(law, article, _titles(user))
        state.feedback_store(s).review(feedback_id, status, user.login, gold)
    except ValueError as exc:
        st.session_state["fr_flash"] = ("error", str(exc))
        return
    audit.record(
        s,
        "feedback_review",
        user,
        detail=f"피드백 {feedback_id}: {STATUSES[status]} {' '.join(gold)}".strip(),
    )
    st.session_state["fr_flash"] = (
        "success",
        f"피드백 {feedback_id} 을(를) '{STATUSES[status]}'(으)로 저장했습니다.",
    )


def review_queue(user: User) -> None:
    """The 피드백 검토 queue (admins only)."""
    s = state.settings()
    admin.require_admin(user, s, "feedback_review")
    store = state.feedback_store(s)
    flash = st.session_state.pop("fr_flash", None)
    if flash:
        (st.error if flash[0] == "error" else st.success)(flash[1])
    c1, c2 = st.columns([1, 2])
    status = FILTERS[c1.selectbox("상태", list(FILTERS), key="fr_status")]
    items = store.queue(status)
    lines = store.benchmark_lines()
    c2.download_button(
        f"검토 완료 {len(lines)}건 벤치마크 JSONL 내려받기",
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode("utf-8"),
        file_name="feedback-benchmark.jsonl",
        mime="application/jsonl",
        key="fr_download",
        icon=":material/download:",
        disabled=not lines,
        help="python -m assistant.bench --qa 파일 로 회귀 시험을 돌립니다 (CLI: python -m assistant.app.feedback export 파일)",
    )
    if not items:
        st.info("이 상태의 '아쉬움' 의견이 없습니다.")
        return
    rows = [
        {
            "번호": rec.id,
            "시각": rec.created_at[:16].replace("T", " "),
            "질문": rec.question,
            "의견": rec.comment,
            "맞는 조문": f"{rev.law} {rev.article}".strip(),
            "상태": STATUSES.get(rev.status, rev.status),
        }
        for rec, rev in items
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    by_id = {rec.id: (rec, rev) for rec, rev in items}
    chosen = st.selectbox(
        "검토할 항목", list(by_id), key="fr_item", format_func=lambda i: f"{i} · {by_id[i][0].question[:50]}"
    )
    rec, rev = by_id[chosen]
    with st.container(border=True, key="fr_detail"):
        st.markdown(f"**질문** {rec.question}")
        st.caption(f"출처: {' · '.join(rec.sources) or '없음'} · 의견: {rec.comment or '없음'}")
        with st.expander("답변 보기"):
            st.text(rec.answer)
        d1, d2 = st.columns([3, 1])
        d1.text_input("맞는 법령", value=rev.law, key=f"fr_law_{rec.id}")
        d2.text_input("조문", value=rev.article, key=f"fr_article_{rec.id}")
        b1, b2, b3 = st.columns(3)
        b1.button("검토 완료", key="fr_ok", type="primary", on_click=_apply, args=(rec.id, "reviewed", user))
        b2.button("반려", key="fr_reject", on_click=_apply, args=(rec.id, "rejected", user))
        b3.button("검토 전으로", key="fr_reset", on_click=_apply, args=(rec.id, "new", user))
