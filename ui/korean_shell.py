"""Korean, offline shell around Streamlit: what its own widgets say and where its favicon
comes from (pure helpers plus one adapter).

Streamlit's file uploader says "Drag and drop", "Upload" and "200MB per file" (its own
``server.maxUploadSize``), and has no options for those texts; the ⋮ menu is English. CSS
replaces the uploader texts with Korean and the limit from ``ingest.max_file_mb`` and hides the
menu. A Material-icon or short-code favicon is fetched from fonts.gstatic.com by the browser;
a plain emoji becomes a ``data:`` SVG URL, so the page makes no request off the machine.
"""

from __future__ import annotations

from assistant.security.auth import ROLE_NAMES

PAGE_ICON = "⚖️"  # rendered locally as a data: URL (see module docstring)
_VALUE_NAMES = {"none": "없음", "": "없음"}


def role_label(role: str | None) -> str:
    """관리자 / 직원 / 없음 for an audit row's role."""
    role = (role or "").strip()
    return ROLE_NAMES.get(role) or _VALUE_NAMES.get(role, role)


def backend_label(backend: str | None) -> str:
    """The LLM backend of an audit row, "none" (extractive) as 없음 (발췌)."""
    backend = (backend or "").strip()
    if backend == "none":
        return "없음 (발췌 답변)"
    return backend


def _css_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def shell_css(max_file_mb: float) -> str:
    """The <style> block: Korean uploader texts with one size limit, no English ⋮ menu."""
    limit = _css_text(f"파일당 최대 {max_file_mb:g}MB")
    choose = _css_text("파일 선택")
    return f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] > * {{ display: none !important; }}
[data-testid="stFileUploaderDropzoneInstructions"]::after {{ content: {limit}; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzone"] button > * {{ display: none !important; }}
[data-testid="stFileUploaderDropzone"] button::after {{ content: {choose}; }}
[data-testid="stMainMenu"] {{ display: none !important; }}
</style>"""


def apply_shell(max_file_mb: float) -> None:
    """Inject :func:`shell_css` into the current page (adapter)."""
    import streamlit as st

    st.html(shell_css(max_file_mb))
