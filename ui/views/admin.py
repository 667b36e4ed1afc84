"""관리 (admins only): corpus statistics, upload/re-index with live progress, remove a document,
system status, 지침 점검 (citations of amended articles), feedback, audit trail. The actions live in ``assistant.app.index_admin``, which refuses anyone but
an admin; a staff member who opens /admin sees the refusal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import streamlit as st

from assistant.app import index_admin as admin
from assistant.app.index_admin import IngestReport, book_status
from ui import feedback_review, state, statute_view
from ui.korean_shell import backend_label, role_label
from ui.safe_markdown import safe_markdown

TYPE_NAMES = {"statute": "법령", "guideline": "지침·문서"}
EVENT_NAMES = {
    "ask": "질의",
    "summarize": "요약",
    "draft": "초안",
    "login": "로그인",
    "login_failed": "로그인 실패",
    "logout": "로그아웃",
    "reindex": "색인",
    "delete_document": "문서 삭제",
    "denied": "거부",
    "login_unblock": "로그인 제한 해제",
    "input_rejected": "입력 거부",
    "amendment_watch": "지침 점검",
    "document_date": "문서 기준일",
    "draft_keep": "초안 보관",
    "feedback_review": "피드백 검토",
    "open_original": "원문 열람",
}
STATUS_NAMES = {"started": "시작", "complete": "완료", "stopped": "중단", "error": "오류"}


def local_time(iso: str, fmt: str = "%m-%d %H:%M") -> str:
    """ "2026-11-25T09:53:00+00:00" → "11-25 18:53" in the server's time zone."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime(fmt)
    except ValueError:
        return iso[:16]


def progress_callback(bar: st.delta_generator.DeltaGenerator):
    def update(done: int, total: int, embedded: int) -> None:
        bar.progress(done / max(total, 1), text=f"{done}/{total} 파일 처리 · 임베딩한 청크 {embedded}개")

    return update


def show_report(report: IngestReport, rejected: list[tuple[str, str]] = ()) -> None:
    """The outcome of an indexing run, failed files with their reasons."""
    with st.container(key="ingest_report"):
        failed = list(rejected) + [(Path(p).name, r) for p, r in report.failed]
        line = (
            f"색인 완료 — 추가 {len(report.added)} · 갱신 {len(report.updated)} · 변경 없음 {len(report.unchanged)}"
            f" · 삭제 {len(report.removed)} · 실패 {len(failed)} 파일 · 전체 청크 {report.chunks_total}개"
            f" ({report.seconds:.1f}초)"
        )
        (st.warning if failed else st.success)(line)
        if failed:
            st.markdown(
                "**색인하지 못한 파일** — 파일을 고치거나(암호 해제, 텍스트가 있는 원본) 다른 형식으로 다시 올리세요."
            )
            st.dataframe([{"파일": n, "이유": r} for n, r in failed], hide_index=True, width="stretch")


def run_reindex(paths: list[Path], rejected: list[tuple[str, str]] = ()) -> None:
    bar = st.progress(0.0, text="색인 준비 중…")
    try:
        report = admin.reindex(
            paths, state.settings(), user, embeddings=state.embeddings(), progress=progress_callback(bar)
        )
    except admin.AdminError as exc:
        bar.empty()
        st.error(str(exc))
        return
    st.session_state["adm_last"] = ("report", report, list(rejected))
    st.rerun()  # statistics above are recomputed; the report is shown from the session


def stats_section() -> None:
    stats = admin.corpus_stats(state.settings(), user)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("문서", f"{stats.get('files', 0):,}")
    c2.metric("청크", f"{stats.get('chunks', 0):,}")
    by_type = stats.get("files_by_type", {})
    c3.metric("법령 / 지침", f"{by_type.get('statute', 0)} / {by_type.get('guideline', 0)}")
    last = stats.get("last_indexed")
    c4.metric("마지막 색인", local_time(last) if last else "없음")
    rows = [
        {"종류": TYPE_NAMES.get(t, t), "문서": n, "청크": stats.get("chunks_by_type", {}).get(t, 0)}
        for t, n in sorted(by_type.items())
    ]
    if rows:
        st.dataframe(rows, hide_index=True, width="content")
    st.caption(
        f"색인 위치: `{stats.get('db_dir')}` · 색인 임베딩 모델: {stats.get('embedding_model') or '없음'}"
        f" · 사용 중인 세대: `{stats.get('generation') or '없음'}`"
    )
    book_section()
    if stats.get("rebuild_in_progress"):
        st.info(
            f"전체 재색인이 진행 중이거나 중단되었습니다 (세대 `{stats['rebuild_in_progress']}`). 끝날 때까지 "
            "질의는 지금 세대를 씁니다. 중단되었다면 `python -m ingest --rebuild` 로 이어서 마칩니다.",
            icon=":material/sync:",
        )


@st.fragment(run_every=10)
def book_section() -> None:
    """Progress of the background indexing of the whole statute book (``ingest.job.book``); refreshed
    every 10 s while it runs."""
    progress = book_status.read(Path(state.settings().store.db_dir))
    if progress is None:
        return
    line = progress.line()
    if progress.state == book_status.RUNNING:
        with st.container(key="book_progress"):
            st.progress(min(progress.fraction, 1.0), text=line)
            st.caption(
                "색인이 끝나면 새 색인으로 바뀝니다. 그동안 질의는 지금 색인(핵심 법령)으로 답합니다. "
                "기록: `data/logs/book-index.log`"
            )
    elif progress.state == book_status.FAILED:
        st.error(line + " — 앱을 다시 시작하면 이어서 색인합니다.", icon=":material/error:")
    else:
        st.caption(":material/check_circle: " + line)


def system_section() -> None:
    s = state.settings()
    st.markdown(f"- 임베딩 모델 (설정): `{s.embedding.model}`")
    llm = (
        s.llm.backend
        + (f" · {s.llm.model}" if s.llm.model else "")
        + (f" · {s.llm.base_url}" if s.llm.base_url else "")
    )
    st.markdown(f"- LLM 백엔드: `{llm}`")
    fresh = st.button("LLM 연결 확인", key="llm_check")
    ok, message = state.llm_state(s, fresh=fresh)
    if s.llm.backend == "none":
        st.info(f"발췌 모드: {message}")
    elif ok:
        st.success(f"LLM 서버 응답 정상 — {message}")
    else:
        st.error(
            f"LLM 서버가 응답하지 않습니다 — {message} 서버 주소(llm.base_url)와 서버 실행 상태를 확인하세요."
        )


def upload_tab() -> None:
    exts = [e.lstrip(".") for e in state.settings().ingest.extensions]
    files = st.file_uploader("새 지침 파일", type=exts, accept_multiple_files=True, key="adm_upload")
    if st.button("올리고 색인하기", type="primary", key="adm_upload_run", disabled=not files):
        result = admin.save_uploads([(f.name, f.getvalue()) for f in files], state.settings(), user)
        if result.saved:
            run_reindex(result.saved, result.rejected)
        else:
            st.error("색인할 수 있는 파일이 없습니다. 아래 이유를 확인하고 파일을 고쳐 다시 올리세요.")
            st.dataframe([{"파일": n, "이유": r} for n, r in result.rejected], hide_index=True)


def folder_tab() -> None:
    s = state.settings()
    folder = st.text_input(
        "폴더 또는 파일 경로 (서버 기준)", value=str(admin.default_reindex_folder(s)), key="adm_folder"
    )
    st.caption("바뀐 파일만 다시 임베딩하고, 폴더에서 지워진 파일은 색인에서도 지웁니다.")
    if st.button("다시 색인", type="primary", key="adm_reindex"):
        run_reindex([Path(folder.strip()).expanduser()])


def remove_tab() -> None:
    docs = admin.documents(state.settings(), user)
    if not docs:
        st.info("색인된 문서가 없습니다.")
        return
    labels = {f"{d.title} — {Path(d.path).name} ({d.n_chunks}청크)": d.path for d in docs}
    choice = st.selectbox(
        "삭제할 문서", list(labels), index=None, key="adm_remove_doc", placeholder="문서를 고르세요"
    )
    sure = st.checkbox(
        "이 문서를 색인에서 삭제합니다 (원본 파일은 업로드한 파일만 지웁니다)", key="adm_remove_ok"
    )
    if st.button("색인에서 삭제", key="adm_remove_run", disabled=not (choice and sure)):
        try:
            report = admin.remove_document(
                labels[choice], state.settings(), user, embeddings=state.embeddings()
            )
        except admin.AdminError as exc:
            st.error(str(exc))
            return
        message = (
            f"삭제했습니다: {choice} (청크 {report.chunks_deleted}개). 남은 청크 {report.chunks_total}개."
        )
        st.session_state["adm_last"] = ("removed", message, [])
        st.rerun()


def feedback_tab() -> None:
    store = state.feedback_store()
    counts = store.counts()
    st.markdown(
        f":material/thumb_up: 도움됨 {counts['up']} · :material/thumb_down: 아쉬움 {counts['down']}"
        f" · 의견 {counts['comments']}건"
    )
    recent = store.recent(30)
    if recent:
        st.dataframe(
            [
                {
                    "시각": r.created_at,
                    "평가": "도움됨" if r.rating > 0 else "아쉬움",
                    "질문": r.question,
                    "의견": r.comment,
                }
                for r in recent
            ],
            hide_index=True,
            width="stretch",
        )
    st.markdown("**피드백 검토**")
    feedback_review.review_queue(user)


def audit_tab() -> None:
    c1, c2 = st.columns(2)
    names = {"전체": None} | {name: event for event, name in EVENT_NAMES.items()}
    event = names[c1.selectbox("이벤트", list(names), key="adm_audit_event")]
    login = c2.text_input("사용자 아이디", key="adm_audit_user", placeholder="모든 사용자").strip().lower()
    entries = admin.audit_entries(state.settings(), user, 200, login=login or None, event=event)
    if not entries:
        st.info("기록이 없습니다.")
        return
    st.caption(f"최근 {len(entries)}건 (새 기록이 위). 기록은 지우거나 고칠 수 없습니다.")
    rows = [
        {
            "시각": local_time(e.ts, "%Y-%m-%d %H:%M:%S"),
            "이벤트": EVENT_NAMES.get(e.event, e.event),
            "사용자": e.user,
            "역할": role_label(e.role),
            "질문": e.question or "",
            "출처": " · ".join(e.sources),
            "백엔드": backend_label(e.backend),
            "내용": e.detail or "",
            "상태": STATUS_NAMES.get(e.status or "", ""),
        }
        for e in entries
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    if st.button("기록 무결성 검사", icon=":material/verified:", key="adm_audit_verify"):
        report = admin.audit_check(state.settings(), user)
        (st.success if report.ok else st.error)(str(report))


def watch_results(report: admin.WatchReport) -> None:
    """The flagged citations: a table, then each one's old (as of the document's date) and
    current text side by side."""
    docs = {d.path: d for d in report.documents}
    st.caption(
        f"법령 저장소 `{report.repo.path}` (커밋 {report.repo.commit[:10]}) 기준 · "
        f"점검한 문서 {len(report.documents)}건 (지침 {sum(d.kind == '지침' for d in report.documents)}"
        f" · 초안 {sum(d.kind == '초안' for d in report.documents)})"
    )
    if not report.stale:
        st.success(
            "문서 기준일 이후 개정·이동·삭제된 조문을 인용한 문서가 없습니다.", icon=":material/check:"
        )
        return
    st.warning(f"점검이 필요한 인용 {len(report.stale)}건", icon=":material/history_edu:")
    rows = [
        {
            "구분": docs[x.document].kind if x.document in docs else "",
            "문서": Path(x.document).name,
            "기준일": x.doc_date,
            "법령": x.law,
            "조문": x.article,
            "변경": x.kind + (f" → {x.moved_to}" if x.moved_to else ""),
            "변경일(공포)": x.changed_on,
        }
        for x in report.stale
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    for x in report.stale:
        where = f" → {x.moved_to}" if x.moved_to else ""
        label = f"{Path(x.document).name} · {x.law} {x.article} {x.kind}{where} ({x.changed_on})"
        with st.expander(safe_markdown(label)):  # a file name is document text
            path = x.document.replace("`", "'")
            st.caption(f"문서 `{path}` · 기준일 {x.doc_date} · 바뀐 커밋 {x.commit[:10]}")
            statute_view.comparison(
                x.old_text, x.new_text, f"문서 작성 당시 ({x.doc_date})", f"현재 ({x.moved_to or x.article})"
            )
    st.page_link(
        statute_view.COMPARE_PAGE, label="신구조문 대비 화면에서 다른 판과 비교", icon=":material/compare:"
    )


def run_watch() -> None:
    try:
        st.session_state["adm_watch"] = admin.amendment_watch(state.settings(), user)
    except admin.AdminError as exc:
        st.session_state["adm_watch"] = str(exc)


def watch_tab() -> None:
    st.caption(
        "색인된 지침과 보관된 초안이 인용한 조문 중, 문서 기준일 이후 개정·이동·삭제된 조문을 찾습니다. "
        "기준일은 관리자가 정한 날짜, 없으면 파일 수정일입니다."
    )
    st.button("지침 점검 실행", icon=":material/fact_check:", key="adm_watch_run", on_click=run_watch)
    result = st.session_state.get("adm_watch")
    if isinstance(result, str):
        st.error(result)
        return
    if result is None:
        return
    watch_results(result)
    st.markdown("**문서 기준일 지정**")
    labels = {
        f"[{d.kind}] {Path(d.path).name} — 기준일 {d.date} ({d.date_source})": d for d in result.documents
    }
    choice = st.selectbox("문서", list(labels), index=None, key="adm_date_doc", placeholder="문서를 고르세요")
    day = st.date_input("기준일", value=None, key="adm_date_value", format="YYYY-MM-DD")
    c1, c2 = st.columns(2)
    if c1.button("기준일 저장", key="adm_date_save", disabled=not (choice and day)):
        set_date(labels[choice].path, day.isoformat())  # type: ignore[union-attr]
    if c2.button("지정 해제", key="adm_date_clear", disabled=not choice):
        set_date(labels[choice].path, None)  # type: ignore[index]


def set_date(document: str, day: str | None) -> None:
    try:
        admin.set_document_date(state.settings(), user, document, day)
    except admin.AdminError as exc:
        st.error(str(exc))
        return
    run_watch()  # the list follows the new date at once
    st.rerun()


def throttle_tab() -> None:
    entries = admin.login_throttles(state.settings(), user)
    if not entries:
        st.info("로그인 실패로 제한된 아이디나 접속지가 없습니다.")
        return
    now = state.clock()
    kinds = {"pair": "아이디·접속지", "account": "아이디", "client": "접속지"}
    rows = [
        {
            "구분": kinds.get(e.key.split(":", 1)[0], ""),
            "대상": e.key.split(":", 1)[-1],
            "실패 횟수": e.failures,
            "마지막 실패": datetime.fromtimestamp(e.last_failure).strftime("%m-%d %H:%M:%S"),
            "남은 대기(초)": max(0, round(e.blocked_until - now)),
        }
        for e in entries
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    key = st.selectbox("해제할 대상", [e.key for e in entries], key="adm_throttle_key")
    c1, c2 = st.columns(2)
    if c1.button("선택 해제", key="adm_throttle_clear"):
        admin.clear_login_throttle(state.settings(), user, key)
        st.rerun()
    if c2.button("모두 해제", key="adm_throttle_clear_all"):
        admin.clear_login_throttle(state.settings(), user, None)
        st.rerun()


user = state.current_user()
st.title("관리")
try:
    admin.require_admin(user, state.settings(), "admin_page")
except admin.AdminError as refused:
    st.error(str(refused))
    st.stop()

st.subheader("색인 현황")
stats_section()
st.subheader("시스템")
system_section()
st.subheader("작업")
last = st.session_state.pop("adm_last", None)
if last and last[0] == "report":
    show_report(last[1], last[2])
elif last:
    st.success(last[1])
upload, folder, remove, watch, feedback, audit_log, throttles = st.tabs(
    ["지침 올리기", "폴더 다시 색인", "문서 삭제", "지침 점검", "피드백", "감사 기록", "로그인 제한"]
)
with upload:
    upload_tab()
with folder:
    folder_tab()
with remove:
    remove_tab()
with watch:
    watch_tab()
with feedback:
    feedback_tab()
with audit_log:
    audit_tab()
with throttles:
    throttle_tab()
