"""Law titles in key form, article labels and law types (pure functions over strings).

Key form of a title (:func:`normalize_title`): NFC, no brackets/quotes, no whitespace, no middle
dots, commas or periods, lower-case latin. Staff write "개인정보보호법", "개인정보 보호법",
"「개인정보 보호법」" and "피난·방화구조" / "피난ㆍ방화구조" / "피난방화구조" interchangeably, and no
two official titles differ only in those characters, so removing them (rather than unifying them
to U+318D) makes every such variant meet in one key.
"""

from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------------------------------------
# Character classes and key normalisation
# ---------------------------------------------------------------------------------------------

# Characters that never distinguish two law titles: they are dropped from keys and turned into a
# "gap" (a space) in the scan copy of free text, so offsets stay those of the original text.
_MIDDLE_DOTS = "\u00b7\u2027\u2219\u318d\uff65\u2024\u30fb"
_QUOTES = "「」『』\"“”'‘’《》〈〉"
_GAP_CHARS = _MIDDLE_DOTS + _QUOTES + ".,\u200b\u200c\ufeff"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"
_FULLWIDTH = {"\uff08": "(", "\uff09": ")"}

_KEY_TABLE = str.maketrans(
    {
        **dict.fromkeys(_GAP_CHARS, None),
        **dict.fromkeys(_DASHES, "-"),
        **_FULLWIDTH,
        **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
    }
)
_SCAN_TABLE = str.maketrans(
    {
        **dict.fromkeys(_GAP_CHARS, " "),
        **dict.fromkeys(_DASHES, "-"),
        **_FULLWIDTH,
        **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
    }
)
_WS = re.compile(r"\s+")


def _nfc(s: str) -> str:
    return s if unicodedata.is_normalized("NFC", s) else unicodedata.normalize("NFC", s)


def normalize_title(title: str) -> str:
    """Key form of a law title: NFC, brackets/quotes, whitespace, middle dots, commas and periods
    removed, dashes unified, latin lower-cased. ``"「개인정보 보호법」"`` → ``"개인정보보호법"``."""
    return _WS.sub("", _nfc(title).translate(_KEY_TABLE))


def _clean_title(title: str) -> str:
    """Display form: NFC, outer brackets stripped, whitespace runs collapsed."""
    t = _WS.sub(" ", _nfc(title)).strip()
    return t.strip("「」『』\"“”'‘’ ").strip()


# ---------------------------------------------------------------------------------------------
# Article labels, law types
# ---------------------------------------------------------------------------------------------

_ARTICLE_LABEL = re.compile(r"\s*제?\s*(\d+)\s*조(?:\s*의\s*(\d+))?\s*(?:\(.*\))?\s*")
_BARE_NUMBER = re.compile(r"\s*(\d+)\s*")


def article_label(no: int, branch: int = 0) -> str:
    """Canonical article label: ``(15, 0)`` → ``"제15조"``, ``(15, 2)`` → ``"제15조의2"``."""
    return f"제{no}조의{branch}" if branch else f"제{no}조"


def parse_article_label(s: str) -> tuple[int, int] | None:
    """``"제15조의2"`` / ``"15조의2"`` / ``"제 15 조"`` / ``"제15조(목적)"`` / ``"15"`` → ``(no, branch)``."""
    if not s:
        return None
    m = _ARTICLE_LABEL.fullmatch(s) or _BARE_NUMBER.fullmatch(s)
    if not m:
        return None
    branch = m.group(2) if m.re is _ARTICLE_LABEL else None
    return int(m.group(1)), int(branch) if branch else 0


# A repealed provision keeps its number and only says so: "삭제 <2022.7.11>", per paragraph too.
_REPEALED_LINE = re.compile(r"\s*(?:[①-⑳]|\d+\.)?\s*삭제\s*(?:<[^>\n]*>|\[[^\]\n]*\])?\s*")


def is_repealed(text: str) -> bool:
    """Is this article chunk a repealed provision: every line of its body "삭제 <date>"? The
    first line is the chunk heading ("개인정보 보호법 시행령 제4조")."""
    lines = [ln for ln in text.split("\n")[1:] if ln.strip()]
    return bool(lines) and all(_REPEALED_LINE.fullmatch(ln) for ln in lines)


_SUBORDINATE = re.compile(r"^(.*?)\s*(시행령|시행규칙)$")


def law_type_of(title: str) -> str:
    """Kind of instrument from its title: "시행령", "시행규칙", "법률", "규정" (대통령령 named
    …규정/…강령), "규칙" (standalone 부령), "령", "조례", "헌법", "행정규칙" (기준/지침/고시/훈령/예규)
    or "기타"."""
    key = normalize_title(title)
    if key.endswith("시행령"):
        return "시행령"
    if key.endswith("시행규칙"):
        return "시행규칙"
    if key.endswith(("규정", "강령")):
        return "규정"
    if key.endswith("규칙"):
        return "규칙"
    if key.endswith("조례"):
        return "조례"
    if key.endswith("헌법"):
        return "헌법"
    if key.endswith(("법", "법률")):
        return "법률"
    if key.endswith(("기준", "지침", "고시", "훈령", "예규", "요령")):
        return "행정규칙"
    if key.endswith("령"):
        return "령"
    return "기타"


def parent_act(title: str) -> str | None:
    """The instrument a 시행령/시행규칙 implements: ``"개인정보 보호법 시행령"`` → ``"개인정보 보호법"``,
    ``"행정업무의 운영 및 혁신에 관한 규정 시행규칙"`` → ``"행정업무의 운영 및 혁신에 관한 규정"``;
    ``None`` for anything else."""
    m = _SUBORDINATE.match(_clean_title(title))
    return m.group(1).strip() if m and m.group(1).strip() else None
