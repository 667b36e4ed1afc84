"""DOCX documents via python-docx: body paragraphs and tables in document order."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ingest.core.model import LoadedDocument, LoaderError, LoadLimits, check_text_budget
from ingest.documents.loaders.textnorm import normalize_text, tidy_lines, title_from_stem
from ingest.documents.loaders.ziputil import open_zip
from ingest.documents.tables import TABLE_OPEN, fill_captions, grid_from_keys, table_block

_HEADING_STYLE = re.compile(r"^(?:heading|제목)\s*\d+$|^title$|^제목$", re.I)


def _is_heading(paragraph: Any) -> bool:
    try:
        name = paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, AttributeError, ValueError):  # dangling style references in odd files
        return False
    return bool(_HEADING_STYLE.match((name or "").strip()))


def _table_lines(table: Any) -> list[str]:
    """A data table as a block of rows with their headers (merged cells, which python-docx
    repeats in `row.cells`, repeat their value); a layout table, or one holding other tables,
    as each distinct cell's lines once."""
    rows = [
        [_CellText(cell._tc, _block_lines(cell.iter_inner_content())[0]) for cell in row.cells]
        for row in table.rows
    ]
    if any(cell.nested for row in rows for cell in row):
        return plain_cell_lines(rows)
    return table_block(grid_from_keys([[(c.key, c.text) for c in row] for row in rows]))


class _CellText:
    """One cell's lines, keyed by its <w:tc> element (merged cells share it)."""

    def __init__(self, key: Any, lines: list[str]) -> None:
        self.key = key
        self.lines = lines
        self.text = " ".join(ln for ln in lines if ln.strip())
        self.nested = any(ln.startswith(TABLE_OPEN) for ln in lines)


def plain_cell_lines(rows: list[list[_CellText]]) -> list[str]:
    lines: list[str] = []
    seen: set[int] = set()
    for row in rows:
        for cell in row:
            if id(cell.key) not in seen:
                seen.add(id(cell.key))
                lines.extend(cell.lines)
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
    text = tidy_lines(normalize_text("\n".join(fill_captions(lines))))
    core_title = (document.core_properties.title or "").strip()
    title = core_title or (headings[0] if headings else "") or title_from_stem(path.stem) or path.stem
    return LoadedDocument(str(path), title[:200], "guideline", text, {"source_format": "docx"})
