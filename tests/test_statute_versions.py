"""Article versions from the legalize-kr history bundle: the text in force on a date (행위시법),
changes between file versions, and the side-by-side 신구조문 대비."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.documents.chunking import clean_statute_line
from ingest.statutes import git as sg
from ingest.statutes import sync as statutes
from ingest.statutes.versions import (
    article_texts,
    article_versions,
    compare_articles,
    side_by_side,
    version_on,
)

AMENDMENT = "85575d0"  # 법률: 지방자치법 (일부개정), 2026-06-02: 제10조③ 개정, 제3호 신설, 제17조의2 신설


def test_2018_returns_pre_2021_article_numbers_and_text(repo: Path) -> None:
    path = sg.resolve_law_path(repo, "지방자치법")
    assert path == "kr/지방자치법/법률.md"
    files = [(v.commit, v.date, v.text) for v in sg.file_versions(repo, path)]
    art4 = article_versions(files, "제4조")
    in_2018 = version_on(art4, "2018-06-01")
    assert in_2018 is not None
    assert in_2018.text.startswith("(지방자치단체의 명칭과 구역)")  # before the 2021 전부개정
    assert in_2018.valid_from <= "2018-06-01" < in_2018.valid_to == "2022-01-13"  # 전부개정 시행일
    now = version_on(art4, "2026-12-01")
    assert now is not None and now.text.startswith("(지방자치단체의 기관구성 형태의 특례)")
    # the same provision moved: 2018 제4조 ≈ today's 제5조 (same title)
    art5_now = version_on(article_versions(files, "제5조"), "2026-12-01")
    assert art5_now is not None and art5_now.text.startswith("(지방자치단체의 명칭과 구역)")
    assert version_on(art4, "2014-01-01") is None  # before the first version in the bundle
    # versions follow each other without gaps
    assert all(a.valid_to == b.valid_from for a, b in zip(art4, art4[1:], strict=False))


def test_history_cli_on_date(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert statutes.main(["history", str(repo), "지방자치법", "제4조", "--on", "2018-06-01"]) == 0
    out = capsys.readouterr().out
    assert "~ 2022-01-13" in out and "(지방자치단체의 명칭과 구역)" in out
    assert statutes.main(["history", str(repo), "없는법", "제1조"]) == 1
    assert "없는법" in capsys.readouterr().err


def test_diff_of_known_amendment_matches_the_commit(repo: Path) -> None:
    path = "kr/지방자치법/법률.md"
    old = article_texts(sg.show(repo, f"{AMENDMENT}^", path) or "")
    new = article_texts(sg.show(repo, AMENDMENT, path) or "")
    changes = compare_articles(old, new)
    assert changes.amended == ["제10조"] and "제17조의2" in changes.added and not changes.repealed

    rows = side_by_side(old["제10조"], new["제10조"])
    assert "\n".join(r.old for r in rows if r.tag != "insert") == old["제10조"]
    assert "\n".join(r.new for r in rows if r.tag != "delete") == new["제10조"]
    changed_new = {r.new for r in rows if r.tag in ("replace", "insert")}
    changed_old = {r.old for r in rows if r.tag in ("replace", "delete")}
    # exactly the lines git reports as changed in this article
    diff = sg.git(repo, "diff", "-U0", f"{AMENDMENT}^", AMENDMENT, "--", path)
    plus = {
        clean_statute_line(x[1:]) for x in diff.splitlines() if x.startswith("+") and not x.startswith("+++")
    }
    minus = {
        clean_statute_line(x[1:]) for x in diff.splitlines() if x.startswith("-") and not x.startswith("---")
    }
    assert changed_new == plus & set(new["제10조"].split("\n"))
    assert changed_old == minus & set(old["제10조"].split("\n"))
    replaced = next(r for r in rows if r.tag == "replace")
    assert replaced.new_marked.endswith("{+ <개정 2026.6.2>+}") and "[-" not in replaced.old_marked
    inserted = next(r for r in rows if r.tag == "insert")
    assert "종전의 읍으로 환원" in inserted.new and inserted.old == ""


def test_diff_cli(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert statutes.main(["diff", str(repo), "지방자치법", "제10조", f"{AMENDMENT}^", AMENDMENT]) == 0
    out = capsys.readouterr().out
    assert "종전" in out and "개정" in out and "{+ <개정 2026.6.2>+}" in out


def test_compare_and_side_by_side_pure() -> None:
    old = {"제1조": "(목적)\n가", "제2조": "(정의)\n나", "제3조": "(삭제될 조)\n다"}
    new = {
        "제1조": "(목적)\n가",
        "제2조": "(정의)\n나나",
        "제3조": "삭제 <2021. 1. 12.>",
        "제4조": "(신설)\n라",
    }
    ch = compare_articles(old, new)
    assert (ch.added, ch.amended, ch.repealed) == (["제4조"], ["제2조"], ["제3조"])
    rows = side_by_side("① 시장은 허가하여야 한다.", "① 시장·군수는 허가할 수 있다.")
    assert [r.tag for r in rows] == ["replace"]
    assert rows[0].old_marked == "① 시장[-은-] 허가[-하여야 한-]다."
    assert rows[0].new_marked == "① 시장{+·군수는+} 허가{+할 수 있+}다."


def test_amendment_watch_flags_only_citations_changed_after_the_document(
    repo: Path,
    tmp_path: Path,
    embeddings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ingest.core.settings import load_settings
    from ingest.job.pipeline import run_ingest

    src = tmp_path / "src"
    src.mkdir()
    (src / "민원지침.md").write_text(
        "# 민원 처리기간 연장 지침\n\n1. 처리기간 연장은 「민원 처리에 관한 법률 시행령」 제21조에 따른다.\n",
        encoding="utf-8",
    )
    (src / "목적지침.md").write_text(
        "# 민원 업무 목적\n\n1. 이 지침은 「민원 처리에 관한 법률」 제1조의 목적을 따른다.\n",
        encoding="utf-8",
    )
    (src / "구역지침.md").write_text(
        "# 관할 구역 지침\n\n1. 구역 변경은 「지방자치법」 제4조에 따른다.\n", encoding="utf-8"
    )
    s = load_settings()
    s.store.db_dir = tmp_path / "index"
    s.store.chroma_url = None
    assert not run_ingest([src], s, embeddings=embeddings).failed
    dates = {"민원지침.md": "2025-01-01", "목적지침.md": "2025-01-01", "구역지침.md": "2018-06-01"}

    stale = {(Path(x.document).name, x.article): x for x in statutes.watch(repo, s, dates)}
    assert set(stale) == {("민원지침.md", "제21조"), ("구역지침.md", "제4조")}  # 제1조 unchanged since 2025
    amended = stale[("민원지침.md", "제21조")]
    assert (amended.kind, amended.changed_on, amended.commit[:7]) == ("개정", "2026-05-06", "2444bec")
    assert amended.old_text != amended.new_text and amended.law == "민원 처리에 관한 법률 시행령"
    moved = stale[("구역지침.md", "제4조")]
    assert (moved.kind, moved.moved_to, moved.changed_on) == ("이동", "제5조", "2021-01-12")

    args = ["watch", str(repo), "--db", str(s.store.db_dir)] + [f"--date={k}={v}" for k, v in dates.items()]
    assert statutes.main(args) == 0
    out = capsys.readouterr().out
    assert "점검이 필요한 인용 2건" in out and "이동 → 제5조" in out and "문서 작성 당시" in out
