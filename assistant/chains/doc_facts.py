"""The headline facts of a 제안요청서, 공고 or 계획 (사업명, 발주기관, 사업기간, 사업금액, 제출기한,
평가방식, 담당), found by rules over its text lines and table rows. Pure functions over plain data.

A fact is a labelled value: "사업기간 : 계약일로부터 24개월" in text, or a table row whose label
cell names it ("사업금액: ₩19,209,180,000"). Each label kind has a value check (an amount must
parse as one, a period must look like one) so that a heading such as "5. 사업기간 연장" is not
taken for the fact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.legal.marks import LABEL_LEAD, VALUE_LEAD

FACT_NAMES = ("사업명", "발주기관", "사업기간", "사업금액", "제출기한", "평가방식", "담당")
_KIND_WORDS = {
    "제안요청서": ("제안요청서", "제안 요청서", "과업지시서", "과업내용서", "RFP"),
    "공고": ("공고", "입찰", "모집", "공모"),
    "계획": ("계획", "추진계획", "기본계획", "시행계획", "사업계획"),
}
# Titles of the tables that precede an RFP's cover text: never the document's title.
_NOT_TITLES = re.compile(
    r"문서\s*(?:이력|정보)|(?:제·?개정|개정|변경|수정)\s*이력|revision|목\s*차|차\s*례", re.I
)


_RULES = re.compile(r"(?:규정|규칙|조례|세칙|법률|시행령)$")
_SENTENCE_END = re.compile(r"(?:다|함|음)\.?\s*$")


@dataclass(frozen=True)
class Passage:
    """A piece of the document: text (lines) or a table (rows "헤더: 값 | 헤더: 값")."""

    text: str
    location: str  # "3쪽", "Ⅰ. 사업 개요 > 1. 사업명"
    table: bool = False


@dataclass(frozen=True)
class Fact:
    name: str  # one of FACT_NAMES
    value: str  # as written (an amount also in 원: "₩19,209,180,000 (192억 918만 원)")
    location: str
    evidence: str  # the line or row it was read from


# --- values -------------------------------------------------------------------------------------

_NUM = r"\d[\d,]*(?:\.\d+)?"
_UNIT_WON = {"조": 10**12, "억": 10**8, "천만": 10**7, "백만": 10**6, "십만": 10**5, "만": 10**4, "천": 10**3}
_AMOUNT = re.compile(
    rf"(?:₩|\\|KRW\s?)\s*{_NUM}"
    rf"|(?:금\s*)?(?:{_NUM}\s*(?:조|억|천만|백만|십만|만|천)\s*)+원?"
    rf"|(?:금\s*)?{_NUM}\s*원"
)


def parse_amount(text: str, unit: str = "원") -> int | None:
    """Won value of the first amount in `text` ("₩19,209,180,000", "1억 2,000만원", "72,300천원");
    a bare number counts in `unit` (a table's "(단위: 백만원)"). None when there is none."""
    m = _AMOUNT.search(text)
    if m is None:
        bare = re.search(_NUM, text) if unit != "원" else None
        if bare is None:
            return None
        return round(float(bare.group(0).replace(",", "")) * _UNIT_WON.get(unit.removesuffix("원"), 1))
    s = m.group(0)
    if not re.search(r"[₩\\원억조]|KRW", s):
        return None  # "3천" alone is not an amount
    total = 0.0
    pairs = re.findall(rf"({_NUM})\s*(조|억|천만|백만|십만|만|천)?", s)
    for num, word in pairs:
        value = float(num.replace(",", ""))
        total += value * _UNIT_WON[word] if word else value
    return round(total) if total > 0 else None


def won_label(value: int) -> str:
    """19209180000 → "192억 918만 원"; under 1만 원: "9,000원"."""
    if value < 10**4:
        return f"{value:,}원"
    parts = []
    for word, size in (("조", 10**12), ("억", 10**8), ("만", 10**4)):
        if value >= size:
            parts.append(f"{value // size:,}{word}")
            value %= size
    if value:
        parts.append(f"{value:,}")
    return " ".join(parts) + " 원"


_DATE = r"\d{4}\s*[.년/-]\s*\d{1,2}\s*[.월/-]?(?:\s*\d{1,2}\s*[.일]?)?(?:\s*\([월화수목금토일]\))?"
_TIME = r"(?:\s*\d{1,2}\s*[:시]\s*\d{0,2}\s*분?)?"
_PERIOD = re.compile(
    rf"(?:계약(?:체결)?일|착수일|협약일)\s*(?:로)?\s*부터\s*\d+\s*(?:개월|일|년)(?:\s*(?:이내|간|까지))?"
    rf"|(?:계약(?:체결)?일|착수일|협약일)\s*(?:부터\s*)?[~～∼\-–]?\s*{_DATE}\s*까지"
    rf"|{_DATE}{_TIME}\s*[~～∼\-–]\s*(?:{_DATE}|\d{{1,2}}\s*[.월]\s*\d{{1,2}}\s*[.일]?|\d{{1,2}}\s*[.일]){_TIME}"
    r"|\d{4}\s*(?:년)?\s*[~～∼\-–]\s*\d{4}\s*년?"
    r"|\d+\s*개월(?:\s*간)?|\d+\s*일\s*간|\d+\s*년\s*간"
)
_DEADLINE = re.compile(rf"{_DATE}{_TIME}(?:\s*[~～∼\-–]\s*(?:{_DATE})?{_TIME})?(?:\s*까지)?")
_CONTACT = re.compile(r"☎|\d{2,4}-\d{3,4}-\d{4}|[가-힣]+(?:팀|과|부|실|센터|본부|처)\b")
_METHOD = re.compile(
    r"협상|최저가|적격심사|종합심사|종합평가|기술(?:능력)?\s*평가|가격\s*평가|정량|정성|낙찰|수의\s*계약|경쟁\s*입찰|\d+\s*[:：]\s*\d+|\d+\s*점"
)
_ORGAN = re.compile(
    r"[가-힣A-Za-z0-9·ㆍ()○]+(?:공사|공단|재단|진흥원|원|청|처|부|시|군|구|도|센터|복지관|위원회|기관|협회|은행)\b"
)


def _name_ok(v: str) -> bool:
    return bool(re.search(r"[가-힣]{2,}", v)) and len(v) <= 120


# name → (label words, value check); labels are matched at the start of a line or table cell.
_FACTS: dict[str, tuple[tuple[str, ...], Callable[[str], bool]]] = {
    "사업명": (("사업명", "용역명", "과업명", "계약명칭", "계약건명", "계약명", "건명", "사업 명", "공고명"), _name_ok),
    "발주기관": (("발주기관", "발주처", "수요기관", "주관기관", "전담기관", "계약기관", "발주 기관"),
             lambda v: bool(_ORGAN.search(v))),
    "사업기간": (("사업기간", "용역기간", "과업기간", "계약기간", "수행기간", "사업 기간", "용역 기간"),
             lambda v: bool(_PERIOD.search(v))),
    "사업금액": (("사업금액", "사업 금액", "총사업비", "사업비", "사업예산", "소요예산", "배정예산", "추정금액",
              "추정가격", "기초금액", "예정가격", "계약금액", "예산"), lambda v: parse_amount(v) is not None),
    "제출기한": (("제안서 제출기한", "제출기한", "제출 기한", "제출마감", "접수마감", "접수기간", "제출기간",
              "제출 기간", "입찰서 제출 기간", "입찰서 제출기간", "제안서 제출", "접수 기간", "마감일시"),
             lambda v: bool(_DEADLINE.search(v))),
    "평가방식": (("평가방식", "평가방법", "평가 방법", "낙찰자 결정방법", "낙찰자 결정 방법", "낙찰자 선정방법",
              "업체 선정방법", "선정방법", "계약방법", "계약 방법", "입찰방법"), lambda v: bool(_METHOD.search(v))),
    "담당": (("담당부서", "담당자", "담당", "문의처", "문의"), lambda v: bool(_CONTACT.search(v))),
}  # fmt: skip
# 담당 is often asked for in a phrase: "입찰 서류 열람 등 문의 : 운영지원팀 (☎ …)".
_PREFIXED = {"담당": r"(?:[^:：]{0,20}\s)?"}


def _spaced(word: str) -> str:
    """A label also written letter-spaced ("과 업 명", "사 업 기 간")."""
    return r"\s*".join(re.escape(ch) for ch in word if not ch.isspace())


_LABELS = {
    name: re.compile(
        LABEL_LEAD + _PREFIXED.get(name, "") + r"(?:" + "|".join(_spaced(w) for w in words) + r")"
        r"(?:\s*(?:및|\(|/)[^:：]{0,20})?\s*(?:[:：]|\s)\s*(.+)$"
    )
    for name, (words, _) in _FACTS.items()
}
_BARE_LABELS = {
    name: re.compile(LABEL_LEAD + r"(?:" + "|".join(_spaced(w) for w in words) + r")\s*[:：]?$")
    for name, (words, _) in _FACTS.items()
}
_ALL_LABEL_WORDS = {w.replace(" ", "") for words, _ in _FACTS.values() for w in words}
_ISSUER = re.compile(r"^\s*(.{2,40}?)\s*(?:공고|고시)\s*제\s*\d")


def _row_cells(row: str) -> list[tuple[str, str]]:
    """("헤더", "값") pairs of a table row "헤더: 값 | 헤더: 값"."""
    cells = []
    for cell in row.split(" | "):
        key, sep, value = cell.partition(": ")
        cells.append((key.strip(), value.strip()) if sep else ("", cell.strip()))
    return cells


def _candidates(passage: Passage) -> list[tuple[str, str]]:
    """(line, evidence) pairs to read labels from: text lines as they are; a table row as
    "label value" for each cell (a key-value table's label is a cell of its own, or the header)."""
    out: list[tuple[str, str]] = []
    lines = [ln.strip() for ln in passage.text.split("\n") if ln.strip() and not ln.startswith("열: ")]
    for k, line in enumerate(lines):
        if not passage.table:
            out.append((line, line))
            nxt = lines[k + 1] if k + 1 < len(lines) else ""
            if nxt and any(p.match(line) for p in _BARE_LABELS.values()):
                out.append((f"{line.rstrip(':： ')} : {nxt}", f"{line} / {nxt}"))  # a heading, then its text
            continue
        cells = _row_cells(line)
        for i, (key, value) in enumerate(cells):
            out.append((f"{key} : {value}", line))  # header as label ("사업기간: 24개월")
            if i + 1 < len(cells):  # a label cell followed by its value ("구분: 사업금액 | 내용: ₩…")
                out.append((f"{value} : {cells[i + 1][1]}", line))
    return out


def _value(name: str, line: str) -> str | None:
    m = _LABELS[name].match(line)
    if not m:
        return None
    value = VALUE_LEAD.sub("", m.group(1)).strip(" :：")
    if not value or value.replace(" ", "") in _ALL_LABEL_WORDS:
        return None  # a header row of label cells
    return value if _FACTS[name][1](value) else None


def _normalize(name: str, value: str) -> str:
    if name == "사업금액" and (won := parse_amount(value)) is not None:
        return f"{value} ({won_label(won)})" if won_label(won) not in value else value
    return value


def extract_facts(passages: Sequence[Passage]) -> list[Fact]:
    """The first fact of each kind, in FACT_NAMES order, each with where it was found."""
    found: dict[str, Fact] = {}
    for passage in passages:
        for line, evidence in _candidates(passage):
            for name in FACT_NAMES:
                if name in found:
                    continue
                value = _value(name, line)
                if value is not None:
                    value = value[:160]
                    found[name] = Fact(name, _normalize(name, value), passage.location, evidence[:300])
                    break
            if "발주기관" not in found and not passage.table and (m := _ISSUER.match(line)):
                found["발주기관"] = Fact("발주기관", m.group(1).strip(), passage.location, evidence[:300])
    return [found[n] for n in FACT_NAMES if n in found]


def document_kind(title: str, first_lines: Sequence[str]) -> str | None:
    """ "제안요청서", "공고" or "계획" when the title or a cover line says so, else None (a 규정 that
    says "공고하여야 한다" is no 공고)."""
    if _RULES.search(title):
        return None
    cover = [ln.strip() for ln in first_lines[:15] if len(ln.strip()) <= 60 and not _SENTENCE_END.search(ln)]
    for head in (title, *cover):
        for kind, words in _KIND_WORDS.items():
            if any(w in head for w in words):
                return kind
    return None


def cover_title(title: str, first_lines: Sequence[str]) -> str:
    """The document's title: `title`, unless it is a revision-table or contents heading ("문서 이력
    정보") or says nothing (a file name such as "rfp"), then the first cover line that names a
    kind of document."""
    if title and not _NOT_TITLES.search(title) and len(re.findall(r"[가-힣]", title)) >= 4:
        return title
    words = [w for ws in _KIND_WORDS.values() for w in ws]
    for line in first_lines[:30]:
        s = line.strip()
        if 4 <= len(s) <= 80 and not _NOT_TITLES.search(s) and any(w in s for w in words):
            return s
    return title
