"""원문 보기 through AppTest (in-process, real index with a guideline PDF, extractive mode): every
source offers the viewer and a download of the original instead of a server path, and the viewer
refuses a chunk outside the user's access groups without offering the file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from assistant.app.original.access import REFUSED
from ingest.index.manifest import Manifest
from tests.ui.conftest import ADMIN, PDF_QUESTION, QUESTION, STAFF, app_environ, open_app


@pytest.fixture(scope="module")
def original_env(
    tmp_path_factory: pytest.TempPathFactory, original_index_template: Path
) -> Iterator[dict[str, str]]:
    with app_environ(tmp_path_factory.mktemp("ui-original"), original_index_template) as env:
        yield env


def _ask(question: str, user: Any = STAFF[2]) -> AppTest:
    at = open_app(user=user)
    at.chat_input(key="question").set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in (*at.caption, *at.markdown, *at.info, *at.error))


def _open_buttons(at: AppTest) -> list[Any]:
    return [b for b in at.button if b.label == "원문 보기"]


def test_every_source_offers_the_original_and_no_server_path(original_env: dict[str, str]) -> None:
    src_root = str(Path(original_env["ASSISTANT_STORE__DB_DIR"]).parent)
    at = _ask(PDF_QUESTION)
    assert at.expander[0].label.startswith("[1] 영양소 보도자료")
    assert len(_open_buttons(at)) == len([e for e in at.expander if e.label.startswith("[")])
    # one download per source (the history panel's .md/.docx exports are not sources)
    downloads = [d for d in at.get("download_button") if d.proto.label.startswith("원본 내려받기")]
    assert len(downloads) == len(_open_buttons(at))
    assert all("영양소_보도자료.pdf" in d.proto.label for d in downloads)
    assert "/tmp/" not in _shown(at) and src_root not in _shown(at)

    _open_buttons(at)[0].click().run()  # the dialog: the cited page of the PDF
    assert not at.exception, [e.value for e in at.exception]
    assert any(m.value.startswith("**영양소 보도자료") for m in at.markdown)
    assert at.get("image")  # the page, rendered
    assert not at.error and "찾지 못했습니다" not in _shown(at)
    assert "/tmp/" not in _shown(at)


def test_a_statute_source_opens_the_whole_article_with_the_cited_sentence_marked(
    original_env: dict[str, str],
) -> None:
    at = _ask(QUESTION)
    _open_buttons(at)[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    article = next(m.value for m in at.markdown if 'class="original-text"' in m.value)
    assert "original-mark" in article and "처리기간" in article
    assert "조문 전체 (인용한 문장 강조)" in _shown(at)
    labels = [d.proto.label for d in at.get("download_button")]
    assert any("민원 처리에 관한 법률" in label and ".md" in label for label in labels)


def _indexed_chunk(env: dict[str, str], name: str, **where: Any) -> tuple[str, str, dict[str, Any]]:
    """(id, text, metadata) of the first chunk of file `name` whose metadata has `where`."""
    index = Path(env["ASSISTANT_STORE__DB_DIR"])
    manifest = Manifest(next(index.glob("**/manifest.sqlite3")))
    try:
        for _, cid, text, meta, _ in manifest.iter_file_chunks():
            if str(meta.get("source", "")).endswith(name) and all(meta.get(k) == v for k, v in where.items()):
                return cid, text, meta
    finally:
        manifest.close()
    raise AssertionError(f"{name} {where} is not indexed")


def _viewer_script(chunk_id: str, text: str, meta: dict) -> None:
    from assistant.chains import Source
    from ui.original import render_original

    render_original(Source(1, chunk_id, text, meta), ())


def _viewer(env: dict[str, str], user: Any, chunk: tuple[str, str, dict[str, Any]] | None = None) -> AppTest:
    """The viewer of `chunk` (default: a chunk of the PDF restricted to 감사) for `user`."""
    from ui.state import USER_KEY

    chunk = chunk or _indexed_chunk(env, "감사_계획.pdf")
    at = AppTest.from_function(_viewer_script, args=chunk, default_timeout=120)
    at.session_state[USER_KEY] = user
    at.run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    return at


def test_the_viewer_refuses_a_document_outside_the_users_groups(original_env: dict[str, str]) -> None:
    outsider = _viewer(original_env, STAFF[2])  # groups (민원,): the PDF is for 감사 only
    assert [e.value for e in outsider.error] == [REFUSED]
    assert not outsider.get("download_button") and not outsider.get("image")
    assert "보건복지부" not in _shown(outsider)  # nothing of the document's text either
    audit = original_env["ASSISTANT_SECURITY__AUDIT_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(audit) as db:
        events = [r[0] for r in db.execute("SELECT event FROM audit_log WHERE user = ?", (STAFF[0],))]
    assert "denied" in events

    member = _viewer(original_env, ADMIN[2])  # groups (감사,)
    assert not member.error
    assert [d.proto.label for d in member.get("download_button")] == ["원본 내려받기 (감사_계획.pdf)"]
    assert member.get("image")  # the page image


def test_a_law_go_kr_statute_shows_its_article_and_its_printed_page(original_env: dict[str, str]) -> None:
    chunk = _indexed_chunk(original_env, "정보공개법.pdf", article="제9조", part=1)
    at = _viewer(original_env, STAFF[2], chunk)
    assert not at.error
    assert [t.label for t in at.tabs] == ["조문 전체", f"원문 {chunk[2]['page']}쪽"]
    article = next(m.value for m in at.markdown if 'class="original-text"' in m.value)
    assert "비공개" in article
    assert at.get("image")  # the printed page
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["원본 내려받기 (공공기관의 정보공개에 관한 법률.pdf)"]


def test_page_notes_say_what_the_highlight_shows() -> None:
    from assistant.app.original.pdf_page import PageImage
    from assistant.app.original.plan import OriginalView
    from ui.original import OCR_NOTE, page_note

    view = OriginalView("pdf", "a.pdf", page=3, passage="인용")
    marked = PageImage(b"", 3, 9, passage_boxes=((0, 0, 1, 1),), found=1.0)
    bare = PageImage(b"", 3, 9)
    scan = PageImage(b"", 3, 9, has_text=False)
    assert page_note(view, 3, marked) is None
    assert page_note(view, 3, scan) == OCR_NOTE  # a scanned page: shown without highlight, said so
    assert page_note(OriginalView("pdf", "a.pdf", page=3, ocr=True), 3, bare) == OCR_NOTE
    assert "찾지 못했습니다" in (page_note(view, 3, bare) or "")
    assert "이 쪽에서 찾은 곳만" in (
        page_note(view, 3, PageImage(b"", 3, 9, ((0, 0, 1, 1),), found=0.3)) or ""
    )
    assert page_note(view, 4, bare) == "인용 부분은 3쪽에 있습니다."


def test_marked_text_is_escaped_and_keeps_its_line_breaks() -> None:
    from ui.original import marked_html

    text = "첫 줄 <img src=x onerror=alert(1)>\n둘째 줄 http://evil.example/a [링크](http://x)"
    html = marked_html(text, [(0, 4)], [(text.index("둘째"), text.index("둘째") + 5)])
    assert "<img" not in html and "http://" not in html and "&lt;img" in html
    assert html.startswith('<mark class="original-mark"') and html.count("<mark") == 2
    assert "<br>" in html
