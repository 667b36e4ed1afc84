"""Units grouped into the sections a summary is written per (chapters, guideline headings)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.chains.doc_facts import Passage
from assistant.chains.summary.units import Unit
from assistant.chains.text import (
    pack_by_tokens,
)


def unit_passage(unit: Unit) -> Passage:
    if unit.table is None:
        return Passage(unit.text, unit.location)
    where = f"{unit.location} · 표" + (f" {unit.table}" if unit.table != "표" else "")
    return Passage(unit.text, where, unit.table is not None)


_TOC_PAGE = re.compile(r"(?:\t|\s{2,}|[.·…ㆍ]{2,})\s*\d+\s*$")
# a table of contents and the body may write Ⅰ or "I"
_ASCII_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ", "VI": "Ⅵ"}


def _section_key(name: str) -> str:
    """A section name as a table of contents and the body both write it: without the page
    number, spaces, and with Ⅰ for I."""
    name = _TOC_PAGE.sub("", name).strip()
    name = re.sub(r"^([IVX]{1,4})(?=\.)", lambda m: _ASCII_ROMAN.get(m.group(1), m.group(1)), name)
    return re.sub(r"\s+", "", name)


def group_sections(
    units: Sequence[Unit], count: Callable[[str], int], budget: int
) -> list[tuple[str, list[Unit]]]:
    """Units of one section together (a section named twice, as in a table of contents and then
    the body, is one group); documents without sections are cut into budget-sized groups named
    by their location range."""
    groups: list[tuple[str, list[Unit]]] = []
    named: dict[str, int] = {}
    for u in units:
        key = _section_key(u.section)
        if groups and groups[-1][0] == u.section:
            groups[-1][1].append(u)
        elif key and key in named and not _TOC_PAGE.search(groups[named[key]][0]):
            groups[named[key]][1].append(u)
        else:
            if key in named:  # a contents line ("Ⅰ. 과업안내\t 1"): its section stands where the body does
                toc = groups[named[key]][1]
                groups[named[key]] = ("", [])
                groups.append((u.section, [*toc, u]))
            else:
                groups.append((u.section, [u]))
            if key:
                named[key] = len(groups) - 1
    groups = [g for g in groups if g[1]]
    if len(groups) == 1 and not groups[0][0]:
        texts = [u.text for u in units]
        return [("", [units[i] for i in idx]) for idx in pack_by_tokens(texts, budget, count)]
    return groups


def location_range(units: Sequence[Unit]) -> str:
    first, last = units[0].location, units[-1].location
    return first if first == last else f"{first} ~ {last}"
