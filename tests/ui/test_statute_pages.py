"""신구조문 대비 in the app (AppTest, real index, the legalize-kr history bundle as the configured
repository): the "최근 개정" mark of Q&A sources, the 신구조문 대비 page, the 관리 → 지침 점검 tab
and kept drafts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from assistant.app import index_admin as admin
from assistant.security.audit import get_audit_log
from ingest.core.settings import get_settings
from ingest.documents import dates as document_dates
from ingest.job.pipeline import run_ingest
from tests.ui.conftest import ADMIN, QUESTION, STAFF, open_app
from tests.ui.test_pages import fill_draft
from ui import state

AMENDED = "연장지침.md"  # cites 민원처리법 시행령 제21조: amended 2026-05-06 (2444bec)
UNCHANGED = "목적지침.md"  # cites 민원처리법 제1조: unchanged since 2025


@pytest.fixture(scope="module", autouse=True)
def statute_env(
    app_env: dict[str, str], repo: Path, embeddings: Any, tmp_path_factory: Any
) -> Iterator[Path]:
    """The module's app with the bundle clone as `statutes.repo`, and two planted guidelines
    indexed; the unchanged one's date is stored as an admin would set it."""
    src = tmp_path_factory.mktemp("watched")
    (src / AMENDED).write_text(
        "# 민원 처리기간 연장 지침\n\n1. 처리기간 연장은 「민원 처리에 관한 법률 시행령」 제21조에 따른다.\n",
        encoding="utf-8",
    )
    (src / UNCHANGED).write_text(
        "# 민원 업무 목적\n\n1. 이 지침은 「민원 처리에 관한 법률」 제1조의 목적을 따른다.\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_STATUTES__REPO", str(repo))
        get_settings.cache_clear()
        s = get_settings()
        assert not run_ingest([src], s, embeddings=embeddings).failed
        document_dates.store(s.statutes.document_dates_file, str(src / UNCHANGED), "2025-01-01")
        yield src
    get_settings.cache_clear()


def texts(elements: Any) -> list[str]:
    return [str(e.value) for e in elements]


def on_day(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """The app's clock at noon of `day` (the "최근 개정" window counts back from today)."""
    noon = datetime.fromisoformat(f"{day}T12:00:00").timestamp()
    monkeypatch.setattr(state, "clock", lambda: noon)


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input(key="question").set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def decree_source(at: AppTest) -> Any:
    return next(e for e in at.expander if "민원 처리에 관한 법률 시행령 제21조" in e.label)


def test_recent_amendment_is_marked_with_the_comparison_one_click_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_day(monkeypatch, "2026-06-10")  # 35 days after the amendment, within the default 180
    at = ask(open_app(), QUESTION)
    source = decree_source(at)
    assert source.label.endswith(" · 최근 개정 (2026-05-06)")
    toggle = next(t for t in at.toggle if t.key and t.key.startswith("recent_"))
    assert "최근 개정 (2026-05-06)" in toggle.label
    assert not [m for m in texts(at.markdown) if "statute-diff" in m]  # closed until asked for
    toggle.set_value(True).run()
    table = next(m for m in texts(decree_source(at).markdown) if "statute-diff" in m)
    assert "<ins " in table or "<del " in table
    assert (
        "종전 · 시행 2016-02-12 ~ 2026-05-06" in table
        and "개정 · 시행 2026-05-06 ~ 현재 (공포 2026-05-06)" in table
    )


def test_an_older_amendment_is_not_marked(monkeypatch: pytest.MonkeyPatch, env_override: Any) -> None:
    on_day(monkeypatch, "2027-06-10")  # 400 days after
    at = ask(open_app(), QUESTION)
    assert "최근 개정" not in decree_source(at).label
    assert not any("최근 개정" in e.label for e in at.expander)
    assert not [t for t in at.toggle if t.key and t.key.startswith("recent_")]
    env_override(ASSISTANT_STATUTES__RECENT_DAYS="500")  # the window is a setting
    at = ask(open_app(), QUESTION)
    assert decree_source(at).label.endswith(" · 최근 개정 (2026-05-06)")


def test_compare_page_from_the_repository_and_from_the_index() -> None:
    at = open_app("views/compare.py")
    assert at.radio(key="cmp_source").value == "법령 저장소"
    at.selectbox(key="cmp_law").select("지방자치법").run()
    at.selectbox(key="cmp_article").select("제10조").run()
    assert not at.exception
    table = next(m for m in texts(at.markdown) if "statute-diff" in m)
    assert "&lt;개정 2026.6.2&gt;</ins>" in table and "종전의 읍으로 환원" in table
    # the index of this app holds no past versions: one version only, nothing to compare
    at.radio(key="cmp_source").set_value("색인(과거 조문)").run()
    at.selectbox(key="cmp_law").select("민원 처리에 관한 법률 시행령").run()
    at.selectbox(key="cmp_article").select("제21조").run()
    assert any("비교할 이전 판이 없습니다" in i for i in texts(at.info))


def test_watch_tab_lists_a_citation_amended_after_the_document_date() -> None:
    at = open_app("views/admin.py", ADMIN[2])
    at.button(key="adm_watch_run").click().run()
    assert not at.exception and not at.error
    options = at.selectbox(key="adm_date_doc").options
    amended = next(o for o in options if AMENDED in o)
    assert "(파일 수정일)" in amended and any(
        UNCHANGED in o and "2025-01-01 (관리자 지정)" in o for o in options
    )

    at.selectbox(key="adm_date_doc").select(amended)
    at.date_input(key="adm_date_value").set_value(date(2025, 1, 1)).run()
    at.button(key="adm_date_save").click().run()
    assert not at.exception and not at.error
    labels = [e.label for e in at.expander]
    flagged = [label for label in labels if label.startswith(AMENDED)]
    assert flagged == [f"{AMENDED} · 민원 처리에 관한 법률 시행령 제21조 개정 (2026-05-06)"]
    assert not any(label.startswith(UNCHANGED) for label in labels)  # 제1조 unchanged since 2025-01-01
    rows = next(d.value for d in at.dataframe if "변경일(공포)" in d.value.columns)
    mine = rows[rows["문서"] == AMENDED].to_dict("records")
    assert mine == [
        {
            "구분": "지침",
            "문서": AMENDED,
            "기준일": "2025-01-01",
            "법령": "민원 처리에 관한 법률 시행령",
            "조문": "제21조",
            "변경": "개정",
            "변경일(공포)": "2026-05-06",
        }
    ]
    expander = next(e for e in at.expander if e.label.startswith(AMENDED))
    table = next(m for m in texts(expander.markdown) if "statute-diff" in m)
    assert "문서 작성 당시 (2025-01-01)" in table and ("<ins " in table or "<del " in table)
    # stored for good, and audited
    stored = document_dates.load(get_settings().statutes.document_dates_file)
    assert any(path.endswith(AMENDED) and day == "2025-01-01" for path, day in stored.items())
    log = get_audit_log(get_settings())
    assert any(AMENDED in " ".join(e.sources) for e in log.recent(5, event="document_date"))
    assert log.recent(5, event="amendment_watch")


def test_staff_cannot_run_the_watch_or_set_dates() -> None:
    s = get_settings()
    with pytest.raises(admin.AdminError):
        admin.amendment_watch(s, STAFF[2])
    with pytest.raises(admin.AdminError):
        admin.set_document_date(s, STAFF[2], "x.md", "2020-01-01")
    denied = get_audit_log(s).recent(5, event="denied")
    assert {"amendment_watch", "set_document_date"} <= {e.detail for e in denied}


def test_kept_draft_is_watched() -> None:
    at = fill_draft(open_app("views/draft.py"))
    at.button(key="draft_keep").click().run()
    assert any(m.startswith("초안을 보관했습니다") for m in texts(at.success))
    kept = list(Path(get_settings().ui.drafts_dir).glob("*.txt"))
    assert len(kept) == 1 and "clerk" in kept[0].name
    assert kept[0].read_text(encoding="utf-8") == at.text_area(key="draft_text").value
    at = open_app("views/admin.py", ADMIN[2])
    at.button(key="adm_watch_run").click().run()
    assert any(
        o.startswith("[초안] ") and kept[0].name in o for o in at.selectbox(key="adm_date_doc").options
    )
