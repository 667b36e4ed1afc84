"""Tables as rows that keep their headers (pure functions shared by the HWP, HWPX, DOCX and PDF
loaders and the chunker).

A loader turns each table into a grid of cell ids and texts (a merged cell covers several grid
positions with the same id), and :func:`table_block` renders it into the document text as::

    \\x02<caption or nearest heading>
    <column names joined by " | ">
    구분: 보통재산 | 대부료율: 1천분의 50 | 근거: 제31조
    …
    \\x03

The chunker (``ingest.documents.chunking``) recognises the two marker lines, keeps a table's rows together
and repeats the caption and the column line in every part of a long table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

TABLE_OPEN = "\x02"  # first char of the line that starts a table block; the rest is its caption
TABLE_CLOSE = "\x03"  # a line of its own that ends the block
CELL_SEP = " | "
MAX_HEADER_ROWS = 3
MAX_CAPTION_CHARS = 80
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class GridCell:
    """One grid position: `cell` identifies the (possibly merged) cell covering it."""

    cell: int
    text: str


Grid = list[list[GridCell]]


@dataclass(frozen=True)
class SpanCell:
    """A cell as HWP/HWPX store it: top-left address and spans."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


def clean_cell(text: str) -> str:
    """Cell text on one line (paragraphs inside a cell joined by spaces); `|` made harmless."""
    return _SPACES.sub(" ", text.replace("|", "｜")).strip()


def grid_from_spans(cells: Sequence[SpanCell], n_rows: int = 0, n_cols: int = 0) -> Grid:
    """Expand addressed cells with spans into a full grid; positions no cell covers are empty."""
    rows = max([n_rows, *(c.row + max(c.rowspan, 1) for c in cells)])
    cols = max([n_cols, *(c.col + max(c.colspan, 1) for c in cells)])
    rows, cols = min(rows, 10_000), min(cols, 256)  # corrupt spans must not allocate the world
    grid: Grid = [[GridCell(-1 - r * cols - c, "") for c in range(cols)] for r in range(rows)]
    for i, cell in enumerate(cells):
        text = clean_cell(cell.text)
        for r in range(cell.row, min(cell.row + max(cell.rowspan, 1), rows)):
            for c in range(cell.col, min(cell.col + max(cell.colspan, 1), cols)):
                grid[r][c] = GridCell(i, text)
    return grid


def grid_from_keys(rows: Sequence[Sequence[tuple[object, str]]]) -> Grid:
    """A grid from rows of (cell key, text) where a merged cell repeats its key (python-docx
    `row.cells` repeats the same <w:tc>); keys are compared by identity."""
    ids: dict[int, int] = {}
    grid: Grid = []
    for row in rows:
        out = []
        for key, text in row:
            ids.setdefault(id(key), len(ids))
            out.append(GridCell(ids[id(key)], clean_cell(text)))
        grid.append(out)
    return grid


def grid_from_matrix(matrix: Sequence[Sequence[str | None]]) -> Grid:
    """A grid from extracted rows where None marks a position covered by a merged cell
    (pdfplumber): it joins the cell on its left if there is one, else the cell above."""
    grid: Grid = []
    next_id = 0
    width = max((len(r) for r in matrix), default=0)
    for r, row in enumerate(matrix):
        out: list[GridCell] = []
        for c in range(width):
            value = row[c] if c < len(row) else None
            if value is None and c > 0:
                out.append(out[c - 1])
            elif value is None and r > 0:
                out.append(grid[r - 1][c])
            else:
                out.append(GridCell(next_id, clean_cell(value or "")))
                next_id += 1
        grid.append(out)
    return grid


_NUMERIC = re.compile(r"^[\s\d.,%()\-+△▲▽▼~∼*′'’‘/]+$")
_YEAR = re.compile(r"^(?:19|20)\d{2}\s*년?(?:도)?$|^[’'‘]\d{2}$")  # years head columns; they are not data
MAX_HEADER_CHARS = 40  # longer "header" cells mean a layout table (diagrams, boxed text)


def _distinct(row: Sequence[GridCell]) -> list[GridCell]:
    out: list[GridCell] = []
    for cell in row:
        if not out or out[-1].cell != cell.cell:
            out.append(cell)
    return out


def looks_numeric(row: Sequence[GridCell]) -> bool:
    """Most non-empty cells of the row are numbers (a data row, not a header row)."""
    texts = [c.text for c in _distinct(row) if c.text and not _YEAR.match(c.text)]
    return bool(texts) and sum(bool(_NUMERIC.match(t)) for t in texts) * 2 > len(texts)


def _header_like(text: str) -> bool:
    return 0 < len(text) <= 15 and not any(ch.isdigit() for ch in text)


def is_key_value(grid: Grid) -> bool:
    """Every row is a label and its value (the table reads down the first column), unless the
    first row reads like column headers (short, no numbers: `구분 | 보유기간`)."""
    if len(grid) < 2 or len(grid[0]) < 2 or any(len(_distinct(row)) > 2 for row in grid):
        return False
    first = _distinct(grid[0])
    return len(first) < 2 or not all(_header_like(c.text) for c in first)


def is_data_table(grid: Grid) -> bool:
    """A table with a header row and at least one data row in two or more columns; layout boxes
    (one row or one column, one cell filling everything, paragraphs as "headers") are not."""
    if len(grid) < 2 or not grid[0] or len(grid[0]) < 2:
        return False
    distinct = {cell.cell for row in grid for cell in row if cell.text}
    if len(distinct) < 4:
        return False
    if is_key_value(grid):
        return all(len(_distinct(row)[0].text) <= MAX_HEADER_CHARS for row in grid)
    header = [c for c in _distinct(grid[0]) if c.text]
    return len(header) >= 2 and all(len(c.text) <= MAX_HEADER_CHARS for c in header)


def header_depth(grid: Grid) -> int:
    """How many top rows are headers: rows covered by the first row's tallest cell, and the row
    under a first-row cell that spans columns with distinct cells under it (its sub-headers);
    a row of numbers is never a header."""
    first = grid[0]
    depth = 1
    for c, cell in enumerate(first):
        span = 1
        while span < len(grid) and grid[span][c].cell == cell.cell:
            span += 1
        depth = max(depth, span)
    if depth == 1 and len(grid) > 2:
        for a, b in zip(range(len(first)), range(1, len(first)), strict=False):
            if first[a].cell == first[b].cell and first[a].text and grid[1][a].cell != grid[1][b].cell:
                depth = 2
                break
    depth = min(depth, MAX_HEADER_ROWS, len(grid) - 1)
    for r in range(1, depth):
        if looks_numeric(grid[r]):
            return r
    return depth


def column_names(grid: Grid, depth: int) -> list[str]:
    """Name of each column: its header cells top to bottom, a merged cell named once."""
    names = []
    for c in range(len(grid[0])):
        parts: list[str] = []
        seen: set[int] = set()
        for r in range(depth):
            cell = grid[r][c]
            if cell.text and cell.cell not in seen and (not parts or parts[-1] != cell.text):
                parts.append(cell.text)
            seen.add(cell.cell)
        names.append(" ".join(parts))
    return names


def row_text(names: Sequence[str], row: Sequence[GridCell]) -> str:
    """`헤더1: 값 | 헤더2: 값`; a cell merged across columns appears once, empty cells are left out,
    a value under an unnamed column stands alone. Cells merged down the rows repeat in each."""
    parts: list[str] = []
    prev = None
    for name, cell in zip(names, row, strict=False):
        if cell.cell == prev:
            continue
        prev = cell.cell
        if not cell.text:
            continue
        parts.append(f"{name}: {cell.text}" if name and name != cell.text else cell.text)
    return CELL_SEP.join(parts)


def table_rows(grid: Grid) -> tuple[list[str], list[str]]:
    """(column names, row texts) of a data table; a key-value table has no column names and
    each row reads `라벨: 값`."""
    if is_key_value(grid):
        rows = []
        for row in grid:
            cells = _distinct(row)
            label, value = cells[0].text, cells[1].text if len(cells) > 1 else ""
            rows.append(f"{label}: {value}" if label and value else label or value)
        return [], [r for r in rows if r]
    depth = header_depth(grid)
    names = column_names(grid, depth)
    rows = [text for row in grid[depth:] if (text := row_text(names, row))]
    return names, rows


def plain_lines(grid: Grid) -> list[str]:
    """Each distinct cell's text once, in reading order (for layout tables)."""
    seen: set[int] = set()
    lines = []
    for row in grid:
        for cell in row:
            if cell.cell in seen:
                continue
            seen.add(cell.cell)
            if cell.text:
                lines.append(cell.text)
    return lines


def caption_from(lines: Sequence[str]) -> str:
    """Nearest heading before a table: the last short non-empty line among `lines`."""
    for line in reversed(lines):
        s = _SPACES.sub(" ", line).strip()
        if s and TABLE_CLOSE not in s and TABLE_OPEN not in s:
            return s if len(s) <= MAX_CAPTION_CHARS else ""
    return ""


def table_block(grid: Grid, caption: str = "") -> list[str]:
    """Lines of a table in the document text: a marked block for data tables, the cell texts as
    plain lines for layout tables."""
    if not grid or not is_data_table(grid):
        return plain_lines(grid)
    names, rows = table_rows(grid)
    if not rows or any(len(n) > 2 * MAX_HEADER_CHARS for n in names):
        return plain_lines(grid)
    caption = _SPACES.sub(" ", caption).strip()[:MAX_CAPTION_CHARS]
    columns = CELL_SEP.join(n or "-" for n in names) if names else "(항목: 내용)"
    return [TABLE_OPEN + caption, columns, *rows, TABLE_CLOSE]


def fill_captions(lines: Sequence[str], lookback: int = 3) -> list[str]:
    """Give each table block without a caption the nearest heading before it: the last short
    line among the `lookback` non-empty lines preceding the block (outside other tables)."""
    out: list[str] = []
    recent: list[str] = []
    depth = 0
    for line in lines:
        if line.startswith(TABLE_OPEN):
            if not line[1:].strip():
                line = TABLE_OPEN + caption_from(recent[-lookback:])
            depth += 1
        elif line == TABLE_CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0 and line.strip():
            recent.append(line)
        out.append(line)
    return out


def strip_table_marks(text: str) -> str:
    """Document text without the block markers (for consumers that want plain text)."""
    out = []
    for line in text.split("\n"):
        if line.startswith(TABLE_OPEN):
            if line[1:].strip():
                out.append(line[1:])
        elif line != TABLE_CLOSE:
            out.append(line)
    return "\n".join(out)
