"""List marks of Korean statutes and official documents: the symbols in their order, the
patterns that find them at a line start, and the levels they stand for (pure constants; the one
place for every module that parses or writes them).

Two Hangul classes appear below and they are not interchangeable. ``[가-하]`` (and ``[가-힣]``) is a
character RANGE — every syllable from 가 to 하 (to 힣), thousands of them, so ``각.`` or ``한)``
match too; the tolerant "strip whatever mark leads a line" patterns use it. ``[{HANGUL_ORDER}]``
is the 14 letters 가 나 다 … 하 in their order; the 공문서 item levels use it. Each pattern keeps
the class its consumer has always matched with.
"""

from __future__ import annotations

import re

# --- the symbols, in order ---------------------------------------------------------------------

# 항 of a statute article: ① … ⑳, then ㉑ … ㉟ (long articles).
CIRCLED_NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟"
CIRCLED_NUMBERS_20 = CIRCLED_NUMBERS[:20]  # what the 공문서 item rules use (① … ⑳)
# 목 of a statute item and the 가. / 가) / (가) levels of 공문서 items.
HANGUL_ORDER = "가나다라마바사아자차카타파하"
HANGUL_ORDER_LONG = HANGUL_ORDER + "거너더러머버서어저처커터퍼허"  # 목 past 하. in long statutes
CIRCLED_HANGUL = "㉮㉯㉰㉱㉲㉳㉴㉵㉶㉷㉸㉹㉺㉻"  # the 8th 공문서 item level
ROMAN_NUMERALS = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"  # Ⅰ. … Ⅻ. chapters of guidelines and plans


def circled_number(symbol: str) -> int:
    """``"③"`` → 3 (0 when `symbol` is not a circled number)."""
    return CIRCLED_NUMBERS.index(symbol) + 1 if symbol and symbol in CIRCLED_NUMBERS else 0


# --- regex fragments (strings, to compose) ------------------------------------------------------

CIRCLED_20_CLASS = "[①-⑳]"  # U+2460–U+2473: the same 20 symbols as CIRCLED_NUMBERS_20
CIRCLED_HANGUL_CLASS = "[㉮-㉻]"  # U+326E–U+327B: the same 14 symbols as CIRCLED_HANGUL
HANGUL_RANGE = "[가-하]"  # a RANGE of syllables (가 … 하), not the 14 letters of HANGUL_ORDER
NUMBER_MARK = r"\d{1,2}[.)]"  # 1. / 1)
HANGUL_MARK = HANGUL_RANGE + "[.)]"  # 가. / 가) (and 각. / 한) …: range)
PAREN_NUMBER_MARK = r"\(\d{1,2}\)"  # (1)
PAREN_HANGUL_MARK = rf"\({HANGUL_RANGE}\)"  # (가)

# --- statutes ----------------------------------------------------------------------------------

# A 항 line of statute markdown: ① … ㉟, maybe bold (the export writes **①**); group 1 the symbol.
PARAGRAPH_START = re.compile(rf"^\s*(?:\*\*)?([{CIRCLED_NUMBERS}])")
# A 호 line of statute markdown: `1.` / `1의2.` (the dot may be Markdown-escaped: `1\.`).
ITEM_LINE_START = re.compile(r"^\s*\d+(?:의\d+)?\\?\.\s")

# Line starts of a law.go.kr statute PDF (text already stripped). Circled numbers here run
# ① … ⑳, ㉑ … ㉟ and ㊱ … ㊿ (wider than CIRCLED_NUMBERS).
PDF_PARAGRAPH = re.compile("^[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]")
PDF_ITEM = re.compile(r"^(\d+)(?:의(\d+))?\.(?:\s|$)")  # 호: 1. / 1의2.
# 목: 가. (any syllable: the caller checks the order against HANGUL_ORDER_LONG)
PDF_SUBITEM = re.compile(r"^([가-힣])(?:의(\d+))?\.(?:\s|$)")
PDF_SUBSUB_NUMBER = re.compile(r"^(\d+)\)(?:\s|$)")  # 1) under a 목
PDF_SUBSUB_LETTER = re.compile(r"^([가-힣])\)(?:\s|$)")  # 가) under a 목

# --- official documents (공문서): 행정업무의 운영 및 혁신에 관한 규정 시행규칙 제2조 -------------------

LEVEL_NAMES = ("1.", "가.", "1)", "가)", "(1)", "(가)", "①", "㉮")
SPECIAL_NAMES = ("□", "○", "-", "ㆍ")
# The 8 item levels 1. → 가. → 1) → 가) → (1) → (가) → ① → ㉮; group 1 the number or letter.
ITEM_LEVELS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"^(\d{1,2})\.(?:\s+|$)(?!\d)")),
    (2, re.compile(rf"^([{HANGUL_ORDER}])\.(?:\s+|$)")),
    (3, re.compile(r"^(\d{1,2})\)(?:\s+|$)")),
    (4, re.compile(rf"^([{HANGUL_ORDER}])\)(?:\s+|$)")),
    (5, re.compile(r"^\((\d{1,2})\)(?:\s+|$)")),
    (6, re.compile(rf"^\(([{HANGUL_ORDER}])\)(?:\s+|$)")),
    (7, re.compile(rf"^([{CIRCLED_NUMBERS_20}])\s*")),
    (8, re.compile(rf"^([{CIRCLED_HANGUL}])\s*")),
)
# Report symbols □ → ○ → - → ㆍ (■ ◦ · count as their look-alikes) and their levels 1–4.
SPECIAL_LEVELS = {"□": 1, "■": 1, "○": 2, "◦": 2, "-": 3, "ㆍ": 4, "·": 4}
SPECIAL_LINE = re.compile(r"^([□■○◦\-ㆍ·])\s+")


def item_ordinal(token: str) -> int:
    """Ordinal of an item token of ITEM_LEVELS: "3" → 3, "다" → 3, "③" → 3, "㉰" → 3."""
    if token.isascii() and token.isdigit():  # "①".isdigit() is True too
        return int(token)
    if token in CIRCLED_NUMBERS_20:
        return CIRCLED_NUMBERS_20.index(token) + 1
    if token in CIRCLED_HANGUL:
        return CIRCLED_HANGUL.index(token) + 1
    return HANGUL_ORDER.index(token) + 1


def symbol_for(level: int, index: int) -> str:
    """The item symbol of a level (1–8) and ordinal: (2, 3) → "다."."""

    def hangul(i: int) -> str:
        return HANGUL_ORDER[(i - 1) % len(HANGUL_ORDER)]

    return {
        1: f"{index}.",
        2: f"{hangul(index)}.",
        3: f"{index})",
        4: f"{hangul(index)})",
        5: f"({index})",
        6: f"({hangul(index)})",
        7: CIRCLED_NUMBERS_20[(index - 1) % len(CIRCLED_NUMBERS_20)],
        8: CIRCLED_HANGUL[(index - 1) % len(CIRCLED_HANGUL)],
    }[level]


# --- guidelines: heading levels of plain-text guideline lines ----------------------------------

# Ⅰ./I./제1장 → 1, 1./제1절 → 2, 가. → 3 (range), □ → 4, ○ → 5 (first match wins).
GUIDELINE_HEADING_LEVELS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^(?:[{ROMAN_NUMERALS}]|[IVX]{{1,4}}\.|제\s*\d+\s*[장편])\s*\.?\s*\S")),
    (2, re.compile(r"^\d{1,2}\.\s+\S")),
    (2, re.compile(r"^제\s*\d+\s*[절조]\s*\S")),
    (3, re.compile(rf"^{HANGUL_RANGE}\.\s+\S")),
    (4, re.compile(r"^[□■◆◇▣]\s*\S")),
    (5, re.compile(r"^[○●◦]\s*\S")),
)

# --- leading marks of a line or sentence, as each reader strips or finds them ------------------
# Variants on purpose: which bullets count, whether a space must follow, and whether (가)/㉮/#
# are marks differ per reader. None of them checks the order of the marks.

# Any 공문서 item symbol (1.–㉮, letters as a range), report symbol or Markdown heading (drafts).
DRAFT_LEAD_MARK = re.compile(
    rf"^(?:{NUMBER_MARK}|{HANGUL_MARK}|{PAREN_NUMBER_MARK}|{PAREN_HANGUL_MARK}|[①-⑳㉮-㉻]|[□■○◦\-ㆍ·•*▪►]|#+)\s*"
)
# The mark of a sentence picked as a summary point: 항 ①–⑳, bullets (not ○ before ○/◦: "○○공사"
# is a name with its letters hidden), quote `>`, 1./1), 가./가).
POINT_LEAD_MARK = re.compile(
    rf"^\s*(?:{CIRCLED_20_CLASS}|[-•*○◦·ㆍ□■▪►>](?![○◦])|{NUMBER_MARK}|{HANGUL_MARK})\s*"
)
# The bullet of an LLM reply line: a bullet symbol, 1./1) or 가./가).
REPLY_BULLET = re.compile(rf"^\s*(?:[-•*○◦·ㆍ□▪►]|{NUMBER_MARK}|{HANGUL_MARK})\s*")
# The mark of a requested item (정보공개 청구): 1./1), 가./가), (1), ①–⑳ or a bullet.
REQUEST_ITEM_MARK = re.compile(
    rf"^\s*(?:{NUMBER_MARK}|{HANGUL_MARK}|{PAREN_NUMBER_MARK}|{CIRCLED_20_CLASS}|[-ㆍ·•○□*])\s*"
)
# Numbered item marks inside a line, at a word start: groups 1. / (2) / ③ / 가. (range).
INLINE_ITEM_MARK = re.compile(
    rf"(?:^|(?<=[\s/;,]))(?:(\d{{1,2}})[.)]|\((\d{{1,2}})\)|({CIRCLED_20_CLASS})|({HANGUL_RANGE})[.)])(?=\s*\S)"
)
# Optional mark before a label (fragment, starts with ^): bullet, ①–⑳, (1./1)/(1), 가./가).
LABEL_LEAD = rf"^\s*(?:[□■○●◦▪•\-*·ㆍ※]|{CIRCLED_20_CLASS}|\(?{NUMBER_MARK}|{HANGUL_MARK})?\s*"
# The mark before a value: ①–⑳, or a bullet / 1. / (1) / 가. followed by a space.
VALUE_LEAD = re.compile(
    rf"^\s*(?:{CIRCLED_20_CLASS}|[□■○●◦▪•\-*·ㆍ※](?=\s)|\(?(?:\d{{1,2}}|{HANGUL_RANGE})[.)](?=\s))\s*"
)
