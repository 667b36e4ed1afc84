"""Lay → statute vocabulary: which statute words a citizen's word stands for (월세 → 차임, 집주인 →
임대인), learned offline by `python -m ingest.train_lay_terms` from citizen-facing sentences
aligned with the articles they cite, and used at query time to add those words to the question.

The model is a table: lay morpheme → [(statute morpheme, weight), …], best first. It is a derived
statistic (counts of word pairs over sentence ↔ article alignments), not the sentences.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

FORMAT = 1


@dataclass(frozen=True)
class LayTerms:
    """Expansions per lay morpheme, best first."""

    terms: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    def expand(self, query: Sequence[str], per_term: int) -> list[str]:
        """Statute words the query's words stand for, not already in it, in query order (pure)."""
        have = set(query)
        out: list[str] = []
        for word in dict.fromkeys(query):
            for term, _ in self.terms.get(word, [])[:per_term]:
                if term not in have:
                    have.add(term)
                    out.append(term)
        return out

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "info": self.info,
                "terms": {k: [[t, round(w, 4)] for t, w in v] for k, v in self.terms.items()},
            },
            ensure_ascii=False,
            sort_keys=True,
        )


def learn(
    pairs: Iterable[tuple[Sequence[str], Sequence[str]]],
    min_pairs: int,
    min_lift: float,
    per_term: int,
    max_statute_share: float = 1.0,
) -> LayTerms:
    """The table from (lay sentence words, article words) pairs (pure).

    weight(l → t) = P(t | l) · log(P(t | l) / P(t)): how much more often an article cited by a
    sentence with l contains t than articles in general do, times how often. Pairs of words seen
    together fewer than `min_pairs` times, or with a lift below `min_lift`, are left out, and so
    are lay words in more than `max_statute_share` of the articles: the statutes' own words
    (계약, 신고) are found by the question's words already; expanding them only adds noise."""
    lay_count: Counter[str] = Counter()
    statute_count: Counter[str] = Counter()
    joint: Counter[tuple[str, str]] = Counter()
    n = 0
    for lay_words, article_words in pairs:
        lay, art = set(lay_words), set(article_words)
        n += 1
        lay_count.update(lay)
        statute_count.update(art)
        joint.update((a, b) for a in lay for b in art if a != b)
    table: dict[str, list[tuple[str, float]]] = {}
    for (lay_word, term), c in joint.items():
        if c < min_pairs or statute_count[lay_word] > max_statute_share * n:
            continue
        p = c / lay_count[lay_word]
        lift = p / (statute_count[term] / n)
        if lift >= min_lift:
            table.setdefault(lay_word, []).append((term, p * math.log(lift)))
    terms = {w: sorted(v, key=lambda x: (-x[1], x[0]))[:per_term] for w, v in sorted(table.items())}
    return LayTerms(terms, {"pairs": n, "lay_words": len(terms)})


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> LayTerms:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(
            f"쉬운 말 사전 형식이 다릅니다: {path} — `python -m ingest.train_lay_terms`로 다시 만드세요."
        )
    return LayTerms(
        {k: [(t, float(w)) for t, w in v] for k, v in data["terms"].items()}, data.get("info", {})
    )


def load(path: Path | None) -> LayTerms:
    """The table at `path` (an empty one when there is none), re-read when the file changes."""
    if path is None or not Path(path).is_file():
        return LayTerms()
    return _load(str(path), Path(path).stat().st_mtime)
