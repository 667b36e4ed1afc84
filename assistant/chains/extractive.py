"""Extractive building blocks (pure): question-term weights, evidence coverage, sentence ranking.

All functions take morphemes already computed (``ingest.core.korean.morphemes``), so they stay
deterministic and cheap to test; the chains do the Kiwi call once per batch.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

# Content morphemes that carry no topic: question words, light verbs, legal boilerplate. They
# must not make an off-topic question look "covered" by any provision.
STOPWORDS = frozenset(
    [
        "하다",
        "되다",
        "있다",
        "없다",
        "이다",
        "아니다",
        "않다",
        "같다",
        "알다",
        "싶다",
        "보다",
        "주다",
        "그렇다",
        "어떻다",
        "이렇다",
        "저렇다",
        "어떠하다",
        "대하다",
        "위하다",
        "따르다",
        "관하다",
        "의하다",
        "통하다",
        "말하다",
        "묻다",
        "궁금하다",
        "가능하다",
        "필요하다",
        "해당하다",
        "경우",
        "때",
        "수",
        "것",
        "등",
        "및",
        "또는",
        "중",
        "이",
        "그",
        "저",
        "무엇",
        "뭐",
        "어디",
        "언제",
        "누구",
        "왜",
        "얼마",
        "여부",
        "관련",
        "내용",
        "사항",
        "문의",
        "질문",
        "답변",
        "안내",
        "법",
        "법률",
        "법령",
        "조",
        "항",
        "호",
        "목",
        "규정",
        "조항",
        "조문",
        "시행령",
        "시행규칙",
        "제",
        "각",
        "다음",
        "해당",
        "기타",
        "그밖",
        "밖",
        "나",
        "저희",
        "우리",
    ]
)
_HANGUL = re.compile(r"[가-힣]")
_SPACES = re.compile(r"\s+")


def term_weights(terms: Sequence[str]) -> dict[str, float]:
    """Weight of each distinct question term: 0 for stopwords; verbs/adjectives and one-syllable
    words count half (they match by accident more often than compound nouns)."""
    out: dict[str, float] = {}
    for t in terms:
        t = t.lower()
        if t in out or t in STOPWORDS or not t.strip():
            continue
        w = 1.0
        if t.endswith("다") and len(t) >= 2 and _HANGUL.search(t):
            w = 0.5  # Kiwi gives verb/adjective stems with 다 appended
        elif len(t) == 1:
            w = 0.5
        out[t] = w
    return out


def _present(term: str, squashed: str) -> bool:
    # Stems "받다" are looked up without the appended 다 ("받" in "받아야"); substring matching
    # also lets "개인정보" meet "개인정보처리자" and compounds written with or without spaces.
    key = term[:-1] if term.endswith("다") and len(term) >= 2 else term
    return bool(key) and key in squashed


def coverage(weights: dict[str, float], text: str) -> float:
    """Weighted share of the question terms that occur in `text` (0–1; 0 when no weighted term)."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    squashed = _SPACES.sub("", text).lower()
    return sum(w for t, w in weights.items() if _present(t, squashed)) / total


def rank_for_question(weights: dict[str, float], sentences: Sequence[str]) -> list[float]:
    """Score of each sentence for a question: covered term weight, rarer terms (within these
    sentences) weighing more, a small preference for earlier sentences to break ties."""
    n = len(sentences)
    if n == 0:
        return []
    squashed = [_SPACES.sub("", s).lower() for s in sentences]
    df = {t: sum(_present(t, s) for s in squashed) for t in weights}
    idf = {t: math.log(1 + n / (1 + df[t])) for t in weights}
    scores = []
    for i, s in enumerate(squashed):
        hit = sum(weights[t] * idf[t] for t in weights if _present(t, s))
        scores.append(hit - 1e-3 * i / n)
    return scores


def rank_central(sentence_terms: Sequence[Sequence[str]]) -> list[float]:
    """Centrality of each sentence in its document (no question): how many of the document's
    frequent content terms it contains, normalised by length so long sentences do not win."""
    df: Counter[str] = Counter()
    for terms in sentence_terms:
        df.update({t for t in terms if t not in STOPWORDS})
    scores = []
    for terms in sentence_terms:
        distinct = {t for t in terms if t not in STOPWORDS}
        if not distinct:
            scores.append(0.0)
            continue
        mass = sum(math.log(1 + df[t]) for t in distinct if df[t] > 1)
        scores.append(mass / (1 + math.log(1 + len(distinct))))
    return scores


def select_diverse(
    scores: Sequence[float], sentence_terms: Sequence[Sequence[str]], n: int, redundancy: float = 0.6
) -> list[int]:
    """Indices of up to `n` best sentences, skipping ones that repeat an already picked one
    (term overlap ≥ `redundancy`), returned in document order."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    picked: list[int] = []
    sets = [set(t) for t in sentence_terms]
    for i in order:
        if len(picked) >= n:
            break
        if scores[i] <= 0:
            break
        if any(sets[i] and len(sets[i] & sets[j]) / len(sets[i]) >= redundancy for j in picked):
            continue
        picked.append(i)
    return sorted(picked)
