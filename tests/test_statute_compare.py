"""신구조문 대비표 (HTML), the "최근 개정" window and article versions from the index, on the
legalize-kr history bundle."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.documents import dates as document_dates
from ingest.statutes import git as sg
from ingest.statutes import repo as statute_repo
from ingest.statutes import sync as statutes
from ingest.statutes.table import side_by_side_html
from ingest.statutes.versions import (
    ArticleVersion,
    article_texts,
    change_date,
    changed_within,
    last_change,
    side_by_side,
    versions_from_chunks,
)

AMENDMENT = "85575d0"  # 법률: 지방자치법 (일부개정), 2026-06-02: 제10조③ 개정, 제3호 신설
DECREE = "민원 처리에 관한 법률 시행령"  # 제21조 amended by 2444bec, promulgated 2026-05-06


def at_head(repo: Path) -> statute_repo.RepoAt:
    return statute_repo.RepoAt(repo.resolve(), sg.head_commit(repo))


def test_html_table_highlights_the_words_of_a_known_amendment(repo: Path) -> None:
    path = "kr/지방자치법/법률.md"
    old = article_texts(sg.show(repo, f"{AMENDMENT}^", path) or "")["제10조"]
    new = article_texts(sg.show(repo, AMENDMENT, path) or "")["제10조"]
    table = side_by_side_html(side_by_side(old, new), "종전", "개정")
    cells = re.findall(r'<tr class="diff-(\w+)"[^>]*><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>', table)
    assert len(cells) == len(side_by_side(old, new))
    changed = [(tag, o, n) for tag, o, n in cells if tag != "equal"]
    assert changed and all(tag in ("replace", "insert") for tag, _, _ in changed)
    # the amended line: only its new amendment note is marked, as an insertion, escaped
    replaced = next(n for tag, _, n in changed if tag == "replace")
    assert re.search(r"<ins [^>]*> &lt;개정 2026\.6\.2&gt;</ins>$", replaced)
    assert all("<del" not in o for tag, o, _ in changed if tag == "replace")
    # the inserted 호 is marked as a whole on the new side, nothing on the old side
    inserted = next((o, n) for tag, o, n in changed if tag == "insert")
    assert inserted[0] == "" and "종전의 읍으로 환원" in inserted[1] and inserted[1].startswith("<ins ")
    unchanged = [o for tag, o, n in cells if tag == "equal"]
    assert unchanged and not any("<del" in o or "<ins" in o for o in unchanged)


def test_html_table_escapes_document_text() -> None:
    rows = side_by_side(
        "① 시장은 <b>허가</b>하여야 한다.", '① 시장은 <script>alert("x")</script> 허가할 수 있다.'
    )
    table = side_by_side_html(rows, "종전 <i>", "개정")
    assert "<script" not in table and "<b>" not in table and "<i>" not in table
    assert "<del " in table and "<ins " in table
    text = re.sub(r"</?(?:del|ins)[^>]*>", "", table)  # the marks may split an escaped tag
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text and "종전 &lt;i&gt;" in text


def test_recent_change_within_the_window_only(repo: Path) -> None:
    versions = statute_repo.history(at_head(repo), DECREE, "제21조")
    assert len(versions) >= 2
    marked = changed_within(versions, "2026-06-10", 180)
    assert marked is not None
    previous, latest = marked
    assert change_date(latest) == "2026-05-06" and latest.commit.startswith("2444bec")
    assert previous.text != latest.text and previous.valid_to == latest.valid_from
    assert changed_within(versions, "2027-06-10", 180) is None  # 400 days later: not recent
    assert changed_within(versions, "2026-11-02", 180) is not None  # day 180 still counts
    assert changed_within(versions, "2026-11-03", 180) is None


def test_previous_version_is_the_one_in_force(repo: Path) -> None:
    """지방자치법 제10조: the 2021 전부개정 text was replaced before it took effect (same 시행일);
    the comparison uses the text that was actually in force before the 2026 amendment."""
    versions = statute_repo.history(at_head(repo), "지방자치법", "제10조")
    change = last_change(versions)
    assert change is not None
    previous, latest = change
    assert (
        latest.commit.startswith(AMENDMENT) and previous.valid_from < previous.valid_to == latest.valid_from
    )
    assert any(v.valid_from == v.valid_to for v in versions)  # the skipped one exists


def test_versions_from_index_chunks() -> None:
    meta = {"article": "제4조", "article_title": "명칭", "part": 1}
    chunks = [
        ("지방자치법 제4조 (명칭)\n① 현재", {**meta, "effective_date": "2022-01-13"}),
        (
            "지방자치법 제4조 (명칭) [..]\n① 옛날",
            {**meta, "valid_from": "2017-07-26", "valid_to": "2019-12-25"},
        ),
        (
            "지방자치법 제4조 (명칭) [..]\n① 옛날",
            {**meta, "valid_from": "2019-12-25", "valid_to": "2022-01-13"},
        ),
        ("지방자치법 제4조 (명칭) [..] [2/2]\n② 둘째", {**meta, "part": 2, "effective_date": "2022-01-13"}),
    ]
    versions = versions_from_chunks(chunks)
    assert versions == [
        ArticleVersion("(명칭)\n① 옛날", "2017-07-26", "2022-01-13", "", ""),
        ArticleVersion("(명칭)\n① 현재\n② 둘째", "2022-01-13", "", "", ""),
    ]
    assert change_date(versions[-1]) == "2022-01-13"  # no 공포일 in the index: the 시행일


def test_diff_and_watch_cli_write_html(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "diff.html"
    args = ["diff", str(repo), "지방자치법", "제10조", f"{AMENDMENT}^", AMENDMENT, "--html", str(out)]
    assert statutes.main(args) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "지방자치법 제10조 신구조문 대비" in page
    assert "&lt;개정 2026.6.2&gt;</ins>" in page
    assert "{+ <개정 2026.6.2>+}" in capsys.readouterr().out  # the text table is still printed


def test_watch_covers_kept_drafts_with_stored_dates(repo: Path, tmp_path: Path) -> None:
    from ingest.core.settings import load_settings

    s = load_settings()
    s.store.db_dir = tmp_path / "no-index"
    s.ui.drafts_dir = tmp_path / "drafts"
    s.statutes.document_dates_file = tmp_path / "dates.json"
    s.ui.drafts_dir.mkdir()
    draft = s.ui.drafts_dir / "연장통지.txt"
    draft.write_text(
        "처리기간 연장은 「민원 처리에 관한 법률 시행령」 제21조에 따라 통지합니다.", encoding="utf-8"
    )
    (s.ui.drafts_dir / "목적.txt").write_text(
        "「민원 처리에 관한 법률」 제1조의 목적에 따라", encoding="utf-8"
    )
    document_dates.store(s.statutes.document_dates_file, str(draft), "2025-01-01")
    document_dates.store(s.statutes.document_dates_file, "목적.txt", "2025-01-01")  # by file name
    docs = statutes.watched_documents(s)
    assert {(Path(d.path).name, d.kind, d.date, d.date_source) for d in docs} == {
        ("연장통지.txt", "초안", "2025-01-01", "관리자 지정"),
        ("목적.txt", "초안", "2025-01-01", "관리자 지정"),
    }
    stale = statutes.watch_documents(at_head(repo), docs)
    assert [(Path(x.document).name, x.article, x.kind) for x in stale] == [("연장통지.txt", "제21조", "개정")]
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        document_dates.store(s.statutes.document_dates_file, str(draft), "2025-13-01")
    assert document_dates.store(s.statutes.document_dates_file, str(draft), None) == {
        "목적.txt": "2025-01-01"
    }


def test_access_groups_apply_to_the_repository(repo: Path, tmp_path: Path) -> None:
    from ingest.core.settings import load_settings

    s = load_settings()
    s.store.db_dir = tmp_path / "index"
    s.security.access_groups = {str(repo / "kr" / "지방자치법"): ["감사"]}
    at = at_head(repo)
    assert statute_repo.visible(s, at, "지방자치법", ("감사",))
    assert not statute_repo.visible(s, at, "지방자치법", ("민원",)) and not statute_repo.visible(
        s, at, "지방자치법", ()
    )
    assert statute_repo.visible(s, at, DECREE, ())  # other laws stay public
    assert not statute_repo.visible(s, at, "없는 법", ("감사",))
    # the sync state names the repository when statutes.repo is not set; none → no repository
    assert statute_repo.configured(s) is None
    s.store.db_dir.mkdir()
    state = {"repo": str(repo), "commit": f"{AMENDMENT}"}
    (s.store.db_dir / statute_repo.STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    found = statute_repo.configured(s)
    assert found is not None and found.path == repo.resolve() and found.commit.startswith(AMENDMENT)
