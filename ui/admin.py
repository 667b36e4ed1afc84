"""Admin actions of the 관리 page. Each takes the acting `user`, so the role check that comes with
login slots into :func:`require_admin`; the work itself is done by ``ingest.pipeline``."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from ingest.manifest import FileRecord, Manifest
from ingest.pipeline import IngestReport, index_stats, run_ingest
from ui.state import User

Progress = Callable[[int, int, int], None]


class AdminError(RuntimeError):
    """An admin action was refused or cannot run; ``str()`` is a Korean message for the user."""


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise AdminError("관리자만 사용할 수 있는 기능입니다. 관리자 계정으로 로그인하세요.")


def corpus_stats(settings: Settings, user: User) -> dict[str, Any]:
    """Documents, chunks (by type), last indexing time, embedding model of the index."""
    require_admin(user)
    return index_stats(settings)


def documents(settings: Settings, user: User) -> list[FileRecord]:
    """Indexed files, by title."""
    require_admin(user)
    db = Path(settings.store.db_dir) / "manifest.sqlite3"
    if not db.exists():
        return []
    manifest = Manifest(db)
    try:
        return sorted(manifest.files().values(), key=lambda r: (r.doc_type, r.title))
    finally:
        manifest.close()


@dataclass
class UploadResult:
    saved: list[Path] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file name, Korean reason)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_name(name: str) -> str:
    """A file name without path parts or characters file systems reject."""
    base = _UNSAFE.sub("_", Path(name).name).strip(" .")
    return base or "문서"


def save_uploads(files: Sequence[tuple[str, bytes]], settings: Settings, user: User) -> UploadResult:
    """Check uploaded guidelines with the loaders and keep the readable ones in
    ``settings.ui.upload_dir`` (the index refers to them by path)."""
    from ingest.loaders import load_document
    from ingest.model import LoaderError

    require_admin(user)
    out = UploadResult()
    allowed = {e.lower() for e in settings.ingest.extensions}
    limit = int(settings.ingest.max_file_mb * 1e6)
    folder = Path(settings.ui.upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        clean = safe_name(name)
        if Path(clean).suffix.lower() not in allowed:
            out.rejected.append((name, f"지원하지 않는 형식입니다 (가능: {', '.join(sorted(allowed))})"))
            continue
        if len(data) > limit:
            out.rejected.append(
                (
                    name,
                    f"파일이 너무 큽니다 ({len(data) / 1e6:.1f}MB, 최대 {settings.ingest.max_file_mb:g}MB)",
                )
            )
            continue
        with tempfile.TemporaryDirectory() as tmp:
            probe = Path(tmp) / clean
            probe.write_bytes(data)
            try:
                load_document(probe, limit, settings.ingest.min_text_chars)
            except LoaderError as exc:
                out.rejected.append((name, exc.reason))
                continue
            target = folder / clean
            shutil.move(probe, target)
        out.saved.append(target)
    return out


def reindex(
    paths: Sequence[Path],
    settings: Settings,
    user: User,
    *,
    embeddings: Any = None,
    progress: Progress | None = None,
    rebuild: bool = False,
) -> IngestReport:
    """Index files/folders incrementally (``ingest.pipeline.run_ingest``)."""
    require_admin(user)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise AdminError(
            f"경로를 찾을 수 없습니다: {', '.join(missing)} — 서버에서 보이는 경로인지 확인하세요."
        )
    try:
        return run_ingest([Path(p) for p in paths], settings, rebuild, embeddings, progress)
    except RuntimeError as exc:
        if "이미 실행 중" in str(exc):
            raise AdminError(f"{exc} 끝난 뒤 다시 시도하세요.") from exc
        raise


def remove_document(path: str, settings: Settings, user: User, *, embeddings: Any = None) -> IngestReport:
    """Remove one file's chunks from the index. A file that was uploaded here is deleted too,
    so the next re-index does not bring it back."""
    from ingest.pipeline import remove_document as remove_indexed

    require_admin(user)
    try:
        report = remove_indexed(path, settings, embeddings)
    except KeyError as exc:
        raise AdminError(f"색인에 없는 문서입니다: {path}") from exc
    except RuntimeError as exc:
        if "이미 실행 중" in str(exc):
            raise AdminError(f"{exc} 끝난 뒤 다시 시도하세요.") from exc
        raise
    upload_dir = Path(settings.ui.upload_dir).resolve()
    if upload_dir in Path(path).resolve().parents:
        Path(path).unlink(missing_ok=True)
    return report
