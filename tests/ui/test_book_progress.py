"""관리 shows the background indexing of the statute book (ingest.job.book): running, stopped, done."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ingest.job import book_status
from ingest.job.book_status import BookProgress
from tests.ui.conftest import ADMIN, open_app


def _captions(at) -> list[str]:
    return [str(e.value) for e in at.caption]


def test_admin_shows_book_progress(app_env: dict[str, str]) -> None:
    db = Path(app_env["ASSISTANT_STORE__DB_DIR"])
    now = time.time()
    book_status.write(db, BookProgress(book_status.RUNNING, 480, 1931, 20_000, now - 120, now, os.getpid()))
    at = open_app("views/admin.py", ADMIN[2])
    bar = at.get("progress")[0]
    assert "법령 전체 색인 중: 480/1,931개 파일 (25%)" in str(bar.proto.text)
    assert "중단됨" not in str(bar.proto.text)

    book_status.write(db, BookProgress(book_status.RUNNING, 480, 1931, 20_000, now - 120, now, 2**22 + 7))
    at = open_app("views/admin.py", ADMIN[2])
    assert "이어서 색인합니다" in str(at.get("progress")[0].proto.text)  # its process is gone

    book_status.write(db, BookProgress(book_status.DONE, 1931, 1931, 180_000, now - 600, now, 1, "540초"))
    at = open_app("views/admin.py", ADMIN[2])
    assert any("법령 전체 색인 완료: 1,931개 파일 (540초)" in c for c in _captions(at))


pytestmark = pytest.mark.usefixtures("app_env")
