"""Finding a cited passage in the text of its page or section (pure).

The indexed text of a chunk is not the text of its original byte for byte: loaders re-join
wrapped lines, collapse spaces, unify middle dots and drop running headers. So both sides are
compared without whitespace and with the loaders' character clean-up, and a passage that is not
found whole is looked for piece by piece (its lines and sentences), in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from ingest.documents.loaders.textnorm import normalize_text
from ingest.documents.tables import CELL_SEP

Span = tuple[int, int]  # [start, end) character offsets in the searched text

# Pieces shorter than this (non-space characters) match too easily somewhere else on a page.
MIN_PIECE_CHARS = 6
_PIECE_BREAK = re.compile(r"\n+|(?<=[.?!。])\s+")


@lru_cache(maxsize=4096)
def _clean_char(ch: str) -> str:
    return normalize_text(ch).strip()


def squeeze(text: str) -> tuple[str, list[int]]:
    """`text` without whitespace, with the loaders' character clean-up applied, and the offset
    in `text` of each character kept."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        for c in _clean_char(ch):
            out.append(c)
            where.append(i)
    return "".join(out), where


def _cells(line: str) -> list[str]:
    """A table row as the chunker writes it ("구분: 보통재산 | 근거: 제31조") as its cell texts,
    which is how the page shows it; any other line as itself."""
    if CELL_SEP not in line:
        return [line]
    return [cell.split(": ", 1)[-1] for cell in line.split(CELL_SEP)]


def pieces(passage: str) -> list[str]:
    """The lines and sentences (table rows: cells) of `passage` long enough to be located on
    their own."""
    parts = (c.strip() for p in _PIECE_BREAK.split(passage) for c in _cells(p))
    return [p for p in parts if len(squeeze(p)[0]) >= MIN_PIECE_CHARS]


def merge_spans(spans: Iterable[Span], text: str) -> list[Span]:
    """Sorted spans with overlapping ones, and those only whitespace apart, joined."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and (start <= out[-1][1] or not text[out[-1][1] : start].strip()):
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def find_passage(text: str, passage: str) -> list[Span]:
    """Where `passage` stands in `text`, ignoring whitespace and line-break differences: one span
    when it is found whole, else the spans of those of its pieces that are found (in order after
    each other where possible); [] when nothing is found."""
    hay, where = squeeze(text)
    needle = squeeze(passage)[0]
    if not needle or not hay:
        return []

    def span(i: int, n: int) -> Span:
        return where[i], where[i + n - 1] + 1

    found = hay.find(needle)
    if found >= 0:
        return [span(found, len(needle))]
    spans: list[Span] = []
    pos = 0
    for piece in pieces(passage):
        p = squeeze(piece)[0]
        i = hay.find(p, pos)
        if i < 0:
            i = hay.find(p)  # out of order (extraction order differs from reading order)
        if i >= 0:
            spans.append(span(i, len(p)))
            pos = i + len(p)
    return merge_spans(spans, text)


def find_passages(text: str, passages: Sequence[str]) -> list[Span]:
    """The spans of all `passages` in `text`, merged."""
    return merge_spans((s for p in passages for s in find_passage(text, p)), text)


def coverage(passage: str, spans: Sequence[Span], text: str) -> float:
    """Share (0–1) of the passage's characters that the spans in `text` cover."""
    total = len(squeeze(passage)[0])
    if not total:
        return 0.0
    covered = sum(len(squeeze(text[a:b])[0]) for a, b in spans)
    return min(1.0, covered / total)
