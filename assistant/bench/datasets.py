"""Reading QA benchmark files (our JSONL, KoBLEX, FireSafety) into `QAItem`s.

Only reading and validation happen here; turning the raw references into gold targets needs the
index's law catalog and lives in `assistant.bench.gold`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Format = Literal["koblex", "firesafety", "jsonl"]
FORMATS: tuple[str, ...] = ("auto", "koblex", "firesafety", "jsonl")


class DatasetError(Exception):
    """A QA file that cannot be used at all (empty, undetectable format, every line bad)."""


@dataclass(frozen=True)
class BadLine:
    """A skipped input line: 1-based line number and why."""

    line: int
    error: str


@dataclass
class QAItem:
    """One benchmark question. `raw_refs` keeps the references as the source file wrote them."""

    id: str
    question: str
    query: str  # what is sent to the retriever / answerer
    answer: str | None
    raw_refs: Any
    format: Format
    line: int
    background: str | None = None


@dataclass
class QADataset:
    name: str
    path: Path
    format: Format
    items: list[QAItem] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    n_lines: int = 0  # non-blank lines


def detect_format(record: dict[str, Any]) -> Format | None:
    """Format from the keys of one record, None when no known format fits."""
    keys = set(record)
    if "contexts" in keys and ("background" in keys or "n_hops" in keys):
        return "koblex"
    if "law_references" in keys:
        return "firesafety"
    if "references" in keys and "question" in keys:
        return "jsonl"
    return None


def _query(background: str | None, question: str) -> str:
    # KoBLEX questions lean on their background ("갑은 …"); the baseline was measured with both.
    return f"{background} {question}" if background else question


def _optional(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"필드 '{key}' 는 문자열이어야 합니다")
    return value.strip()


def _required(record: dict[str, Any], key: str) -> str:
    value = _optional(record, key)
    if value is None:
        raise ValueError(f"필드 '{key}' 가 없습니다")
    return value


def _parse_koblex(record: dict[str, Any], line: int) -> QAItem:
    question, background = _required(record, "question"), _optional(record, "background")
    contexts = record.get("contexts")
    if not isinstance(contexts, list):
        raise ValueError("필드 'contexts' 는 리스트여야 합니다")
    return QAItem(
        id=str(record.get("id", f"line{line}")),
        question=question,
        query=_query(background, question),
        answer=_optional(record, "answer"),
        raw_refs=[str(c.get("index", "")) for c in contexts if isinstance(c, dict)],
        format="koblex",
        line=line,
        background=background,
    )


def _parse_firesafety(record: dict[str, Any], line: int) -> QAItem:
    # `question` is the cleaned-up wording; fall back to the citizen's raw text.
    question = _optional(record, "question") or _required(record, "question_raw")
    refs = record.get("law_references") or []
    if not isinstance(refs, str | list):
        raise ValueError("필드 'law_references' 는 문자열 또는 리스트여야 합니다")
    return QAItem(
        id=str(record.get("question_id", f"line{line}")),
        question=question,
        query=question,
        answer=_optional(record, "answer"),
        raw_refs=refs,
        format="firesafety",
        line=line,
    )


def _parse_jsonl(record: dict[str, Any], line: int) -> QAItem:
    question, background = _required(record, "question"), _optional(record, "background")
    refs = record.get("references")
    if not isinstance(refs, list):
        raise ValueError("필드 'references' 는 리스트여야 합니다")
    for ref in refs:
        is_article = (
            isinstance(ref, dict) and isinstance(ref.get("law"), str) and isinstance(ref.get("article"), str)
        )
        is_section = isinstance(ref, dict) and isinstance(ref.get("document"), str)
        if not (is_article or is_section):
            raise ValueError(
                f"참조 {ref!r} 는 {{'law', 'article'}} 또는 {{'document', 'section'}} 형태여야 합니다"
            )
    return QAItem(
        id=str(record.get("id", f"line{line}")),
        question=question,
        query=_query(background, question),
        answer=_optional(record, "answer"),
        raw_refs=refs,
        format="jsonl",
        line=line,
        background=background,
    )


_PARSERS = {"koblex": _parse_koblex, "firesafety": _parse_firesafety, "jsonl": _parse_jsonl}


def read_qa_file(path: str | Path, fmt: str = "auto", name: str | None = None) -> QADataset:
    """Read one QA file. Bad lines are skipped and listed in `bad_lines`.

    Raises DatasetError for an empty file, an undetectable format, or when no line is usable.
    """
    path = Path(path)
    if fmt not in FORMATS:
        raise DatasetError(f"{path}: 알 수 없는 형식 '{fmt}' (가능: {', '.join(FORMATS)})")
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise DatasetError(f"{path}: 파일을 읽을 수 없습니다 ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: UTF-8 텍스트가 아닙니다") from exc

    records: list[tuple[int, dict[str, Any]]] = []
    bad: list[BadLine] = []
    for no, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            bad.append(BadLine(no, f"JSON 오류: {exc.msg} (열 {exc.colno})"))
            continue
        if not isinstance(record, dict):
            bad.append(BadLine(no, "JSON 객체가 아닙니다"))
            continue
        records.append((no, record))

    n_lines = len(records) + len(bad)
    if n_lines == 0:
        raise DatasetError(f"{path}: 빈 파일입니다")

    resolved: Format | None = None if fmt == "auto" else fmt  # type: ignore[assignment]
    if resolved is None and records:
        resolved = detect_format(records[0][1])
        if resolved is None:
            keys = ", ".join(sorted(records[0][1]))
            raise DatasetError(
                f"{path}:{records[0][0]}: 형식을 알 수 없습니다 (키: {keys}). --format 으로 지정하세요"
            )
    dataset = QADataset(name or path.stem, path, resolved or "jsonl", n_lines=n_lines)
    if resolved is not None:
        parse = _PARSERS[resolved]
        for no, record in records:
            try:
                dataset.items.append(parse(record, no))
            except (ValueError, TypeError, AttributeError) as exc:
                bad.append(BadLine(no, str(exc)))
    dataset.bad_lines = sorted(bad, key=lambda b: b.line)
    if not dataset.items:
        first = dataset.bad_lines[0]
        raise DatasetError(
            f"{path}: 사용할 수 있는 줄이 없습니다 ({len(dataset.bad_lines)}줄 모두 오류; "
            f"첫 오류 {first.line}행: {first.error})"
        )
    return dataset


def format_bad_lines(dataset: QADataset, limit: int = 5) -> list[str]:
    """Human-readable warnings 'file:line: error' (at most `limit`, then a count)."""
    out = [f"{dataset.path}:{b.line}: {b.error} — 이 줄은 건너뜁니다" for b in dataset.bad_lines[:limit]]
    if len(dataset.bad_lines) > limit:
        out.append(f"{dataset.path}: 그 밖에 {len(dataset.bad_lines) - limit}줄 오류")
    return out
