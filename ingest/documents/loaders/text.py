"""Markdown and plain-text files, including the statute export (YAML front matter + markdown)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import yaml

from ingest.core.model import ErrorKind, LoadedDocument, LoaderError, LoadLimits, check_text_budget
from ingest.documents.loaders.textnorm import normalize_text, title_from_stem
from ingest.legal.markup import clean_statute_markup
from ingest.legal.metadata import front_matter_metadata

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def decode_bytes(data: bytes, path: Path | str) -> str:
    """Decode UTF-8 (± BOM), UTF-16 with BOM or CP949/EUC-KR; raise LoaderError otherwise."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for enc in ("utf-8", "cp949"):  # cp949 is a superset of EUC-KR
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if not _looks_binary(text):
            return text
    text = _guess_with_charset_normalizer(data)
    if text is None:
        raise LoaderError(
            str(path),
            "문자 인코딩을 판별할 수 없습니다 (UTF-8/UTF-16/CP949가 아님, 바이너리 파일?)",
            ErrorKind.ENCODING,
        )
    return text


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    """NUL or many C0 controls mean the bytes were not text in this encoding."""
    if "\x00" in text:
        return True
    controls = len(_CONTROLS.findall(text))
    return controls > max(8, len(text) // 100)


def _guess_with_charset_normalizer(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    # A "match" that is mostly controls or replacement characters is still binary.
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
    if not text.strip() or bad > len(text) // 20:
        return None
    return text


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """Return (parsed YAML mapping, body). Bad or non-mapping YAML gives (None, original text)."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return None, text
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return None, text
    if not isinstance(data, dict):
        return None, text
    return data, text[m.end() :]


def guess_title(text: str, stem: str) -> str:
    """First `# ` heading, else first non-empty line (≤100 chars), else the file name."""
    m = _HEADING.search(text)
    if m:
        return m.group(1).strip()[:100]
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:100]
    return title_from_stem(stem) or stem


def load_text(path: Path, limits: LoadLimits) -> LoadedDocument:
    """Load .md/.txt; statute-export markdown becomes doc_type="statute" with its metadata."""
    raw = decode_bytes(path.read_bytes(), path)
    check_text_budget(str(path), len(raw), limits)
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    fm, body = split_front_matter(text) if path.suffix.lower() == ".md" else (None, text)
    if fm is not None and fm.get("제목") and fm.get("법령구분"):
        meta = front_matter_metadata(fm)
        # The export body is canonical statute markdown: kept as written, except the portal's
        # HTML debris (image tags with outside links, box-drawn tables), which becomes text and tables.
        return LoadedDocument(str(path), meta["law_title"], "statute", clean_statute_markup(body), meta)
    if fm is not None:
        text = body  # ordinary front matter (e.g. a static-site page) is not content
    text = normalize_text(text)
    return LoadedDocument(str(path), guess_title(text, path.stem), "guideline", text, {})
