"""The QA sets' gold reference formats: KoBLEX ``contexts[].index`` strings and SearchFireSafety
``law_references`` lists, read into :class:`~ingest.legal.refs.ArticleRef` values."""

from __future__ import annotations

import ast
import re

from ingest.legal.catalog import LawCatalog
from ingest.legal.refs import ArticleRef, last_named_law, law_only_ref, parse_refs
from ingest.legal.titles import _clean_title, _nfc, article_label

# "형법 330조  야간주거침입절도" / "형법 227조 2 공전자기록위작ㆍ변작" / hierarchy "... 18조  제목 1항"
_KOBLEX = re.compile(
    r"^\s*(?P<law>.+?)\s+제?(?P<no>\d+)조(?:의(?P<br0>\d+))?(?: (?P<br>\d+)(?= |$))?(?:\s+(?P<rest>.*))?$"
)
_KOBLEX_TAIL = re.compile(r"\s(?P<para>\d+)항(?:\s*(?P<item>\d+)호)?\s*$")


def parse_koblex_index(index: str, catalog: LawCatalog) -> ArticleRef | None:
    """A KoBLEX gold reference (``contexts[].index`` or ``hierarchy``): "형법 330조  야간주거침입절도",
    "형법 227조 2 공전자기록위작ㆍ변작" (= 제227조의2), "공직선거법 18조  선거권이 없는 자 1항"."""
    s = _nfc(index or "").strip()
    m = _KOBLEX.match(s)
    if not m:
        refs = parse_refs(s, catalog)
        return refs[0] if refs else None
    name = m.group("law").strip()
    branch = int(m.group("br0") or m.group("br") or 0)
    para = item = None
    tail = _KOBLEX_TAIL.search(m.group("rest") or "")
    if tail:
        para, item = int(tail.group("para")), tail.group("item")
    return ArticleRef(
        law=catalog.resolve(name),
        article=article_label(int(m.group("no")), branch),
        paragraph=para,
        item=item,
        raw=index,
        law_mention=_clean_title(name),
        span=(0, len(index)),
    )


def _as_list(raw: str | list[str] | None) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        s = raw.strip()
        if s.startswith("["):
            try:
                val = ast.literal_eval(s)  # literal_eval only builds literals: safe on data
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                val = None
            if isinstance(val, (list, tuple)):
                return [str(x) for x in val if x is not None]
        return [s] if s else []
    return [str(x) for x in raw if x is not None]


def parse_firesafety_refs(
    raw: str | list[str], catalog: LawCatalog, source_text: str | None = None
) -> list[ArticleRef]:
    """References of one firesafety ``law_references`` field (a list, or a stringified Python
    list). Each entry yields its article/별표 refs, or one law-only ref (``article=None``) when it
    names just a law or a standard ("「건축법」", "NFTC 103 2.7.7.2"). "같은법" in an entry refers
    to the law of the previous entry; for the first entry it can only be resolved from
    ``source_text`` (the answer the list was extracted from): the last law named before the
    entry's position there."""
    out: list[ArticleRef] = []
    prev: tuple[str | None, str] | None = None
    for entry in _as_list(raw):
        seed = prev
        if seed is None and source_text:
            pos = source_text.find(entry[:20])
            if pos > 0:
                seed = last_named_law(source_text[:pos], catalog)
        refs = parse_refs(entry, catalog, seed=seed)
        if not refs:
            only = law_only_ref(entry, catalog, seed)
            refs = [only] if only else []
        if refs:
            out.extend(refs)
            prev = (refs[-1].law, refs[-1].law_mention or "")
    return out
