"""신구조문 대비 in the app: an article's versions (from the legalize-kr repository, else from the
past versions kept in the index), the comparison table, and the "최근 개정" mark of a source."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from assistant.app.statute_browser import (
    ArticleVersion,
    change_date,
    changed_within,
    side_by_side,
    side_by_side_html,
    statute_git,
    statute_repo,
    versions_from_chunks,
)
from ingest.core.settings import Settings
from ui import state
from ui.safe_markdown import safe_html_text

log = logging.getLogger("ui")

COMPARE_PAGE = "views/compare.py"
FROM_REPO, FROM_INDEX = "법령 저장소", "색인(과거 조문)"


@dataclass(frozen=True)
class History:
    """The versions of one article, oldest first, and where they came from."""

    law: str
    article: str
    source: str  # FROM_REPO | FROM_INDEX
    versions: list[ArticleVersion]


@dataclass(frozen=True)
class RecentChange:
    """A source's article amended within ``statutes.recent_days``: previous vs latest text."""

    day: str  # YYYY-MM-DD the latest text was promulgated (repository) or took effect (index)
    history: History
    previous: ArticleVersion
    latest: ArticleVersion


def repo_history(s: Settings, law: str, article: str, groups: Sequence[str]) -> History | None:
    at = statute_repo.configured(s)
    if at is None or not statute_repo.visible(s, at, law, groups):
        return None
    versions = statute_repo.history(at, law, article)
    return History(law, article, FROM_REPO, versions) if versions else None


def index_history(s: Settings, law: str, article: str, groups: Sequence[str]) -> History | None:
    chunks = state.retriever(s).get_article(law, article, groups, past=True)
    versions = versions_from_chunks([(c.text, c.metadata) for c in chunks])
    return History(law, article, FROM_INDEX, versions) if versions else None


def article_history(
    law: str, article: str, groups: Sequence[str], s: Settings | None = None
) -> History | None:
    """The article's versions: the repository's full history when one is configured and has the
    law, else the index's (current + past versions a user of `groups` may see)."""
    s = s or state.settings()
    return repo_history(s, law, article, groups) or index_history(s, law, article, groups)


def today() -> str:
    return dt.date.fromtimestamp(state.clock()).isoformat()


def recent_change(meta: dict, groups: Sequence[str], s: Settings | None = None) -> RecentChange | None:
    """The recent amendment of a source's article, for a current (not past, not 부칙) article of
    a statute; None otherwise, and when its history cannot be read (logged, never shown as an
    error: the answer matters more than the mark)."""
    s = s or state.settings()
    law, article = str(meta.get("law_title") or ""), str(meta.get("article") or "")
    if not (law and article) or meta.get("is_addendum") or meta.get("valid_to"):
        return None
    try:
        history = article_history(law, article, groups, s)
    except (statute_git.GitError, OSError) as exc:
        log.warning("article history of %s %s unavailable: %s", law, article, exc)
        return None
    change = changed_within(history.versions, today(), s.statutes.recent_days) if history else None
    if change is None or history is None:
        return None
    previous, latest = change
    return RecentChange(change_date(latest), history, previous, latest)


def version_label(v: ArticleVersion, role: str) -> str:
    """ "종전 · 시행 2022-01-13 ~ 2026-06-02 (공포 2021-04-13)"."""
    promulgated = f" (공포 {v.promulgated})" if v.promulgated else ""
    return f"{role} · 시행 {v.valid_from or '?'} ~ {v.valid_to or '현재'}{promulgated}"


def comparison(old_text: str, new_text: str, old_label: str, new_label: str) -> None:
    """The side-by-side table, changes highlighted (text escaped: it is document text)."""
    if old_text == new_text:
        st.info("두 판의 조문 내용이 같습니다.", icon=":material/check:")
        return
    table = side_by_side_html(side_by_side(old_text, new_text), old_label, new_label, escape=safe_html_text)
    st.markdown(f'<div class="statute-compare">{table}</div>', unsafe_allow_html=True)


def show_recent(change: RecentChange) -> None:
    """The previous text against the latest one, with where they came from."""
    h = change.history
    st.caption(f"{h.law} {h.article} · 출처: {h.source}")
    comparison(
        change.previous.text,
        change.latest.text,
        version_label(change.previous, "종전"),
        version_label(change.latest, "개정"),
    )
