"""문서 요약: an indexed document or an uploaded file → structured summary (markdown download)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import streamlit as st

from assistant.app.ask import IndexMissingError
from assistant.app.index_admin import safe_name
from assistant.app.summarise import (
    FACT_NAMES,
    DocumentNotFoundError,
    LoaderError,
    Summary,
    UploadedFile,
    UploadOutsideError,
    indexed_documents,
    stream_summary,
)
from assistant.security.guard import InputRejected, check_upload
from ui import audit, components, downloads, state

UPLOAD_TYPES = ["pdf", "hwpx", "hwp", "docx", "txt", "md", "png", "jpg", "jpeg", "tif", "tiff"]
INDEXED, UPLOADED = "색인된 문서", "파일 올리기"
SUMMARY_UPLOADS = ".summary"  # under ui.upload_dir; never indexed (ingest skips dot folders)


def unreadable(reason: str) -> None:
    st.error(
        f"파일을 읽지 못했습니다: {reason}. 암호가 걸린 문서나 글자를 알아볼 수 없는 스캔·사진은 읽을 수 없습니다 — "
        "원본 파일(한글/워드/PDF)이나 더 선명한 스캔으로 다시 올려 주세요."
    )


def run_summary(target: str | UploadedFile, label: str, done: audit.Outcome) -> Summary | None:
    """Summarise with a live status box (progress bar while an LLM works through the pieces)."""
    settings = state.settings()
    started = time.perf_counter()
    with st.status(f"'{label}' 요약 중…", expanded=True) as status:
        bar = st.progress(0.0, text="문서를 읽고 구간을 나누는 중…")
        live = st.empty()

        def progress(done: int, total: int) -> None:
            bar.progress(done / max(total, 1), text=f"구간 요약 {done}/{total}")

        summary: Summary | None = None
        streamed = ""
        try:
            user = state.current_user()
            groups = user.groups if user else ()
            for item in stream_summary(
                target, ctx=state.chain_context(settings), progress=progress, groups=groups
            ):
                if isinstance(item, Summary):
                    summary = item
                else:
                    streamed += item
                    live.markdown(components.safe_markdown(streamed[-1500:]) + " ▌")
        except LoaderError as exc:
            status.update(label="파일을 읽지 못했습니다", state="error")
            unreadable(exc.reason)
            done.detail = f"읽기 실패: {exc.kind}"
            return None
        except (DocumentNotFoundError, UploadOutsideError) as exc:
            status.update(label="문서를 찾지 못했습니다", state="error")
            st.error(f"{exc} 목록에서 다시 고르거나 관리 페이지에서 색인 상태를 확인하세요.")
            return None
        live.empty()
        bar.progress(1.0, text="완료")
        status.update(
            label=f"요약 완료 ({time.perf_counter() - started:.1f}초)", state="complete", expanded=False
        )
    return summary


def show_summary(summary: Summary) -> None:
    with st.container(key="summary_result"):
        st.subheader(f"{summary.title} 요약")
        note = (
            "생성 요약"
            if summary.mode == "generated"
            else "발췌 요약 (LLM 미사용: 문서의 문장을 그대로 골랐습니다)"
        )
        st.caption(f"{note} · 출처: {summary.origin or '색인'}")
        if summary.fallback_reason:
            st.warning(summary.fallback_reason, icon=":material/power_off:")
        if summary.kind:  # 제안요청서·공고·계획: what the document is, first
            st.markdown(f"#### 사업 개요 ({summary.kind})")
            st.caption("본문과 표에서 규칙으로 찾은 값입니다. 빈 항목은 원문에서 확인하세요.")
            found = {f.name: f for f in summary.facts}
            facts = [
                {"항목": n, "값": found[n].value if n in found else "(찾지 못함)",
                 "위치": found[n].location if n in found else ""}
                for n in FACT_NAMES
            ]  # fmt: skip
            st.dataframe(facts, hide_index=True, width="stretch")
        st.markdown("#### 핵심 요약")
        st.markdown(
            "\n".join(f"- {components.safe_markdown(p)}" for p in summary.key_points)
            or "(요약할 문장을 찾지 못했습니다)"
        )
        if summary.sections:
            st.markdown("#### 구간별 주요 내용")
            for sec in summary.sections:
                head = sec.title + (
                    f" ({sec.location})" if sec.location and sec.location != sec.title else ""
                )
                with st.expander(head):
                    st.markdown(
                        "\n".join(f"- {components.safe_markdown(p)}" for p in sec.points) or "(내용 없음)"
                    )
        if summary.findings:
            st.markdown("#### 의무·기한·금액·대상")
            st.caption("본문에서 규칙으로 찾은 문장입니다(원문 그대로).")
            rows = [
                {"구분": f.kind, "표현": f.match, "문장": f.text, "위치": f.location}
                for f in summary.findings
            ]
            st.dataframe(rows, hide_index=True, width="stretch")
        if summary.addenda:
            st.markdown("#### 부칙 (시행일·경과조치)")
            st.markdown("\n".join(f"- {components.safe_markdown(a)}" for a in summary.addenda))
        user = state.current_user()
        if user is not None:  # served by the gate to this tab and session only (ui.downloads)
            content = summary.to_markdown().encode("utf-8")
            offer = downloads.Offer(f"{safe_name(summary.title)}_요약.md", "text/markdown", lambda _: content)
            downloads.download_button(
                "요약 내려받기 (.md)", offer, user, icon=":material/download:", key="summary_download"
            )


st.title("문서 요약")
st.caption("긴 법령·지침·보고서를 핵심 요약, 구간별 주요 내용, 의무·기한·금액·대상으로 정리합니다.")
mode = st.radio("요약할 문서", [INDEXED, UPLOADED], horizontal=True, key="sum_mode")
chosen: str | None = None
upload = None
if mode == INDEXED:
    user = state.current_user()
    titles = indexed_documents(ctx=state.chain_context(), groups=user.groups if user else ())
    if not titles:
        st.info("색인된 문서가 없습니다. **파일 올리기**를 고르거나 관리 페이지에서 문서를 색인하세요.")
    else:
        chosen = st.selectbox("문서", titles, key="sum_doc", index=None, placeholder="문서를 고르세요")
else:
    limit = state.settings().ingest.max_file_mb
    upload = st.file_uploader(
        f"파일 (PDF, HWPX, HWP, DOCX, TXT, 사진·스캔 이미지 PNG/JPG/TIFF · 최대 {limit:g}MB)",
        type=UPLOAD_TYPES,
        key="sum_upload",
    )


def summarize_upload(name: str, data: bytes, done: audit.Outcome) -> Summary | None:
    """Check the upload by content, keep it in a private folder under the upload directory for
    the length of the run, and summarise it."""
    s = state.settings()
    try:
        check_upload(name, data, s)  # by content: name, size, type, pages, zip bomb
    except InputRejected as exc:
        unreadable(exc.reason)
        done.detail = f"거부: {exc.kind}"
        audit.record(
            s, "input_rejected", state.current_user(), sources=[name], detail=f"요약 업로드: {exc.kind}"
        )
        return None
    folder = Path(s.ui.upload_dir) / SUMMARY_UPLOADS
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        path = Path(tmp) / safe_name(name)
        path.write_bytes(data)
        return run_summary(UploadedFile(path, name), name, done)


if st.button("요약하기", type="primary", key="sum_run", disabled=not (chosen or upload)):
    result: Summary | None = None
    s = state.settings()
    label = upload.name if upload is not None else chosen
    with audit.action(s, "summarize", state.current_user(), question=None, detail=f"대상: {label}") as done:
        if upload is not None:
            result = summarize_upload(upload.name, upload.getvalue(), done)
        elif chosen:
            try:
                result = run_summary(chosen, chosen, done)
            except IndexMissingError as exc:
                components.index_missing(exc)
        if result is not None:
            done.sources = [result.title]
            done.backend = audit.backend_of(s, result.mode)
            done.detail = f"출처: {result.origin or '색인'}"
    st.session_state["summary"] = result  # a failed run clears the previous summary

if st.session_state.get("summary") is not None:
    show_summary(st.session_state["summary"])
