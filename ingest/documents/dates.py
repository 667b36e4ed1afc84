"""Dates set by an admin for documents (path → YYYY-MM-DD) in a small JSON file: the date a
guideline or draft was written as of, against which the 지침 점검 compares later amendments."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path


def load(file: Path) -> dict[str, str]:
    """The stored dates; {} before the first is set. A damaged file is a Korean error naming it."""
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise ValueError(f"문서 기준일 파일을 읽지 못했습니다 ({file}): {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"문서 기준일 파일의 형식이 잘못되었습니다 ({file}): 경로 → 날짜 객체여야 합니다.")
    return {str(k): str(v) for k, v in data.items()}


def check_date(value: str) -> str:
    """`value` as YYYY-MM-DD; ValueError (Korean) otherwise."""
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        raise ValueError(f"날짜는 YYYY-MM-DD 형식이어야 합니다: {value!r}") from exc


def store(file: Path, document: str, day: str | None) -> dict[str, str]:
    """Set (or with None remove) one document's date; the file is replaced atomically."""
    dates = load(file)
    if day is None:
        dates.pop(document, None)
    else:
        dates[document] = check_date(day)
    path = Path(file)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}-{time.time_ns()}")
    tmp.write_text(json.dumps(dates, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
    return dates
