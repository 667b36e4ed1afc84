"""Progress of the background indexing of the statute book (``ingest.job.book``), as the 관리 page and
the log show it.

The job writes ``<db_dir>/book-progress.json`` (atomically) as it goes; readers never import the
writer. A record whose process is gone while it says "running" was killed: the next start of
the app resumes the generation it was building (``ingest.index.generations``), it never starts over.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PROGRESS_FILE = "book-progress.json"
RUNNING, DONE, FAILED = "running", "done", "failed"


@dataclass(frozen=True)
class BookProgress:
    state: str  # RUNNING | DONE | FAILED
    files_done: int = 0
    files_total: int = 0
    chunks_embedded: int = 0
    started: float = 0.0  # epoch seconds
    updated: float = 0.0
    pid: int = 0
    message: str = ""

    @property
    def fraction(self) -> float:
        return self.files_done / self.files_total if self.files_total else 0.0

    def alive(self) -> bool:
        """The job that wrote this record is still running (same machine)."""
        if self.state != RUNNING or self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # another user's process: it exists
            return True
        return True

    def line(self, now: float | None = None) -> str:
        """One Korean line for the log and the 관리 page."""
        if self.state == DONE:
            detail = f" ({self.message})" if self.message else ""
            return f"법령 전체 색인 완료: {self.files_total:,}개 파일{detail}"
        if self.state == FAILED:
            return f"법령 전체 색인 실패: {self.message}"
        elapsed = max((now or time.time()) - self.started, 0.0)
        eta = ""
        if 0 < self.files_done < self.files_total and elapsed > 0:
            left = elapsed / self.files_done * (self.files_total - self.files_done)
            eta = f", 남은 시간 약 {left / 60:.0f}분"
        stopped = "" if self.alive() else " — 중단됨 (앱을 다시 시작하면 이어서 색인합니다)"
        return (
            f"법령 전체 색인 중: {self.files_done:,}/{self.files_total:,}개 파일 ({self.fraction:.0%}), "
            f"청크 {self.chunks_embedded:,}개 임베딩, {elapsed / 60:.0f}분 경과{eta}{stopped}"
        )


def read(db_dir: Path) -> BookProgress | None:
    """The last record (None before the first background run)."""
    try:
        data = json.loads((Path(db_dir) / PROGRESS_FILE).read_text(encoding="utf-8"))
        return BookProgress(**data)
    except (FileNotFoundError, ValueError, TypeError):
        return None


def write(db_dir: Path, progress: BookProgress) -> None:
    path = Path(db_dir) / PROGRESS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}-{os.getpid()}")
    tmp.write_text(json.dumps(asdict(progress), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
