"""Korean labels and the offline page icon of the Streamlit shell (pure parts)."""

from __future__ import annotations

from streamlit.string_util import is_emoji

from ingest.core.settings import Settings
from ui.korean_shell import PAGE_ICON, backend_label, role_label, shell_css


def test_audit_values_in_korean() -> None:
    assert [role_label(r) for r in ("admin", "staff", "none", "", None)] == [
        "관리자",
        "직원",
        "없음",
        "없음",
        "없음",
    ]
    assert backend_label("none") == "없음 (발췌 답변)" and backend_label("openai") == "openai"


def test_uploader_shows_the_limit_from_settings() -> None:
    css = shell_css(Settings().ingest.max_file_mb)
    assert f'"파일당 최대 {Settings().ingest.max_file_mb:g}MB"' in css
    assert '"파일 선택"' in css and "stMainMenu" in css
    assert "200MB" not in shell_css(37.5) and '"파일당 최대 37.5MB"' in shell_css(37.5)


def test_page_icon_is_an_emoji_so_no_font_host_is_asked() -> None:
    # Streamlit turns an emoji page icon into a data: URL; ":material/…:" icons and short codes
    # are fetched from fonts.gstatic.com by the browser.
    assert is_emoji(PAGE_ICON) and not PAGE_ICON.startswith(":")
