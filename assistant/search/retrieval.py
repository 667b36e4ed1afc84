"""Hybrid, law-aware retrieval over the index that `python -m ingest` builds.

Signals, fused by weighted reciprocal rank (weights in settings; 0 switches one off):
- BM25 over Kiwi morphemes, over Hangul bigrams, and over the heading (law + article title);
- BM25 over the citizen-facing sentences that cite each article (its "lay" text, ``ingest.index.lay``);
- embedding similarity from Chroma;
- articles cross-referenced by the top hits ("제15조제1항에 따라", "같은 법 시행령 제3조").
A question that names a law and an article ("민원처리법 제17조") gets that article first; naming
a law boosts its articles and those of its 시행령/시행규칙. 부칙 are left out unless asked for.

The visible chunk set is the keyword snapshot of the active generation: dense hits outside it
(written by an ingest run still in progress) are ignored, so a query never mixes two versions of
a document, and a full rebuild (a new generation) becomes visible only when it is complete.
Documents restricted to access groups are visible only to searches that carry one of them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.search.rerank.model import Reranker, load_reranker, rerank_hits
from ingest.core.korean import char_bigrams, morphemes
from ingest.core.model import Chunk
from ingest.core.settings import RetrievalSettings, Settings
from ingest.index import generations, keyword_index
from ingest.index.access import visible_mask
from ingest.index.embeddings import make_embeddings
from ingest.index.generations import Generation
from ingest.index.manifest import FileRecord, Manifest
from ingest.index.store import make_client, open_collection
from ingest.legal.articles import ARTICLE_NO
from ingest.legal.catalog import LawCatalog
from ingest.legal.refs import ArticleRef, parse_refs
from ingest.legal.titles import parent_act


class IndexMissingError(RuntimeError):
    """No index has been built at the configured location."""


class SearchUnavailableError(RuntimeError):
    """The vector store did not answer (e.g. the Chroma server is down); str() is Korean."""


@dataclass(frozen=True)
class SearchFilters:
    """Metadata filters usable from the UI and the chains (all optional)."""

    laws: tuple[str, ...] = ()
    law_types: tuple[str, ...] = ()
    doc_type: str | None = None  # "statute" | "guideline"
    effective_on: str | None = None  # "YYYY-MM-DD": only provisions in force on that date
    groups: tuple[str, ...] = ()  # the user's access groups; restricted documents need one of them


class Retriever(Protocol):
    """What chains and the UI need from retrieval; :class:`HybridRetriever` is the real one and
    test fakes implement the same."""

    @property
    def catalog(self) -> LawCatalog: ...

    @property
    def embeddings(self) -> Any: ...

    def search(
        self, query: str, k: int = 10, filters: SearchFilters | None = None, hint: str | None = None
    ) -> list[SearchHit]: ...

    def get_article(self, law: str, article: str, groups: Sequence[str] = ()) -> list[Chunk]: ...

    def get_chunks(self, ids: Sequence[str], groups: Sequence[str] = ()) -> list[Chunk]: ...


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
    wants_repealed: bool = False


_ADDENDUM_WORDS = re.compile(r"부\s*칙|경과\s*조치|적용례|시행일")
# "개인정보 삭제" is a topic; "삭제된 조문" asks about repealed provisions.
_REPEALED_WORDS = re.compile(r"(?:삭제|폐지)\s*된\s*(?:조문|조항|규정|조)")


def analyze_query(query: str, catalog: LawCatalog) -> QueryAnalysis:
    """Law/article references and named laws in a question (pure)."""
    refs = [r for r in parse_refs(query, catalog) if r.law and r.article]
    laws = list(dict.fromkeys(title for _, _, title in catalog.find_laws(query)))
    return QueryAnalysis(
        query, refs, laws, bool(_ADDENDUM_WORDS.search(query)), bool(_REPEALED_WORDS.search(query))
    )


def hint_refs(hint: str, catalog: LawCatalog) -> list[tuple[str, str]]:
    """(law, article) of the provisions an LLM hint names, in its order (pure). A law or article the
    model invented finds no chunk, so it adds nothing to the search."""
    refs = [(r.law, r.article) for r in parse_refs(hint, catalog) if r.law and r.article]
    return list(dict.fromkeys(refs))


KEYWORD_FIELDS = frozenset(keyword_index.FIELDS)


def signal_weights(cfg: RetrievalSettings) -> dict[str, float]:
    """Fusion weight of each ranked list, keyword fields first, in a fixed order (pure)."""
    return {
        "body": cfg.weight_body,
        "title": cfg.weight_title,
        "bigram": cfg.weight_bigram,
        "lay_bigram": cfg.weight_lay_bigram,
        "dense": cfg.weight_dense,
        "xref": cfg.weight_xref,
        "hint_refs": cfg.weight_hint_refs,
        "hint_text": cfg.weight_hint_text,
    }


def rrf_fuse(ranked: Mapping[str, Sequence[int]], weights: dict[str, float], k: int) -> dict[int, float]:
    """Weighted reciprocal-rank fusion of ranked lists of row indices (pure)."""
    fused: dict[int, float] = {}
    for name, rows in ranked.items():
        w = weights.get(name, 0.0)
        if w <= 0:
            continue
        for rank, row in enumerate(rows, start=1):
            fused[row] = fused.get(row, 0.0) + w / (k + rank)
    return fused


def rescale_rows_lacking(
    fused: dict[int, float],
    lacking: np.ndarray,
    signal: str,
    ranked: Mapping[str, Sequence[int]],
    weights: dict[str, float],
) -> None:
    """Scale the fused score of rows that can never appear in `signal`'s list (guidelines have no
    lay text) by the weight they can reach, so that switching the signal on does not rank them
    below statute articles that have it. Modifies `fused` (pure over plain data)."""
    absent = weights.get(signal, 0.0)
    if absent <= 0 or not ranked.get(signal):
        return
    total = sum(w for name in ranked if (w := weights.get(name, 0.0)) > 0)
    scale = total / (total - absent)
    for row in fused:
        if lacking[row]:
            fused[row] *= scale


def top_rows(scores: np.ndarray, n: int) -> list[int]:
    """Indices of the n highest positive scores, best first."""
    if scores.size == 0:
        return []
    n = min(n, int((scores > 0).sum()))
    if n == 0:
        return []
    idx = np.argpartition(-scores, n - 1)[:n]
    return idx[np.argsort(-scores[idx], kind="stable")].tolist()


@dataclass
class _Snapshot:
    """Everything one search reads, swapped as a whole when a new index version is published, so
    a search that started on the old version finishes on it."""

    generation: Generation
    marker: str
    version: str
    index: keyword_index.KeywordIndex
    manifest: Any
    row_of: dict[str, int]
    by_article: dict[tuple[str, str], list[int]]
    by_law: dict[str, list[int]]
    catalog: LawCatalog
    addendum: np.ndarray
    repealed: np.ndarray
    non_statute: np.ndarray  # guidelines and other documents: never any lay text
    access: np.ndarray  # encoded access groups per chunk ("" = all staff)
    collection: Any = None
    _visible: dict[frozenset[str], np.ndarray] = field(default_factory=dict)

    def visible(self, groups: Sequence[str]) -> np.ndarray:
        """Chunks a user of `groups` may see (cached per group set; do not modify)."""
        key = frozenset(groups)
        if key not in self._visible:
            self._visible[key] = visible_mask(self.access, key)
        return self._visible[key]


def _article_order(label: str) -> tuple[int, int, str]:
    m = ARTICLE_NO.match(label)
    return (int(m.group(1)), int(m.group(2) or 0), label) if m else (10**9, 0, label)


class HybridRetriever:
    """Thread-safe retriever; follows the live index: a new keyword snapshot (incremental ingest)
    or a new generation (full rebuild) is picked up on the next search, without a restart."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Any = None,
        collection: Any = None,
        generation: Generation | None = None,
    ) -> None:
        self.settings = settings
        self.cfg: RetrievalSettings = settings.retrieval
        self.db_dir = Path(settings.store.db_dir)
        self._pinned = generation  # a rebuild's sanity check searches the generation it built
        self._lock = threading.Lock()
        self._embeddings = embeddings
        self._fixed_collection = collection
        self._models: dict[str | None, Any] = {}
        self._client: Any = None
        self._reranker: Reranker | None = None  # retrieval.reranker, loaded on first use
        self._rerank_lock = threading.Lock()  # not self._lock: loading takes seconds
        self._snap = self._load()

    # --- snapshot ---
    def _generation(self) -> tuple[Generation, str]:
        marker = generations.active_marker(self.db_dir)
        gen = self._pinned or generations.active(self.db_dir, self.settings.store.collection)
        if gen is None:
            raise IndexMissingError(
                f"인덱스가 없습니다: {self.db_dir} — 먼저 `python -m ingest 경로…` 로 색인하세요."
            )
        return gen, marker

    def _load(self) -> _Snapshot:
        gen, marker = self._generation()
        folder = gen.path(self.db_dir)
        loaded = keyword_index.load_current(folder)
        if loaded is None:
            raise IndexMissingError(
                f"인덱스가 없습니다: {self.db_dir} — 먼저 `python -m ingest 경로…` 로 색인하세요."
            )
        version, index = loaded
        cols = index.columns
        by_article: dict[tuple[str, str], list[int]] = {}
        by_law: dict[str, list[int]] = {}
        for i, (law, art, add) in enumerate(
            zip(cols["law_title"], cols["article"], cols["is_addendum"], strict=True)
        ):
            if law:
                by_law.setdefault(law, []).append(i)
                if art and not add:
                    by_article.setdefault((law, art), []).append(i)
        previous = getattr(self, "_snap", None)
        if previous is not None and previous.generation != gen:
            previous = None
        return _Snapshot(
            generation=gen,
            marker=marker,
            version=version,
            index=index,
            manifest=previous.manifest if previous else Manifest(gen.manifest_path(self.db_dir)),
            row_of={cid: i for i, cid in enumerate(index.ids)},
            by_article=by_article,
            by_law=by_law,
            catalog=LawCatalog(sorted(by_law)),
            addendum=np.asarray(cols["is_addendum"], dtype=bool),
            repealed=np.asarray(cols["is_repealed"], dtype=bool),
            non_statute=np.asarray(cols["doc_type"], dtype=object) != "statute",
            access=np.asarray(cols["access_groups"], dtype=object),
            collection=previous.collection if previous else self._fixed_collection,
        )

    def refresh(self) -> bool:
        """Follow a newer keyword snapshot or generation if one was published; True when changed."""
        snap = self._snap
        marker = generations.active_marker(self.db_dir)
        if (
            marker == snap.marker
            and keyword_index.current_version(snap.generation.path(self.db_dir)) == snap.version
        ):
            return False
        with self._lock:
            if self._snap is snap:  # another thread may have reloaded meanwhile
                self._snap = self._load()
                # an old generation's model is not needed once its generation is gone
                live = self._snap.generation.embedding_model
                self._models = {m: e for m, e in self._models.items() if m == live}
        return True

    @property
    def generation(self) -> Generation:
        return self._snap.generation

    @property
    def snapshot_id(self) -> str:
        """The published index state searched now: "<generation>/<keyword snapshot>"."""
        return f"{self._snap.generation.name or 'legacy'}/{self._snap.version}"

    @property
    def catalog(self) -> LawCatalog:
        return self._snap.catalog

    def law_titles(self, groups: Sequence[str] = ()) -> set[str]:
        """Titles of the laws and documents with a chunk a user of `groups` may see."""
        snap = self._snap
        allowed = snap.visible(groups)
        return {law for law, rows in snap.by_law.items() if allowed[rows].any()}

    def law_types(self, groups: Sequence[str] = ()) -> set[str]:
        """법률/대통령령/… of the chunks a user of `groups` may see."""
        snap = self._snap
        types = snap.index.columns["law_type"]
        return {t for t, ok in zip(types, snap.visible(groups), strict=True) if t and ok}

    def __len__(self) -> int:
        return len(self._snap.index)

    @property
    def embeddings(self) -> Any:
        """The query embedding model of the live generation (loaded on first use)."""
        return self._embedder(self._snap)

    # --- heavy parts, created on first use ---
    def _embedder(self, snap: _Snapshot) -> Any:
        """The query embedding model of the generation being searched: after a change of
        embedding model the old generation keeps being searched with its own model until the
        rebuild switches over."""
        wanted = snap.generation.embedding_model or self.settings.embedding.model
        if wanted == self.settings.embedding.model:
            if self._embeddings is None:
                self._embeddings = make_embeddings(self.settings.embedding)
            return self._embeddings
        if wanted not in self._models:
            self._models[wanted] = make_embeddings(
                self.settings.embedding.model_copy(update={"model": wanted})
            )
        return self._models[wanted]

    def _dense(self, snap: _Snapshot) -> tuple[Any, Any]:
        embeddings = self._embedder(snap)
        if snap.collection is None:
            if self._client is None:
                self._client = make_client(self.settings.store)
            collection = open_collection(self._client, snap.generation.collection, embeddings, create=False)
            if collection is None:
                raise IndexMissingError(f"Chroma 컬렉션이 없습니다: {snap.generation.collection}")
            snap.collection = collection
        return embeddings, snap.collection

    # --- search ---
    def _mask(self, snap: _Snapshot, filters: SearchFilters | None, analysis: QueryAnalysis) -> np.ndarray:
        """Chunks a search may return, repealed provisions included: an exact lookup keeps them, so
        "전자정부법 시행령 제8조" answers that it was repealed instead of nothing."""
        cols = snap.index.columns
        # Restricted documents are invisible unless the filters carry one of their groups: a
        # caller that forgets the user's groups sees public documents only (fails closed).
        mask = snap.visible(filters.groups if filters else ()).copy()
        if not (self.cfg.include_addenda or analysis.wants_addenda):
            mask &= ~snap.addendum
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
        # Past statute versions (valid_to set) answer only a search for a date they were in force.
        valid_to = np.asarray(cols["valid_to"], dtype=object)
        if filters and filters.effective_on:
            mask &= (valid_to == "") | (valid_to > filters.effective_on)
        else:
            mask &= valid_to == ""
        return mask

    def _dense_rows(self, snap: _Snapshot, query: str, n: int, mask: np.ndarray) -> list[int]:
        embeddings, collection = self._dense(snap)
        vector = embeddings.embed_array([query])[0]
        try:
            res = collection.query(query_embeddings=[vector], n_results=n, include=[])
        except Exception as exc:  # connection refused, server restarting, HTTP 5xx …
            # Forget the client so the next search reconnects (the server may be back by then).
            snap.collection = None
            self._client = None
            raise SearchUnavailableError(
                "벡터 검색 서버(Chroma)에 연결할 수 없습니다. 잠시 뒤 다시 시도하세요. "
                "계속되면 관리자에게 알려 주세요."
            ) from exc
        rows = [snap.row_of.get(cid) for cid in res["ids"][0]]
        return [r for r in rows if r is not None and mask[r]]

    def _xref_rows(self, snap: _Snapshot, top: list[int], mask: np.ndarray) -> list[int]:
        cols = snap.index.columns
        out: list[int] = []
        for row in top[: self.cfg.xref_from_top]:
            law = cols["law_title"][row]
            if not law:
                continue
            cid = snap.index.ids[row]
            text = snap.manifest.get_chunks([cid]).get(cid, ("", {}))[0]
            for ref in parse_refs(text, snap.catalog, context_law=law):
                if ref.article and ref.law and (ref.law, ref.article) != (law, cols["article"][row]):
                    out.extend(r for r in snap.by_article.get((ref.law, ref.article), []) if mask[r])
        return list(dict.fromkeys(out))

    def ranked_signals(
        self,
        snap: _Snapshot,
        query: str,
        analysis: QueryAnalysis,
        mask: np.ndarray,
        hint: str | None = None,
    ) -> dict[str, list[int]]:
        """Each signal's ranked rows (before fusion) — exposed for ablation and debugging."""
        cfg, n = self.cfg, self.cfg.candidates
        index = snap.index
        weight_mask = mask.astype(np.float32)
        ranked: dict[str, list[int]] = {}
        tokens: dict[str, list[str]] = {}
        for name, weight in signal_weights(cfg).items():
            if name in KEYWORD_FIELDS and weight > 0:
                kind = "bigram" if name.endswith("bigram") else "morph"
                if kind not in tokens:
                    tokens[kind] = char_bigrams(query) if kind == "bigram" else morphemes([query])[0]
                ranked[name] = top_rows(index.scores(name, tokens[kind], weight_mask), n)
        if cfg.weight_dense > 0:
            ranked["dense"] = self._dense_rows(snap, query, n, mask)
        if hint:
            if cfg.weight_hint_refs > 0:
                ranked["hint_refs"] = [
                    r
                    for ref in hint_refs(hint, snap.catalog)
                    for r in snap.by_article.get(ref, [])
                    if mask[r]
                ]
            if cfg.weight_hint_text > 0:
                ranked["hint_text"] = top_rows(index.scores("body", morphemes([hint])[0], weight_mask), n)
        return ranked

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        hint: str | None = None,
    ) -> list[SearchHit]:
        """The k best chunks for `query`, split parts of one article merged into one hit. `hint` is
        an LLM's guess of the provisions and terms involved (`assistant.chains.rewrite`)."""
        self.refresh()
        snap = self._snap
        cfg = self.cfg
        k = k or cfg.k
        analysis = analyze_query(query, snap.catalog)
        lookup = self._mask(snap, filters, analysis)
        mask = lookup if cfg.include_repealed or analysis.wants_repealed else lookup & ~snap.repealed
        ranked = self.ranked_signals(snap, query, analysis, mask, hint)
        weights = signal_weights(cfg)
        fused = rrf_fuse(ranked, weights, cfg.rrf_k)
        if cfg.weight_xref > 0 and fused:
            first = sorted(fused, key=fused.__getitem__, reverse=True)
            ranked["xref"] = self._xref_rows(snap, first, mask)
            fused = rrf_fuse(ranked, weights, cfg.rrf_k)
        rescale_rows_lacking(fused, snap.non_statute, "lay_bigram", ranked, weights)
        self._apply_law_signals(snap, fused, analysis, lookup)
        order = sorted(fused, key=fused.__getitem__, reverse=True)
        # A question that names its article gets that article first, whatever a reranker thinks.
        if not cfg.reranker or (cfg.exact_lookup and analysis.refs):
            return self._hits(snap, order, fused, ranked, k)
        hits = self._hits(snap, order, fused, ranked, max(k, cfg.rerank_top))
        return rerank_hits(hits, query, self._rerank_model(), cfg)[:k]

    def _rerank_model(self) -> Reranker:
        with self._rerank_lock:
            if self._reranker is None:
                self._reranker = load_reranker(self.cfg)
        assert self._reranker is not None  # cfg.reranker is set
        return self._reranker

    def _apply_law_signals(
        self, snap: _Snapshot, fused: dict[int, float], analysis: QueryAnalysis, mask: np.ndarray
    ) -> None:
        cols = snap.index.columns
        if self.cfg.authority_weight > 0 and "authority" in cols:
            authority = cols["authority"]
            for row in fused:
                fused[row] += self.cfg.authority_weight * authority[row]
        if self.cfg.law_boost > 0 and analysis.laws:
            family = set(analysis.laws)
            family |= {t for t in snap.by_law if parent_act(t) in family}
            for row in list(fused):
                if cols["law_title"][row] in family:
                    fused[row] += self.cfg.law_boost
        if self.cfg.exact_lookup:
            top = max(fused.values(), default=0.0)
            for i, ref in enumerate(analysis.refs):
                for row in snap.by_article.get((ref.law, ref.article), []):  # type: ignore[arg-type]
                    if mask[row]:
                        fused[row] = top + 1.0 - i * 1e-3

    def _hits(
        self,
        snap: _Snapshot,
        order: list[int],
        fused: dict[int, float],
        ranked: dict[str, list[int]],
        k: int,
    ) -> list[SearchHit]:
        cols = snap.index.columns
        picked: list[int] = []
        seen: set[tuple[str, str, str]] = set()
        for row in order:
            key = (
                (cols["doc_id"][row], cols["article"][row], cols["section_path"][row])
                if cols["article"][row]
                else ("", "", snap.index.ids[row])
            )
            if key in seen:
                continue
            seen.add(key)
            picked.append(row)
            if len(picked) == k:
                break
        ids = [snap.index.ids[r] for r in picked]
        rows = snap.manifest.get_chunks(self._article_parts(snap, picked, ids))
        rank_of = {name: {row: i for i, row in enumerate(rows_, start=1)} for name, rows_ in ranked.items()}
        hits = []
        for row, cid in zip(picked, ids, strict=True):
            text, meta = self._merged(cid, rows)
            if text is None:
                continue  # deleted by a concurrent ingest after this snapshot; next refresh drops it
            signals = {name: ranks[row] for name, ranks in rank_of.items() if row in ranks}
            hits.append(SearchHit(Chunk(cid, text, meta), fused[row], signals))
        return hits

    def _article_parts(self, snap: _Snapshot, picked: list[int], ids: list[str]) -> list[str]:
        """Ids of all parts of each picked article, so the hit carries the whole article."""
        cols = snap.index.columns
        out = list(ids)
        for row in picked:
            law, art = cols["law_title"][row], cols["article"][row]
            if law and art:
                same_doc = cols["doc_id"][row]
                out.extend(
                    snap.index.ids[r]
                    for r in snap.by_article.get((law, art), [])
                    if cols["doc_id"][r] == same_doc
                )
        return list(dict.fromkeys(out))

    @staticmethod
    def _merged(cid: str, rows: dict[str, tuple[str, dict]]) -> tuple[str | None, dict]:
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

    def get_article(
        self, law: str, article: str, groups: Sequence[str] = (), *, past: bool = False
    ) -> list[Chunk]:
        """All chunks of one article (exact lookup) that a user of `groups` may see; with `past`,
        its past versions too (``valid_to`` set, indexed by ``ingest.statutes.sync sync --history``)."""
        snap = self._snap
        resolved = snap.catalog.resolve(law) or law
        allowed = snap.visible(groups)
        current = snap.index.columns["valid_to"]
        ids = [
            snap.index.ids[r]
            for r in snap.by_article.get((resolved, article), [])
            if allowed[r] and (past or not current[r])
        ]
        rows = snap.manifest.get_chunks(ids)
        return [Chunk(cid, *rows[cid]) for cid in ids if cid in rows]

    def article_labels(self, law: str, groups: Sequence[str] = ()) -> list[str]:
        """Labels of the articles of `law` (current or past) with a chunk `groups` may see, in order."""
        snap = self._snap
        allowed = snap.visible(groups)
        labels = {
            art for (title, art), rows in snap.by_article.items() if title == law and allowed[rows].any()
        }
        return sorted(labels, key=_article_order)

    def get_chunks(self, ids: Sequence[str], groups: Sequence[str] = ()) -> list[Chunk]:
        """Chunks by id from the live index, leaving out those a user of `groups` may not see."""
        snap = self._snap
        allowed = snap.visible(groups)
        keep = [cid for cid in ids if cid in snap.row_of and allowed[snap.row_of[cid]]]
        rows = snap.manifest.get_chunks(keep)
        return [Chunk(cid, *rows[cid]) for cid in keep if cid in rows]

    def get_document_chunks(
        self, doc_id: str, groups: Sequence[str] = (), section_path: str | None = None
    ) -> list[Chunk]:
        """The chunks of one document (of one section, when `section_path` is given) that a user
        of `groups` may see, in document order."""
        snap = self._snap
        cols = snap.index.columns
        allowed = snap.visible(groups)
        rows = [
            r
            for r, d in enumerate(cols["doc_id"])
            if d == doc_id
            and allowed[r]
            and (section_path is None or cols["section_path"][r] == section_path)
        ]
        ids = [snap.index.ids[r] for r in rows]
        found = snap.manifest.get_chunks(ids)
        chunks = [Chunk(cid, *found[cid]) for cid in ids if cid in found]
        return sorted(chunks, key=lambda c: int(c.metadata.get("chunk_index", 0)))

    def indexed_file(self, path: str) -> FileRecord | None:
        """The live index's record of a source file (None: the index does not know the path)."""
        return self._snap.manifest.file(path)

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
