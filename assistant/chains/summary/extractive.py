"""The extractive summary (no LLM): central, diverse sentences per section and for the whole."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.chains.extractive import rank_central, select_diverse
from assistant.chains.summary.sections import location_range
from assistant.chains.summary.units import Unit
from assistant.chains.text import (
    split_sentences,
    strip_amendments,
)
from ingest.core.korean import morphemes
from ingest.legal.marks import POINT_LEAD_MARK

SECTION_POINTS = 3
MAX_SENTENCES = 6000  # extractive ranking cap (very long PDFs): the first sentences are kept


@dataclass
class SectionSummary:
    title: str
    location: str  # range of locations ("제1조(목적) ~ 제7조(…)")
    points: list[str] = field(default_factory=list)


@dataclass
class _Sent:
    text: str
    group: int
    terms: list[str]
    purpose: bool = False  # first sentence of a statute's 목적 article: the law in one sentence


def _sentences(groups: Sequence[tuple[str, list[Unit]]], title: str = "") -> list[_Sent]:
    raw: list[tuple[str, int, bool]] = []
    for gi, (_, units) in enumerate(groups):
        for u in units:
            if u.table is not None:
                continue  # table rows ("헤더: 값 | …") are facts, not sentences to summarise with
            is_purpose = u.location.endswith("(목적)")
            for j, s in enumerate(split_sentences(u.text)):
                t = strip_amendments(s.text).strip()
                # headings, bare item numbers and table debris make poor summary sentences
                if 20 <= len(t) <= 300 and re.search(r"[가-힣]{2,}", t) and t != title:
                    raw.append((t, gi, is_purpose and j == 0))
    raw = raw[:MAX_SENTENCES]
    terms = morphemes([t for t, _, _ in raw])
    return [_Sent(t, g, tm, p) for (t, g, p), tm in zip(raw, terms, strict=True)]


_IDEAL_CHARS = 150
# Statute boilerplate (delegation clauses, amendments of other acts) rarely says what a law does.
_BOILERPLATE = re.compile(
    r"필요한\s*사항은.*(?:령|규칙|조례)으로\s*정한다|개정규정|으로\s*한다\.$|적용하지\s*아니한다"
)


def clean_point(sentence: str) -> str:
    """A sentence as a bullet: without its leading 항/item/bullet marker."""
    return POINT_LEAD_MARK.sub("", sentence).strip()


def extractive_summary(
    title: str, groups: Sequence[tuple[str, list[Unit]]], n_key: int
) -> tuple[list[str], list[SectionSummary]]:
    sents = _sentences(groups, title)
    # Long provisions mention many frequent terms; a length factor keeps bullets readable.
    scores = [
        sc * min(1.0, _IDEAL_CHARS / max(len(s.text), 1)) * (0.2 if _BOILERPLATE.search(s.text) else 1.0)
        for sc, s in zip(rank_central([s.terms for s in sents]), sents, strict=True)
    ]
    addenda = {gi for gi, (name, _) in enumerate(groups) if name == "부칙"}
    key_scores = [0.0 if s.group in addenda else sc for sc, s in zip(scores, sents, strict=True)]
    n = max(3, min(n_key, 5))
    purpose = [i for i, s in enumerate(sents) if s.purpose]
    chosen = purpose[:1]
    rest = [i for i in select_diverse(key_scores, [s.terms for s in sents], n) if i not in chosen]
    key = [clean_point(sents[i].text) for i in chosen + rest][:n]
    sections: list[SectionSummary] = []
    for gi, (name, units) in enumerate(groups):
        idx = [i for i, s in enumerate(sents) if s.group == gi]
        picked = select_diverse([scores[i] for i in idx], [sents[i].terms for i in idx], SECTION_POINTS)
        text_unit = next((u for u in units if u.table is None), None)
        points = [clean_point(sents[idx[j]].text) for j in picked] or [
            clean_point(text_unit.text.split("\n")[0][:200]) if text_unit else f"[표] {units[0].table}"
        ]
        sections.append(SectionSummary(name or location_range(units), location_range(units), points))
    return key, sections
