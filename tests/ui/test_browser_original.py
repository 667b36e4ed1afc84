"""원문 보기 in Debian's Chromium (Playwright): a PDF citation opens its page image with the
cited passage highlighted, and the original downloads byte for byte. The app runs over the UI
index plus a guideline PDF from ../shared/data/documents (its screenshot stays in the test's tmp_path:
the page comes from ../shared and does not belong in the repository).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from assistant.app.original.pdf_page import render_page
from ingest.core.settings import load_settings
from tests.conftest import PRESS_PDF
from tests.ui.conftest import PDF_QUESTION
from tests.ui.test_browser import ask, browser, chromium, open_page, serve_app  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def original_app(
    chromium: str,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    original_index_template: Path,
) -> Iterator[dict[str, Any]]:
    with serve_app(tmp_path_factory.mktemp("ui-browser-original"), original_index_template) as app:
        yield app


@pytest.fixture()
def tab(browser: Any, original_app: dict[str, Any]) -> Iterator[Any]:  # noqa: F811
    page = browser.new_page()
    yield page
    page.close()


def _yellow_pixels(png: bytes) -> int:
    """Pixels of the highlight colour (paper under the translucent yellow rectangles)."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((r > 235) & (g > 200) & (g < 245) & (b < 200)).sum())


def test_a_pdf_citation_opens_its_page_image_with_the_highlight(
    tab: Any, original_app: dict[str, Any], documents_dir: Path, tmp_path: Path
) -> None:
    open_page(tab, original_app, "", '[data-testid="stChatInputTextArea"]')
    ask(tab, PDF_QUESTION)
    source = tab.get_by_test_id("stExpander").filter(has_text=re.compile(r"\[1\] 영양소 보도자료"))
    source.first.wait_for()
    assert "/tmp/" not in tab.locator("body").inner_text()  # no server path anywhere
    source.first.locator("summary").click()
    source.first.get_by_role("button", name=re.compile("원문 보기")).click()

    dialog = tab.get_by_role("dialog")
    image = dialog.locator(".st-key-original_page img").first
    image.wait_for()
    assert "인용 부분 강조" in (image.get_attribute("alt") or "")
    tab.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") > 800  # a readable page, not a thumbnail
    png = tab.request.get(image.get_attribute("src") or "").body()
    shown = int(re.search(r"원문 (\d+)쪽", image.get_attribute("alt") or "").group(1))  # type: ignore[union-attr]
    plain = render_page(documents_dir / PRESS_PDF, shown, scale=load_settings().ui.original_scale).png
    assert png.startswith(b"\x89PNG") and _yellow_pixels(png) > _yellow_pixels(plain) + 2000
    assert "쪽" in dialog.inner_text() and "찾지 못했습니다" not in dialog.inner_text()
    # for a person to look at, outside the repository (the page comes from ../shared)
    tab.screenshot(path=str(tmp_path / "original-pdf.png"))

    with tab.expect_download() as download:
        dialog.get_by_role("button", name=re.compile("원본 내려받기")).click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(str(target))
    assert target.name == "영양소_보도자료.pdf"
    assert target.read_bytes() == (documents_dir / PRESS_PDF).read_bytes()

    dialog.get_by_test_id("stNumberInputStepUp").click()  # the next page, in the open dialog
    dialog.locator(f'.st-key-original_page img[alt^="원문 {shown + 1}쪽"]').wait_for()
    assert f"{shown + 1}/14쪽" in dialog.inner_text()
