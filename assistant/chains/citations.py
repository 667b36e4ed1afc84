"""The citation check run on every generated answer (pure: text + sources + law catalog in, a
corrected text and Korean notes out).

Rules:
1. Every ``[n]`` marker must point to a source that was handed to the model; other markers are
   removed. ``[1, 2]`` / ``[1-3]`` are normalised to ``[1][2]`` / ``[1][2][3]``.
2. Every article reference written in the answer (``제17조``, ``같은 법 시행령 제3조``) must be
   found in the cited sources: as a cited source's own article, or mentioned in a cited source's
   text. A reference to a retrieved but uncited source gets that source's marker added; any other
   is flagged in the text with ``FLAG`` (never left looking valid). A 항 the cited article does not
   have is flagged the same way.
3. Sentences without a marker are counted (a warning, the text is left as written).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.chains.text import paragraph_numbers, paragraph_of
from assistant.chains.types import Source
from ingest.core.korean import char_bigrams
from ingest.legal.articles import BARE_ARTICLE_REF
from ingest.legal.catalog import LawCatalog
from ingest.legal.refs import ArticleRef, parse_refs, ref_matches
from ingest.legal.titles import parent_act, parse_article_label

FLAG = "(⚠ 근거 미확인)"
_MARKER = re.compile(r"\[\s*(\d{1,3}(?:\s*[,，~\-–]\s*\d{1,3})*)\s*\]")
_SIMPLE_MARKER = re.compile(r"\[(\d{1,3})\]")
_SENTENCE_BOUNDARY = re.compile(r"(?<=[.?!。])\s+|\n+")
# Relative law names that, when parse_refs cannot resolve them, refer to whatever law the
# sentence cites — like a bare "제17조".
_RELATIVE_MENTIONS = frozenset(
    {"이 법", "같은 법", "동법", "동 법", "본법", "이 영", "같은 영", "이 규칙", "같은 규칙"}
)
_MAX_RANGE = 10


@dataclass
class CitationCheck:
    """Outcome of :func:`check_citations`."""

    text: str
    cited: list[int] = field(default_factory=list)  # valid source numbers, in order of first use
    corrections: list[str] = field(default_factory=list)  # changes made to the text (Korean)
    warnings: list[str] = field(default_factory=list)  # problems noticed but left (Korean)
    removed_markers: list[str] = field(default_factory=list)
    flagged_refs: list[str] = field(default_factory=list)
    added_markers: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.corrections)


def _expand(spec: str) -> list[int]:
    nums: list[int] = []
    for part in re.split(r"\s*[,，]\s*", spec.strip()):
        bounds = re.split(r"\s*[~\-–]\s*", part)
        if len(bounds) == 2 and bounds[0] and bounds[1]:
            lo, hi = int(bounds[0]), int(bounds[1])
            nums.extend(range(lo, hi + 1) if 0 < hi - lo < _MAX_RANGE else [lo, hi])
        elif part:
            nums.append(int(part))
    return nums


def normalize_markers(text: str, valid: set[int]) -> tuple[str, list[str]]:
    """Rewrite markers into ``[n]`` form and drop numbers outside `valid`; returns the text and the
    removed marker numbers (as written)."""
    removed: list[str] = []

    def repl(m: re.Match[str]) -> str:
        kept: list[int] = []
        for n in _expand(m.group(1)):
            if n in valid:
                if n not in kept:
                    kept.append(n)
            else:
                removed.append(str(n))
        return "".join(f"[{n}]" for n in kept)

    out = _MARKER.sub(repl, text)
    out = re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", out)  # "[1] [1]" → "[1]"
    out = re.sub(r"[ \t]+([.,。])", r"\1", out)  # space left before punctuation by a removed marker
    out = re.sub(r"(?<=\S)[ \t]{2,}(?=\S)", " ", out)  # gaps left inside a line, not indentation
    return out, removed


def _sentence_span(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _SENTENCE_BOUNDARY.finditer(text):
        if m.end() <= pos:
            start = m.end()
        else:
            # a sentence's markers may follow its period: "…한다. [1]" or "…한다.[1]"
            end = m.start()
            tail = _SIMPLE_MARKER.match(text, m.end())
            while tail:
                end = tail.end()
                tail = _SIMPLE_MARKER.match(text, end)
            return start, end
    return start, len(text)


def _markers_in(text: str) -> list[int]:
    return [int(n) for n in _SIMPLE_MARKER.findall(text)]


def _is_bare(ref: ArticleRef) -> bool:
    return ref.law is None and (ref.law_mention is None or ref.law_mention.strip() in _RELATIVE_MENTIONS)


def _own_article(ref: ArticleRef, src: Source) -> bool:
    if not src.article or src.metadata.get("is_addendum"):
        return False
    if ref.law:
        return ref_matches(ref, src.law_title, src.article)
    if _is_bare(ref):
        a, b = parse_article_label(ref.article or ""), parse_article_label(src.article)
        return a is not None and a == b
    return False


def _mentioned_in(ref: ArticleRef, src: Source, catalog: LawCatalog | None) -> bool:
    """Does the source's own text refer to the article ("제15조제1항 각 호에 따라")?"""
    if catalog is None or not ref.article:
        return False
    context = src.law_title or None
    for inner in parse_refs(src.body, catalog, context_law=context):
        if not inner.article:
            continue
        if ref.law and inner.law and ref_matches(ref, inner.law, inner.article):
            return True
        if _is_bare(ref):
            a, b = parse_article_label(ref.article), parse_article_label(inner.article)
            if a is not None and a == b and (inner.law in (None, context)):
                return True
    return False


def _context_law(text: str, by_n: dict[int, Source]) -> str | None:
    """The act an answer talks about when it says "같은 법" before naming one: that of its first
    cited source (the parent act when that source is a 시행령/시행규칙)."""
    for n in _markers_in(text):
        if n in by_n and by_n[n].law_title:
            law = by_n[n].law_title
            return parent_act(law) or law
    return None


def _ref_name(ref: ArticleRef) -> str:
    return ref.raw.strip() or f"{ref.law or ''} {ref.article or ''}".strip()


def check_citations(text: str, sources: Sequence[Source], catalog: LawCatalog | None = None) -> CitationCheck:
    """Check and correct the citations of a generated answer (see the module docstring)."""
    by_n = {s.n: s for s in sources}
    out, removed = normalize_markers(text, set(by_n))
    check = CitationCheck(out, removed_markers=removed)
    if removed:
        shown = ", ".join(f"[{n}]" for n in dict.fromkeys(removed))
        check.corrections.append(f"검색된 근거에 없는 출처 표시 {shown}를 삭제했습니다.")

    refs = (
        [r for r in parse_refs(out, catalog, _context_law(out, by_n)) if r.article and not r.annex]
        if catalog
        else _bare_refs(out)
    )
    cited_all = set(_markers_in(out))
    edits: list[tuple[int, str]] = []  # (position, text to insert), applied right to left
    for ref in refs:
        start, end = ref.span
        s0, s1 = _sentence_span(out, end)
        in_sentence = [by_n[n] for n in _markers_in(out[s0:s1]) if n in by_n]
        cited = [by_n[n] for n in cited_all if n in by_n]
        own = [s for s in cited if _own_article(ref, s)]
        if _is_bare(ref) and in_sentence:
            # a bare "제17조" belongs to the law the sentence cites, when it cites one
            own = [s for s in in_sentence if _own_article(ref, s)] or own
        name = _ref_name(ref)
        if own:
            if ref.paragraph and not _has_paragraph(own, ref.paragraph):
                edits.append((end, f" {FLAG}"))
                check.flagged_refs.append(name)
                check.corrections.append(
                    f"'{name}': 인용한 조문에 제{ref.paragraph}항이 없어 '근거 미확인'으로 표시했습니다."
                )
            continue
        if any(_mentioned_in(ref, s, catalog) for s in (in_sentence or cited)):
            continue
        uncited = [s for s in sources if s.n not in cited_all and _own_article(ref, s)]
        uncited = uncited or [s for s in sources if s.n not in cited_all and _mentioned_in(ref, s, catalog)]
        if uncited:
            src = uncited[0]
            if not _SIMPLE_MARKER.match(out, end) and not out[end:].lstrip().startswith(f"[{src.n}]"):
                edits.append((end, f"[{src.n}]"))
            check.added_markers.append(f"[{src.n}]")
            check.corrections.append(f"'{name}'에 검색된 근거 [{src.n}]의 출처 표시를 추가했습니다.")
            continue
        edits.append((end, f" {FLAG}"))
        check.flagged_refs.append(name)
        check.corrections.append(
            f"'{name}'은(는) 인용한 근거에서 확인되지 않아 '근거 미확인'으로 표시했습니다."
        )
    for pos, insert in sorted(edits, key=lambda e: e[0], reverse=True):
        out = out[:pos] + insert + out[pos:]
    check.text = out
    check.cited = list(dict.fromkeys(n for n in _markers_in(out) if n in by_n))
    uncited_sentences = count_uncited_sentences(out)
    if uncited_sentences:
        check.warnings.append(
            f"출처 표시가 없는 문장 {uncited_sentences}개가 있습니다 — 근거 조문을 직접 확인하세요."
        )
    return check


def _bare_refs(text: str) -> list[ArticleRef]:
    """Article references without a catalog (tests, documents without statutes): law unknown."""
    out = []
    for m in BARE_ARTICLE_REF.finditer(text):
        label = f"제{m.group(1)}조" + (f"의{m.group(2)}" if m.group(2) else "")
        para = int(m.group(3)) if m.group(3) else None
        out.append(ArticleRef(law=None, article=label, paragraph=para, raw=m.group(0), span=m.span()))
    return out


def _has_paragraph(sources: Sequence[Source], paragraph: int) -> bool:
    for s in sources:
        present = paragraph_numbers(s.body)
        if not present or paragraph in present:
            return True  # an article without 항 markers cannot be checked at this level
    return False


def count_uncited_sentences(text: str, min_chars: int = 15) -> int:
    """Sentences of some length (Hangul) that carry no ``[n]`` marker."""
    n = 0
    for part in _split_keep_markers(text):
        hangul = len(re.findall(r"[가-힣]", part))
        if hangul >= min_chars and not _SIMPLE_MARKER.search(part) and FLAG not in part:
            n += 1
    return n


def _split_keep_markers(text: str) -> list[str]:
    parts: list[str] = []
    pos = 0
    while pos < len(text):
        s0, s1 = _sentence_span(text, pos)
        parts.append(text[s0:s1])
        nxt = _SENTENCE_BOUNDARY.search(text, s1)
        if not nxt:
            break
        pos = max(nxt.end(), s1 + 1)
    return [p for p in parts if p.strip()]


def renumber(text: str, order: Sequence[int]) -> tuple[str, dict[int, int]]:
    """Renumber markers 1..m in the given order (first use); returns the text and old → new."""
    mapping = {old: new for new, old in enumerate(order, start=1)}
    out = _SIMPLE_MARKER.sub(
        lambda m: f"[{mapping[int(m.group(1))]}]" if int(m.group(1)) in mapping else "", text
    )
    return out, mapping


def claim_paragraphs(text: str, source: Source) -> tuple[int, ...]:
    """The 항 of `source` that the sentences citing it rest on: an explicit "제M항" next to the
    marker, else the 항 sharing most character bigrams with the citing sentence."""
    paras = paragraph_numbers(source.body)
    if len(paras) < 2:
        return ()
    by_para: dict[int, set[str]] = {}
    current = 0
    for line in source.body.split("\n"):
        current = paragraph_of(line) or current
        if current:
            by_para.setdefault(current, set()).update(char_bigrams(line))
    found: list[int] = []
    for m in re.finditer(rf"\[{source.n}\]", text):
        s0, _ = _sentence_span(text, m.start())
        sentence = text[s0 : m.start()]
        explicit = [int(p) for p in re.findall(r"제\s?(\d+)\s?항", sentence) if int(p) in by_para]
        if explicit:
            found.extend(explicit)
            continue
        grams = set(char_bigrams(sentence))
        if not grams:
            continue
        best = max(by_para, key=lambda p: (len(grams & by_para[p]) / (len(grams) or 1), -p))
        if len(grams & by_para[best]) / len(grams) >= 0.3:
            found.append(best)
    return tuple(sorted(set(found)))
