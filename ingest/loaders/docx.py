"""DOCX documents via python-docx: body paragraphs and tables in document order."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ingest.loaders.textnorm import normalize_text, tidy_lines, title_from_stem
from ingest.loaders.ziputil import open_zip
from ingest.model import LoadedDocument, LoaderError, LoadLimits, check_text_budget

_HEADING_STYLE = re.compile(r"^(?:heading|제목)\s*\d+$|^title$|^제목$", re.I)


def _is_heading(paragraph: Any) -> bool:
    try:
        name = paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, AttributeError, ValueError):  # dangling style references in odd files
        return False
    return bool(_HEADING_STYLE.match((name or "").strip()))


def _table_lines(table: Any) -> list[str]:
    """Each distinct cell's content on its own lines; merged cells (same <w:tc>) once."""
    lines: list[str] = []
    seen: set[Any] = set()  # holds the <w:tc> elements themselves so their ids stay unique
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            lines.extend(_block_lines(cell.iter_inner_content())[0])
    return lines


def _block_lines(blocks: Any) -> tuple[list[str], list[str]]:
    """(lines, heading texts) of paragraphs and tables in order."""
    from docx.table import Table

    lines: list[str] = []
    headings: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
            continue
        text = block.text
        lines.append(text)
        if text.strip() and _is_heading(block):
            headings.append(text.strip())
    return lines, headings


def load_docx(path: Path, limits: LoadLimits) -> LoadedDocument:
    """Extract a .docx; headings stay plain lines, tables appear where they are in the body."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    open_zip(path, limits).close()  # zip-bomb and corruption check before python-docx inflates anything
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise LoaderError(
            str(path), f"DOCX 구조가 올바르지 않습니다 (손상되었거나 DOCX가 아님): {exc}"
        ) from exc
    lines, headings = _block_lines(document.iter_inner_content())
    check_text_budget(str(path), sum(len(line) for line in lines), limits)
    text = tidy_lines(normalize_text("\n".join(lines)))
    core_title = (document.core_properties.title or "").strip()
    title = core_title or (headings[0] if headings else "") or title_from_stem(path.stem) or path.stem
    return LoadedDocument(str(path), title[:200], "guideline", text, {"source_format": "docx"})
