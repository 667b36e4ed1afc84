"""The 행정기관명 and 발신 명의 each user last put on a draft, remembered across sessions (one small
JSON file, ``ui.draft_profiles_file``): a clerk of 가나구 should not retype it, nor get ○○시."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

_LOCK = threading.Lock()


@dataclass(frozen=True)
class DraftProfile:
    agency: str = ""  # "" = settings.chains.draft_agency
    sender: str = ""  # "" = 행정기관명 + 장


def load(path: Path, login: str) -> DraftProfile:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8")).get(login, {})
        return DraftProfile(str(data.get("agency", "")), str(data.get("sender", "")))
    except (FileNotFoundError, ValueError, AttributeError):
        return DraftProfile()


def save(path: Path, login: str, profile: DraftProfile) -> None:
    """Record `login`'s profile (atomic replace; other users' entries kept)."""
    path = Path(path)
    with _LOCK:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            data = {}
        if data.get(login) == asdict(profile):
            return
        data[login] = asdict(profile)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}-{os.getpid()}-{threading.get_ident()}")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
