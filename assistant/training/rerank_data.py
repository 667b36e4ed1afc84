"""Training data of the reranker: (question, gold article, hard negatives) groups.

Sources, all read from where they lie (nothing is copied into the repository):
- citizen-facing sentences ↔ the articles they cite (``ingest.index.lay``, stale citations dropped as in
  the lay field), the bridge from 집주인 to 임대인;
- statute self-pairs: article title ↔ body, one sentence ↔ the rest of its article
  (``assistant.training.embedding``);
- the training part of a dev QA set (real 민원 letters), never its held-out part
  (:func:`heldout_ids`, shared with ``assistant.training.rerank_evaluate``).
Hard negatives: other articles of the gold law (half of the minwon misses are the right law and
the wrong article) and, where mined, the product retriever's top non-gold hits.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.training.embedding import Article, sentences

Key = tuple[str, str]  # (law title, article label)


@dataclass(frozen=True)
class Query:
    text: str
    gold: tuple[int, ...]  # pool indices of the gold articles
    source: str  # "lay" | "statute" | "qa"
    passage: str | None = None  # the positive text when it is not the gold article's (statute pairs)


@dataclass
class Pool:
    """The articles passages come from, with lookups by key and by law."""

    articles: list[Article]
    by_key: dict[Key, int] = field(default_factory=dict)
    by_law: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, a in enumerate(self.articles):
            key = (a.law_title, str(a.meta.get("article", "")))
            if key not in self.by_key:  # the first part of a split article stands for it
                self.by_key[key] = i
                self.by_law.setdefault(a.law_title, []).append(i)

    def key(self, i: int) -> Key:
        a = self.articles[i]
        return (a.law_title, str(a.meta.get("article", "")))


def heldout_ids(ids: Iterable[str], n: int) -> set[str]:
    """The `n` question ids kept out of training (a fixed hash order: independent of file order)."""
    ranked = sorted(ids, key=lambda i: hashlib.sha1(i.encode()).hexdigest())
    return set(ranked[:n])


def lay_queries(pool: Pool, table) -> list[Query]:
    """Each kept lay sentence with the article(s) it cites in the pool."""
    gold: dict[str, set[int]] = {}
    for i in {i for ids in pool.by_law.values() for i in ids}:
        a = pool.articles[i]
        kept, _ = table.sentences_for(a.meta, a.morphemes)
        for s in kept:
            gold.setdefault(s.text, set()).add(i)
    return [Query(text, tuple(sorted(ids)), "lay") for text, ids in sorted(gold.items())]


def statute_queries(pool: Pool, per_article: int, min_chars: int, seed: int) -> list[Query]:
    """Article title ↔ body and one sentence ↔ heading and the rest of its article (pure, seeded)."""
    rng = random.Random(seed)
    out: list[Query] = []
    for i in sorted({i for ids in pool.by_law.values() for i in ids}):
        a = pool.articles[i]
        body = a.body
        if a.article_title and body:
            out.append(Query(a.article_title, (i,), "statute", body))
        parts = sentences(body, min_chars)
        if len(parts) < 2:
            continue
        heading = a.text.split("\n", 1)[0]
        for _ in range(per_article):
            j = rng.randrange(len(parts))
            out.append(Query(parts[j], (i,), "statute", "\n".join([heading, *parts[:j], *parts[j + 1 :]])))
    return out


def qa_queries(items: Sequence[tuple[str, str, Sequence[Key]]], pool: Pool, exclude: set[str]) -> list[Query]:
    """(id, question, gold keys) of a QA set → queries, leaving out the `exclude` ids and
    questions none of whose gold articles is in the pool."""
    out = []
    for qid, question, keys in items:
        if qid in exclude:
            continue
        gold = tuple(pool.by_key[k] for k in keys if k in pool.by_key)
        if gold:
            out.append(Query(question, gold, "qa"))
    return out


def same_law_negatives(pool: Pool, gold: Sequence[int], n: int, rng: random.Random) -> list[int]:
    """Up to `n` other articles of the gold article's law (pure over the rng)."""
    law = pool.articles[gold[0]].law_title
    others = [i for i in pool.by_law.get(law, []) if i not in gold]
    return rng.sample(others, min(n, len(others)))


@dataclass(frozen=True)
class Group:
    query: str
    positive: str
    negatives: tuple[str, ...]
    keys: tuple[Key, ...]  # keys of the positive then each negative ("", "") for non-article text
    source: str


def make_group(q: Query, pool: Pool, mined: dict[str, list[Key]], n_neg: int, rng: random.Random) -> Group:
    """One training group: the query, a gold passage, `n_neg` hard negatives (mined ones first,
    then other articles of the gold law)."""
    gold = rng.choice(q.gold)
    positive = q.passage or pool.articles[gold].text
    gold_keys = {pool.key(g) for g in q.gold}
    candidates = [pool.by_key[k] for k in mined.get(q.text, []) if k in pool.by_key and k not in gold_keys]
    picked = rng.sample(candidates, min(len(candidates), (n_neg + 1) // 2 if n_neg > 1 else n_neg))
    if len(picked) < n_neg:
        extra = same_law_negatives(pool, q.gold, n_neg, rng)
        picked += [i for i in extra if i not in picked][: n_neg - len(picked)]
    negatives = tuple(pool.articles[i].text for i in picked)
    return Group(q.text, positive, negatives, (pool.key(gold), *(pool.key(i) for i in picked)), q.source)


class Sampler:
    """Draws training groups by source share, reproducibly from (seed, step): a resumed run sees
    the same batches it would have seen without the pause."""

    def __init__(
        self,
        queries: dict[str, list[Query]],
        shares: dict[str, float],
        pool: Pool,
        mined: dict[str, list[Key]],
        n_neg: int,
        seed: int,
    ) -> None:
        self.queries = {s: qs for s, qs in queries.items() if qs}
        total = sum(shares.get(s, 0.0) for s in self.queries) or 1.0
        self.shares = {s: shares.get(s, 0.0) / total for s in self.queries}
        self.pool, self.mined, self.n_neg, self.seed = pool, mined, n_neg, seed

    def batch(self, step: int, size: int) -> list[Group]:
        rng = random.Random(f"{self.seed}:{step}")
        sources = list(self.shares)
        weights = [self.shares[s] for s in sources]
        out: list[Group] = []
        seen: set[Key] = set()
        while len(out) < size:
            source = rng.choices(sources, weights)[0]
            q = rng.choice(self.queries[source])
            group = make_group(q, self.pool, self.mined, self.n_neg, rng)
            if group.keys[0] in seen:  # two positives of one article would be each other's negatives
                continue
            seen.add(group.keys[0])
            out.append(group)
        return out


def read_mined(path: Path) -> dict[str, list[Key]]:
    """query text → the retriever's non-gold top hits, from a JSONL file that mining appends to."""
    out: dict[str, list[Key]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out[row["query"]] = [tuple(k) for k in row["negatives"]]  # type: ignore[misc]
    return out
