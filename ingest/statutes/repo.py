"""The configured legalize-kr repository as the app reads it: which repository and commit, law
titles, and article histories, cached per commit (a commit never changes, so the cache is never
stale; a new sync moves to a new commit and new cache entries)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.core.settings import PROJECT_ROOT, Settings
from ingest.documents.loaders.text import split_front_matter
from ingest.index.access import groups_for_path
from ingest.statutes import git as sg
from ingest.statutes.versions import ArticleVersion, article_texts, article_versions

STATE_FILE = "statutes-sync.json"  # written by ingest.statutes.sync.sync

FileVersions = tuple[tuple[str, str, str], ...]  # (commit, commit date, markdown), oldest first


@dataclass(frozen=True)
class RepoAt:
    """A legalize-kr repository and the commit the app reads it at."""

    path: Path
    commit: str


def configured(settings: Settings) -> RepoAt | None:
    """`statutes.repo`, else the repository of the last sync; at the commit the index was synced
    to when that is the same repository (so marks agree with the indexed text), else its HEAD.
    None when neither is set or the folder is not a git repository."""
    state: dict = {}
    with contextlib.suppress(FileNotFoundError, ValueError):
        state = json.loads((Path(settings.store.db_dir) / STATE_FILE).read_text(encoding="utf-8"))
    repo = settings.statutes.repo or (Path(state["repo"]) if state.get("repo") else None)
    if repo is None or not (Path(repo) / ".git").exists():
        return None
    repo = Path(repo).resolve()
    same = state.get("repo") and Path(state["repo"]).resolve() == repo and state.get("commit")
    try:
        return RepoAt(repo, sg.resolve_commit(repo, state["commit"] if same else "HEAD"))
    except sg.GitError:
        return RepoAt(repo, sg.head_commit(repo)) if same else None


@lru_cache(maxsize=8)
def _titles(repo: str, commit: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sg.law_files(Path(repo), commit):
        fm, _ = split_front_matter(sg.show(Path(repo), commit, path) or "")
        if fm and fm.get("제목"):
            out[str(fm["제목"]).strip()] = path
    return out


def law_titles(at: RepoAt) -> dict[str, str]:
    """Official title (front matter 제목) → repository path of every statute file."""
    return dict(_titles(str(at.path), at.commit))


@lru_cache(maxsize=64)
def _file_versions(repo: str, commit: str, path: str) -> FileVersions:
    return tuple((v.commit, v.date, v.text) for v in sg.file_versions(Path(repo), path, commit))


def file_versions(at: RepoAt, path: str) -> list[tuple[str, str, str]]:
    """Every version of one statute file up to the commit, oldest first."""
    return list(_file_versions(str(at.path), at.commit, path))


@lru_cache(maxsize=512)
def _article_versions(repo: str, commit: str, path: str, article: str) -> tuple[ArticleVersion, ...]:
    return tuple(article_versions(list(_file_versions(repo, commit, path)), article))


def history(at: RepoAt, law: str, article: str) -> list[ArticleVersion]:
    """The texts of `law` `article` over time (oldest first); [] for a law the repository lacks."""
    path = law_titles(at).get(law)
    return list(_article_versions(str(at.path), at.commit, path, article)) if path else []


@lru_cache(maxsize=64)
def _articles(repo: str, commit: str, path: str) -> tuple[str, ...]:
    labels: dict[str, None] = {}
    for _, _, markdown in _file_versions(repo, commit, path):
        labels.update(dict.fromkeys(article_texts(markdown)))
    return tuple(labels)


def articles(at: RepoAt, law: str) -> list[str]:
    """Labels of the articles `law` has had (current ones first, in order, then former ones)."""
    path = law_titles(at).get(law)
    if not path:
        return []
    current = list(article_texts(file_versions(at, path)[-1][2])) if file_versions(at, path) else []
    return current + [a for a in _articles(str(at.path), at.commit, path) if a not in current]


def visible(settings: Settings, at: RepoAt, law: str, groups: tuple[str, ...] | list[str]) -> bool:
    """Whether a user of `groups` may read `law` from the repository: the access-group rules
    apply to the repository's files as they do to indexed ones."""
    path = law_titles(at).get(law)
    if path is None:
        return False
    allowed = groups_for_path(at.path / path, settings.security.access_groups, PROJECT_ROOT)
    return not allowed or bool(set(allowed) & set(groups))
