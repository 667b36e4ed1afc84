"""Parsing and resolving Korean legal references (법령명, 제N조의M 제N항 제N호, 별표N).

One code path serves retrieval (exact article lookup, law boosting), the QA benchmark (matching
gold references to retrieved chunks) and the citation checker (does every cited article exist).
Everything here is pure: a :class:`~ingest.legal.catalog.LawCatalog` is built from the list of
known official titles and all functions only read it.

    parse_refs("같은 법 시행령 제3조제2항", cat, context_law="개인정보 보호법")
    ref_matches(ref, chunk.metadata["law_title"], chunk.metadata["article"])
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from ingest.legal.catalog import _RELATIVE_KEY, LawCatalog, _relative_target
from ingest.legal.titles import _clean_title, _nfc, article_label, normalize_title, parse_article_label

# ---------------------------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleRef:
    """One reference to an article (or a 별표) of a law.

    ``law`` is the official title when resolved against the catalog, else ``None``.
    ``law_mention`` is the name the reference was attributed to, as written: the name right
    before it, or for a bare "제15조" the context law / the last law named; relative names are
    expanded ("같은 법 시행령" → "X법 시행령"), so an unresolved law still says which law it was.
    ``item`` is a string because items branch ("1의2"). ``span`` is the position of ``raw`` in
    the parsed text (an addition to the agreed API; not part of equality).
    """

    law: str | None
    article: str | None
    paragraph: int | None = None
    item: str | None = None
    annex: str | None = None
    raw: str = ""
    law_mention: str | None = None
    span: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)


# Reference atoms. Article numbers need 제 except right after a law name ("형법 330조").
_ATOM = re.compile(
    r"(?=[같제별0-9①-⑳가나다라마바사아자차카타파하])"  # cheap first-character filter
    r"(?:(?P<same>같은\s?(?:조|항|호))(?=\s*제?\s*\d)"
    r"|제\s?(?P<art>\d+)\s?조(?:의\s?(?P<artb>\d+)(?!\d|\s?[항호]))?"
    r"(?:(?P<trail>\d+)(?!\d|\s?[항호]))?"  # "제3조4": the source cut 호/항 off (firesafety)
    r"|(?<![\d.\-])(?P<bart>\d+)\s?조(?:의(?P<bartb>\d+)(?!\d|\s?[항호]))?(?![치건원합사직정례약])"
    r"|(?:제\s?)?(?P<para>\d+)\s?항(?![공만목해로])"
    r"|(?P<circ>[①-⑳])"
    r"|(?:제\s?)?(?P<item>\d+)\s?호(?:의\s?(?P<itemb>\d+))?(?![텔수실선기출주서])"
    r"|(?P<mok>[가나다라마바사아자차카타파하])\s?목(?![재적표록요장욕소걸격숨])"
    r"|별표\s?(?P<annex>\d+)(?:의(?P<annexb>\d+)(?!\d|\s?[호목]))?)"  # "별표4의 1호" is item 1
)
_LEVEL = {"art": 1, "bart": 1, "annex": 1, "para": 2, "circ": 2, "item": 3, "mok": 4}
_HIER_GAP = re.compile(r"\s*(?:의\s*)?")
_LIST_GAP = re.compile(r"\s*(?:까지(?:의)?\s*)?(?:및|또는|와|과|이나|나|그리고|,|[ㆍ·∙‧・])\s*")
_RANGE_GAP = re.compile(r"\s*(?:부터|내지|[~∼～〜])\s*")
# Between a law name and the reference it governs: brackets, "[시행 2021. 8. 7.]", 의/상/중.
_ATTACH_GAP = re.compile(r"(?:[\s」』\"”’')\]\[]|\[시행[^\]]*\])*(?:(?:의|상|중)\s*)?")
_BRACKET = re.compile(r"[「『]([^「」『』\n]{1,150})[」』]")
_REL_MENTION = re.compile(
    r"(?<![가-힣A-Za-z0-9])(?:(?P<pre>같은|동|이|본|해당|당해)\s?(?P<kind>법률|법|영|규칙|규정)"
    r"(?:\s?(?P<suf>시행령|시행규칙))?|(?P<bare>시행령|시행규칙|법|영|규칙))"
    r"(?=[^가-힣]|$|[에의은는상제])"
)
# A law-like word not in the catalog, right before an article ("형법 330조" with no 형법 loaded).
_UNKNOWN_LAW = re.compile(
    r"(?<![가-힣A-Za-z0-9])(?P<name>[가-힣][가-힣ㆍ·]*(?:법률|법)(?:\s?(?:시행령|시행규칙))?)"
    r"(?=[\s」]*(?:제\s?\d+\s?조|\d+\s?조|별표))"
    r"|(?P<code>NF[TPS]C\s?\d{3}[A-Z]?)"
)
# Common nouns ending in 법 that are no law name ("이 방법 제3조" is not a law called 방법).
_NOT_LAW_WORDS = (
    "방법 불법 위법 적법 편법 입법 합법 용법 기법 수법 어법 문법 요법 공법 사법 세법 실정법 관계법 관련법 "
    "특별법 일반법 본법 동법 이법 해당법 상위법 하위법 개별법 당해법 모법 같은법 현행법 구법 신법 법률 "
    "헌법 조례법"
)
_NOT_LAW_NAMES = frozenset(_NOT_LAW_WORDS.split())


@dataclass
class _Mention:
    start: int
    end: int
    title: str | None
    name: str
    kind: str  # "explicit" (named law, resolved or not) or "relative"
    rel: re.Match[str] | None = None


@dataclass
class _Atom:
    start: int
    end: int
    kind: str
    value: str | int | None
    branch: int = 0


def _atoms(text: str, blocked: list[tuple[int, int]]) -> list[_Atom]:
    """Reference atoms of ``text`` outside the (sorted, disjoint) ``blocked`` spans."""
    starts = [s for s, _ in blocked]
    out: list[_Atom] = []
    for m in _ATOM.finditer(text):
        k = bisect_left(starts, m.end()) - 1
        if k >= 0 and blocked[k][1] > m.start():
            continue  # e.g. "제4조" inside the title "…상호방위조약 제4조에 의한 …"
        if m.group("same") is not None:
            out.append(_Atom(m.start(), m.end(), "same", m.group("same")[-1]))
        elif m.group("art") is not None:
            out.append(_Atom(m.start(), m.end(), "art", int(m.group("art")), int(m.group("artb") or 0)))
            if m.group("trail"):
                out[-1].end = m.start("trail")
                out.append(_Atom(m.start("trail"), m.end(), "item", m.group("trail")))
        elif m.group("bart") is not None:
            out.append(_Atom(m.start(), m.end(), "bart", int(m.group("bart")), int(m.group("bartb") or 0)))
        elif m.group("para") is not None:
            out.append(_Atom(m.start(), m.end(), "para", int(m.group("para"))))
        elif m.group("circ") is not None:
            out.append(_Atom(m.start(), m.end(), "para", ord(m.group("circ")) - ord("①") + 1))
        elif m.group("item") is not None:
            b = m.group("itemb")
            out.append(_Atom(m.start(), m.end(), "item", m.group("item") + (f"의{b}" if b else "")))
        elif m.group("mok") is not None:
            out.append(_Atom(m.start(), m.end(), "mok", m.group("mok")))
        else:
            b = m.group("annexb")
            out.append(
                _Atom(m.start(), m.end(), "annex", f"별표{m.group('annex')}" + (f"의{b}" if b else ""))
            )
    return out


def _mentions(text: str, catalog: LawCatalog) -> list[_Mention]:
    found: list[_Mention] = []

    def free(s: int, e: int) -> bool:
        return all(e <= m.start or s >= m.end for m in found)

    for m in _BRACKET.finditer(text):
        inner = m.group(1).strip()
        title = catalog._lookup(normalize_title(inner))  # brackets hold a whole name, no particles
        found.append(_Mention(m.start(), m.end(), title, _clean_title(inner), "explicit"))
    for s, e, title in catalog.find_laws(text):
        if free(s, e):
            found.append(_Mention(s, e, title, text[s:e], "explicit"))
    for m in _REL_MENTION.finditer(text):
        if free(m.start(), m.end()):
            found.append(_Mention(m.start(), m.end(), None, m.group(), "relative", m))
    for m in _UNKNOWN_LAW.finditer(text):
        name = m.group("name") or m.group("code")
        if free(m.start(), m.end()) and normalize_title(name) not in _NOT_LAW_NAMES:
            found.append(_Mention(m.start(), m.end(), catalog.resolve(name), name, "explicit"))
    found.sort(key=lambda x: x.start)
    return found


def _link(gap: str) -> str | None:
    """How an atom joins the previous one, from the text between them."""
    if _HIER_GAP.fullmatch(gap):
        return "hier"  # "제15조제1항", "제15조 제1항", "별표4의 1호"
    if _LIST_GAP.fullmatch(gap):
        return "list"  # "제15조 및 제17조", "제1항ㆍ제2항"
    if _RANGE_GAP.fullmatch(gap):
        return "range"  # "제15조부터 제17조까지", "제1조 내지 제3조"
    return None


def _chains(text: str, atoms: list[_Atom]) -> list[list[tuple[str, _Atom]]]:
    """Group atoms into chains; each atom carries how it links to the previous one."""
    chains: list[list[tuple[str, _Atom]]] = []
    for a in atoms:
        link = _link(text[chains[-1][-1][1].end : a.start]) if chains else None
        if link:
            chains[-1].append(("list" if a.kind == "same" else link, a))
        else:
            chains.append([("start", a)])
    return chains


_MAX_RANGE = 200


class _RefBuilder:
    """Turns one chain of atoms into ArticleRefs (hierarchy, lists, ranges, 같은 조).

    ``cur`` is the reference being built: law, mention and the components art/annex/para/item.
    An atom one level below the current one extends it ("제15조" + "제1항"); any other atom
    closes it and starts a sibling that inherits the higher levels ("제1항 및 제2항")."""

    def __init__(self, text: str, law: str | None, mention: str | None, start: int, last: ArticleRef | None):
        self.text, self.last = text, last
        self.root = {"law": law, "mention": mention}
        self.out: list[ArticleRef] = []
        self.cur: dict | None = None
        self.level = 0
        self.start = start  # the first reference's raw also covers the law name in front

    def _emit(self, end: int, cur: dict | None = None, start: int | None = None) -> None:
        cur = self.cur if cur is None else cur
        if not cur or (cur.get("art") is None and cur.get("annex") is None):
            return  # a paragraph/item of an unknown article ("제2항에 따라")
        s = self.start if start is None else start
        art = cur.get("art")
        self.out.append(
            ArticleRef(
                law=cur["law"],
                article=article_label(*art) if art else None,
                paragraph=cur.get("para"),
                item=cur.get("item"),
                annex=cur.get("annex"),
                raw=self.text[s:end],
                law_mention=cur["mention"],
                span=(s, end),
            )
        )

    def finish(self, end: int) -> None:
        self._emit(end)
        self.cur = None

    def feed(self, link: str, a: _Atom, prev_end: int) -> None:
        if a.kind == "same":
            self._same(a, prev_end)
            return
        level = _LEVEL[a.kind]
        if self.cur is not None and link == "hier" and level > self.level:
            self._set(a, level)
            return
        prev = self.cur
        if prev is not None:
            self._emit(prev_end)
            self.start = a.start
        base = dict(prev) if prev else dict(self.root)
        for k, lv in (("art", 1), ("annex", 1), ("para", 2), ("item", 3)):
            if lv >= level:
                base.pop(k, None)
        if link == "range" and prev is not None and self.out:
            self._expand_range(prev, base, a, level)
        self.cur = base
        self._set(a, level)

    def _same(self, a: _Atom, prev_end: int) -> None:
        """ "같은 조 제2항" / "같은 항 제3호": continue from the previous reference."""
        if self.cur is not None:
            self._emit(prev_end)
        base = self.out[-1] if self.out else self.last
        self.start = a.start
        if base is None or base.article is None:
            self.cur = None
            return
        self.cur = {"law": base.law, "mention": base.law_mention, "art": parse_article_label(base.article)}
        self.level = {"조": 1, "항": 2, "호": 3}[str(a.value)]
        if self.level >= 2:
            self.cur["para"] = base.paragraph
        if self.level >= 3:
            self.cur["item"] = base.item

    def _set(self, a: _Atom, level: int) -> None:
        assert self.cur is not None
        self.level = level
        key = {"art": "art", "bart": "art", "annex": "annex", "para": "para", "item": "item"}.get(a.kind)
        if key == "art":
            self.cur["art"] = (int(a.value), a.branch)  # type: ignore[arg-type]
        elif key:
            self.cur[key] = a.value
        for k, lv in (("para", 2), ("item", 3)):
            if lv > level:
                self.cur.pop(k, None)

    def _expand_range(self, prev: dict, base: dict, a: _Atom, level: int) -> None:
        """Emit what lies strictly between the two ends of "제15조부터 제17조까지"."""
        start = self.out[-1].span[0]
        if level == 1 and a.kind in ("art", "bart") and prev.get("art"):
            (n0, b0), n1, b1 = prev["art"], int(a.value), a.branch  # type: ignore[arg-type]
            if n0 == n1 and b1 > b0:
                mids = [(n0, b) for b in range(b0 + 1, b1)]  # 제15조의2부터 제15조의5까지
            else:  # branch articles in between cannot be known without the law text
                mids = [(n, 0) for n in range(n0 + 1, min(n1, n0 + _MAX_RANGE))]
            for art in mids:
                self._emit(a.end, {**base, "art": art}, start)
        elif a.kind in ("para", "item"):
            key = "para" if level == 2 else "item"
            try:
                lo, hi = int(prev.get(key)), int(a.value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return  # "제1호의2부터 제3호까지": branch items in between are unknowable
            for v in range(lo + 1, min(hi, lo + _MAX_RANGE)):
                self._emit(a.end, {**base, key: v if key == "para" else str(v)}, start)


def _attached(text: str, mentions: list[_Mention], pos: int) -> _Mention | None:
    """The mention that ends right before ``pos`` (only brackets/spaces/의/상/중 between)."""
    for m in reversed(mentions):
        if m.end <= pos:
            return m if _ATTACH_GAP.fullmatch(text[m.end : pos]) else None
    return None


def _parse(
    text: str,
    catalog: LawCatalog,
    context_law: str | None,
    seed: tuple[str | None, str] | None = None,
) -> list[ArticleRef]:
    """Refs of ``text``; ``seed`` = (title, name) of a law named before the text starts."""
    text = _nfc(text)
    mentions = _mentions(text, catalog)
    atoms = _atoms(text, [(m.start, m.end) for m in mentions])
    chains = _chains(text, atoms)
    ctx = catalog._base(context_law)
    ctx_pair = (catalog.resolve(ctx), ctx) if ctx else None

    refs: list[ArticleRef] = []
    last_named = seed
    mi = 0

    def resolve_mention(m: _Mention, prev_named: tuple[str | None, str] | None) -> tuple[str | None, str]:
        if m.kind == "explicit" or m.rel is None:
            return m.title, m.name
        rel = m.rel
        pre = rel.group("pre")
        if pre in ("같은", "동", "해당", "당해"):
            base_pair = prev_named or ctx_pair
        else:
            base_pair = ctx_pair or prev_named
            if rel.group("bare") in ("시행령", "시행규칙"):
                adj = _attached(
                    text, [x for x in mentions if x.end <= m.start and x.kind == "explicit"], m.start
                )
                if adj is not None:  # "개인정보 보호법 시행령" with only the act in the catalog
                    base_pair = (adj.title, adj.name)
        if base_pair is None:
            return None, m.name
        base = base_pair[0] or base_pair[1]
        key = normalize_title(rel.group())
        target = _relative_target(_RELATIVE_KEY.fullmatch(key), base)  # type: ignore[arg-type]
        if target is None:
            return None, m.name
        return catalog.resolve(target), target

    for chain in chains:
        first = chain[0][1]
        while mi < len(mentions) and mentions[mi].end <= first.start:
            m = mentions[mi]
            if m.kind == "explicit":
                last_named = (m.title, m.name)
            mi += 1
        att = _attached(text, mentions[:mi], first.start)
        if first.kind == "bart" and att is None:
            continue  # "3조 원": a number of 조 without 제 needs a law name in front of it
        law: str | None
        name: str | None
        if att is not None:
            law, name = resolve_mention(att, last_named)
            start = att.start
        else:
            fallback = ctx_pair or last_named
            law, name = fallback if fallback else (None, None)
            start = first.start
        b = _RefBuilder(text, law, name, start, refs[-1] if refs else None)
        prev_end = first.start
        for link, a in chain:
            if a.kind == "bart" and link == "hier":
                break
            b.feed(link, a, prev_end)
            prev_end = a.end
        b.finish(prev_end)
        refs.extend(b.out)
    return refs


def parse_refs(
    text: str,
    catalog: LawCatalog,
    context_law: str | None = None,
    *,
    seed: tuple[str | None, str] | None = None,
) -> list[ArticleRef]:
    """Every article/별표 reference in ``text``, in order, with its law resolved.

    The law of a reference is, in this order: the law named right before it ("민원처리법 제17조",
    "「건축법」 제22조", "같은 법 시행령 제3조", "법 제17조" inside a 시행령); for "같은 법"/"동법" the
    last law named before it; otherwise ``context_law`` (in a statute a bare "제15조" is this
    law's), otherwise the last law named earlier in the text, otherwise ``None``. Lists
    ("제15조 및 제17조", "제1항ㆍ제2항") and ranges ("제15조부터 제17조까지" → 15, 16, 17) are
    expanded; "같은 조 제2항" reuses the previous article; a paragraph or item with no article
    is dropped. "제3조4" (firesafety style, 호/항 cut off) is read as 제3조 제4호.
    """
    return _parse(text, catalog, context_law, seed=seed)


def last_named_law(text: str, catalog: LawCatalog) -> tuple[str | None, str] | None:
    """(title, name) of the last law named explicitly in `text`, or None."""
    named = [m for m in _mentions(text, catalog) if m.kind == "explicit"]
    return (named[-1].title, named[-1].name) if named else None


def law_only_ref(entry: str, catalog: LawCatalog, prev: tuple[str | None, str] | None) -> ArticleRef | None:
    """An entry that names a law or a standard but no article: "「건축법」", "NFTC 103 2.7.7.2"."""
    text = _nfc(entry)
    ms = _mentions(text, catalog)
    if not ms:
        return None
    m = ms[0]
    law: str | None
    name: str | None
    if m.rel is not None:
        target = _relative_target(m.rel, (prev[0] or prev[1]) if prev else None)
        law, name = (catalog.resolve(target), target) if target else (None, m.name)
    else:
        law, name = m.title, m.name
    return ArticleRef(law=law, article=None, raw=entry, law_mention=name, span=(0, len(entry)))


def ref_matches(ref: ArticleRef, law_title: str, article: str) -> bool:
    """Same law (key form; 시행령/시행규칙 stay distinct) and same article (제N조의M ≠ 제N조)."""
    if not ref.law or not ref.article or not law_title:
        return False
    if normalize_title(ref.law) != normalize_title(law_title):
        return False
    a, b = parse_article_label(ref.article), parse_article_label(article)
    return a is not None and a == b
