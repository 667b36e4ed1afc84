"""Markup debris of the law.go.kr export turned into text and tables (pure).

The statute export carries what the portal's HTML had: ``<img src="http://www.law.go.kr/…">``
tags around tables drawn with box characters (지방공무원 복무규정 제7조 연가일수), empty
``<img id="…"></img>`` placeholders of 별표 images, and now and then other tags. Shown as they
are, they put a live outside link and a table whose columns do not line up in an answer. Here a
box table becomes a Markdown table (rows of cells), an image without text a short note, any other
tag and bare URL nothing. The ingest loader cleans statute text with :func:`clean_statute_markup`
before chunking; the answer chains pass quoted text through :func:`clean_quote` too, so an index
built before this cleaning (or a guideline with HTML in it) cannot leak markup either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

IMAGE_NOTE = "(그림 생략: 원문 참조)"
# Tags of HTML only (ASCII names): amendment notes such as "<개정 2022.1.11>" are Hangul and stay.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_IMG_OPEN = re.compile(r"<img\b[^<>]*>", re.I)
_IMG_BLOCK = re.compile(r"<img\b[^<>]*>(.*?)</img>", re.I | re.S)
_URL = re.compile(r"(?i)\b(?:https?|ftp)://[^\s<>\"')\]]+|\bwww\.[A-Za-z0-9.-]+\.[a-z]{2,}[^\s<>\"')\]]*")
_BOX_RULE = re.compile(r"^[\s┌┐└┘├┤┬┴┼─━│┃╋┣┫┳┻┏┓┗┛]+$")
_BOX_ROW = re.compile(r"^\s*[│┃].*[│┃]\s*$")
_TOP = re.compile(r"^\s*[┌┏]")
_BOTTOM = re.compile(r"^\s*[└┗]")
_RULE_RUN = re.compile(r"[┌┐└┘├┤┬┴┼─━╋┣┫┳┻┏┓┗┛]{2,}")
TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"[│┃]", line.strip())[1:-1]]


def box_table_rows(lines: Sequence[str]) -> list[list[str]]:
    """Rows of cells of a table drawn with box characters. Lines between two rule lines are one
    row (a cell that wraps) when rules separate every row; with a rule under the header only,
    each body line is a row."""
    groups: list[list[list[str]]] = [[]]
    for line in lines:
        if not line.strip():
            continue
        if _BOX_RULE.match(line) and not _BOX_ROW.match(line):
            if groups[-1]:
                groups.append([])
        elif _BOX_ROW.match(line):
            groups[-1].append(_cells(line))
    groups = [g for g in groups if g]
    if not groups:
        return []
    width = max(len(r) for g in groups for r in g)

    def merged(group: list[list[str]]) -> list[str]:
        cols = [[] for _ in range(width)]  # type: list[list[str]]
        for row in group:
            for i, cell in enumerate(row):
                if cell:
                    cols[i].append(cell)
        return [" ".join(c) for c in cols]

    if len(groups) <= 2:  # header | body: a body line is a row
        return [merged(groups[0])] + [r + [""] * (width - len(r)) for g in groups[1:] for r in g]
    return [merged(g) for g in groups]


def markdown_table(rows: Sequence[Sequence[str]]) -> list[str]:
    """GitHub-style table lines, the first row as header."""
    if not rows:
        return []

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "/") or " " for c in cells) + " |"

    return [line(rows[0]), "|" + "---|" * len(rows[0])] + [line(r) for r in rows[1:]]


def _convert_box_tables(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _TOP.match(lines[i]):
            j = i + 1
            while j < len(lines) and not _BOTTOM.match(lines[j]):
                j += 1
            if j < len(lines):
                rows = box_table_rows(lines[i : j + 1])
                if rows:
                    out += [""] + markdown_table(rows) + [""]
                    i = j + 1
                    continue
        out.append(_orphan_box_line(lines[i]))
        i += 1
    return "\n".join(out)


def _orphan_box_line(line: str) -> str:
    """A line of a box table whose frame is broken (no top or bottom rule): its cells as text."""
    if _BOX_RULE.match(line) and line.strip():
        return ""
    if "│" in line or "┃" in line:
        return " / ".join(c for c in (c.strip() for c in re.split(r"[│┃]", line)) if c)
    return line


def _image_block(m: re.Match[str]) -> str:
    inner = m.group(1)
    return inner if inner.strip() else IMAGE_NOTE


def clean_statute_markup(text: str) -> str:
    """Statute markdown with box tables as Markdown tables, images as their text (or a note),
    other HTML tags and bare URLs removed. Text without markup is returned unchanged."""
    if "<" not in text and "┌" not in text and "://" not in text:
        return text
    text = _IMG_BLOCK.sub(_image_block, text)
    text = _IMG_OPEN.sub(IMAGE_NOTE, text)  # an image tag never closed
    text = _TAG.sub("", text)
    text = _URL.sub("", text)
    # the tab indentation of the portal's HTML would make code blocks of Markdown
    text = re.sub(r"(?m)^\t+", "", text)
    return _RULE_RUN.sub(" ", _convert_box_tables(text))


def clean_quote(text: str) -> str:
    """A quoted line or passage without tags, URLs or box-drawn rules (answers and exports)."""
    text = _IMG_BLOCK.sub(_image_block, text)
    text = _IMG_OPEN.sub(IMAGE_NOTE, text)
    return _URL.sub("", _TAG.sub("", text))


def is_table_line(line: str) -> bool:
    """A Markdown table line ("| a | b |")."""
    return bool(TABLE_LINE.match(line))
