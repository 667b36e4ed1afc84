"""Metadata of a statute (law_title, law_type, law_number, effective_date, …) from what its file
carries: the YAML front matter of the law.go.kr statute export (`front_matter_metadata`), or the
title block and file name of a law.go.kr statute PDF (`title_block_metadata`). Pure; the one place
for both, so the two loaders give the same keys.

``law_type`` here is the 법령 종류 law.go.kr writes (법률, 대통령령, 총리령, …부령, 고시, 훈령, 예규,
지침): the search filter's values. `ingest.legal.titles.law_type_of` is a different classifier,
reading the kind of act from its title (법률/시행령/시행규칙/규정/…) to relate acts to each other.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

# --- the statute export (YAML front matter) ------------------------------------------------------

# Front-matter key → metadata key. Values are stringified: Chroma accepts scalars only.
STATUTE_KEYS = {
    "제목": "law_title",
    "법령구분": "law_type",
    "공포일자": "promulgated_date",
    "시행일자": "effective_date",
    "상태": "status",
    "법령ID": "law_id",
    "출처": "source_url",
    "시행종료일자": "valid_to",  # a past version kept for 행위시법 (ingest.statutes.sync sync --history)
}


def _scalar(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_scalar(v) for v in value if v not in (None, ""))
    return "" if value is None else str(value).strip()


def front_matter_metadata(fm: Mapping[str, Any]) -> dict[str, str]:
    """Metadata of a statute-export front matter; empty values are left out."""
    meta = {key: _scalar(fm.get(src)) for src, key in STATUTE_KEYS.items()}
    meta["ministry"] = _scalar(fm.get("소관부처"))
    return {k: v for k, v in meta.items() if v}


# --- law.go.kr statute PDFs ----------------------------------------------------------------------

# `[시행 2025. 10. 2.] [법률 제20897호, 2025. 4. 1., 일부개정]`
TITLE_BLOCK = re.compile(
    r"^\[시행\s*(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})\.?\]\s*"
    r"\[(.+?)\s+제\s*([\d-]+)\s*호,\s*(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})\.?,?\s*([^\]]*)\]"
)
# law.go.kr's download name: `법령명(법률)(제20897호)(20251002)`
PDF_FILENAME = re.compile(r"^(.+?)\(([^()]+)\)\(제([\d-]+)호\)\((\d{4})(\d{2})(\d{2})\)$")
ABBREVIATION = re.compile(r"\(\s*약칭\s*:\s*(.+?)\s*\)")


def _iso(y: str, m: str, d: str) -> str:
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def normalize_law_type(kind: str) -> str:
    """`개인정보보호위원회고시` → 고시; 법률/대통령령/총리령/…부령 stay as written."""
    kind = kind.strip()
    for suffix in ("고시", "훈령", "예규", "지침"):
        if kind.endswith(suffix):
            return suffix
    return kind


def title_block_metadata(
    title_line: str, block_line: str, contacts: Sequence[str], stem: str
) -> dict[str, str]:
    """law_title, law_type, effective_date, … from the title block, falling back to the
    law.go.kr file name pattern `법령명(법률)(제20897호)(20251002)`."""
    meta: dict[str, str] = {}
    fm = PDF_FILENAME.match(stem)
    if fm:
        meta["law_title"] = fm.group(1).strip()
        meta["law_type"] = normalize_law_type(fm.group(2))
        meta["law_number"] = fm.group(3)
        meta["effective_date"] = _iso(fm.group(4), fm.group(5), fm.group(6))
    if abbrev := ABBREVIATION.search(title_line):
        meta["abbreviation"] = abbrev.group(1).strip()
    name = ABBREVIATION.sub("", title_line).strip()
    if name:
        meta["law_title"] = re.sub(r"\s+", " ", name)
    if tb := TITLE_BLOCK.match(block_line):
        meta["effective_date"] = _iso(*tb.group(1, 2, 3))
        meta["law_type"] = normalize_law_type(tb.group(4))
        meta["law_number"] = tb.group(5)
        meta["promulgated_date"] = _iso(*tb.group(6, 7, 8))
        if tb.group(9).strip():
            meta["revision_type"] = tb.group(9).strip()
    ministries: list[str] = []
    for c in contacts:
        org = c.split("(", 1)[0].strip()
        if org and "(" in c and org not in ministries and not re.search(r"\d", org):
            ministries.append(org)
    if ministries:
        meta["ministry"] = ", ".join(ministries)
    return meta
