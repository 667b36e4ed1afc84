"""초안 작성: 공문/보고서 form → draft in the official layout, inline edit, format check, .docx."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import streamlit as st

from assistant.app.draft import (
    Draft,
    DraftRequest,
    FormatIssue,
    check_format,
    draft_docx_bytes,
    draft_hwpx_bytes,
    stream_draft,
)
from assistant.app.index_admin import safe_name
from ui import audit, components, draft_modes, state
from ui.safe_markdown import safe_html_text

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HWPX_MIME = "application/hwp+zip"
PAGE_CSS = (
    "background: #fff; color: #111; border: 1px solid #ccc; box-shadow: 0 1px 4px rgba(0,0,0,.15);"
    " padding: 28px 24px 20px 32px; max-width: 720px; font-family: 'Nanum Myeongjo', 'NanumMyeongjo',"
    " '바탕', 'Batang', serif; font-size: 15px; line-height: 1.8;"
)


def lines_of(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def preview_html(text: str, kind: str) -> str:
    """The draft as an A4-like page: the first line (행정기관명 / 보고서 제목) centred and large,
    the rest as written (indentation kept)."""
    lines = text.split("\n")
    head = safe_html_text(lines[0].strip()) if lines else ""
    rest = "<br>".join(safe_html_text(ln) for ln in lines[1:])
    size = "22px" if kind == "공문" else "20px"
    return (
        f'<div class="draft-page" style="{PAGE_CSS}">'
        f'<div style="text-align:center; font-weight:bold; font-size:{size}; margin-bottom:14px;">{head}</div>'
        f'<div style="white-space: pre-wrap;">{rest}</div></div>'
    )


def show_issues(issues: list[FormatIssue]) -> None:
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    with st.container(key="format_check"):
        if not issues:
            st.success(
                "서식 검사 통과: 항목 기호, 붙임, '끝.' 표시, 두문이 규정에 맞습니다.",
                icon=":material/check_circle:",
            )
            return
        where = lambda i: f"{i.line}행: " if i.line else ""  # noqa: E731
        if errors:
            st.error(
                f"서식 오류 {len(errors)}건 — 고친 뒤 내려받으세요.\n\n"
                + "\n".join(f"- {where(i)}{i.message}" for i in errors)
            )
        if warnings:
            st.warning(
                f"확인 권장 {len(warnings)}건\n\n" + "\n".join(f"- {where(i)}{i.message}" for i in warnings)
            )


def make_draft(req: DraftRequest) -> Draft | None:
    box = st.empty()
    box.markdown(":material/hourglass_top: 근거 조문을 찾고 초안을 만드는 중…")
    draft: Draft | None = None
    streamed = ""
    for item in stream_draft(req, ctx=state.chain_context()):
        if isinstance(item, Draft):
            draft = item
        else:
            streamed += item
            box.markdown(components.safe_markdown(streamed[-1500:]) + " ▌")
    box.empty()
    return draft


def keep_draft(text: str, subject: str) -> Path:
    """Save the edited draft in ``ui.drafts_dir`` (what the 지침 점검 watches); the file's
    date is the draft's date."""
    s = state.settings()
    user = state.current_user()
    folder = Path(s.ui.drafts_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"{stamp}-{user.login if user else 'anonymous'}-{safe_name(subject)}.txt"
    path.write_text(text, encoding="utf-8")
    audit.record(s, "draft_keep", user, sources=[str(path)], detail=subject)
    return path


def show_draft(draft: Draft) -> None:
    kind = draft.request.kind
    if draft.fallback_reason:
        st.warning(draft.fallback_reason, icon=":material/power_off:")
    for note in draft.corrections:
        st.caption(f"※ {note}")
    edit, preview = st.columns(2, gap="large")
    with edit:
        st.markdown("**편집**")
        if "draft_text" not in st.session_state:  # widget state is dropped while on another page
            st.session_state["draft_text"] = st.session_state.get("draft_body", draft.text)
        text = st.text_area("초안 편집", key="draft_text", height=560, label_visibility="collapsed")
        st.session_state["draft_body"] = text
    with preview:
        st.markdown("**미리보기 (공문서 양식)**")
        st.markdown(preview_html(text, kind), unsafe_allow_html=True)
    show_issues(check_format(text, kind))
    hwpx_col, docx_col = st.columns(2)
    with hwpx_col:
        st.download_button(
            "한글(.hwpx) 내려받기",
            draft_hwpx_bytes(text, kind, draft.request.subject),
            icon=":material/download:",
            file_name=f"{safe_name(draft.request.subject)}.hwpx",
            mime=HWPX_MIME,
            key="draft_download_hwpx",
            on_click="ignore",
            type="primary",
        )
    with docx_col:
        st.download_button(
            "워드 문서로 내려받기 (.docx)",
            draft_docx_bytes(text, kind),
            icon=":material/download:",
            file_name=f"{safe_name(draft.request.subject)}.docx",
            mime=DOCX_MIME,
            key="draft_download",
            on_click="ignore",  # no rerun: the page stays as it is
        )
    if st.button(
        "초안 보관",
        icon=":material/inventory_2:",
        key="draft_keep",
        help="서버의 초안 보관함에 저장합니다. 보관한 초안이 인용한 조문이 나중에 개정되면 관리자의 '지침 점검'에 나타납니다.",
    ):
        kept = keep_draft(text, draft.request.subject)
        st.success(f"초안을 보관했습니다: {kept.name}", icon=":material/inventory_2:")
    if draft.basis:
        st.markdown("**관련 근거로 넣은 조문**")
        question = draft.request.question or draft.request.subject
        for src in draft.basis:
            components.source_expander(src, question)


st.title("초안 작성")
st.caption(
    "공문(기안문)·개조식 보고서·보도자료 초안과 정보공개 결정 통지서를 규정 양식에 맞춰 만듭니다. "
    "만든 뒤 한글(.hwpx)이나 .docx로 내려받을 수 있습니다."
)
mode = st.radio("작성할 문서", draft_modes.MODES, horizontal=True, key="d_mode")
agency, sender = draft_modes.agency_fields()
draft_modes.deadline_panel("draft")
if mode == "보도자료":
    draft_modes.press_release_page(agency)
    st.stop()
if mode == "정보공개 청구 검토":
    draft_modes.disclosure_page(agency)
    st.stop()
with st.form("draft_form"):
    kind = st.radio("문서 종류", ["공문", "보고서"], horizontal=True, key="d_kind")
    recipient = st.text_input(
        "수신", key="d_recipient", placeholder="예: ○○구청장(민원여권과장) — 비우면 내부결재"
    )
    subject = st.text_input("제목", key="d_subject", placeholder="예: 민원 처리기간 준수 협조 요청")
    points = st.text_area("요지 (한 줄에 하나씩)", key="d_points", height=120)
    question = st.text_input("관련 질문 (근거 조문 검색용, 선택)", key="d_question")
    attachments = st.text_area("붙임 (한 줄에 하나씩, 선택)", key="d_attach", height=68)
    submitted = st.form_submit_button("초안 만들기", type="primary", key="d_submit")

if submitted:
    if not subject.strip():
        st.error("제목을 입력하세요. 제목은 문서의 내용을 한눈에 알 수 있게 적습니다.")
    else:
        request = DraftRequest(
            kind=kind,
            subject=subject.strip(),
            recipient=recipient.strip(),
            key_points=lines_of(points),
            question=question.strip() or None,
            attachments=lines_of(attachments),
            agency=agency,
            sender=sender,
            groups=user.groups if (user := state.current_user()) else (),
        )
        s = state.settings()
        with audit.action(
            s,
            "draft",
            state.current_user(),
            question=request.question or request.subject,
            detail=f"{request.kind}: {request.subject}",
        ) as done:
            result = make_draft(request)
            if result is not None:
                done.sources = [src.label for src in result.basis]
                done.backend = audit.backend_of(s, result.mode)
        if result is not None:
            st.session_state["draft"] = result
            st.session_state["draft_text"] = st.session_state["draft_body"] = result.text

if st.session_state.get("draft") is not None:
    show_draft(st.session_state["draft"])
