"""Rendering helpers shared by the pages: status line, error messages, sources, answers."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from assistant.app.ask import (
    Answer,
    EmbeddingMismatchError,
    IndexMissingError,
    Source,
    highlight,
    question_weights,
)
from ingest.core.settings import Settings
from ui import original, state, statute_view
from ui.safe_markdown import safe_html_text, safe_markdown

__all__ = ["safe_markdown"]  # the pages render LLM and document text through it

log = logging.getLogger("ui")

ADMIN_PAGE = "views/admin.py"
SOURCE_CSS = (
    "white-space: pre-wrap; line-height: 1.7; font-size: 0.95rem; padding: 0.6rem 0.8rem;"
    " border-left: 3px solid #d0d7de; background: rgba(127,127,127,0.05);"
)
MARK_CSS = "background: #fff3a3; color: inherit; padding: 0 2px;"


# --- status and errors --------------------------------------------------------------------------


def status_line(s: Settings) -> None:
    """Which answer mode is live: a generating LLM, or extractive (발췌)."""
    ok, message = state.llm_state(s)
    backend = (s.llm.backend or "none").strip().lower()
    with st.container(key="status_line"):
        if backend == "none":
            st.caption(f":orange-badge[:material/article: 발췌 모드] {message}")
        elif ok:
            st.caption(f":green-badge[:material/check_circle: 생성형 LLM 연결됨] {message}")
        else:
            st.caption(
                f":red-badge[:material/cloud_off: LLM 연결 안 됨 · 발췌 모드로 동작 중] {message} "
                "관리자에게 LLM 서버 상태 확인을 요청하세요."
            )


def index_missing(exc: Exception) -> None:
    st.error(f"검색할 색인이 없습니다. {exc}", icon=":material/folder_off:")
    user = state.current_user()
    if user is None or not user.is_admin:
        st.info("관리자에게 법령·지침 색인을 요청한 뒤 다시 시도하세요.")
        return
    st.info("**관리** 페이지에서 법령·지침 폴더를 색인하거나 파일을 올린 뒤 다시 시도하세요.")
    st.page_link(ADMIN_PAGE, label="관리 페이지로 이동", icon=":material/admin_panel_settings:")


def unexpected(exc: BaseException, what: str) -> None:
    log.exception("UI error while %s", what, exc_info=exc)
    st.error(
        f"{what} 중 예기치 않은 오류가 발생했습니다 ({type(exc).__name__}). "
        "페이지를 새로 고친 뒤 다시 시도하고, 계속되면 관리자에게 이 화면의 시각과 함께 알려 주세요.",
        icon=":material/error:",
    )


@contextmanager
def guard(what: str = "화면 표시") -> Iterator[None]:
    """Show errors as Korean messages with a next step, never as a stack trace (details go to
    the server log)."""
    try:
        yield
    except (StopException, RerunException):
        raise
    except IndexMissingError as exc:
        index_missing(exc)
    except EmbeddingMismatchError as exc:
        st.error(f"색인과 임베딩 모델 설정이 맞지 않습니다. {exc}", icon=":material/sync_problem:")
        st.info(
            "관리자가 **관리** 페이지에서 '처음부터 다시 색인'을 실행하거나 설정을 색인에 맞추면 해결됩니다."
        )
    except Exception as exc:
        unexpected(exc, what)


# --- sources ------------------------------------------------------------------------------------


def highlight_html(text: str, highlights: Sequence[str]) -> str:
    """`text` as HTML (escaped, line breaks kept) with the `highlights` sentences in <mark>."""
    marks = [safe_html_text(h.strip()) for h in highlights if h.strip()]
    lines = []
    for line in text.split("\n"):
        escaped = safe_html_text(line)
        for mark in marks:
            if mark in escaped:
                escaped = escaped.replace(mark, f'<mark style="{MARK_CSS}">{mark}</mark>', 1)
        lines.append(escaped)
    return "<br>".join(lines)


def source_facts(meta: dict) -> list[tuple[str, str]]:
    """(label, value) pairs shown above a source's text."""
    facts: list[tuple[str, str]] = []
    if meta.get("law_title"):
        facts.append(("법령", str(meta["law_title"])))
        if meta.get("article"):
            title = f"({meta['article_title']})" if meta.get("article_title") else ""
            facts.append(("조문", f"{'부칙 ' if meta.get('is_addendum') else ''}{meta['article']}{title}"))
        if meta.get("effective_date"):
            facts.append(("시행일", str(meta["effective_date"])))
    else:
        facts.append(("문서", str(meta.get("doc_title") or "")))
        if meta.get("section_path"):
            facts.append(("위치", str(meta["section_path"])))
        if isinstance(meta.get("page"), int) and meta["page"] > 0:
            facts.append(("쪽", str(meta["page"])))
        if meta.get("is_table"):
            facts.append(("표", str(meta.get("table_caption") or "표")))
    if meta.get("ocr"):  # text read from an image: may contain recognition errors
        facts.append(
            ("OCR", f"스캔·사진에서 인식한 글자 (신뢰도 {float(meta.get('ocr_confidence', 0)):.0f}점)")
        )
    if meta.get("source"):
        facts.append(("파일", Path(str(meta["source"])).name))
    return facts


def source_highlights(source: Source, question: str, n: int) -> tuple[str, ...]:
    """The sentences to highlight: those the chain chose, else the chain's pick for `question`."""
    if source.highlights or not question:
        return source.highlights
    return highlight(source, question_weights(question), n).highlights


def source_expander(source: Source, question: str, *, label: str | None = None, key: str = "") -> None:
    """One source: label in the header (with "최근 개정 (날짜)" when its article was amended
    lately); its law, article, 시행일 and file, then the full text with the relevant sentences
    highlighted, and for an amended article a toggle that shows the 신구조문 대비."""
    s = state.settings()
    user = state.current_user()
    change = statute_view.recent_change(source.metadata, user.groups if user else (), s)
    ocr_mark = " · OCR" if source.metadata.get("ocr") else ""
    recent_mark = f" · 최근 개정 ({change.day})" if change else ""
    with st.expander((label or f"[{source.n}] {source.label}") + ocr_mark + recent_mark):
        facts = source_facts(source.metadata)
        st.caption(" · ".join(f"**{k}** {v}" for k, v in facts))
        if change and st.toggle(
            f"최근 개정 ({change.day}) — 신구조문 대비 보기",
            key=f"recent_{key}_{source.chunk_id}",
            help="개정 전 조문과 지금 조문을 나란히 보여 줍니다. 바뀐 글자는 색으로 표시됩니다.",
        ):
            statute_view.show_recent(change)
        marks = source_highlights(source, question, s.chains.highlight_sentences)
        body = highlight_html(state.full_source_text(source, s), marks)
        st.markdown(f'<div class="source-text" style="{SOURCE_CSS}">{body}</div>', unsafe_allow_html=True)
        original.source_original(source, marks, original.source_key(source, key, label or "", question))


# --- answers ------------------------------------------------------------------------------------


def answer_notes(answer: Answer) -> None:
    if answer.fallback_reason:
        st.warning(answer.fallback_reason, icon=":material/power_off:")
    for note in answer.corrections:
        st.caption(f"※ 인용 검사: {note}")
    for note in answer.warnings:
        st.caption(f"※ {note}")


def render_answer(answer: Answer, key: str) -> None:
    """An answer with its numbered sources; "근거 없음" answers look different (warning box,
    candidates marked as unconfirmed)."""
    question = answer.standalone_question or answer.question
    if answer.no_evidence:
        with st.container(border=True, key=f"noevidence_{key}"):
            st.markdown("##### :material/search_off: 근거 없음")
            st.warning(safe_markdown(answer.text.split("\n\n", 1)[0]), icon=":material/search_off:")
            if answer.candidates:
                st.caption("가까운 후보 조문 — 근거로 확인되지 않았으니 직접 확인하세요.")
                for c in answer.candidates:
                    source_expander(c, question, label=f"후보 · {c.label}", key=f"{key}c")
        answer_notes(answer)
        return
    with st.container(key=f"answer_{key}"):
        st.markdown(safe_markdown(answer.text))
        badge = "생성 답변" if answer.mode == "generated" else "발췌 답변 (LLM 미사용)"
        st.caption(f"{badge} · 출처 {len(answer.sources)}건")
        answer_notes(answer)
        if answer.sources:
            st.markdown("**출처**")
            for src in answer.sources:
                source_expander(src, question, key=key)
        if answer.candidates:
            st.caption("검색되었으나 인용되지 않은 조문")
            for c in answer.candidates:
                source_expander(c, question, label=f"참고 · {c.label}", key=f"{key}c")
        with st.expander("답변 복사", icon=":material/content_copy:"):
            st.caption("오른쪽 위의 복사 아이콘을 누르면 답변과 출처가 클립보드에 복사됩니다.")
            st.code(answer.to_markdown(), language="markdown", wrap_lines=True)
