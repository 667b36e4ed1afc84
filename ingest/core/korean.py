"""Korean text analysis for keyword search: Kiwi morphemes and Hangul character bigrams.

Kiwi separates particles and endings from their stems (서울은 → 서울), so keyword search
matches what whitespace tokens never would; character bigrams catch compound-noun parts that
Kiwi keeps whole (개인정보보호 ↔ 개인정보 보호).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from functools import lru_cache

# Content morphemes: nouns, numerals, verb/adjective stems, roots, foreign words, hanja, numbers.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SH", "SN"})
_HANGUL_RUN = re.compile(r"[가-힣]+")
_KIWI_LOCK = threading.Lock()
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


@lru_cache(maxsize=1)
def _optional_kiwi():
    """The one Kiwi, or None (logged once) when kiwipiepy or its model cannot be loaded."""
    try:
        return _kiwi()
    except Exception:  # optional for spacing: import or model load failed
        log.warning("kiwipiepy unavailable; Kiwi spacing is skipped (wrapped statute lines get no space)")
        return None


def kiwi_space(text: str) -> str | None:
    """`text` with the spaces Kiwi's spacing model puts in (the spaces already there kept), from
    the same Kiwi instance as `morphemes`; None when Kiwi cannot be loaded."""
    kiwi = _optional_kiwi()
    if kiwi is None:
        return None
    with _KIWI_LOCK:
        return kiwi.space(text, reset_whitespace=False)


def morphemes(texts: Sequence[str]) -> list[list[str]]:
    """Content morphemes of each text (batched through Kiwi; verb/adjective stems get '다')."""
    if not texts:
        return []
    with _KIWI_LOCK:  # one Kiwi instance per process; its batch API is not re-entrant
        results = list(_kiwi().tokenize(list(texts)))
    out: list[list[str]] = []
    for tokens in results:
        words = []
        for tok in tokens:
            tag = tok.tag.split("-")[0]  # VV-R / VV-I carry regularity suffixes
            if tag in CONTENT_TAGS:
                words.append(tok.form + "다" if tag in ("VV", "VA") else tok.form.lower())
        out.append(words)
    return out


def tagged_tokens(text: str) -> list[tuple[str, str]]:
    """(form, tag) of every Kiwi token of one text; VV-R/VV-I style tags reduced to VV."""
    if not text.strip():
        return []
    with _KIWI_LOCK:
        tokens = _kiwi().tokenize(text)
    return [(t.form, t.tag.split("-")[0]) for t in tokens]


def char_bigrams(text: str) -> list[str]:
    """Overlapping Hangul character bigrams of each Hangul run, plus other word tokens."""
    grams: list[str] = []
    for run in _HANGUL_RUN.findall(text):
        if len(run) == 1:
            grams.append(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    grams.extend(w.lower() for w in re.findall(r"[A-Za-z]+|\d+", text))
    return grams
