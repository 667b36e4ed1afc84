"""Masking of Korean personal data in free text (questions, documents sent to an external LLM,
the audit log).

What is masked, and how it is told apart from look-alikes:

- 주민등록번호 / 외국인등록번호: ``YYMMDD-GNNNNNN`` (hyphen, one space or none) whose first six
  digits are a real date and whose gender digit G is 1–8 (5–8 = 외국인). The check digit is **not**
  required: numbers issued since October 2020 carry a random last digit, so a checksum test
  would let them through. The checksum (``stdnum.kr.rrn``) only sets :attr:`Found.verified`.
  Company registration numbers share the shape; masking one of those is a harmless false positive.
- 여권번호: ``M12345678`` (M/S/R/O/D + 8 digits) and the 2021 format ``M123A4567``.
- 운전면허번호: ``11-23-123456-78`` with a region code 11–28 (or the region's name).
- 전화번호: mobile ``010…`` with or without separators (hyphen, dot, space); landline (02, 031–064),
  070, 050x and 080 only with separators, since a bare run of digits is more often an id.
- 카드번호: 16 digits in 4×4 groups (or 15 as 4-6-5) that pass the Luhn check.
- 계좌번호: 3–4 hyphenated digit groups, 10–14 digits, first group 2–6 digits; a bare 10–14
  digit run only right after a word such as 계좌/통장/입금. ``123-45-67890`` (3-2-5, the shape of a
  사업자등록번호) is left alone: it identifies a business, not a person.
- 전자우편.

Dates (2024-01-01), 법령 numbers (법률 제19234호), article refs, amounts (1,000,000원), document
numbers (민원과-1234) and years do not match: every pattern is anchored on digit boundaries and
needs the separators and group lengths above.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from stdnum.kr import rrn as stdnum_rrn

# Kinds, in priority order: when two matches overlap, the earlier kind wins.
KINDS: dict[str, str] = {
    "email": "전자우편",
    "card": "카드번호",
    "rrn": "주민등록번호",
    "arn": "외국인등록번호",
    "driver_license": "운전면허번호",
    "passport": "여권번호",
    "phone": "전화번호",
    "account": "계좌번호",
}

# Digits glued to a match would make it part of a longer number; Hangul may follow ("…5678로").
_NB = r"(?<![0-9A-Za-z])(?<!\d-)"  # no digit/letter (or "digits-" group) before
_NA = r"(?![0-9A-Za-z]|-\d)"  # no digit/letter (or another "-digits" group) after
_SEP = r"(?:\s?[-.]\s?|\s)"  # one separator: "-", ".", " ", " - "


@dataclass(frozen=True)
class Found:
    """One piece of personal data in a text: where, what, and its masked form."""

    start: int
    end: int
    kind: str
    masked: str
    verified: bool = False  # a checksum confirmed it (RRN check digit, Luhn)


@dataclass(frozen=True)
class MaskResult:
    text: str
    counts: dict[str, int] = field(default_factory=dict)  # kind → how many were masked

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --- detectors (pure: text → matches) ----------------------------------------------------------

_RRN = re.compile(rf"{_NB}(\d{{2}})(\d{{2}})(\d{{2}})(?:\s?-\s?|\s)?([1-8])(\d{{6}}){_NA}")


def _birth_date_ok(yy: str, mm: str, dd: str, gender: str) -> bool:
    century = 1900 if gender in "1256" else 2000
    try:
        dt.date(century + int(yy), int(mm), int(dd))
    except ValueError:
        return False
    return True


def _rrn(text: str) -> Iterator[Found]:
    for m in _RRN.finditer(text):
        yy, mm, dd, gender, rest = m.groups()
        if not _birth_date_ok(yy, mm, dd, gender):
            continue
        digits = f"{yy}{mm}{dd}{gender}{rest}"
        kind = "arn" if gender in "5678" else "rrn"
        yield Found(m.start(), m.end(), kind, f"{yy}{mm}{dd}-{gender}******", stdnum_rrn.is_valid(digits))


_PASSPORT = re.compile(rf"{_NB}([MSROD])(\d{{8}}|\d{{3}}[A-Z]\d{{4}}){_NA}")


def _passport(text: str) -> Iterator[Found]:
    for m in _PASSPORT.finditer(text):
        yield Found(m.start(), m.end(), "passport", f"{m.group(1)}{'*' * 8}")


_REGIONS = "서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산"
_LICENSE = re.compile(rf"{_NB}(1[1-9]|2[0-8]|{_REGIONS})\s?-?\s?(\d{{2}})-(\d{{6}})-(\d{{2}}){_NA}")


def _driver_license(text: str) -> Iterator[Found]:
    for m in _LICENSE.finditer(text):
        yield Found(m.start(), m.end(), "driver_license", f"{m.group(1)}-{m.group(2)}-******-**")


_MOBILE = re.compile(rf"{_NB}(01[016789])({_SEP}?)(\d{{3,4}})\2(\d{{4}}){_NA}")
_MOBILE_INTL = re.compile(rf"\+82{_SEP}?(1[016789])({_SEP}?)(\d{{3,4}})\2(\d{{4}}){_NA}")
_LANDLINE = re.compile(rf"{_NB}\(?(02|0[3-6][1-5]|070|050\d|080)\)?{_SEP}?(\d{{3,4}}){_SEP}(\d{{4}}){_NA}")


def _phone(text: str) -> Iterator[Found]:
    for m in _MOBILE.finditer(text):
        yield Found(m.start(), m.end(), "phone", f"{m.group(1)}-****-{m.group(4)}")
    for m in _MOBILE_INTL.finditer(text):
        yield Found(m.start(), m.end(), "phone", f"+82-{m.group(1)}-****-{m.group(4)}")
    for m in _LANDLINE.finditer(text):
        if text[m.end(1) : m.end(1) + 1].isdigit():
            continue  # "0212345678": no separator after the area code, an id rather than a number
        yield Found(m.start(), m.end(), "phone", f"{m.group(1)}-****-{m.group(3)}")


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of payment card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


_CARD = re.compile(
    rf"{_NB}(\d{{4}})([- ]?)(\d{{4}})\2(\d{{4}})\2(\d{{4}}){_NA}"
    rf"|{_NB}(\d{{4}})([- ]?)(\d{{6}})\7(\d{{5}}){_NA}"
)


def _card(text: str) -> Iterator[Found]:
    for m in _CARD.finditer(text):
        groups = [g for g in m.groups() if g and g.strip(" -")]
        digits = "".join(groups)
        if luhn_ok(digits):
            yield Found(m.start(), m.end(), "card", f"{groups[0]}-****-****-{digits[-4:]}", verified=True)


_ACCOUNT = re.compile(rf"{_NB}\d{{2,6}}(?:-\d{{2,8}}){{2,3}}{_NA}")
_ACCOUNT_BARE = re.compile(rf"(?:계좌|통장|입금|송금|예금주|은행)[^\d\n]{{0,12}}{_NB}(\d{{10,14}}){_NA}")
_BUSINESS_NO = re.compile(r"\d{3}-\d{2}-\d{5}")
_ISO_DATE = re.compile(r"(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])-")  # "2024-01-01-0001"


def _account(text: str) -> Iterator[Found]:
    for m in _ACCOUNT.finditer(text):
        number = m.group(0)
        if not 10 <= sum(c.isdigit() for c in number) <= 14:
            continue
        if _BUSINESS_NO.fullmatch(number) or _ISO_DATE.match(number):
            continue
        yield Found(m.start(), m.end(), "account", "(계좌번호 비공개)")
    for m in _ACCOUNT_BARE.finditer(text):
        yield Found(m.start(1), m.end(1), "account", "(계좌번호 비공개)")


_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def _email(text: str) -> Iterator[Found]:
    for m in _EMAIL.finditer(text):
        yield Found(m.start(), m.end(), "email", "(전자우편 비공개)")


_DETECTORS: tuple[Callable[[str], Iterator[Found]], ...] = (
    _email,
    _card,
    _rrn,
    _driver_license,
    _passport,
    _phone,
    _account,
)
_PRIORITY = {kind: i for i, kind in enumerate(KINDS)}


def find_pii(text: str) -> list[Found]:
    """Non-overlapping personal-data matches in `text`, in text order."""
    candidates = [f for detect in _DETECTORS for f in detect(text)]
    candidates.sort(key=lambda f: (_PRIORITY[f.kind], f.start, -(f.end - f.start)))
    starts: list[int] = []
    taken: list[Found] = []  # sorted by start, never overlapping
    for f in candidates:
        i = bisect.bisect_left(starts, f.start)
        if (i > 0 and taken[i - 1].end > f.start) or (i < len(taken) and taken[i].start < f.end):
            continue
        starts.insert(i, f.start)
        taken.insert(i, f)
    return taken


def mask_pii(text: str) -> MaskResult:
    """`text` with personal data replaced by readable masks (``900101-1******``,
    ``010-****-5678``, ``(전자우편 비공개)``) and how many of each kind were masked."""
    found = find_pii(text)
    if not found:
        return MaskResult(text, {})
    parts: list[str] = []
    pos = 0
    for f in found:
        parts.append(text[pos : f.start])
        parts.append(f.masked)
        pos = f.end
    parts.append(text[pos:])
    return MaskResult("".join(parts), dict(Counter(f.kind for f in found)))


def mask_personal_data(text: str) -> str:
    """:func:`mask_pii`, text only."""
    return mask_pii(text).text


def should_mask_for_llm(settings: object) -> bool:
    """Personal data is masked in prompts when the LLM is outside the city's network."""
    llm = getattr(settings, "llm", None)
    security = getattr(settings, "security", None)
    return bool(getattr(llm, "external", False)) and bool(getattr(security, "mask_for_external_llm", True))
