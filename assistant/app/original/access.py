"""The original of a citation, as far as a user may see it.

Everything starts from a chunk id and the user's access groups: the chunk is looked up through
the retriever with those groups (a chunk outside them is not found), and the file is the one its
metadata names *and* the live index knows. Nothing here takes a path from the browser.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistant.app.original.plan import OriginalView, is_statute, plan_view, view_kind
from ingest.core.model import Chunk
from ingest.index.manifest import FileRecord
from ingest.job.pipeline import file_hash

REFUSED = "이 출처의 원문을 열 수 없습니다: 색인에 없거나 볼 권한이 없는 문서입니다."
MISSING = "원본 파일 '{name}'을(를) 서버에서 찾을 수 없습니다 (옮겨졌거나 삭제됨). 관리자에게 다시 색인을 요청하세요."
MOVED = "원본 파일 '{name}'이(가) 색인한 뒤 다른 파일로의 링크로 바뀌어 내보내지 않습니다. 관리자에게 알려 주세요."
_MIME = {
    ".hwp": "application/x-hwp",
    ".hwpx": "application/hwp+zip",
    ".md": "text/markdown",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class OriginalUnavailable(Exception):
    """The original cannot be shown; str() is the Korean reason."""


class OriginalIndex(Protocol):
    """What the viewer needs from the retriever (`assistant.search.retrieval.HybridRetriever`)."""

    def get_chunks(self, ids: Sequence[str], groups: Sequence[str] = ()) -> list[Chunk]: ...

    def get_document_chunks(
        self, doc_id: str, groups: Sequence[str] = (), section_path: str | None = None
    ) -> list[Chunk]: ...

    def indexed_file(self, path: str) -> FileRecord | None: ...


@dataclass(frozen=True)
class OriginalFile:
    """An indexed source file a user may download."""

    path: Path
    name: str  # the name offered for download
    mime: str
    indexed_hash: str = ""  # sha256 of the version that was indexed

    def changed(self) -> bool:
        """True when the file on disk is no longer the version that was indexed (reads it all:
        called by the viewer, not for every source shown)."""
        return bool(self.indexed_hash) and file_hash(self.path) != self.indexed_hash


def cited_chunk(index: OriginalIndex, chunk_id: str, groups: Sequence[str]) -> Chunk:
    """The chunk, if a user of `groups` may see it; else OriginalUnavailable (the same message
    whether it is missing or forbidden, so the refusal tells nothing about the document)."""
    found = index.get_chunks([chunk_id], groups)
    if not found:
        raise OriginalUnavailable(REFUSED)
    return found[0]


def download_name(chunk: Chunk, path: Path) -> str:
    """The file's name; a statute file with a generic name (법률.md) is named after its law."""
    law = str(chunk.metadata.get("law_title") or "")
    if is_statute(chunk.metadata) and law and law.replace(" ", "") not in path.stem.replace(" ", ""):
        return f"{law}{path.suffix}"
    return path.name


def original_file(index: OriginalIndex, chunk: Chunk) -> OriginalFile:
    """The indexed file `chunk` came from; OriginalUnavailable when the index does not know it
    or it is gone from the disk."""
    source = str(chunk.metadata.get("source") or "")
    record = index.indexed_file(source) if source else None
    if record is None:
        raise OriginalUnavailable(REFUSED)
    path = Path(record.path)
    if not path.is_file():
        raise OriginalUnavailable(MISSING.format(name=path.name))
    if path.resolve() != path:  # indexed paths are resolved: a link put there later leads elsewhere
        raise OriginalUnavailable(MOVED.format(name=path.name))
    mime = _MIME.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    indexed_hash = record.content_hash.split(":", 1)[0]  # the ingest adds ":<groups>" to it
    return OriginalFile(path, download_name(chunk, path), mime, indexed_hash)


def read_original(index: OriginalIndex, chunk_id: str, groups: Sequence[str]) -> tuple[OriginalFile, bytes]:
    """The file behind a citation and its bytes, for a user of `groups` (OriginalUnavailable
    when they may not see it)."""
    file = original_file(index, cited_chunk(index, chunk_id, groups))
    return file, file.path.read_bytes()


def open_view(
    index: OriginalIndex,
    chunk_id: str,
    groups: Sequence[str],
    passage: str,
    marks: Sequence[str] = (),
    max_section_chars: int = 20_000,
) -> tuple[OriginalView, Chunk]:
    """The viewer plan for a citation of `chunk_id` (with the cited `passage` and the `marks`),
    for a user of `groups`; OriginalUnavailable when they may not see it."""
    chunk = cited_chunk(index, chunk_id, groups)
    meta = chunk.metadata
    siblings: list[Chunk] = []
    if view_kind(meta) in ("text", "statute"):
        section = str(meta.get("section_path", ""))
        siblings = index.get_document_chunks(str(meta.get("doc_id", "")), groups, section_path=section)
    passage = passage.removesuffix("\n…")  # a source cut to the chain's token budget
    return plan_view(chunk, siblings, passage, marks, max_section_chars), chunk
