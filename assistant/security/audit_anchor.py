"""The audit log's anchor: the id and hash of each log's last row, kept in a file outside the
database (``security.audit_anchor_file``). The hash chain shows a row changed or removed in the
middle; only a copy kept elsewhere shows rows removed from the end.

One JSON object, one entry per log (keyed by :func:`log_identity`), replaced atomically under a
lock file, mode 0600.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from assistant.security.storage import DATA_FILE_MODE


@dataclass(frozen=True)
class Anchor:
    """The last row a writer appended: its id and hash."""

    id: int
    hash: str


def log_identity(url: str) -> str:
    """The name of a log's entry in the anchor file: its URL, a SQLite path made absolute, a
    password hidden."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///{Path(parsed.database or '').resolve()}"
    return parsed.render_as_string(hide_password=True)


def _entries(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: 기준점 파일을 읽을 수 없습니다 ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: 기준점 파일의 형식이 맞지 않습니다")
    return data


def read_anchor(path: Path | str, identity: str) -> Anchor | None:
    """The anchor of the log `identity`, None when the file has none; ValueError when the file is
    unreadable or malformed."""
    path = Path(path)
    entry = _entries(path).get(identity)
    if entry is None:
        return None
    try:
        return Anchor(int(entry["id"]), str(entry["hash"]))  # type: ignore[call-overload,index]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: 기준점 항목의 형식이 맞지 않습니다 ({identity})") from exc


def write_anchor(path: Path | str, identity: str, anchor: Anchor) -> None:
    """Set the anchor of the log `identity`, keeping the other logs' entries."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(path.with_name(path.name + ".lock"), os.O_CREAT | os.O_RDWR, DATA_FILE_MODE)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)  # writers of different logs share the file
        entries = _entries(path)
        entries[identity] = {"id": anchor.id, "hash": anchor.hash}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(entries, f, ensure_ascii=False, indent=1, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    finally:
        os.close(lock_fd)  # releases the flock
