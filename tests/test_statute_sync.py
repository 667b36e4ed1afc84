"""`python -m ingest.statutes.sync sync` on the legalize-kr history bundle, restricted to two law folders
(민원처리법, 행정기본법) to stay fast. X = 2020-10-20 (no 행정기본법 yet), Y = 2022-12-27."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ingest.core.settings import Settings, load_settings
from ingest.index.stats import open_manifest
from ingest.statutes import sync as statutes

LAWS = ["민원처리에관한법률", "행정기본법"]
X = "0e5c301"  # 법률: 민원 처리에 관한 법률 (일부개정), 2020-10-20
Y = "4eacde2"  # 법률: 행정기본법 (일부개정), 2022-12-27


def checkout(repo: Path, rev: str) -> None:
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "--detach", rev], check=True)


def index_settings(db: Path) -> Settings:
    s = load_settings()
    s.store.db_dir = db
    s.store.chroma_url = None
    s.llm.backend = "none"
    return s


def indexed(settings: Settings) -> dict[str, str]:
    manifest = open_manifest(settings)
    assert manifest is not None
    try:
        return {cid: text for cid, text, _, _ in manifest.iter_chunks()}
    finally:
        manifest.close()


@pytest.fixture(scope="module")
def fresh_at_y(repo: Path, tmp_path_factory: pytest.TempPathFactory, embeddings) -> dict[str, str]:
    checkout(repo, Y)
    s = index_settings(tmp_path_factory.mktemp("fresh") / "index")
    report = statutes.sync(repo, s, laws=LAWS, embeddings=embeddings)
    assert report.previous is None and report.laws == sorted(LAWS)
    assert statutes.read_state(s.store.db_dir)["commit"].startswith(Y)
    return indexed(s)


def test_sync_x_then_y_equals_fresh_sync_at_y(
    repo: Path,
    tmp_path: Path,
    embeddings,
    fresh_at_y: dict[str, str],
) -> None:
    s = index_settings(tmp_path / "index")
    checkout(repo, X)
    first = statutes.sync(repo, s, laws=LAWS, embeddings=embeddings)
    assert first.laws == ["민원처리에관한법률"]  # 행정기본법 was enacted in 2021
    at_x = indexed(s)
    assert at_x and set(at_x) != set(fresh_at_y)

    checkout(repo, Y)
    second = statutes.sync(repo, s, laws=LAWS, embeddings=embeddings)
    assert second.previous is not None and second.previous.startswith(X)
    assert second.laws == sorted(LAWS)
    enacted = second.articles["kr/행정기본법/법률.md"]
    assert "제1조" in enacted.added and not enacted.amended and not enacted.repealed
    assert second.articles["kr/민원처리에관한법률/법률.md"].amended  # 2022-01-11 일부개정
    assert "행정기본법" in second.summary()
    assert indexed(s) == fresh_at_y

    again = statutes.sync(repo, s, laws=LAWS, embeddings=embeddings)  # idempotent
    assert again.laws == [] and again.ingest is None
    assert "이미 최신" in again.summary()
    assert indexed(s) == fresh_at_y


class Killed(Exception):
    """Stands in for a kill in the middle of the ingest."""


def test_rerun_after_interrupted_sync_finishes_the_job(
    repo: Path,
    tmp_path: Path,
    embeddings,
    fresh_at_y: dict[str, str],
) -> None:
    s = index_settings(tmp_path / "index")
    checkout(repo, X)
    statutes.sync(repo, s, laws=LAWS, embeddings=embeddings)
    checkout(repo, Y)

    calls = 0

    def die(done: int, total: int, embedded: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Killed

    with pytest.raises(Killed):
        statutes.sync(repo, s, laws=LAWS, embeddings=embeddings, progress=die)
    assert statutes.read_state(s.store.db_dir)["commit"].startswith(X)  # not recorded

    resumed = statutes.sync(repo, s, laws=LAWS, embeddings=embeddings)
    assert resumed.previous is not None and resumed.previous.startswith(X)
    assert statutes.read_state(s.store.db_dir)["commit"].startswith(Y)
    assert indexed(s) == fresh_at_y


def test_sync_cli_reports_changes(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkout(repo, X)
    db = tmp_path / "index"
    # 지방공무원복무규정 alone keeps this quick; the CLI path (argument parsing, settings, report)
    assert statutes.main(["sync", str(repo), "--db", str(db), "--law", "지방공무원복무규정", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "바뀐 법령 1개" in out and "kr/지방공무원복무규정/대통령령.md" in out
    assert statutes.main(["sync", str(repo), "--db", str(db), "--law", "지방공무원복무규정"]) == 0
    assert "이미 최신" in capsys.readouterr().out
    assert statutes.main(["sync", str(repo), "--db", str(tmp_path / "other"), "--law", "없는법"]) == 1
    assert "없는 법령 폴더입니다: 없는법" in capsys.readouterr().err


def test_past_versions_answer_a_search_for_their_date(repo: Path, tmp_path: Path, embeddings) -> None:
    """At the 2021 전부개정 (in force from 2022-01-13), a 2018 date gets 지방자치법 as it read then,
    with its old article numbers; default search stays current-only."""
    from assistant.search.retrieval import HybridRetriever, SearchFilters

    checkout(repo, "ae91456")  # 법률: 지방자치법 (전부개정), 2021-01-12
    s = index_settings(tmp_path / "index")
    report = statutes.sync(
        repo, s, laws=["지방자치법"], embeddings=embeddings, history=True, history_since="2018-01-01"
    )
    assert not report.ingest.failed
    past = sorted(p.name for p in (tmp_path / "index" / statutes.HISTORY_DIR / "지방자치법").glob("*.md"))
    assert "법률@2017-07-26.md" in past and "법률@2019-12-25.md" in past
    # an article a later version did not change is embedded once: its versions share the vector
    assert report.ingest.chunks_reused > report.ingest.chunks_embedded > 0

    retriever = HybridRetriever(s, embeddings=embeddings)
    query = "지방자치단체의 명칭과 구역"
    in_2018 = retriever.search(
        query, k=3, filters=SearchFilters(laws=("지방자치법",), effective_on="2018-06-01")
    )
    top = in_2018[0].chunk.metadata
    assert (top["article"], top["article_title"]) == ("제4조", "지방자치단체의 명칭과 구역")
    assert (
        top["is_current"] is False and top["valid_from"] == "2017-07-26" and top["valid_to"] == "2019-12-25"
    )
    assert all(h.chunk.metadata.get("valid_from", "") <= "2018-06-01" for h in in_2018)
    assert in_2018[0].chunk.text.startswith(
        "지방자치법 제4조 (지방자치단체의 명칭과 구역) [2017-07-26~2019-12-25 시행]\n"
    )

    today = retriever.search(query, k=3, filters=SearchFilters(laws=("지방자치법",)))
    assert today and all("valid_to" not in h.chunk.metadata for h in today)
    assert (today[0].chunk.metadata["article"], today[0].chunk.metadata["article_title"]) == (
        "제5조",
        "지방자치단체의 명칭과 구역",
    )
    assert all("valid_to" not in c.metadata for c in retriever.get_article("지방자치법", "제4조"))
