"""Admin actions of the 관리 page. Each takes the acting `user` and refuses anyone but an admin
(:func:`require_admin`, recorded as "denied" in the audit log); the work itself is done by
``ingest.job.pipeline``. Re-indexing and removals are recorded in the audit log too."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.security import audit
from assistant.security.audit import AuditEntry, ChainReport, get_audit_log
from assistant.security.auth import User
from assistant.security.guard import InputRejected, check_upload
from assistant.security.throttle import ThrottleEntry, get_throttle
from ingest.core.model import LoaderError, LoadLimits
from ingest.core.settings import Settings
from ingest.documents import dates as document_dates
from ingest.documents.loaders import load_document
from ingest.index.manifest import FileRecord
from ingest.index.stats import index_stats, open_manifest
from ingest.job import book_status as book_status  # the admin views read progress through here
from ingest.job.book import guidelines_dir
from ingest.job.pipeline import IngestReport, run_ingest
from ingest.job.pipeline import remove_document as remove_indexed
from ingest.statutes import repo as statute_repo
from ingest.statutes import sync as statutes
from ingest.statutes.amendments import StaleCitation

Progress = Callable[[int, int, int], None]


class AdminError(RuntimeError):
    """An admin action was refused or cannot run; ``str()`` is a Korean message for the user."""


def require_admin(user: User | None, settings: Settings, action: str) -> None:
    """Raise AdminError unless `user` is an admin; a refusal is recorded as "denied" (`action`)."""
    if user is not None and user.is_admin:
        return
    audit.record(settings, "denied", user, detail=action)
    raise AdminError("관리자만 사용할 수 있는 기능입니다. 관리자 계정으로 로그인하세요.")


def default_reindex_folder(settings: Settings) -> Path:
    """What 다시 색인 offers first: the guidelines, not the whole shipped book (``ingest.job.book``
    keeps that up to date in the background)."""
    return guidelines_dir(settings)


def corpus_stats(settings: Settings, user: User) -> dict[str, Any]:
    """Documents, chunks (by type), last indexing time, embedding model of the index."""
    require_admin(user, settings, "corpus_stats")
    return index_stats(settings)


def documents(settings: Settings, user: User) -> list[FileRecord]:
    """Indexed files, by title."""
    require_admin(user, settings, "documents")
    manifest = open_manifest(settings)
    if manifest is None:
        return []
    try:
        return sorted(manifest.files().values(), key=lambda r: (r.doc_type, r.title))
    finally:
        manifest.close()


def audit_entries(
    settings: Settings, user: User, limit: int = 200, *, login: str | None = None, event: str | None = None
) -> list[AuditEntry]:
    """The newest audit entries, optionally of one login and/or one event."""
    require_admin(user, settings, "audit_entries")
    return get_audit_log(settings).recent(limit, user=login, event=event)


def audit_check(settings: Settings, user: User) -> ChainReport:
    """The audit log's hash chain and append-only triggers, verified."""
    require_admin(user, settings, "audit_check")
    return get_audit_log(settings).verify()


def login_throttles(settings: Settings, user: User) -> list[ThrottleEntry]:
    """Logins and clients with counted failures (most recent first)."""
    require_admin(user, settings, "login_throttles")
    return get_throttle(settings).entries()


def clear_login_throttle(settings: Settings, user: User, key: str | None = None) -> int:
    """Forget the failures of one key (or all); recorded in the audit log."""
    require_admin(user, settings, "clear_login_throttle")
    removed = get_throttle(settings).clear(key)
    audit.record(settings, "login_unblock", user, detail=key or "전체")
    return removed


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
    require_admin(user, settings, "save_uploads")
    out = UploadResult()
    folder = Path(settings.ui.upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        clean = safe_name(name)
        try:
            check_upload(clean, data, settings)  # by content: type, size, pages, zip bomb
        except InputRejected as exc:
            out.rejected.append((name, exc.reason))
            audit.record(settings, "input_rejected", user, sources=[clean], detail=f"업로드: {exc.kind}")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            probe = Path(tmp) / clean
            probe.write_bytes(data)
            try:
                load_document(probe, LoadLimits.from_settings(settings))
            except LoaderError as exc:
                out.rejected.append((name, exc.reason))
                audit.record(settings, "input_rejected", user, sources=[clean], detail=f"업로드: {exc.kind}")
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
    """Index files/folders incrementally (``ingest.job.pipeline.run_ingest``)."""
    require_admin(user, settings, "reindex")
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise AdminError(
            f"경로를 찾을 수 없습니다: {', '.join(missing)} — 서버에서 보이는 경로인지 확인하세요."
        )
    try:
        report = run_ingest([Path(p) for p in paths], settings, rebuild, embeddings, progress)
    except RuntimeError as exc:
        if "이미 실행 중" in str(exc):
            raise AdminError(f"{exc} 끝난 뒤 다시 시도하세요.") from exc
        raise
    audit.record(
        settings,
        "reindex",
        user,
        sources=[str(p) for p in paths],
        detail=(
            f"추가 {len(report.added)} · 갱신 {len(report.updated)} · 삭제 {len(report.removed)}"
            f" · 실패 {len(report.failed)}" + (" · 처음부터" if rebuild else "")
        ),
    )
    return report


def remove_document(path: str, settings: Settings, user: User, *, embeddings: Any = None) -> IngestReport:
    """Remove one file's chunks from the index. A file that was uploaded here is deleted too,
    so the next re-index does not bring it back."""
    require_admin(user, settings, "remove_document")
    try:
        report = remove_indexed(path, settings, embeddings)
    except KeyError as exc:
        raise AdminError(f"색인에 없는 문서입니다: {path}") from exc
    except RuntimeError as exc:
        if "이미 실행 중" in str(exc):
            raise AdminError(f"{exc} 끝난 뒤 다시 시도하세요.") from exc
        raise
    audit.record(settings, "delete_document", user, sources=[path], detail=f"청크 {report.chunks_deleted}개")
    upload_dir = Path(settings.ui.upload_dir).resolve()
    if upload_dir in Path(path).resolve().parents:
        Path(path).unlink(missing_ok=True)
    return report


@dataclass
class WatchReport:
    """The 지침 점검: the documents checked and their citations of articles changed since."""

    repo: statute_repo.RepoAt
    documents: list[statutes.WatchedDocument]
    stale: list[StaleCitation]


def amendment_watch(settings: Settings, user: User) -> WatchReport:
    """Check the citations of every indexed guideline and kept draft against the legalize-kr
    history (``ingest.statutes.sync.watch_documents``); the run is recorded in the audit log."""
    require_admin(user, settings, "amendment_watch")
    at = statute_repo.configured(settings)
    if at is None:
        raise AdminError(
            "법령 저장소(legalize-kr)가 설정되지 않아 점검할 수 없습니다. 설정 statutes.repo 에 저장소 경로를 "
            "넣거나 `python -m ingest.statutes.sync sync 저장소` 로 한 번 동기화하세요."
        )
    try:
        docs = statutes.watched_documents(settings)
    except ValueError as exc:  # a damaged document-dates file
        raise AdminError(str(exc)) from exc
    stale = statutes.watch_documents(at, docs)
    audit.record(
        settings,
        "amendment_watch",
        user,
        sources=sorted({s.document for s in stale}),
        detail=f"문서 {len(docs)}건 · 점검 필요 인용 {len(stale)}건 (커밋 {at.commit[:10]})",
    )
    return WatchReport(at, docs, stale)


def set_document_date(settings: Settings, user: User, document: str, day: str | None) -> None:
    """Set (None: clear) the date a document was written as of; recorded in the audit log."""
    require_admin(user, settings, "set_document_date")
    try:
        document_dates.store(settings.statutes.document_dates_file, document, day)
    except ValueError as exc:
        raise AdminError(str(exc)) from exc
    audit.record(settings, "document_date", user, sources=[document], detail=day or "기준일 지정 해제")
