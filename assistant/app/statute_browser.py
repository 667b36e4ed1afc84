"""Statute browser (신구조문 대비): an article's versions from the statute repository or the index,
and their side-by-side comparison."""

from __future__ import annotations

from ingest.statutes import git as statute_git
from ingest.statutes import repo as statute_repo
from ingest.statutes.table import side_by_side_html
from ingest.statutes.versions import (
    ArticleVersion,
    change_date,
    changed_within,
    side_by_side,
    versions_from_chunks,
)

__all__ = [
    "ArticleVersion",
    "change_date",
    "changed_within",
    "side_by_side",
    "side_by_side_html",
    "statute_git",
    "statute_repo",
    "versions_from_chunks",
]
