"""Character-level clean-up shared by all loaders, plus small title helpers."""

from __future__ import annotations

import re
import unicodedata

# The statute corpus writes the middle dot as U+318D (HANGUL LETTER ARAEA); PDFs and HWP exports
# mix six look-alikes within one document, which splits BM25 terms such as 특별시ㆍ광역시.
MIDDLE_DOT = "\u318d"
_MIDDLE_DOTS = "\u00b7\u2027\u2219\u318d\uff65\u2024"
# Symbol-font bullets (Wingdings-like fonts mapped to U+F0xx) in Hancom PDF exports are □/○ marks.
_SYMBOL_PUA = re.compile("[\uf000-\uf0ff]")
# Any other Private-Use char is unrecoverable garbage (e.g. HWP equation objects).
_OTHER_PUA = re.compile("[\ue000-\uefff\uf100-\uf8ff]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\ufeff]")
_SPACE_RUN = re.compile(" {2,}")
_DOT_TABLE = str.maketrans(dict.fromkeys(_MIDDLE_DOTS, MIDDLE_DOT))


def normalize_text(s: str) -> str:
    """Unify middle dots, map symbol-font PUA bullets to □, drop other PUA and zero-width chars,
    NFC-normalise and collapse runs of spaces. Newlines, tabs and form feeds are kept."""
    # NFC first: it maps e.g. U+0387 GREEK ANO TELEIA onto U+00B7, which must then be unified.
    s = unicodedata.normalize("NFC", s)
    s = s.translate(_DOT_TABLE)
    s = _SYMBOL_PUA.sub("□", s)
    s = _OTHER_PUA.sub("", s)
    s = _ZERO_WIDTH.sub("", s)
    return _SPACE_RUN.sub(" ", s)


def count_hangul(s: str) -> int:
    """Number of precomposed Hangul syllables (가-힣)."""
    return sum(1 for ch in s if "\uac00" <= ch <= "\ud7a3")


def title_from_stem(stem: str) -> str:
    """A readable title from a file name stem: underscores become spaces."""
    return re.sub(r"\s+", " ", stem.replace("_", " ")).strip()


_PLACEHOLDER_TITLES = {"제목", "제목없음", "제목 없음", "untitled", "문서", "본문", "title", "한글", "hwp"}


def is_meaningful_title(title: str | None) -> bool:
    """Reject the junk that office suites leave in title metadata ("3", "1111", "본문내용본문내용")."""
    if not title:
        return False
    t = title.strip()
    if not 2 <= len(t) <= 200 or t.lower() in _PLACEHOLDER_TITLES:
        return False
    if sum(ch.isalpha() for ch in t) < 2:
        return False
    half = len(t) // 2
    return not (len(t) % 2 == 0 and t[:half] == t[half:])  # "본문내용본문내용" template leftovers


def is_descriptive_stem(stem: str) -> bool:
    """True when a file name already says what the document is (e.g. 기관_보도자료_주제_날짜)."""
    return count_hangul(stem) >= 4 or len(title_from_stem(stem).split()) >= 3


def choose_title(embedded: str | None, stem: str) -> str:
    """Prefer a descriptive file name: embedded titles in public HWP/HWPX files are mostly
    template junk or the first sentence; fall back to the embedded title for names like 문서1."""
    if is_descriptive_stem(stem) or not is_meaningful_title(embedded):
        return title_from_stem(stem) or stem
    return re.sub(r"\s+", " ", embedded or "").strip()[:200]


_BLANK_RUN = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def tidy_lines(text: str) -> str:
    """Strip trailing blanks of each line, keep at most one empty line between lines."""
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_RUN.sub("\n\n", text).strip("\n")
