"""Parts of a 개조식 보고서 (pure): its sections filled from the form inputs and the retrieved
provisions, and the placeholder check that keeps an unfilled draft from passing.

A section that neither the inputs nor the sources can fill keeps a visible placeholder
("(내용 입력: 현황)"); :func:`placeholder_issues` reports every such line as an error, so the
format check refuses a draft until a person has written it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # format_check imports this module; keep it free of chain imports
    from assistant.chains.types import Source

REPORT_SECTIONS = ("추진 배경", "현황", "문제점", "개선 방안", "향후 계획")
_PLACEHOLDER = re.compile(r"\((?:내용\s*입력|입력\s*필요|작성\s*필요)[^)]*\)|○○○|XXX")
# Which section a key point belongs to, by its words (the first match wins; else 현황).
_SECTION_WORDS = (
    ("문제점", ("문제", "미흡", "부족", "지연", "불편", "민원 증가", "오류", "위반", "어려움")),
    ("개선 방안", ("개선", "방안", "강화", "도입", "정비", "확대", "마련", "개정")),
    ("향후 계획", ("향후", "계획", "예정", "일정", "추진 일정", "까지", "차년도")),
)


def placeholder(section: str) -> str:
    """The visible placeholder of an unfilled section."""
    return f"(내용 입력: {section})"


def section_of(point: str) -> str:
    """The report section a key point of the form belongs to."""
    for section, words in _SECTION_WORDS:
        if any(w in point for w in words):
            return section
    return "현황"


def background_items(subject: str, basis: Sequence[Source], reference: str) -> list[tuple[int, str]]:
    """추진 배경 from the provisions found: what requires or allows the subject. `reference` is
    the citation of the first basis source (「법」 제N조(제목)). Empty without a basis."""
    if not basis:
        return []
    first = basis[0]
    items = [(0, f"{reference}에 따른 {subject.strip()} 필요")]
    if first.highlights:
        items.append((1, _shorten(first.highlights[0], 100)))
    return items


def report_sections(
    subject: str, key_points: Sequence[str], basis: Sequence[Source], reference: str
) -> dict[str, list[tuple[int, str]]]:
    """All :data:`REPORT_SECTIONS`, filled from the inputs and the basis, else placeholders."""
    sections: dict[str, list[tuple[int, str]]] = {name: [] for name in REPORT_SECTIONS}
    sections["추진 배경"] = background_items(subject, basis, reference)
    for point in key_points:
        text = point.strip()
        if text:
            sections[section_of(text)].append((0, text))
    return {name: items or [(0, placeholder(name))] for name, items in sections.items()}


def placeholder_lines(lines: Sequence[str]) -> list[int]:
    """1-based numbers of the lines that still hold a placeholder."""
    return [i + 1 for i, ln in enumerate(lines) if _PLACEHOLDER.search(ln)]


def _shorten(text: str, width: int) -> str:
    t = re.sub(r"^\s*[①-⑳]\s*", "", text).strip()
    return t if len(t) <= width else t[: width - 1].rstrip() + "…"
