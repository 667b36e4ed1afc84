"""Summaries of an indexed document (by title) or an uploaded file.

The two are different types end to end: a title (``str``) is only ever looked up in the index,
with the user's access groups; an :class:`UploadedFile` is only ever read from the upload
directory. A string that happens to name a file on the server is just a title that matches no
document.

Output (both modes): 핵심 요약 (3–5 bullets), main points per section, and the obligations,
deadlines, amounts and targets found in the text, each with its location. With an LLM the text
goes through a token-budgeted map-reduce (tiktoken): one call per section piece, then reduce
calls until the partial summaries fit one budget. Without one (or when the LLM fails), sentences
are ranked extractively. Obligations/deadlines/amounts/targets are always found by rules so that
every item is a verbatim sentence with a location.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.addenda import addendum_notes
from assistant.chains.context import ChainContext
from assistant.chains.extractive import rank_central, select_diverse
from assistant.chains.prompts import (
    ECHO_REASON,
    looks_like_prompt_echo,
    summary_map_messages,
    summary_reduce_messages,
)
from assistant.chains.text import (
    pack_by_tokens,
    split_sentences,
    strip_amendments,
    truncate_to_tokens,
)
from assistant.chains.types import Mode
from assistant.doc_facts import FACT_NAMES, Fact, Passage, cover_title, document_kind, extract_facts
from assistant.korean import morphemes
from assistant.legal_refs import normalize_title
from assistant.llm import Generation, describe_llm_error, stream_chat
from assistant.security.pii import mask_personal_data, should_mask_for_llm
from ingest.access import can_see
from ingest.chunking import chunk_document, token_counter
from ingest.index import open_manifest
from ingest.loaders import load_document
from ingest.model import LoadLimits

EXTRACTIVE_NOTE = "※ 발췌 요약 (LLM 미사용): 문서에서 중요도가 높은 문장을 그대로 골라 정리했습니다."
FINDINGS_NOTE = "본문에서 규칙으로 찾은 문장입니다(원문 그대로)."
FACTS_NOTE = "본문과 표에서 규칙으로 찾은 값입니다. 괄호 안은 찾은 위치입니다."
ADDENDA_NOTE = "부칙은 본문 요약·기한에서 빼고 따로 적었습니다."
_MAX_FINDINGS_PER_KIND = 25
_MAX_SENTENCES = 6000  # extractive ranking cap (very long PDFs): the first sentences are kept
_SECTION_POINTS = 3


class DocumentNotFoundError(LookupError):
    """No indexed document has the requested title; str() is a Korean message."""


class UploadOutsideError(PermissionError):
    """An "upload" whose file is not in the upload directory; str() is a Korean message."""


@dataclass(frozen=True)
class UploadedFile:
    """A file a user uploaded for this request, saved under ``settings.ui.upload_dir``."""

    path: Path
    name: str  # the name the user gave it (shown as the summary's origin)


@dataclass(frozen=True)
class Unit:
    """A piece of a document (an article, a guideline section) with where it stands."""

    text: str
    location: str  # "제15조(개인정보의 수집ㆍ이용)" / "Ⅱ. 추진계획 > 1. 일정 · 3쪽"
    section: str  # the group it is summarised in ("제3장 개인정보의 처리", "Ⅱ. 추진계획")
    table: str | None = None  # caption of a table chunk (rows `헤더: 값 | …`), None for text


@dataclass(frozen=True)
class Finding:
    kind: str  # "의무" | "기한" | "금액" | "대상"
    match: str  # the phrase that triggered it ("30일 이내")
    text: str  # the sentence, verbatim (shortened around the match when long)
    location: str


@dataclass
class SectionSummary:
    title: str
    location: str  # range of locations ("제1조(목적) ~ 제7조(…)")
    points: list[str] = field(default_factory=list)


@dataclass
class Summary:
    title: str
    key_points: list[str]
    sections: list[SectionSummary]
    findings: list[Finding]
    mode: Mode = "extractive"
    fallback_reason: str | None = None
    origin: str = ""  # "색인" or the uploaded file's name
    tokens_in: int = 0
    tokens_out: int = 0
    kind: str | None = None  # "제안요청서" | "공고" | "계획": the fact sheet comes first
    facts: list[Fact] = field(default_factory=list)
    addenda: list[str] = field(default_factory=list)  # 부칙: 시행일·경과조치, one line per 부칙

    def to_markdown(self) -> str:
        out = [f"## {self.title} 요약"]
        if self.mode == "extractive":
            out.append(EXTRACTIVE_NOTE)
        if self.fallback_reason:
            out.append(f"※ {self.fallback_reason}")
        if self.kind:
            lines = [f"- **{f.name}**: {f.value} ({f.location})" for f in self.facts]
            missing = [n for n in FACT_NAMES if n not in {f.name for f in self.facts}]
            if missing:
                lines.append(f"- 찾지 못함: {', '.join(missing)} (원문에서 확인하세요)")
            out.append(f"### 사업 개요 ({self.kind})\n{FACTS_NOTE}\n" + "\n".join(lines))
        out.append("### 핵심 요약\n" + "\n".join(f"- {p}" for p in self.key_points))
        if self.sections:
            blocks = []
            for s in self.sections:
                head = f"**{s.title}**" + (f" ({s.location})" if s.location and s.location != s.title else "")
                blocks.append(head + "\n" + "\n".join(f"- {p}" for p in s.points))
            out.append("### 구간별 주요 내용\n" + "\n\n".join(blocks))
        if self.findings:
            lines = [f"- **[{f.kind}]** {f.match} — {f.text} ({f.location})" for f in self.findings]
            out.append(f"### 의무·기한·금액·대상\n{FINDINGS_NOTE}\n" + "\n".join(lines))
        if self.addenda:
            lines = [f"- {a}" for a in self.addenda]
            out.append(f"### 부칙 (시행일·경과조치)\n{ADDENDA_NOTE}\n" + "\n".join(lines))
        return "\n\n".join(out)


# --- documents into units -----------------------------------------------------------------------


_ADDENDUM_LABEL = re.compile(r"부칙\s*(<[^>]*>|\([^)]*\))")


def _location(meta: dict[str, Any], header: str = "") -> str:
    if meta.get("is_addendum"):  # "부칙 <2020. 1. 1.> 제1조(시행일)": which 부칙, from the chunk header
        m = _ADDENDUM_LABEL.search(header)
        title = f"({meta['article_title']})" if meta.get("article_title") else ""
        parts = ("부칙", m.group(1) if m else "", f"{meta.get('article') or ''}{title}")
        return " ".join(p for p in parts if p)
    if meta.get("article"):
        title = f"({meta['article_title']})" if meta.get("article_title") else ""
        return f"{meta['article']}{title}"
    parts = [str(meta["section_path"])] if meta.get("section_path") else []
    page = meta.get("page")
    if isinstance(page, int) and page > 0:
        parts.append(f"{page}쪽")
    return " · ".join(parts) or "본문"


def _section(meta: dict[str, Any]) -> str:
    if meta.get("is_addendum"):
        return "부칙"
    # an article's section is its chapter (a regulation without 장: one group), not its own label
    path = str(meta.get("chapter_path") or ("" if meta.get("article") else meta.get("section_path")) or "")
    return path.split(" > ")[0].strip() if path else ""


def units_from_chunks(chunks: Sequence[tuple[str, dict[str, Any]]]) -> list[Unit]:
    """Units in document order from (text, metadata) chunks; split parts of one article merge."""
    ordered = sorted(chunks, key=lambda c: int(c[1].get("chunk_index", 0)))
    units: list[Unit] = []
    for text, meta in ordered:
        header, _, rest = text.partition("\n")
        body = rest if rest else text
        loc, sec = _location(meta, header), _section(meta)
        table = str(meta.get("table_caption") or "표") if meta.get("is_table") else None
        if table is not None:  # drop the repeated "열: …" line; each row names its columns
            body = "\n".join(ln for ln in body.split("\n") if not ln.startswith("열: "))
        if units and meta.get("part", 1) and int(meta.get("part", 1)) > 1 and units[-1].location == loc:
            units[-1] = Unit(units[-1].text + "\n" + body, loc, sec, units[-1].table)
        else:
            units.append(Unit(body, loc, sec, table))
    return units


def load_file_units(upload: UploadedFile, ctx: ChainContext) -> tuple[str, list[Unit]]:
    """(title, units) of an uploaded file, chunked like the index would chunk it; refuses a file
    outside the upload directory."""
    s = ctx.settings
    folder = Path(s.ui.upload_dir).resolve()
    path = Path(upload.path).resolve()
    if folder not in path.parents:
        raise UploadOutsideError(
            f"올린 파일만 요약할 수 있습니다: '{upload.name}' 은(는) 업로드 폴더에 없습니다."
        )
    doc = load_document(path, LoadLimits.from_settings(s))
    chunks = chunk_document(
        doc, s.chunking.max_tokens, token_counter(s.chunking.encoding), s.chunking.guideline_min_tokens
    )
    return doc.title, units_from_chunks([(c.text, c.metadata) for c in chunks])


def indexed_documents(ctx: ChainContext, groups: Sequence[str] = ()) -> dict[str, str]:
    """Title → source path of every indexed document a user of `groups` may see (the picker)."""
    manifest = open_manifest(ctx.settings)
    if manifest is None:
        return {}
    try:
        access = manifest.access_groups()
        return {
            rec.title: path
            for path, rec in sorted(manifest.files().items())
            if can_see(access.get(path, ""), groups)
        }
    finally:
        manifest.close()


def load_indexed_units(title: str, ctx: ChainContext, groups: Sequence[str] = ()) -> tuple[str, list[Unit]]:
    """(official title, units) of the indexed document whose title matches `title`."""
    docs = indexed_documents(ctx, groups)
    key = normalize_title(title)
    match = next((t for t in docs if normalize_title(t) == key), None)
    manifest = open_manifest(ctx.settings)
    if match is None or manifest is None:
        near = difflib.get_close_matches(title, list(docs), n=3, cutoff=0.4)
        hint = f" 비슷한 제목: {', '.join(near)}" if near else ""
        raise DocumentNotFoundError(f"색인에서 '{title}' 문서를 찾지 못했습니다.{hint}")
    try:
        rows = manifest.get_chunks(sorted(manifest.chunk_ids(docs[match])))
    finally:
        manifest.close()
    return match, units_from_chunks(list(rows.values()))


# --- findings (rules, pure) ---------------------------------------------------------------------

_FINDING_PATTERNS: dict[str, re.Pattern[str]] = {
    "의무": re.compile(
        r"(?:하|되|받|알리|제출하|보고하|신고하|통지하|공개하|작성하|보관하|설치하|갖추)?(?:여야|어야|아야)\s*(?:한다|합니다|함)"
        r"|해야\s*(?:한다|합니다|함)|(?:여|어|아)서는\s*아니\s*된다|해서는\s*안\s*된다|(?:할|하지)\s*수\s*없다|의무가\s*있다|금지한다"
    ),
    "기한": re.compile(
        r"\d+\s*(?:일|개월|년|시간|주|근무일)\s*(?:이내|이전|전까지|안에|까지|마다|전에|이후)"
        r"|\d{4}\s*[.년]\s*\d{1,2}\s*[.월](?:\s*\d{1,2}\s*[.일]?)?\s*(?:까지|부터|이전)"
        r"|매\s*(?:년|월|분기|반기)\s*\d*\s*(?:월|일|회)?|지체\s*없이|즉시|기한"
    ),
    "금액": re.compile(
        r"(?:금\s*)?\d[\d,]*(?:\.\d+)?\s*(?:천|백|만|억|조)*\s*(?:만\s*)?원(?!칙|인|장|래|본|문|고|활|리|형|자)"
        r"|과태료|과징금|벌금|이행강제금|수수료"
    ),
    "대상": re.compile(
        r"(?:지원|적용|신청|점검|조사|평가|교육|보고|선정|부과|관리|공개|처벌)\s*대상\S*|대상\s*(?:자|기관|시설|사업|자는)"
    ),
}


_RANGE_START = re.compile(r"\d+\s*(?:일|개월|년|시간|주)?\s*부터\s*$")


def _shorten(sentence: str, match: re.Match[str], width: int = 180) -> str:
    if len(sentence) <= width:
        return sentence
    start = max(0, match.start() - width // 2)
    end = min(len(sentence), start + width)
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")


# Table cells: amounts and deadlines often stand without "원"/"까지" under a column that says so.
_TABLE_FINDINGS: dict[str, re.Pattern[str]] = {
    "기한": re.compile(r"[^|:]*(?:기한|기간|일정|마감|일자|시한)[^|:]*:\s*[^|]*\d[^|]*"),
    "금액": re.compile(r"[^|:]*(?:금액|예산|사업비|단가|비용|원\)|억|만원|천원)[^|:]*:\s*[\d,.]+[^|]*"),
}


_MONEY_CAPTION = re.compile(r"원")  # "(단위 : 십억원)", "예산(백만원)": every number is an amount
_NUMBER_CELL = re.compile(r"[^|:]+:\s*\d[\d,.]*")
_REVISION_COLUMNS = re.compile(r"(?:^|\| )(?:버전|개정\s*(?:일자|번호|차수)|이력|Ver(?:sion)?\.?):", re.I)


def _table_findings(unit: Unit, found: list[Finding], counts: dict[str, int], limit: int) -> None:
    """Findings of a table unit: one per (kind, row), the row with its headers as context; in a
    table whose caption gives a money unit, the first numeric cell of a row is an amount."""
    if _REVISION_COLUMNS.search(unit.text.split("\n", 1)[0]):
        return  # a revision-history table: its dates are when the document changed, not deadlines
    money = bool(unit.table and _MONEY_CAPTION.search(unit.table))
    where = (
        f"{unit.location} · 표 {unit.table}" if unit.table and unit.table != "표" else f"{unit.location} · 표"
    )
    for row in unit.text.split("\n"):
        row = row.strip()
        if not row:
            continue
        for kind in ("기한", "금액"):
            if counts.get(kind, 0) >= limit:
                continue
            m = _FINDING_PATTERNS[kind].search(row) or _TABLE_FINDINGS[kind].search(row)
            if m is None and kind == "금액" and money:
                m = _NUMBER_CELL.search(row, row.find(" | ") + 1 if " | " in row else 0)
            if m:
                counts[kind] = counts.get(kind, 0) + 1
                found.append(Finding(kind, m.group(0).strip(), row[:300], where))


def find_findings(units: Sequence[Unit], limit: int = _MAX_FINDINGS_PER_KIND) -> list[Finding]:
    """Obligations, deadlines, amounts and targets: one entry per (kind, sentence), in document
    order, at most `limit` per kind."""
    found: list[Finding] = []
    counts: dict[str, int] = {}
    for unit in units:
        if unit.table is not None:  # a table row is one finding's context, headers included
            _table_findings(unit, found, counts, limit)
            continue
        for sent in split_sentences(unit.text):
            text = strip_amendments(sent.text)
            where = unit.location + (
                f" 제{sent.paragraph}항"
                if sent.paragraph and unit.location.startswith(("제", "부칙"))
                else ""
            )
            for kind, pattern in _FINDING_PATTERNS.items():
                m = pattern.search(text)
                if not m or counts.get(kind, 0) >= limit:
                    continue
                if kind == "기한" and m.group(0).endswith("까지") and _RANGE_START.search(text[: m.start()]):
                    continue  # a range ("11일부터 21일까지"), not a deadline
                counts[kind] = counts.get(kind, 0) + 1
                found.append(Finding(kind, m.group(0).strip(), _shorten(text, m), where))
    order = list(_FINDING_PATTERNS)
    return sorted(found, key=lambda f: order.index(f.kind))


# --- grouping -----------------------------------------------------------------------------------


def _passage(unit: Unit) -> Passage:
    if unit.table is None:
        return Passage(unit.text, unit.location)
    where = f"{unit.location} · 표" + (f" {unit.table}" if unit.table != "표" else "")
    return Passage(unit.text, where, unit.table is not None)


_TOC_PAGE = re.compile(r"(?:\t|\s{2,}|[.·…ㆍ]{2,})\s*\d+\s*$")
# a table of contents and the body may write Ⅰ or "I"
_ASCII_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ", "VI": "Ⅵ"}


def _section_key(name: str) -> str:
    """A section name as a table of contents and the body both write it: without the page
    number, spaces, and with Ⅰ for I."""
    name = _TOC_PAGE.sub("", name).strip()
    name = re.sub(r"^([IVX]{1,4})(?=\.)", lambda m: _ASCII_ROMAN.get(m.group(1), m.group(1)), name)
    return re.sub(r"\s+", "", name)


def group_sections(
    units: Sequence[Unit], count: Callable[[str], int], budget: int
) -> list[tuple[str, list[Unit]]]:
    """Units of one section together (a section named twice, as in a table of contents and then
    the body, is one group); documents without sections are cut into budget-sized groups named
    by their location range."""
    groups: list[tuple[str, list[Unit]]] = []
    named: dict[str, int] = {}
    for u in units:
        key = _section_key(u.section)
        if groups and groups[-1][0] == u.section:
            groups[-1][1].append(u)
        elif key and key in named and not _TOC_PAGE.search(groups[named[key]][0]):
            groups[named[key]][1].append(u)
        else:
            if key in named:  # a contents line ("Ⅰ. 과업안내\t 1"): its section stands where the body does
                toc = groups[named[key]][1]
                groups[named[key]] = ("", [])
                groups.append((u.section, [*toc, u]))
            else:
                groups.append((u.section, [u]))
            if key:
                named[key] = len(groups) - 1
    groups = [g for g in groups if g[1]]
    if len(groups) == 1 and not groups[0][0]:
        texts = [u.text for u in units]
        return [("", [units[i] for i in idx]) for idx in pack_by_tokens(texts, budget, count)]
    return groups


def _range(units: Sequence[Unit]) -> str:
    first, last = units[0].location, units[-1].location
    return first if first == last else f"{first} ~ {last}"


# --- extractive ---------------------------------------------------------------------------------


@dataclass
class _Sent:
    text: str
    group: int
    terms: list[str]
    purpose: bool = False  # first sentence of a statute's 목적 article: the law in one sentence


def _sentences(groups: Sequence[tuple[str, list[Unit]]], title: str = "") -> list[_Sent]:
    raw: list[tuple[str, int, bool]] = []
    for gi, (_, units) in enumerate(groups):
        for u in units:
            if u.table is not None:
                continue  # table rows ("헤더: 값 | …") are facts, not sentences to summarise with
            is_purpose = u.location.endswith("(목적)")
            for j, s in enumerate(split_sentences(u.text)):
                t = strip_amendments(s.text).strip()
                # headings, bare item numbers and table debris make poor summary sentences
                if 20 <= len(t) <= 300 and re.search(r"[가-힣]{2,}", t) and t != title:
                    raw.append((t, gi, is_purpose and j == 0))
    raw = raw[:_MAX_SENTENCES]
    terms = morphemes([t for t, _, _ in raw])
    return [_Sent(t, g, tm, p) for (t, g, p), tm in zip(raw, terms, strict=True)]


# "○○공사" is a name with its letters hidden, not a bullet and a name
_LEAD_MARK = re.compile(r"^\s*(?:[①-⑳]|[-•*○◦·ㆍ□■▪►>](?![○◦])|\d{1,2}[.)]|[가-하][.)])\s*")
_IDEAL_CHARS = 150
# Statute boilerplate (delegation clauses, amendments of other acts) rarely says what a law does.
_BOILERPLATE = re.compile(
    r"필요한\s*사항은.*(?:령|규칙|조례)으로\s*정한다|개정규정|으로\s*한다\.$|적용하지\s*아니한다"
)


def clean_point(sentence: str) -> str:
    """A sentence as a bullet: without its leading 항/item/bullet marker."""
    return _LEAD_MARK.sub("", sentence).strip()


def extractive_summary(
    title: str, groups: Sequence[tuple[str, list[Unit]]], n_key: int
) -> tuple[list[str], list[SectionSummary]]:
    sents = _sentences(groups, title)
    # Long provisions mention many frequent terms; a length factor keeps bullets readable.
    scores = [
        sc * min(1.0, _IDEAL_CHARS / max(len(s.text), 1)) * (0.2 if _BOILERPLATE.search(s.text) else 1.0)
        for sc, s in zip(rank_central([s.terms for s in sents]), sents, strict=True)
    ]
    addenda = {gi for gi, (name, _) in enumerate(groups) if name == "부칙"}
    key_scores = [0.0 if s.group in addenda else sc for sc, s in zip(scores, sents, strict=True)]
    n = max(3, min(n_key, 5))
    purpose = [i for i, s in enumerate(sents) if s.purpose]
    chosen = purpose[:1]
    rest = [i for i in select_diverse(key_scores, [s.terms for s in sents], n) if i not in chosen]
    key = [clean_point(sents[i].text) for i in chosen + rest][:n]
    sections: list[SectionSummary] = []
    for gi, (name, units) in enumerate(groups):
        idx = [i for i, s in enumerate(sents) if s.group == gi]
        picked = select_diverse([scores[i] for i in idx], [sents[i].terms for i in idx], _SECTION_POINTS)
        text_unit = next((u for u in units if u.table is None), None)
        points = [clean_point(sents[idx[j]].text) for j in picked] or [
            clean_point(text_unit.text.split("\n")[0][:200]) if text_unit else f"[표] {units[0].table}"
        ]
        sections.append(SectionSummary(name or _range(units), _range(units), points))
    return key, sections


# --- generated (map-reduce) ---------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-•*○◦·ㆍ□▪►]|\d{1,2}[.)]|[가-하][.)])\s*")


def parse_bullets(text: str, limit: int) -> list[str]:
    """Bullet lines of an LLM reply (any common marker), without markers or bold."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    bullets = [_BULLET.sub("", ln).replace("**", "").strip() for ln in lines if _BULLET.match(ln)]
    if not bullets:  # the model ignored the format: keep its lines
        bullets = [ln.replace("**", "") for ln in lines if len(ln) > 5 and not ln.endswith(":")]
    return [b for b in bullets if b][:limit]


class PromptEchoError(RuntimeError):
    """The model repeated its input instead of summarising it."""


class _Calls:
    """LLM calls of one summary with their token usage."""

    def __init__(self, ctx: ChainContext) -> None:
        self.ctx = ctx
        self.tokens_in = self.tokens_out = 0
        self.last = ""

    def stream(self, messages: list[Any]) -> Iterator[str]:
        gen = Generation()
        yield from stream_chat(self.ctx.llm, messages, gen)  # type: ignore[arg-type]
        if looks_like_prompt_echo(gen.text):
            raise PromptEchoError(ECHO_REASON)
        if gen.usage_reported:
            self.tokens_in += gen.tokens_in
            self.tokens_out += gen.tokens_out
        else:
            self.tokens_in += sum(self.ctx.tokens(m.text) for m in messages)
            self.tokens_out += self.ctx.tokens(gen.text)
        self.last = gen.text

    def run(self, messages: list[Any]) -> str:
        for _ in self.stream(messages):
            pass
        return self.last


def stream_summary(
    target: str | UploadedFile,
    ctx: ChainContext,
    progress: Callable[[int, int], None] | None = None,
    groups: Sequence[str] = (),
) -> Iterator[str | Summary]:
    """Summarise an uploaded file or the indexed document titled `target` that a user of
    `groups` may see: text deltas of the final reduce step, then the Summary.
    ``progress(done, total)`` follows the map calls."""
    if isinstance(target, UploadedFile):
        title, units = load_file_units(target, ctx)
        origin = target.name
    elif isinstance(target, str):
        title, units = load_indexed_units(target, ctx, groups)
        origin = "색인"
    else:
        raise TypeError(f"summary target must be a title or an UploadedFile, not {type(target).__name__}")
    cfg = ctx.settings.chains
    head = [ln for u in units[:8] for ln in u.text.split("\n")[:10]]
    title = cover_title(title, head)
    kind = document_kind(title, head)
    facts = extract_facts([_passage(u) for u in units]) if kind else []
    addenda = addendum_notes([(u.location, u.text) for u in units if u.section == "부칙"])
    units = [u for u in units if u.section != "부칙"] or units  # 부칙: own short section only
    groups = group_sections(units, ctx.tokens, cfg.summary_chunk_tokens)
    findings = find_findings(units)
    fallback = f"{ctx.llm_error} 발췌 요약으로 대신합니다." if ctx.llm_error else None
    if ctx.llm is not None:
        calls = _Calls(ctx)
        try:
            summary = yield from _generated(title, groups, ctx, calls, progress)
            summary.findings, summary.origin = findings, origin
            summary.kind, summary.facts, summary.addenda = kind, facts, addenda
            summary.tokens_in, summary.tokens_out = calls.tokens_in, calls.tokens_out
            yield summary
            return
        except PromptEchoError as exc:
            fallback = f"{exc} 발췌 요약으로 대신합니다."
        except Exception as exc:  # server down or broken mid-way: the extractive summary, saying so
            fallback = describe_llm_error(exc, ctx.settings.llm) + " 발췌 요약으로 대신합니다."
    key, sections = extractive_summary(title, groups, cfg.summary_key_points)
    summary = Summary(title, key, sections, findings, "extractive", fallback, origin)
    summary.kind, summary.facts, summary.addenda = kind, facts, addenda
    yield summary.to_markdown()
    yield summary


def _generated(
    title: str,
    groups: Sequence[tuple[str, list[Unit]]],
    ctx: ChainContext,
    calls: _Calls,
    progress: Callable[[int, int], None] | None,
) -> Generator[str, None, Summary]:
    cfg = ctx.settings.chains
    budget = cfg.summary_chunk_tokens
    mask = mask_personal_data if should_mask_for_llm(ctx.settings) else (lambda t: t)
    pieces: list[tuple[int, str]] = []  # (group index, text within budget)
    for gi, (_, units) in enumerate(groups):
        texts = [f"[{u.location}]\n{u.text}" for u in units]
        for idx in pack_by_tokens(texts, budget, ctx.tokens):
            pieces.append((gi, truncate_to_tokens("\n".join(texts[i] for i in idx), budget, ctx.tokens)))
    points: dict[int, list[str]] = {}
    for done, (gi, text) in enumerate(pieces, start=1):
        name = groups[gi][0] or _range(groups[gi][1])
        reply = calls.run(summary_map_messages(title, name, mask(text)))
        points.setdefault(gi, []).extend(parse_bullets(reply, _SECTION_POINTS))
        if progress:
            progress(done, len(pieces))
    sections = [
        SectionSummary(name or _range(units), _range(units), points.get(gi, [])[: _SECTION_POINTS + 1])
        for gi, (name, units) in enumerate(groups)
    ]
    partials = [f"[{s.title}] {p}" for s in sections for p in s.points]
    # Collapse until the partial summaries fit one call's budget (long documents).
    while ctx.tokens("\n".join(partials)) > budget and len(partials) > 1:
        merged: list[str] = []
        for idx in pack_by_tokens(partials, budget, ctx.tokens):
            merged.extend(
                parse_bullets(calls.run(summary_reduce_messages(title, [partials[i] for i in idx])), 5)
            )
        if len(merged) >= len(partials):
            break
        partials = merged
    yield from calls.stream(summary_reduce_messages(title, partials, cfg.summary_key_points))
    key = parse_bullets(calls.last, max(3, min(cfg.summary_key_points, 5)))
    if len(key) < 3:  # a weak model gave too few bullets: complete them with marked extractive ones
        extra, _ = extractive_summary(title, groups, 5)
        key += [f"{s} (발췌)" for s in extra if s not in key][: 3 - len(key)]
    return Summary(title, key, sections, [], "generated")
