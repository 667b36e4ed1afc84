"""Gold targets: the references of a QA item resolved against the index's law catalog.

Matching a retrieved or cited chunk against a gold article goes through
`ingest.legal.refs.ref_matches` — the same code the app's citation checker uses — so the
benchmark and the app cannot disagree about what "cites 제15조" means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.bench.datasets import QAItem
from assistant.bench.gold_formats import parse_firesafety_refs, parse_koblex_index
from ingest.legal.catalog import LawCatalog, is_relative_law_name
from ingest.legal.refs import ArticleRef, parse_refs, ref_matches
from ingest.legal.titles import article_label, normalize_title, parse_article_label

# Reasons a question is not scored (keys of report.json "unresolvable_reasons").
NO_REFERENCES = "no_references"
LAW_NOT_INDEXED = "law_not_indexed"
ANNEX_OR_NON_ARTICLE = "annex_or_non_article_only"  # 별표, whole-law or NFTC references
DOCUMENT_NOT_INDEXED = "document_not_indexed"

_SPACES = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACES.sub("", text)


@dataclass(frozen=True)
class GoldArticle:
    """A statute article (law title as indexed + canonical label such as '제15조의2')."""

    ref: ArticleRef

    @property
    def key(self) -> str:
        return f"{self.ref.law} {self.ref.article}"

    def matches(self, meta: Mapping[str, Any]) -> bool:
        law, article = meta.get("law_title"), meta.get("article")
        # 부칙 articles reuse body numbers (부칙 제1조); gold references never mean them.
        if not law or not article or meta.get("is_addendum"):
            return False
        return bool(ref_matches(self.ref, str(law), str(article)))


@dataclass(frozen=True)
class GoldSection:
    """A guideline section: document title, optional section text found in its section path."""

    document: str
    section: str | None = None

    @property
    def key(self) -> str:
        return f"{self.document} § {self.section}" if self.section else self.document

    def matches(self, meta: Mapping[str, Any]) -> bool:
        if normalize_title(str(meta.get("doc_title", ""))) != normalize_title(self.document):
            return False
        return not self.section or _squash(self.section) in _squash(str(meta.get("section_path", "")))


GoldTarget = GoldArticle | GoldSection


@dataclass
class Resolution:
    """Gold targets of one item; `reason` says why there are none."""

    targets: list[GoldTarget] = field(default_factory=list)
    reason: str | None = None
    dropped: list[str] = field(default_factory=list)  # raw references that did not resolve

    @property
    def scored(self) -> bool:
        return bool(self.targets)


def _article_ok(ref: ArticleRef, catalog: LawCatalog) -> bool:
    return (
        ref.law in catalog.titles
        and ref.article is not None
        and parse_article_label(ref.article) is not None
        and not ref.annex
    )


def _law_refs(item: QAItem, catalog: LawCatalog) -> list[ArticleRef]:
    if item.format == "koblex":
        refs = [parse_koblex_index(index, catalog) for index in item.raw_refs]
        return [r for r in refs if r is not None]
    if item.format == "firesafety":
        return list(parse_firesafety_refs(item.raw_refs, catalog))
    out: list[ArticleRef] = []
    for ref in item.raw_refs:
        if "law" not in ref:
            continue
        law = catalog.resolve(ref["law"])
        parsed = parse_article_label(ref["article"])
        raw = f"{ref['law']} {ref['article']}"
        if law is not None and parsed is not None:
            out.append(ArticleRef(law=law, article=article_label(*parsed), raw=raw, law_mention=ref["law"]))
            continue
        # Free-form input ("제15조 제1항", "별표 1") goes through the app's parser; an unknown law
        # still yields a ref so the question is reported as "law not indexed".
        found = [r for r in parse_refs(f"「{ref['law']}」 {ref['article']}", catalog) if r.article or r.annex]
        label = article_label(*parsed) if parsed else None
        out.extend(found or [ArticleRef(law=law, article=label, raw=raw, law_mention=ref["law"])])
    return out


def resolve_item(item: QAItem, catalog: LawCatalog, doc_titles: Iterable[str] | None = None) -> Resolution:
    """Resolve an item's references into distinct gold targets, or say why there are none.

    `doc_titles` lists indexed guideline titles; None means "unknown" and document references
    are then trusted to exist.
    """
    if not item.raw_refs:
        return Resolution(reason=NO_REFERENCES)
    res = Resolution()
    seen: set[str] = set()
    law_missing = doc_missing = False
    for ref in _law_refs(item, catalog):
        if _article_ok(ref, catalog):
            _add(res, seen, GoldArticle(ref))
            continue
        res.dropped.append(str(ref.raw))
        # A reference without a 조 (별표, a whole law, an NFTC section number) can never be scored;
        # an article of a law the index lacks could be, once that law is indexed. A "같은 법"
        # with nothing before it to point at names no law, indexed or not.
        if ref.article and not ref.annex and ref.law not in catalog.titles:
            law_missing = law_missing or not is_relative_law_name(ref.law_mention)
    if item.format == "jsonl":
        known = None if doc_titles is None else {normalize_title(t) for t in doc_titles}
        for ref in item.raw_refs:
            if "document" not in ref:
                continue
            section = GoldSection(ref["document"], ref.get("section") or None)
            if known is not None and normalize_title(section.document) not in known:
                res.dropped.append(section.key)
                doc_missing = True
                continue
            _add(res, seen, section)
    if not res.targets:
        # The missing law is the actionable cause, so it wins over 별표-only.
        res.reason = (
            LAW_NOT_INDEXED if law_missing else DOCUMENT_NOT_INDEXED if doc_missing else ANNEX_OR_NON_ARTICLE
        )
    return res


def _add(res: Resolution, seen: set[str], target: GoldTarget) -> None:
    if target.key not in seen:
        seen.add(target.key)
        res.targets.append(target)


def first_hit_ranks(retrieved: list[Mapping[str, Any]], targets: list[GoldTarget]) -> list[int | None]:
    """1-based rank of the first retrieved chunk matching each gold target (None = not retrieved).

    Only the first chunk of an article counts: later parts of a split article, or the same
    article retrieved twice, earn nothing more — this is the dedupe by (law_title, article).
    """
    ranks: list[int | None] = [None] * len(targets)
    for rank, meta in enumerate(retrieved, start=1):
        for i, target in enumerate(targets):
            if ranks[i] is None and target.matches(meta):
                ranks[i] = rank
    return ranks


def cited_targets(citations: list[Mapping[str, Any]], targets: list[GoldTarget]) -> tuple[int, int, int]:
    """(distinct cited sources, of those matching some gold, gold targets cited).

    Citations are deduped like retrieval hits: by (law_title, article) for articles, else by
    (doc_title, section_path).
    """
    distinct: dict[tuple[str, str], Mapping[str, Any]] = {}
    for meta in citations:
        if meta.get("law_title") and meta.get("article"):
            key = (str(meta["law_title"]), str(meta["article"]))
        else:
            key = (str(meta.get("doc_title", "")), str(meta.get("section_path", "")))
        distinct.setdefault(key, meta)
    correct = sum(any(t.matches(m) for t in targets) for m in distinct.values())
    covered = sum(any(t.matches(m) for m in distinct.values()) for t in targets)
    return len(distinct), correct, covered
