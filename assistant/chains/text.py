"""Pure text helpers: splitting provisions into sentences, token budgets."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.security.pii import mask_personal_data as mask_personal_data

# Re-exported for older callers; masking lives in assistant.security.pii.
from ingest.legal.marks import PARAGRAPH_START, circled_number

CountTokens = Callable[[str], int]

# Sentence ends inside one line: "…한다. 다만, …" / "…경우? …". Item numbers ("1. ") and dates
# ("2023.3.14") are not preceded by a Hangul syllable + period, so they never split.
_SENTENCE_END = re.compile(r"(?<=[가-힣]\.)\s+(?=\S)|(?<=[?!])\s+(?=\S)")
_AMENDMENT = re.compile(r"\s*<(?:개정|신설|전문개정|본조신설|제목개정|삭제|타법개정)[^>]*>")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a provision or document, with where it stands."""

    text: str
    paragraph: int = 0  # 항 number (①=1) the sentence belongs to; 0 = none
    line: int = 0  # line index in the body


def paragraph_of(line: str) -> int:
    """``"① …"`` → 1; 0 when the line does not start a 항."""
    m = PARAGRAPH_START.match(line)
    return circled_number(m.group(1)) if m else 0


def strip_amendments(text: str) -> str:
    """Remove amendment notes such as ``<개정 2023.3.14>``."""
    return _AMENDMENT.sub("", text)


def split_sentences(body: str) -> list[Sentence]:
    """Sentences of a provision body (or any text), each tagged with its 항."""
    out: list[Sentence] = []
    paragraph = 0
    for i, raw in enumerate(body.split("\n")):
        line = raw.strip().replace("**", "")
        if not line:
            continue
        paragraph = paragraph_of(line) or paragraph
        for part in _split_line(line):
            out.append(Sentence(part, paragraph, i))
    return out


def _split_line(line: str) -> list[str]:
    # Never split inside brackets: "…(이하 "전자문서"라 한다. 이하 같다)로 하여야 한다."
    cuts = [0]
    for m in _SENTENCE_END.finditer(line):
        before = line[cuts[-1] : m.start()]
        if before.count("(") <= before.count(")") and before.count("[") <= before.count("]"):
            cuts.append(m.end())
    parts = [line[a:b].strip() for a, b in zip(cuts, cuts[1:] + [len(line)], strict=True)]
    return [p for p in parts if p]


def paragraph_numbers(text: str) -> list[int]:
    """항 numbers present in a provision text (from the circled digits that start lines)."""
    return sorted({p for line in text.split("\n") if (p := paragraph_of(line))})


def truncate_to_tokens(text: str, budget: int, count: CountTokens) -> str:
    """The longest line-aligned prefix of `text` within `budget` tokens (cut mid-line if needed)."""
    if count(text) <= budget:
        return text
    kept: list[str] = []
    used = 0
    for line in text.split("\n"):
        cost = count(line) + 1
        if used + cost > budget:
            if not kept:  # a single huge line: cut by characters, proportionally
                ratio = max(budget, 1) / max(cost, 1)
                kept.append(line[: max(int(len(line) * ratio) - 1, 1)])
            break
        kept.append(line)
        used += cost
    return "\n".join(kept) + "\n…"


def pack_by_tokens(texts: Sequence[str], budget: int, count: CountTokens) -> list[list[int]]:
    """Group consecutive texts into batches of at most `budget` tokens (an oversize text alone)."""
    groups: list[list[int]] = []
    used = 0
    for i, text in enumerate(texts):
        cost = count(text)
        if groups and used + cost <= budget:
            groups[-1].append(i)
            used += cost
        else:
            groups.append([i])
            used = cost
    return groups
