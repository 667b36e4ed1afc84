"""Obligations, deadlines, amounts and targets found by rules (pure): each a verbatim sentence
with its location."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.chains.summary.units import Unit
from assistant.chains.text import (
    split_sentences,
    strip_amendments,
)

MAX_FINDINGS_PER_KIND = 25


@dataclass(frozen=True)
class Finding:
    kind: str  # "의무" | "기한" | "금액" | "대상"
    match: str  # the phrase that triggered it ("30일 이내")
    text: str  # the sentence, verbatim (shortened around the match when long)
    location: str


_FINDING_PATTERNS: dict[str, re.Pattern[str]] = {
    "의무": re.compile(
        r"(?:하|되|받|알리|제출하|보고하|신고하|통지하|공개하|작성하|보관하|설치하|갖추)?(?:여야|어야|아야)\s*(?:한다|합니다|함)"
        r"|해야\s*(?:한다|합니다|함)|(?:여|어|아)서는\s*아니\s*된다|해서는\s*안\s*된다|(?:할|하지)\s*수\s*없다|의무가\s*있다|금지한다"
    ),
    "기한": re.compile(
        r"\d+\s*(?:일|개월|년|시간|주|근무일)\s*(?:이내|이전|전까지|안에|까지|마다|전에|이후)"
        r"|\d{4}\s*[.년]\s*\d{1,2}\s*[.월](?:\s*\d{1,2}\s*[.일]?)?\s*(?:까지|부터|이전)"
        r"|매\s*(?:년|월|분기|반기)\s*\d*\s*(?:월|일|회)?|지체\s*없이|즉시|기한"
    ),
    "금액": re.compile(
        r"(?:금\s*)?\d[\d,]*(?:\.\d+)?\s*(?:천|백|만|억|조)*\s*(?:만\s*)?원(?!칙|인|장|래|본|문|고|활|리|형|자)"
        r"|과태료|과징금|벌금|이행강제금|수수료"
    ),
    "대상": re.compile(
        r"(?:지원|적용|신청|점검|조사|평가|교육|보고|선정|부과|관리|공개|처벌)\s*대상\S*|대상\s*(?:자|기관|시설|사업|자는)"
    ),
}


_RANGE_START = re.compile(r"\d+\s*(?:일|개월|년|시간|주)?\s*부터\s*$")


def _shorten(sentence: str, match: re.Match[str], width: int = 180) -> str:
    if len(sentence) <= width:
        return sentence
    start = max(0, match.start() - width // 2)
    end = min(len(sentence), start + width)
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")


# Table cells: amounts and deadlines often stand without "원"/"까지" under a column that says so.
_TABLE_FINDINGS: dict[str, re.Pattern[str]] = {
    "기한": re.compile(r"[^|:]*(?:기한|기간|일정|마감|일자|시한)[^|:]*:\s*[^|]*\d[^|]*"),
    "금액": re.compile(r"[^|:]*(?:금액|예산|사업비|단가|비용|원\)|억|만원|천원)[^|:]*:\s*[\d,.]+[^|]*"),
}


_MONEY_CAPTION = re.compile(r"원")  # "(단위 : 십억원)", "예산(백만원)": every number is an amount
_NUMBER_CELL = re.compile(r"[^|:]+:\s*\d[\d,.]*")
_REVISION_COLUMNS = re.compile(r"(?:^|\| )(?:버전|개정\s*(?:일자|번호|차수)|이력|Ver(?:sion)?\.?):", re.I)


def _table_findings(unit: Unit, found: list[Finding], counts: dict[str, int], limit: int) -> None:
    """Findings of a table unit: one per (kind, row), the row with its headers as context; in a
    table whose caption gives a money unit, the first numeric cell of a row is an amount."""
    if _REVISION_COLUMNS.search(unit.text.split("\n", 1)[0]):
        return  # a revision-history table: its dates are when the document changed, not deadlines
    money = bool(unit.table and _MONEY_CAPTION.search(unit.table))
    where = (
        f"{unit.location} · 표 {unit.table}" if unit.table and unit.table != "표" else f"{unit.location} · 표"
    )
    for row in unit.text.split("\n"):
        row = row.strip()
        if not row:
            continue
        for kind in ("기한", "금액"):
            if counts.get(kind, 0) >= limit:
                continue
            m = _FINDING_PATTERNS[kind].search(row) or _TABLE_FINDINGS[kind].search(row)
            if m is None and kind == "금액" and money:
                m = _NUMBER_CELL.search(row, row.find(" | ") + 1 if " | " in row else 0)
            if m:
                counts[kind] = counts.get(kind, 0) + 1
                found.append(Finding(kind, m.group(0).strip(), row[:300], where))


def find_findings(units: Sequence[Unit], limit: int = MAX_FINDINGS_PER_KIND) -> list[Finding]:
    """Obligations, deadlines, amounts and targets: one entry per (kind, sentence), in document
    order, at most `limit` per kind."""
    found: list[Finding] = []
    counts: dict[str, int] = {}
    for unit in units:
        if unit.table is not None:  # a table row is one finding's context, headers included
            _table_findings(unit, found, counts, limit)
            continue
        for sent in split_sentences(unit.text):
            text = strip_amendments(sent.text)
            where = unit.location + (
                f" 제{sent.paragraph}항"
                if sent.paragraph and unit.location.startswith(("제", "부칙"))
                else ""
            )
            for kind, pattern in _FINDING_PATTERNS.items():
                m = pattern.search(text)
                if not m or counts.get(kind, 0) >= limit:
                    continue
                if kind == "기한" and m.group(0).endswith("까지") and _RANGE_START.search(text[: m.start()]):
                    continue  # a range ("11일부터 21일까지"), not a deadline
                counts[kind] = counts.get(kind, 0) + 1
                found.append(Finding(kind, m.group(0).strip(), _shorten(text, m), where))
    order = list(_FINDING_PATTERNS)
    return sorted(found, key=lambda f: order.index(f.kind))
