"""Browsing the live index by document: which documents a user may see, and one document's chunks
(read from the manifest of the active generation; nothing is searched)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ingest.core.settings import Settings
from ingest.index.access import can_see
from ingest.index.stats import open_manifest


def visible_documents(settings: Settings, groups: Sequence[str] = ()) -> dict[str, str]:
    """Title → source path of every indexed document a user of `groups` may see, by path."""
    manifest = open_manifest(settings)
    if manifest is None:
        return {}
    try:
        access = manifest.access_groups()
        return {
            rec.title: path
            for path, rec in sorted(manifest.files().items())
            if can_see(access.get(path, ""), groups)
        }
    finally:
        manifest.close()


def document_chunks(settings: Settings, path: str) -> list[tuple[str, dict[str, Any]]] | None:
    """(text, metadata) of every chunk of the indexed file at `path`, by chunk id; None when
    there is no index."""
    manifest = open_manifest(settings)
    if manifest is None:
        return None
    try:
        return list(manifest.get_chunks(sorted(manifest.chunk_ids(path))).values())
    finally:
        manifest.close()
