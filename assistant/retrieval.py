"""Hybrid, law-aware retrieval over the index that `python -m ingest` builds.

Signals, fused by weighted reciprocal rank (weights in settings; 0 switches one off):
- BM25 over Kiwi morphemes, over Hangul bigrams, and over the heading (law + article title);
- embedding similarity from Chroma;
- articles cross-referenced by the top hits ("제15조제1항에 따라", "같은 법 시행령 제3조").
A question that names a law and an article ("민원처리법 제17조") gets that article first; naming
a law boosts its articles and those of its 시행령/시행규칙. 부칙 are left out unless asked for.

The visible chunk set is the keyword snapshot: dense hits outside it (written by an ingest run
still in progress) are ignored, so a query never mixes two versions of a document.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant import keyword_index
from assistant.korean import char_bigrams, morphemes
from assistant.legal_refs import ArticleRef, LawCatalog, parent_act, parse_refs
from assistant.settings import RetrievalSettings, Settings
from ingest.model import Chunk


class IndexMissingError(RuntimeError):
    """No index has been built at the configured location."""


@dataclass(frozen=True)
class SearchFilters:
    """Metadata filters usable from the UI and the chains (all optional)."""

    laws: tuple[str, ...] = ()
    law_types: tuple[str, ...] = ()
    doc_type: str | None = None  # "statute" | "guideline"
    effective_on: str | None = None  # "YYYY-MM-DD": only provisions in force on that date


@dataclass(frozen=True)
class SearchHit:
    chunk: Chunk
    score: float
    signals: dict[str, int] = field(default_factory=dict)  # rank (1-based) in each signal


@dataclass
class QueryAnalysis:
    """What the question says about laws and articles."""

    text: str
    refs: list[ArticleRef]
    laws: list[str]
    wants_addenda: bool


_ADDENDUM_WORDS = re.compile(r"부\s*칙|경과\s*조치|적용례|시행일")


def analyze_query(query: str, catalog: LawCatalog) -> QueryAnalysis:
    """Law/article references and named laws in a question (pure)."""
    refs = [r for r in parse_refs(query, catalog) if r.law and r.article]
    laws = list(dict.fromkeys(title for _, _, title in catalog.find_laws(query)))
    return QueryAnalysis(query, refs, laws, bool(_ADDENDUM_WORDS.search(query)))


def rrf_fuse(ranked: dict[str, Sequence[int]], weights: dict[str, float], k: int) -> dict[int, float]:
    """Weighted reciprocal-rank fusion of ranked lists of row indices (pure)."""
    fused: dict[int, float] = {}
    for name, rows in ranked.items():
        w = weights.get(name, 0.0)
        if w <= 0:
            continue
        for rank, row in enumerate(rows, start=1):
            fused[row] = fused.get(row, 0.0) + w / (k + rank)
    return fused


def top_rows(scores: np.ndarray, n: int) -> list[int]:
    """Indices of the n highest positive scores, best first."""
    if scores.size == 0:
        return []
    n = min(n, int((scores > 0).sum()))
    if n == 0:
        return []
    idx = np.argpartition(-scores, n - 1)[:n]
    return idx[np.argsort(-scores[idx], kind="stable")].tolist()


class HybridRetriever:
    """Thread-safe retriever; reloads the keyword snapshot when an ingest run publishes one."""

    def __init__(self, settings: Settings, embeddings: Any = None, collection: Any = None) -> None:
        from ingest.manifest import Manifest

        self.settings = settings
        self.cfg: RetrievalSettings = settings.retrieval
        self.db_dir = Path(settings.store.db_dir)
        if keyword_index.current_version(self.db_dir) is None:
            raise IndexMissingError(
                f"인덱스가 없습니다: {self.db_dir} — 먼저 `python -m ingest 경로…` 로 색인하세요."
            )
        self._lock = threading.Lock()
        self._embeddings = embeddings
        self._collection = collection
        self._manifest = Manifest(self.db_dir / "manifest.sqlite3")
        self._version: str | None = None
        self._load_snapshot()

    # --- snapshot ---
    def _load_snapshot(self) -> None:
        loaded = keyword_index.load_current(self.db_dir)
        if loaded is None:
            raise IndexMissingError(f"인덱스가 없습니다: {self.db_dir}")
        version, index = loaded
        cols = index.columns
        row_of = {cid: i for i, cid in enumerate(index.ids)}
        by_article: dict[tuple[str, str], list[int]] = {}
        by_law: dict[str, list[int]] = {}
        for i, (law, art, add) in enumerate(
            zip(cols["law_title"], cols["article"], cols["is_addendum"], strict=True)
        ):
            if law:
                by_law.setdefault(law, []).append(i)
                if art and not add:
                    by_article.setdefault((law, art), []).append(i)
        catalog = LawCatalog(sorted(by_law))
        addendum = np.asarray(cols["is_addendum"], dtype=bool)
        with self._lock:
            self._index, self._row_of, self._by_article, self._by_law = index, row_of, by_article, by_law
            self._catalog, self._addendum, self._version = catalog, addendum, version

    def refresh(self) -> bool:
        """Load a newer keyword snapshot if one was published; True when it changed."""
        if keyword_index.current_version(self.db_dir) != self._version:
            self._load_snapshot()
            return True
        return False

    @property
    def catalog(self) -> LawCatalog:
        return self._catalog

    def law_titles(self) -> set[str]:
        return set(self._by_law)

    def law_types(self) -> set[str]:
        return {t for t in self._index.columns["law_type"] if t}

    def __len__(self) -> int:
        return len(self._index)

    # --- heavy parts, created on first use ---
    def _dense(self) -> tuple[Any, Any]:
        if self._collection is None:
            from ingest.embeddings import make_embeddings
            from ingest.store import make_client, open_collection

            if self._embeddings is None:
                self._embeddings = make_embeddings(self.settings.embedding)
            client = make_client(self.settings.store)
            self._collection = open_collection(
                client, self.settings.store.collection, self._embeddings, create=False
            )
            if self._collection is None:
                raise IndexMissingError(f"Chroma 컬렉션이 없습니다: {self.settings.store.collection}")
        return self._embeddings, self._collection

    # --- search ---
    def _mask(self, filters: SearchFilters | None, analysis: QueryAnalysis) -> np.ndarray:
        cols = self._index.columns
        mask = np.ones(len(self._index), dtype=bool)
        if not (self.cfg.include_addenda or analysis.wants_addenda):
            mask &= ~self._addendum
        if filters:
            if filters.laws:
                mask &= np.isin(np.asarray(cols["law_title"], dtype=object), list(filters.laws))
            if filters.law_types:
                mask &= np.isin(np.asarray(cols["law_type"], dtype=object), list(filters.law_types))
            if filters.doc_type:
                mask &= np.asarray(cols["doc_type"], dtype=object) == filters.doc_type
            if filters.effective_on:
                eff = np.asarray(cols["effective_date"], dtype=object)
                mask &= (eff == "") | (eff <= filters.effective_on)
        return mask

    def _dense_rows(self, query: str, n: int, mask: np.ndarray) -> list[int]:
        embeddings, collection = self._dense()
        vector = embeddings.embed_array([query])[0]
        res = collection.query(query_embeddings=[vector], n_results=n, include=[])
        rows = [self._row_of.get(cid) for cid in res["ids"][0]]
        return [r for r in rows if r is not None and mask[r]]

    def _xref_rows(self, top: list[int], mask: np.ndarray) -> list[int]:
        cols = self._index.columns
        out: list[int] = []
        for row in top[: self.cfg.xref_from_top]:
            law = cols["law_title"][row]
            if not law:
                continue
            text = self._manifest.get_chunks([self._index.ids[row]]).get(self._index.ids[row], ("", {}))[0]
            for ref in parse_refs(text, self._catalog, context_law=law):
                if ref.article and ref.law and (ref.law, ref.article) != (law, cols["article"][row]):
                    out.extend(r for r in self._by_article.get((ref.law, ref.article), []) if mask[r])
        return list(dict.fromkeys(out))

    def ranked_signals(self, query: str, analysis: QueryAnalysis, mask: np.ndarray) -> dict[str, list[int]]:
        """Each signal's ranked rows (before fusion) — exposed for ablation and debugging."""
        cfg, n = self.cfg, self.cfg.candidates
        index = self._index
        weight_mask = mask.astype(np.float32)
        ranked: dict[str, list[int]] = {}
        if cfg.weight_body > 0 or cfg.weight_title > 0:
            q_morph = morphemes([query])[0]
            if cfg.weight_body > 0:
                ranked["body"] = top_rows(index.scores("body", q_morph, weight_mask), n)
            if cfg.weight_title > 0:
                ranked["title"] = top_rows(index.scores("title", q_morph, weight_mask), n)
        if cfg.weight_bigram > 0:
            ranked["bigram"] = top_rows(index.scores("bigram", char_bigrams(query), weight_mask), n)
        if cfg.weight_dense > 0:
            ranked["dense"] = self._dense_rows(query, n, mask)
        return ranked

    def search(
        self, query: str, k: int | None = None, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """The k best chunks for `query`, split parts of one article merged into one hit."""
        self.refresh()
        cfg = self.cfg
        k = k or cfg.k
        analysis = analyze_query(query, self._catalog)
        mask = self._mask(filters, analysis)
        ranked = self.ranked_signals(query, analysis, mask)
        weights = {
            "body": cfg.weight_body,
            "bigram": cfg.weight_bigram,
            "title": cfg.weight_title,
            "dense": cfg.weight_dense,
            "xref": cfg.weight_xref,
        }
        fused = rrf_fuse(ranked, weights, cfg.rrf_k)
        if cfg.weight_xref > 0 and fused:
            first = sorted(fused, key=fused.__getitem__, reverse=True)
            ranked["xref"] = self._xref_rows(first, mask)
            fused = rrf_fuse(ranked, weights, cfg.rrf_k)
        self._apply_law_signals(fused, analysis, mask)
        order = sorted(fused, key=fused.__getitem__, reverse=True)
        return self._hits(order, fused, ranked, k)

    def _apply_law_signals(self, fused: dict[int, float], analysis: QueryAnalysis, mask: np.ndarray) -> None:
        cols = self._index.columns
        if self.cfg.authority_weight > 0 and "authority" in cols:
            authority = cols["authority"]
            for row in fused:
                fused[row] += self.cfg.authority_weight * authority[row]
        if self.cfg.law_boost > 0 and analysis.laws:
            family = set(analysis.laws)
            family |= {t for t in self._by_law if parent_act(t) in family}
            for row in list(fused):
                if cols["law_title"][row] in family:
                    fused[row] += self.cfg.law_boost
        if self.cfg.exact_lookup:
            top = max(fused.values(), default=0.0)
            for i, ref in enumerate(analysis.refs):
                for row in self._by_article.get((ref.law, ref.article), []):  # type: ignore[arg-type]
                    if mask[row]:
                        fused[row] = top + 1.0 - i * 1e-3

    def _hits(
        self, order: list[int], fused: dict[int, float], ranked: dict[str, list[int]], k: int
    ) -> list[SearchHit]:
        cols = self._index.columns
        picked: list[int] = []
        seen: set[tuple[str, str, str]] = set()
        for row in order:
            key = (
                (cols["doc_id"][row], cols["article"][row], cols["section_path"][row])
                if cols["article"][row]
                else ("", "", self._index.ids[row])
            )
            if key in seen:
                continue
            seen.add(key)
            picked.append(row)
            if len(picked) == k:
                break
        ids = [self._index.ids[r] for r in picked]
        rows = self._manifest.get_chunks(self._article_parts(picked, ids))
        rank_of = {name: {row: i for i, row in enumerate(rows_, start=1)} for name, rows_ in ranked.items()}
        hits = []
        for row, cid in zip(picked, ids, strict=True):
            text, meta = self._merged(cid, rows)
            if text is None:
                continue  # deleted by a concurrent ingest after this snapshot; next refresh drops it
            signals = {name: ranks[row] for name, ranks in rank_of.items() if row in ranks}
            hits.append(SearchHit(Chunk(cid, text, meta), fused[row], signals))
        return hits

    def _article_parts(self, picked: list[int], ids: list[str]) -> list[str]:
        """Ids of all parts of each picked article, so the hit carries the whole article."""
        cols = self._index.columns
        out = list(ids)
        for row in picked:
            law, art = cols["law_title"][row], cols["article"][row]
            if law and art:
                same_doc = cols["doc_id"][row]
                out.extend(
                    self._index.ids[r]
                    for r in self._by_article.get((law, art), [])
                    if cols["doc_id"][r] == same_doc
                )
        return list(dict.fromkeys(out))

    def _merged(self, cid: str, rows: dict[str, tuple[str, dict]]) -> tuple[str | None, dict]:
        if cid not in rows:
            return None, {}
        text, meta = rows[cid]
        if int(meta.get("parts", 1)) <= 1:
            return text, meta
        parts = sorted(
            (m.get("part", 1), t)
            for t, m in rows.values()
            if m.get("doc_id") == meta.get("doc_id")
            and m.get("article") == meta.get("article")
            and m.get("occurrence") == meta.get("occurrence")
        )
        header = text.split("\n", 1)[0].rsplit(" [", 1)[0]
        body = "\n".join(t.split("\n", 1)[1] if "\n" in t else "" for _, t in parts)
        return f"{header}\n{body}", {**meta, "part": 0}

    def get_article(self, law: str, article: str) -> list[Chunk]:
        """All chunks of one article (exact lookup)."""
        resolved = self._catalog.resolve(law) or law
        ids = [self._index.ids[r] for r in self._by_article.get((resolved, article), [])]
        rows = self._manifest.get_chunks(ids)
        return [Chunk(cid, *rows[cid]) for cid in ids if cid in rows]

    def as_langchain(self, k: int | None = None, filters: SearchFilters | None = None) -> LangChainRetriever:
        return LangChainRetriever(retriever=self, k=k or self.cfg.k, filters=filters)


class LangChainRetriever(BaseRetriever):
    """LangChain `BaseRetriever` view of HybridRetriever for chains."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: Any
    k: int = 10
    filters: SearchFilters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(
                page_content=h.chunk.text, metadata={**h.chunk.metadata, "id": h.chunk.id, "score": h.score}
            )
            for h in self.retriever.search(query, self.k, self.filters)
        ]


def build_retriever(settings: Settings) -> HybridRetriever:
    """The retriever for the configured index (raises IndexMissingError when there is none)."""
    return HybridRetriever(settings)
