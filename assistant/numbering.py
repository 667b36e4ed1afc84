"""The numbering symbols of Korean statutes and official documents, in their order (pure
constants; one place for every module that parses or writes them)."""

from __future__ import annotations

# 항 of a statute article: ① … ⑳, then ㉑ … ㉟ (long articles).
CIRCLED_NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟"
CIRCLED_NUMBERS_20 = CIRCLED_NUMBERS[:20]  # what the 공문서 item rules use (① … ⑳)
# 목 of a statute item and the 가. / 가) / (가) levels of 공문서 items.
HANGUL_ORDER = "가나다라마바사아자차카타파하"
HANGUL_ORDER_LONG = HANGUL_ORDER + "거너더러머버서어저처커터퍼허"  # 목 past 하. in long statutes
CIRCLED_HANGUL = "㉮㉯㉰㉱㉲㉳㉴㉵㉶㉷㉸㉹㉺㉻"  # the 8th 공문서 item level


def circled_number(symbol: str) -> int:
    """``"③"`` → 3 (0 when `symbol` is not a circled number)."""
    return CIRCLED_NUMBERS.index(symbol) + 1 if symbol and symbol in CIRCLED_NUMBERS else 0
