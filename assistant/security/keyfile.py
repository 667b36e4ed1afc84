"""Server keys kept in files outside the databases (the session cookie's MAC, the audit chain's
HMAC): 32 random bytes as hex, created mode 0600 on first use."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from assistant.security.storage import DATA_FILE_MODE

MIN_KEY_CHARS = 32


def read_key(path: Path | str) -> bytes | None:
    """The key in `path`, or None when there is no such file; ValueError when it is too short."""
    path = Path(path)
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    if len(key) < MIN_KEY_CHARS:
        raise ValueError(f"{path}: 키가 너무 짧습니다 (손상된 키 파일).")
    return key.encode("ascii")


def load_or_create_key(path: Path | str) -> bytes:
    """The key in `path`, created (readable by this user only) when there is none yet."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, DATA_FILE_MODE)
        except FileExistsError:  # another instance made it first
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    key = read_key(path)
    assert key is not None
    return key
