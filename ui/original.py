"""원문 보기: the original behind a citation, opened from any source (a dialog), and a download
of the original file. Both go through the retriever with the user's access groups
(``assistant.app.original.access``); no server path reaches the page."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from assistant.app.ask import IndexMissingError, Source
from assistant.app.original.access import (
    OriginalFile,
    OriginalUnavailable,
    cited_chunk,
    open_view,
    original_file,
    read_original,
)
from assistant.app.original.locate import Span
from assistant.app.original.pdf_page import (
    PageImage,
    PageRenderError,
    best_page,
    image_png,
    page_count,
    render_page,
)
from assistant.app.original.plan import OriginalView
from assistant.security.auth import User
from ui import audit, downloads, state
from ui.safe_markdown import safe_html_text, safe_markdown

PAGE_KEY = "original_page"  # the page image's container (st-key-original_page in the page)
TEXT_CSS = (
    "white-space: pre-wrap; line-height: 1.7; font-size: 0.95rem; padding: 0.6rem 0.8rem;"
    " max-height: 65vh; overflow-y: auto; border-left: 3px solid #d0d7de;"
)
PASSAGE_CSS = "background: #fff3a3; color: inherit; padding: 0 2px;"
MARK_CSS = "background: #ffc966; color: inherit; padding: 0 2px; font-weight: 600;"


def _groups() -> tuple[str, ...]:
    user = state.current_user()
    return tuple(user.groups) if user else ()


def marked_html(text: str, spans: Sequence[Span], strong: Sequence[Span] = ()) -> str:
    """`text` as escaped HTML (line breaks kept) with `spans` and, more strongly, `strong` in
    <mark>; a strong span inside a passage span splits it."""
    level = [0] * len(text)
    for value, ranges in ((1, spans), (2, strong)):
        for a, b in ranges:
            for i in range(max(a, 0), min(b, len(text))):
                level[i] = max(level[i], value)
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and level[j] == level[i]:
            j += 1
        piece = safe_html_text(text[i:j]).replace("\n", "<br>")
        if level[i]:
            css = MARK_CSS if level[i] == 2 else PASSAGE_CSS
            piece = f'<mark class="original-mark" style="{css}">{piece}</mark>'
        out.append(piece)
        i = j
    return "".join(out)


def _offer(chunk_id: str, file: OriginalFile) -> downloads.Offer:
    """The original behind `chunk_id`, for the user as they are when the file is fetched (the
    gate passes the user the accounts file shows then; the index may have changed too)."""
    s = state.settings()

    def produce(user: User) -> bytes:
        try:
            return read_original(state.retriever(s), chunk_id, user.groups)[1]
        except OriginalUnavailable as exc:
            raise downloads.DownloadRefused(str(exc)) from exc

    def record(event: str) -> Callable[[User], None]:
        return lambda user: audit.record(s, event, user, sources=[file.name], detail="원본 내려받기")

    return downloads.Offer(
        file.name, file.mime, produce, served=record("open_original"), denied=record("denied")
    )


def download_button(source: Source, file: OriginalFile, key: str) -> None:
    user = state.current_user()
    if user is None:
        return
    downloads.download_button(
        f"원본 내려받기 ({safe_markdown(file.name)})",
        _offer(source.chunk_id, file),
        user,
        icon=":material/download:",
        key=f"{key}_download",
    )


def source_original(source: Source, marks: Sequence[str], key: str) -> None:
    """Under a source: the original file's name, "원문 보기" and "원본 내려받기" — only when the user
    may see the cited chunk and the index knows its file."""
    try:
        r = state.retriever()
        file = original_file(r, cited_chunk(r, source.chunk_id, _groups()))
    except IndexMissingError:
        return
    except OriginalUnavailable as exc:
        st.caption(safe_markdown(f"원문: {exc}"))
        return
    with st.container(horizontal=True, gap="small"):
        if st.button("원문 보기", icon=":material/open_in_new:", key=f"{key}_open"):
            viewer(source, tuple(marks))
        download_button(source, file, key)


OCR_NOTE = (
    "스캔(OCR)한 쪽이라 원문 그림에서 인용 위치를 표시할 수 없습니다. 인식한 글자는 아래에서 확인하세요."
)


def page_note(view: OriginalView, page: int, image: PageImage) -> str | None:
    """What to tell about the highlight on the page shown (None: the passage is marked whole)."""
    if page != view.page:
        if image.highlighted:
            return f"{view.page}쪽에서 이어지는 인용 부분을 강조했습니다."
        return f"인용 부분은 {view.page}쪽에 있습니다."
    if not image.highlighted:
        if view.ocr or not image.has_text:
            return OCR_NOTE
        return "이 쪽에서 인용 부분의 위치를 찾지 못했습니다. 색인된 글자는 아래에서 확인하세요."
    if view.ocr:
        return "스캔(OCR)한 쪽이라 인식한 글자와 맞는 곳만 강조했습니다."
    if image.found < 0.6:
        return "인용 부분 중 이 쪽에서 찾은 곳만 강조했습니다 (다음 쪽에 이어질 수 있습니다)."
    return None


def _pdf(view: OriginalView, file: OriginalFile, key: str) -> None:
    ui = state.settings().ui
    pages = page_count(file.path)
    page = best_page(file.path, view.page, view.passage) if 1 <= view.page <= pages else 1
    if pages > 1:
        page = int(st.number_input("쪽", 1, pages, value=page, step=1, key=f"{key}_page_no", width=160))
    image = render_page(file.path, page, view.passage, view.marks, ui.original_scale, ui.original_max_side)
    with st.container(key=PAGE_KEY):
        st.image(
            image.png,
            caption=f"{file.name} · {page}/{image.pages}쪽",
            alt=f"원문 {page}쪽" + (" (인용 부분 강조)" if image.highlighted else ""),
            output_format="PNG",  # text stays sharp (Streamlit would re-encode it as JPEG)
        )
    note = page_note(view, page, image)
    if note:
        st.info(note, icon=":material/info:")
    with st.expander("색인된 글자"):
        st.markdown(f'<div style="{TEXT_CSS}">{marked_html(view.passage, [])}</div>', unsafe_allow_html=True)


def _text(view: OriginalView) -> None:
    if view.cut:
        st.caption("구역이 길어 인용 부분 앞뒤만 보여 줍니다.")
    body = marked_html(view.text, view.spans, view.mark_spans)
    st.markdown(f'<div class="original-text" style="{TEXT_CSS}">{body}</div>', unsafe_allow_html=True)


def render_original(source: Source, marks: Sequence[str], key: str = "original") -> None:
    """The viewer's content for `source` (what the dialog shows)."""
    s = state.settings()
    user = state.current_user()
    try:
        r = state.retriever(s)
        view, chunk = open_view(
            r, source.chunk_id, _groups(), source.body, marks, s.ui.original_section_chars
        )
        file = original_file(r, chunk)
    except OriginalUnavailable as exc:
        audit.record(s, "denied", user, sources=[source.label], detail="원문 보기")
        st.error(str(exc), icon=":material/lock:")
        return
    audit.record(s, "open_original", user, sources=[file.name], detail="원문 보기")
    st.markdown(f"**{safe_markdown(source.label)}**")
    if file.changed():
        st.warning("색인한 뒤 원본 파일이 바뀌었습니다. 쪽과 위치가 색인된 글자와 다를 수 있습니다.")
    try:
        _view_body(view, file, chunk.metadata, key)
    except PageRenderError as exc:
        st.error(f"{exc}. 원본 내려받기로 파일을 확인하거나 관리자에게 다시 색인을 요청하세요.")
    download_button(source, file, f"{key}_dialog")


def _view_body(view: OriginalView, file: OriginalFile, meta: Mapping[str, Any], key: str) -> None:
    if view.kind == "pdf":
        _pdf(view, file, key)
    elif view.kind == "image":
        with st.container(key=PAGE_KEY):
            st.image(image_png(file.path), caption=file.name, alt="원문 이미지")
        st.info("사진·스캔 이미지라 인용 위치는 표시하지 않습니다.", icon=":material/document_scanner:")
    elif view.kind == "statute":
        where = " > ".join(str(v) for v in (meta.get("law_title"), meta.get("chapter_path")) if v)
        st.caption(safe_markdown(f"{where} · 조문 전체 (인용한 문장 강조)"))
        if view.page > 0:  # a law.go.kr PDF: the article's text, and its page as printed
            article, printed = st.tabs(["조문 전체", f"원문 {view.page}쪽"])
            with article:
                _text(view)
            with printed:
                _pdf(view, file, key)
        else:
            _text(view)
    else:
        _text(view)


def source_key(source: Source, *context: str) -> str:
    """A widget key for the controls of one shown source, stable across reruns; a second showing
    of the same source in one run (the same answer twice) gets a numbered key."""
    digest = hashlib.sha1("\x00".join((source.chunk_id, *context)).encode()).hexdigest()[:12]
    base = f"orig_{source.n}_{digest}"
    ctx = get_script_run_ctx()
    used = getattr(getattr(ctx, "shared", None), "widget_user_keys_this_run", None)
    key, n = base, 1
    while used is not None and f"{key}_open" in used:
        n += 1
        key = f"{base}_{n}"
    return key


@st.dialog("원문 보기", width="large")
def viewer(source: Source, marks: tuple[str, ...]) -> None:
    render_original(source, marks, key=f"original_{source.chunk_id}")
