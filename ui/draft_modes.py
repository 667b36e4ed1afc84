"""초안 작성 modes beyond 공문/보고서: 보도자료, 정보공개 청구 검토 (workbench), and the 기한 계산
panel shown on both. Thin Streamlit adapters over ``assistant.chains.press_release``,
``assistant.chains.info_disclosure`` and ``assistant.chains.deadlines``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

import streamlit as st

from assistant.app import draft_profile
from assistant.app.draft import (
    PROPOSAL_NOTE,
    DisclosureReview,
    HolidayCalendar,
    PressRelease,
    PressRequest,
    WorkingHours,
    draft_press_release,
    info_disclosure_deadline,
    petition_deadline,
    review_request,
)
from assistant.app.index_admin import safe_name
from ui import audit, components, state

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HWPX_MIME = "application/hwp+zip"
MODES = ("공문·보고서", "보도자료", "정보공개 청구 검토")


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def _calendar() -> tuple[HolidayCalendar, WorkingHours, int]:
    d = state.settings().deadlines
    cal = HolidayCalendar.of(d.extra_holidays, d.removed_holidays)
    return cal, WorkingHours(d.work_start, d.work_end, d.lunch_start, d.lunch_end), d.immediate_hours


def downloads(name: str, hwpx: bytes, docx: bytes, key: str) -> None:
    """한글(.hwpx) and 워드(.docx) download buttons side by side."""
    left, right = st.columns(2)
    with left:
        st.download_button("한글(.hwpx) 내려받기", hwpx, file_name=f"{safe_name(name)}.hwpx", mime=HWPX_MIME,
                           icon=":material/download:", key=f"{key}_hwpx", on_click="ignore", type="primary")  # fmt: skip
    with right:
        st.download_button("워드 문서로 내려받기 (.docx)", docx, file_name=f"{safe_name(name)}.docx", mime=DOCX_MIME,
                           icon=":material/download:", key=f"{key}_docx", on_click="ignore")  # fmt: skip


def agency_fields() -> tuple[str, str]:
    """행정기관명 and 발신 명의 of every draft on the page, prefilled with what this user used
    last (remembered per user), else ``chains.draft_agency``; (agency, sender)."""
    s = state.settings()
    user = state.current_user()
    login = user.login if user else ""
    if "d_agency" not in st.session_state:
        saved = draft_profile.load(s.ui.draft_profiles_file, login)
        st.session_state["d_agency"] = saved.agency or s.chains.draft_agency
        st.session_state["d_sender"] = saved.sender
    left, right = st.columns(2)
    agency = left.text_input("행정기관명", key="d_agency", help="공문 맨 위와 보도자료·통지서에 들어갑니다.")
    sender = right.text_input(
        "발신 명의", key="d_sender", placeholder=f"비우면 {(agency.strip() or s.chains.draft_agency)}장"
    )
    if login:  # the configured default is not pinned: a later change of it still reaches the user
        mine = "" if agency.strip() == s.chains.draft_agency else agency.strip()
        draft_profile.save(s.ui.draft_profiles_file, login, draft_profile.DraftProfile(mine, sender.strip()))
    return agency.strip(), sender.strip()


def editable(label: str, text: str, key: str) -> str:
    """An editable text box like the 공문 editor: starts from `text` (a new draft replaces the
    edits), keeps the user's edits across reruns; the edited text."""
    if st.session_state.get(f"{key}_source") != text:
        st.session_state[f"{key}_source"] = text
        st.session_state[key] = text
    return st.text_area(label, height=420, key=key)


def deadline_panel(key: str) -> None:
    """기한 계산: 정보공개 결정기한 (연장 포함) and 민원 처리기한 by 처리기간 type."""
    with st.expander("기한 계산 (정보공개법 제11조·제29조, 민원처리법 제19조, 민법 제157조·제161조)"):
        cal, wh, immediate = _calendar()
        kind = st.radio("종류", ["정보공개 결정", "민원 처리"], horizontal=True, key=f"{key}_dl_kind")
        unit = "일"
        if kind == "민원 처리":  # outside the form: it decides which fields the form has
            unit = st.selectbox("처리기간 단위", ["일", "시간", "즉시", "주", "월"], key=f"{key}_dl_unit")
        # A form: Enter in a field (or the button) computes at once with what was typed, instead
        # of the old result staying until the field loses focus.
        with st.form(f"{key}_dl_form", border=False):
            day = st.date_input("접수일", value=date.today(), key=f"{key}_dl_date", format="YYYY.MM.DD")
            at, amount = time(10, 0), 0
            if kind == "민원 처리":
                at = st.time_input("접수 시각", value=time(10, 0), key=f"{key}_dl_time")
                if unit != "즉시":
                    amount = int(st.number_input("처리기간", 1, 365, 7, key=f"{key}_dl_amount"))
            st.form_submit_button("기한 계산", icon=":material/event:", key=f"{key}_dl_submit")
        if kind == "정보공개 결정":
            base = info_disclosure_deadline(day, cal)
            ext = info_disclosure_deadline(day, cal, extended=True)
            st.markdown(f"**결정 기한: {base.label}** · 연장 시 {ext.label}")
            st.caption("\n".join(f"- {s}" for s in ext.steps))
            return
        result = petition_deadline(
            datetime.combine(day, at), amount, unit, cal, wh, immediate_hours=immediate
        )
        st.markdown(f"**처리 기한: {result.label}** ({result.rule})")
        st.caption("\n".join(f"- {s}" for s in result.steps))


def press_release_page(agency: str = "") -> None:
    with st.form("press_form"):
        title = st.text_input("제목", key="p_title", placeholder="예: ○○시, 정보공개 처리기간 단축 추진")
        subtitles = st.text_area("부제 (한 줄에 하나씩)", key="p_sub", height=68)
        embargo = st.text_input("보도 시점 (엠바고)", key="p_embargo", value="즉시 보도")
        c1, c2, c3 = st.columns(3)
        department = c1.text_input("담당 부서", key="p_dept")
        person = c2.text_input("담당자", key="p_person")
        phone = c3.text_input("연락처", key="p_phone")
        points = st.text_area(
            "핵심 내용 (한 줄에 하나씩, '요지 : 세부'로 세부 내용)", key="p_points", height=120
        )
        question = st.text_input("관련 근거 검색어 (선택)", key="p_question")
        attachments = st.text_area("붙임 (한 줄에 하나씩, 선택)", key="p_attach", height=68)
        submitted = st.form_submit_button("보도자료 만들기", type="primary")
    if submitted:
        if not title.strip():
            st.error("제목을 입력하세요.")
        else:
            req = PressRequest(title.strip(), _lines(subtitles), embargo.strip(), department.strip(), person.strip(),
                               phone.strip(), _lines(points), question.strip() or None, _lines(attachments),
                               agency=agency, groups=user.groups if (user := state.current_user()) else ())  # fmt: skip
            with st.spinner("근거를 찾고 보도자료를 만드는 중…"):
                release = draft_press_release(req, state.chain_context())
            st.session_state["press"] = release
            s = state.settings()
            audit.record(s, "draft", state.current_user(), question=req.title,
                         sources=[x.label for x in release.sources], backend=audit.backend_of(s, release.mode),
                         detail=f"보도자료: {req.title}")  # fmt: skip
    release: PressRelease | None = st.session_state.get("press")
    if release is None:
        return
    if release.fallback_reason:
        st.warning(release.fallback_reason, icon=":material/power_off:")
    edited = replace(release, text=editable("보도자료 초안 (고칠 수 있습니다)", release.text, "press_text"))
    downloads(release.title, edited.to_hwpx(), edited.to_docx(), "press_download")
    for src in release.sources:
        components.source_expander(src, release.request.question or release.title)


def disclosure_page(agency: str = "") -> None:
    with st.form("disclosure_form"):
        request = st.text_area(
            "청구 내용 (항목마다 한 줄, 번호를 붙이면 항목별로 검토합니다)", key="i_request", height=140
        )
        c1, c2 = st.columns(2)
        received = c1.date_input("접수일", value=date.today(), key="i_received", format="YYYY.MM.DD")
        applicant = c2.text_input("청구인 (선택)", key="i_applicant")
        files = st.file_uploader(
            "청구 관련 문서 (선택, .txt)", type=["txt"], accept_multiple_files=True, key="i_files"
        )
        submitted = st.form_submit_button("검토하고 통지서 만들기", type="primary")
    if submitted:
        if not request.strip():
            st.error("정보공개 청구 내용을 입력하세요.")
        else:
            attached = [f.getvalue().decode("utf-8", errors="replace") for f in files or []]
            cal, _, _ = _calendar()
            with st.spinner("비공개 사유 조문을 찾는 중…"):
                review = review_request(request, received, state.chain_context(), cal=cal, attachments=attached,
                                        applicant=applicant.strip(), agency=agency)  # fmt: skip
            st.session_state["disclosure"] = review
            audit.record(state.settings(), "draft", state.current_user(), question=request[:200],
                         sources=[s.label for s in review.sources], backend="규칙 기반",
                         detail=f"정보공개 검토: {review.decision}")  # fmt: skip
    review: DisclosureReview | None = st.session_state.get("disclosure")
    if review is None:
        return
    st.info(PROPOSAL_NOTE, icon=":material/gavel:")
    st.markdown(
        f"**제안: {review.decision}** · 결정 기한 **{review.deadline.label}** (연장 시 {review.extended.label})"
    )
    rows = [
        {"항목": f"{i.n}. {i.text}", "제안": i.decision,
         "근거": ", ".join(f"제9조제1항제{g}호" for g in i.grounds) + (" · 개인정보 보호법" if i.privacy else ""),
         "판단 단서": ", ".join(i.triggers)}
        for i in review.items
    ]  # fmt: skip
    st.dataframe(rows, hide_index=True, key="disclosure_items")
    edited = replace(
        review, notice=editable("결정 통지서 초안 (고칠 수 있습니다)", review.notice, "disclosure_notice")
    )
    downloads("정보공개 결정 통지서", edited.to_hwpx(), edited.to_docx(), "notice_download")
    for src in review.sources:
        components.source_expander(src, "비공개 대상 정보")
