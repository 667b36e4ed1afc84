"""The 신구조문 대비 page in Chromium: the highlighted changes reach the page as real <del>/<ins>
elements (Streamlit keeps the table's HTML), with the repository found through the sync state the
way `python -m ingest.statutes.sync sync` leaves it. Fixtures of test_browser.py (its own app process)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.statutes import git as sg
from tests.ui import test_browser as tb
from tests.ui.test_browser import open_page, shot

# test_browser.py's fixtures (this module gets its own app process and browser)
chromium, served_app, browser, page = tb.chromium, tb.served_app, tb.browser, tb.page

pytestmark = pytest.mark.browser


def test_compare_page_shows_deleted_and_inserted_text(
    page: Any, served_app: dict[str, Any], repo: Path
) -> None:
    db = Path(served_app["env"]["ASSISTANT_STORE__DB_DIR"])
    state = {"repo": str(repo), "commit": sg.head_commit(repo), "laws": []}
    (db / "statutes-sync.json").write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    open_page(page, served_app, "compare", "text=법령 저장소")
    for label, option in (("법령", "지방자치법"), ("조문", "제10조")):
        page.get_by_test_id("stSelectbox").filter(has_text=label).first.click()
        page.keyboard.type(option)  # the option lists are long and virtualised: filter first
        page.get_by_role("option", name=option, exact=True).click()
    table = page.locator("table.statute-diff")
    table.wait_for()
    inserted = table.locator("ins")
    assert inserted.count() >= 2 and "<개정 2026.6.2>" in inserted.first.inner_text()
    assert "종전의 읍으로 환원" in table.locator("tr.diff-insert ins").inner_text()
    assert table.locator("tr.diff-insert td").first.inner_text().strip() == ""  # nothing on the old side
    style = inserted.first.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "underline" in style
    shot(page, "compare", top=page.get_by_test_id("stSelectbox").first)
