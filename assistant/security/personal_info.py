"""Personal data in one item of a 정보공개 청구: what the item asks for (``휴대전화번호``,
``주민등록번호``, ``주소`` …) and what it contains (a mobile number, an e-mail address, a road
address, a name with a position). Pure functions over text.

The distinction matters for the proposal: an item whose object *is* personal data (``담당 공무원
휴대전화번호``) is 비공개 under 정보공개법 제9조제1항제6호, while a record that merely contains some
(``참석자 명단(성명, 연락처 포함)``) is disclosed with those parts hidden (부분공개, 제14조).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.security.pii import KINDS, find_pii


@dataclass(frozen=True)
class PersonalInfo:
    """One piece of personal data an item asks for or contains."""

    kind: str  # "휴대전화번호", "주민등록번호", "주소", "전자우편", "성명·직위" …
    trigger: str  # the words of the item that showed it
    requested: bool  # named as information asked for (not a value written in the item)
    identifier: bool = False  # identifies a person on its own (number, address): never 부분공개 as is


# (kind, identifier, words); the longest word wins, so "휴대전화번호" is not read as "전화번호".
_TERMS: tuple[tuple[str, bool, tuple[str, ...]], ...] = (
    ("휴대전화번호", True, ("휴대전화번호", "휴대전화 번호", "휴대폰번호", "휴대폰 번호", "핸드폰번호",
                       "핸드폰 번호", "휴대전화", "휴대폰", "핸드폰", "개인 연락처", "개인연락처",
                       "개인 전화번호", "자택 전화번호")),
    ("주민등록번호", True, ("주민등록번호", "주민번호", "외국인등록번호")),
    ("여권·면허번호", True, ("여권번호", "운전면허번호")),
    ("계좌번호", True, ("계좌번호", "통장 사본", "통장사본")),
    ("생년월일", True, ("생년월일",)),
    ("주소", True, ("자택 주소", "자택주소", "집 주소", "거주지", "주소지", "주소")),
    ("전자우편", True, ("전자우편 주소", "전자우편", "이메일 주소", "이메일", "e-mail", "email")),
    ("전화번호", False, ("전화번호", "연락처")),
    ("성명 등 인적 사항", False, ("인적 사항", "인적사항", "성명", "이름", "명단")),
)  # fmt: skip

# A person named with a position or title ("홍길동 주무관", "김○○ 팀장"): 공무원 성명·직위 are
# public under 제6호 단서 라목, a private person's are not, so the official decides.
_SURNAMES = (
    "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함"
    "변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉"
)
_POSITIONS = (
    "주무관|팀장|과장|국장|계장|실장|주사보|주사|사무관|서기관|부이사관|이사관|연구관|연구사|반장|"
    "소장|원장|센터장|동장|면장|읍장|대리|차장|부장|위원장|위원|씨|님"
)
_NAMED_PERSON = re.compile(
    rf"(?<![가-힣])[{_SURNAMES}][가-힣○Ｏ*]{{1,2}}\s?(?:{_POSITIONS})(?=$|[^가-힣]|[의은는이가을를께에와과도])"
)
# A road-name or lot address ("세종대로 110", "○○동 123-4번지"), after a 시/군/구 name.
_ADDRESS = re.compile(
    r"[가-힣]+(?:시|군|구)\s+(?:[가-힣]+(?:읍|면|동)\s+)?[가-힣0-9]+(?:로|길)\s?\d+(?:-\d+)?"
    r"|[가-힣]+(?:동|리)\s+\d+(?:-\d+)?\s?번지"
)


_WORDS = sorted(
    ((word, kind, identifier) for kind, identifier, words in _TERMS for word in words),
    key=lambda w: len(w[0]),
    reverse=True,
)


def _term_hits(text: str) -> list[PersonalInfo]:
    low = text.lower()
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, PersonalInfo]] = []
    for word, kind, identifier in _WORDS:
        for m in re.finditer(re.escape(word), low):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue  # part of a longer term already found ("전화번호" in "휴대전화번호")
            taken.append(m.span())
            found.append((m.start(), PersonalInfo(kind, text[m.start() : m.end()], True, identifier)))
    return [p for _, p in sorted(found, key=lambda f: f[0])]


def find_personal_info(text: str) -> list[PersonalInfo]:
    """Personal data an item asks for (terms) or contains (values), in text order per group."""
    found = _term_hits(text)
    for f in find_pii(text):
        found.append(PersonalInfo(KINDS[f.kind], text[f.start : f.end], False, True))
    found += [PersonalInfo("주소", m.group(0), False, True) for m in _ADDRESS.finditer(text)]
    found += [PersonalInfo("성명·직위", m.group(0), False) for m in _NAMED_PERSON.finditer(text)]
    return found


# What follows the object of a request: particles, "사본", "일체", the request verb.
_TAIL = re.compile(
    r"(?:\s*(?:[을를]|및|등|일체|전부|각각|사본|목록이|내역이))*"
    r"\s*(?:(?:공개|제공|열람|교부|청구|요청)\S*\s*)?"
    r"(?:해\s*주(?:십시오|세요|시기\s*바랍니다)|바랍니다|요청합니다|청구합니다|부탁드립니다)?[\s.]*$"
)


def asks_for_personal_data(text: str) -> PersonalInfo | None:
    """The personal data the item asks for as its object (its last noun: ``… 공무원
    휴대전화번호``), or None when the item asks for a record that merely contains some."""
    head = _TAIL.sub("", text.strip()).rstrip()
    if head.endswith(")"):
        return None  # "명단(성명, 연락처 포함)": the record is the object, its contents in brackets
    terms = _term_hits(head)
    if terms and head.lower().endswith(terms[-1].trigger.lower()) and terms[-1].kind != "성명 등 인적 사항":
        return terms[-1]
    return None
