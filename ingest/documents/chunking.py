"""Chunking along legal structure (pure functions over LoadedDocument).

Statutes: one chunk per article (제N조, 제N조의M), with 장/절/관 path; an article over the token
budget is split on paragraph (항) boundaries, then items (호), with its header repeated in every
part. 부칙 articles are chunked the same way and marked `is_addendum`.
Guidelines: split along their headings (Ⅰ./1./가./□/○, markdown #) and paragraphs, packed
into chunks within the same budget. A guideline written as articles (an uploaded 규정: 제1조(…),
제2조(…) …) is chunked per article like a statute, so each chunk carries its own article label.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ingest.core.model import PAGE_BREAK, Chunk, LoadedDocument, text_key, version_tag
from ingest.documents.tables import TABLE_CLOSE, TABLE_OPEN
from ingest.legal.articles import (
    ADDENDUM_HEADING_MD,
    ADDENDUM_LINE,
    ARTICLE_HEADING_MD,
    ARTICLE_LINE,
    REGULATION_ADDENDUM,
    REGULATION_ARTICLE,
    REGULATION_DIVISION,
    REGULATION_DIVISION_LEVELS,
)
from ingest.legal.marks import GUIDELINE_HEADING_LEVELS, ITEM_LINE_START, PARAGRAPH_START, circled_number

CountTokens = Callable[[str], int]


@lru_cache(maxsize=4)
def token_counter(encoding: str) -> CountTokens:
    """A tiktoken-based token counter for the named (offline) encoding."""
    import tiktoken

    enc = tiktoken.get_encoding(encoding)
    return lambda text: len(enc.encode(text, disallowed_special=()))


# --- statutes -------------------------------------------------------------------------------

_DIVISION = re.compile(r"^(#{2,4})\s+(.+?)\s*$")
_BLANKS = re.compile(r"\n{3,}")


@dataclass
class ArticleSection:
    """One article (or 부칙 article) of a statute, before budgeting."""

    no: int
    branch: int
    title: str
    lines: list[str]
    chapter_path: str
    is_addendum: bool
    addendum_label: str
    start: int  # character offset in the document text (for page numbers)

    @property
    def label(self) -> str:
        """'제N조' / '제N조의M'; empty for the unnumbered text of a single-provision law."""
        if self.no == 0:
            return ""
        return f"제{self.no}조" + (f"의{self.branch}" if self.branch else "")


def clean_statute_line(line: str) -> str:
    """Drop markdown escapes and bold markers of the statute export; keep the text as written."""
    line = line.replace("**", "").replace("\\.", ".")
    return line.rstrip()


def split_articles(text: str) -> list[ArticleSection]:
    """Split canonical statute markdown into articles, keeping repeated numbers distinct."""
    sections: list[ArticleSection] = []
    divisions: dict[int, str] = {}
    in_addendum = False
    addendum_label = ""
    current: ArticleSection | None = None
    offset = 0
    for raw in text.split("\n"):
        line_start = offset
        offset += len(raw) + 1
        line = raw.replace(PAGE_BREAK, "")
        stripped = line.strip()
        if not stripped:
            if current is not None:
                current.lines.append("")
            continue
        if stripped.startswith("# ") and not stripped.startswith("##"):
            continue  # the law title
        m_add = ADDENDUM_HEADING_MD.match(stripped)
        if m_add:
            in_addendum, addendum_label, current = True, m_add.group(1).strip(), None
            continue
        if in_addendum and ADDENDUM_LINE.match(stripped):
            addendum_label, current = (ADDENDUM_LINE.match(stripped).group(1) or "").strip(), None  # type: ignore[union-attr]
            continue
        m_art = ARTICLE_HEADING_MD.match(stripped) or (ARTICLE_LINE.match(stripped) if in_addendum else None)
        if m_art:
            no, branch = int(m_art.group(1)), int(m_art.group(2) or 0)
            title = (m_art.group(3) or "").strip()
            rest = (m_art.group(4) or "").strip()
            path = " > ".join(divisions[k] for k in sorted(divisions))
            current = ArticleSection(
                no,
                branch,
                title,
                [rest] if rest else [],
                "" if in_addendum else path,
                in_addendum,
                addendum_label if in_addendum else "",
                line_start,
            )
            sections.append(current)
            continue
        m_div = _DIVISION.match(stripped)
        if m_div and not in_addendum:
            level = len(m_div.group(1))
            divisions = {k: v for k, v in divisions.items() if k < level}
            divisions[level] = m_div.group(2)
            current = None
            continue
        if current is None and (in_addendum or not sections):
            # Unnumbered text: a law of one provision (표준시에 관한 법률) or a one-sentence 부칙.
            current = ArticleSection(0, 0, "", [], "", in_addendum, addendum_label, line_start)
            sections.append(current)
        if current is not None:
            current.lines.append(clean_statute_line(line))
    return sections


def _article_header(law_title: str, sec: ArticleSection) -> str:
    head = f"{law_title} 부칙 {sec.addendum_label}".rstrip() if sec.is_addendum else law_title
    title = f" ({sec.title})" if sec.title else ""
    return f"{head} {sec.label}{title}".rstrip()


def _paragraph_groups(lines: list[str]) -> list[list[str]]:
    """Group body lines into paragraphs (항); lines before the first ① form their own group."""
    groups: list[list[str]] = [[]]
    for line in lines:
        if PARAGRAPH_START.match(line) and groups[-1]:
            groups.append([])
        groups[-1].append(line)
    return [g for g in groups if any(s.strip() for s in g)]


def _item_groups(lines: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for line in lines:
        if ITEM_LINE_START.match(line) and groups[-1]:
            groups.append([])
        groups[-1].append(line)
    return [g for g in groups if g]


def _hard_split(text: str, budget: int, count: CountTokens) -> list[str]:
    """Last resort for one overlong line: cut at sentence ends, then at characters."""
    pieces = re.split(r"(?<=[.다])\s+", text)
    out: list[str] = []
    buf = ""
    for piece in pieces:
        cand = f"{buf} {piece}".strip()
        if buf and count(cand) > budget:
            out.append(buf)
            buf = piece
        else:
            buf = cand
        while count(buf) > budget:
            cut = max(1, len(buf) * budget // max(count(buf), 1))
            out.append(buf[:cut])
            buf = buf[cut:]
    if buf:
        out.append(buf)
    return out


def pack_units(units: list[str], budget: int, count: CountTokens, sep: str = "\n") -> list[str]:
    """Greedily pack text units into pieces of at most `budget` tokens, in order.

    Unit counts are summed (plus one token per separator) instead of re-encoding every joined
    candidate: BPE pre-splits at line breaks, so the sum is the joined count within a token or
    two, which the callers' margin absorbs."""
    pieces: list[str] = []
    buf: list[str] = []
    used = 0
    for unit in units:
        n = count(unit)
        if n > budget:
            if buf:
                pieces.append(sep.join(buf))
                buf, used = [], 0
            pieces.extend(_hard_split(unit, budget, count))
            continue
        if buf and used + len(buf) + n > budget:
            pieces.append(sep.join(buf))
            buf, used = [], 0
        buf.append(unit)
        used += n
    if buf:
        pieces.append(sep.join(buf))
    return pieces


def _paragraph_numbers(body: str) -> tuple[int, int]:
    nums = [circled_number(m.group(1)) for m in map(PARAGRAPH_START.match, body.split("\n")) if m]
    return (min(nums), max(nums)) if nums else (0, 0)


def split_article_body(lines: list[str], budget: int, count: CountTokens) -> list[str]:
    """Body parts of one article within `budget` tokens, cut at 항, then 호, then sentences."""
    body = _BLANKS.sub("\n\n", "\n".join(lines)).strip()
    body = re.sub(r"\n\s*\n", "\n", body)
    if len(body.encode()) <= budget or count(body) <= budget:  # a token is at least one byte
        return [body]
    units: list[str] = []
    for para in _paragraph_groups(body.split("\n")):
        text = "\n".join(para)
        if count(text) <= budget:
            units.append(text)
        else:
            units.extend("\n".join(g) for g in _item_groups(para))
    return pack_units(units, budget, count)


# --- guidelines -----------------------------------------------------------------------------

_HEADING_MAX_CHARS = 80
_PATH_LEVELS = 3  # levels 1-3 name the section; □/○ are content structure
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+)$")


def heading_level(line: str) -> int:
    """Level of a guideline heading/bullet line (1=Ⅰ., 2=1., 3=가., 4=□, 5=○), 0 for body text."""
    s = line.strip()
    for level, pattern in GUIDELINE_HEADING_LEVELS:
        if pattern.match(s) and (level >= 4 or len(s) <= _HEADING_MAX_CHARS):
            return level
    return 0


@dataclass
class GuidelineBlock:
    """A heading/bullet line with the body lines under it."""

    level: int
    path: tuple[str, ...]
    lines: list[str] = field(default_factory=list)
    start: int = 0
    table: str | None = None  # caption of a table block (rows in `lines`), None for text
    columns: str = ""  # a table's column names, repeated in every part

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def split_blocks(text: str) -> list[GuidelineBlock]:
    """Split guideline text into blocks at heading/bullet lines, tracking the heading path."""
    blocks: list[GuidelineBlock] = [GuidelineBlock(0, ())]
    path: dict[int, str] = {}
    offset = 0
    table: GuidelineBlock | None = None
    for raw in text.split("\n"):
        line_start = offset
        offset += len(raw) + 1
        line = raw.replace(PAGE_BREAK, "").rstrip()
        if line.startswith(TABLE_OPEN):  # table rows are not headings: kept together as one block
            table = GuidelineBlock(0, tuple(path[k] for k in sorted(path)), start=line_start)
            table.table = line[len(TABLE_OPEN) :].strip()
            blocks.append(table)
            continue
        if table is not None:
            if line == TABLE_CLOSE:
                table = None
                blocks.append(GuidelineBlock(0, blocks[-1].path, start=offset))
            elif not table.columns and not table.lines:
                table.columns = line.strip()
            elif line.strip():
                table.lines.append(line.strip())
            continue
        if not line.strip():
            continue
        md = _MD_HEADING.match(line.strip())
        if md and len(md.group(1)) == 1:
            continue  # the document title; it heads every chunk already
        if md:
            line = md.group(2)
        level = heading_level(line) or (min(len(md.group(1)) - 1, _PATH_LEVELS) if md else 0)
        if level:
            if level <= _PATH_LEVELS:
                path = {k: v for k, v in path.items() if k < level}
                path[level] = line.strip()
            blocks.append(GuidelineBlock(level, tuple(path[k] for k in sorted(path)), start=line_start))
        blocks[-1].lines.append(line)
    return [b for b in blocks if b.text]


def table_header(header: str, block: GuidelineBlock) -> str:
    """First lines of a table chunk: where it is, which table, and its column names."""
    named = block.table and block.table != (block.path[-1] if block.path else "")
    caption = f" > [표] {block.table}" if named else " > [표]"
    return f"{header}{caption}\n열: {block.columns}"


# --- chunks ---------------------------------------------------------------------------------


def fit_parts(split: Callable[[int], list[str]], header: str, budget: int, count: CountTokens) -> list[str]:
    """Body parts that fit `budget` once the header (and part tag) is prepended.

    The packers estimate token sums; the final check counts each real chunk text and tightens
    the body budget in the rare case an estimate was short."""
    body_budget = max(budget - count(header) - 8, 32)
    for _ in range(4):
        parts = split(body_budget)
        if len(parts) <= 1:
            return parts  # measured whole against body_budget, which keeps 8 tokens spare
        tag = f" [{len(parts)}/{len(parts)}]"
        over = max(count(f"{header}{tag}\n{p}") - budget for p in parts)
        if over <= 0 or body_budget <= 32:
            return parts
        body_budget = max(body_budget - over - 8, 32)
    return parts


def doc_id_for(source: str) -> str:
    """Stable id of a source file (its resolved path)."""
    return hashlib.sha1(source.encode()).hexdigest()[:16]


def chunk_id(doc_id: str, key: str, text: str) -> str:
    """Content-addressed chunk id: unchanged text at the same place keeps its id (no re-embed)."""
    return hashlib.sha1(f"{doc_id}\x00{key}\x00{text}".encode()).hexdigest()[:24]


def page_at(text: str, offset: int, paged: bool) -> int:
    """1-based page of a character offset in a paged document, -1 for unpaged text."""
    return text.count(PAGE_BREAK, 0, offset) + 1 if paged else -1


def ocr_metadata(doc: LoadedDocument, page: int) -> dict[str, object]:
    """`ocr` and `ocr_confidence` (mean word confidence, 0-100) of a chunk on an OCR'd page."""
    conf = doc.ocr_pages.get(page)
    return {} if conf is None else {"ocr": True, "ocr_confidence": round(float(conf), 1)}


def _base_metadata(doc: LoadedDocument, doc_id: str) -> dict[str, object]:
    md = doc.metadata
    return {
        "doc_id": doc_id,
        "source": doc.path,
        "doc_title": doc.title,
        "doc_type": doc.doc_type,
        "law_title": str(md.get("law_title", "")),
        "law_type": str(md.get("law_type", "")),
        "ministry": str(md.get("ministry", "")),
        "effective_date": str(md.get("effective_date", "")),
        # a past statute version: in force from effective_date until (excluding) valid_to
        **(
            {
                "is_current": False,
                "valid_from": str(md.get("effective_date", "")),
                "valid_to": str(md["valid_to"]),
            }
            if md.get("valid_to")
            else {}
        ),
    }


def article_parts(sec: ArticleSection, header: str, budget: int, count: CountTokens) -> list[tuple[str, str]]:
    """(chunk text, body) of each part of an article: the whole article, or parts cut at 항/호
    when it exceeds `budget`, each under `header` ("… [2/3]")."""
    bodies = fit_parts(lambda b, lines=sec.lines: split_article_body(lines, b, count), header, budget, count)
    n = len(bodies)
    return [
        (f"{header}{f' [{i}/{n}]' if n > 1 else ''}\n{body}".strip(), body)
        for i, body in enumerate(bodies, 1)
    ]


def _article_metadata(
    base: dict[str, Any],
    sec: ArticleSection,
    occurrence: int,
    section_path: str,
    page: int,
    part: int,
    parts: int,
    body: str,
    index: int,
) -> dict[str, Any]:
    """The metadata of one part of an article (statute or regulation)."""
    p_from, p_to = _paragraph_numbers(body)
    return {
        **base,
        "article": sec.label,
        "article_no": sec.no,
        "article_branch": sec.branch,
        "article_title": sec.title,
        "occurrence": occurrence,
        "is_addendum": sec.is_addendum,
        "chapter_path": sec.chapter_path,
        "section_path": section_path,
        "page": page,
        "part": part,
        "parts": parts,
        "paragraph_from": p_from,
        "paragraph_to": p_to,
        "chunk_index": index,
    }


def chunk_statute(doc: LoadedDocument, budget: int, count: CountTokens) -> Iterator[Chunk]:
    """One chunk per article (parts for long ones), header '법령명 제N조 (제목)' in each."""
    doc_id = doc_id_for(doc.path)
    base = _base_metadata(doc, doc_id)
    law_title = str(base["law_title"] or doc.title)
    base["law_title"] = law_title
    seen: dict[str, int] = {}
    index = 0
    # a past version says which one it is, so a citation of it shows the version it quotes
    version = version_tag(base)
    for sec in split_articles(doc.text):
        header = _article_header(law_title, sec) + version
        key = f"{'부칙' + sec.addendum_label if sec.is_addendum else ''}{sec.label}"
        seen[key] = occurrence = seen.get(key, 0) + 1
        parts = article_parts(sec, header, budget, count)
        page = page_at(doc.text, sec.start, doc.paged)
        for part, (text, body) in enumerate(parts, start=1):
            meta = _article_metadata(
                base, sec, occurrence, sec.chapter_path, page, part, len(parts), body, index
            )
            chunk = Chunk(chunk_id(doc_id, f"{key}#{occurrence}#{part}", text), text, meta)
            meta["text_hash"] = text_key(chunk.search_text)  # a past version's tag left out
            yield chunk
            index += 1


def chunk_guideline(doc: LoadedDocument, budget: int, count: CountTokens, min_tokens: int) -> Iterator[Chunk]:
    """Pack heading blocks into chunks within budget; a new level-1/2 heading starts a chunk."""
    doc_id = doc_id_for(doc.path)
    base = _base_metadata(doc, doc_id)
    groups: list[list[GuidelineBlock]] = []
    for block in split_blocks(doc.text):
        starts_section = 0 < block.level <= 2
        if block.table is not None or (groups and groups[-1][0].table is not None):
            groups.append([block])  # a table is a group of its own (split by rows when long)
        elif groups and not starts_section:
            groups[-1].append(block)
        elif groups and count("\n".join(b.text for b in groups[-1])) < min_tokens:
            groups[-1].append(block)  # a bare heading or tiny section joins what follows
        else:
            groups.append([block])
    seen: dict[str, int] = {}
    index = 0
    for group in groups:
        path = " > ".join(group[0].path)
        header = f"{doc.title} > {path}" if path else doc.title
        table = group[0].table
        if table is not None:
            header = table_header(header, group[0])
            units = list(group[0].lines)  # rows: a long table is cut between rows
        else:
            units = [b.text for b in group]
        # a table's part tag goes into its first line, not after the column line where fit_parts
        # measures it: tokens may split differently there, hence the 2-token margin
        part_budget = budget - 2 if table is not None else budget
        bodies = fit_parts(lambda b, units=units: pack_units(units, b, count), header, part_budget, count)
        offsets = [b.start for b in group]
        for part, body in enumerate(bodies, start=1):
            if table is not None and len(bodies) > 1:
                first, columns = header.split("\n", 1)
                text = f"{first} [{part}/{len(bodies)}]\n{columns}\n{body}"
            else:
                text = f"{header}\n{body}"
            key = f"{path}#{'표' + str(group[0].start) if table is not None else ''}{part}"
            seen[key] = occurrence = seen.get(key, 0) + 1
            first_line = body.split("\n", 1)[0]
            start = next((b.start for b in group if b.text.startswith(first_line)), offsets[0])
            if table is not None:  # the page where this part's first row stands
                found = doc.text.find(first_line, offsets[0])
                start = found if found >= 0 else offsets[0]
            meta = {
                **base,
                "article": "",
                "article_no": 0,
                "article_branch": 0,
                "article_title": "",
                "occurrence": occurrence,
                "is_addendum": False,
                "chapter_path": "",
                "section_path": path,
                "page": page_at(doc.text, start, doc.paged),
                "part": part,
                "parts": len(bodies),
                "paragraph_from": 0,
                "paragraph_to": 0,
                "chunk_index": index,
                "text_hash": text_key(text),
            }
            if table is not None:
                meta.update(is_table=True, table_caption=table or path.rsplit(" > ", 1)[-1])
            meta.update(ocr_metadata(doc, int(meta["page"])))  # type: ignore[arg-type]
            yield Chunk(chunk_id(doc_id, f"{key}#{occurrence}", text), text, meta)
            index += 1


# --- regulations (규정, 지침, 조례 uploaded as documents) ------------------------------------------

_REG_MAX_PREAMBLE = 0.2  # share of the text before 제1조: more is a document that quotes articles


def is_regulation(text: str) -> bool:
    """Is this document written as articles (제1조(…), 제2조(…) at line starts, from near its
    start)? An RFP or guideline that merely quotes or annexes articles is not."""
    first = second = -1
    offset = 0
    for raw in text.split("\n"):
        m = REGULATION_ARTICLE.match(raw.replace(PAGE_BREAK, "").strip())
        if m and first < 0 and int(m.group(1)) == 1:
            first = offset
        elif m and first >= 0 and int(m.group(1)) == 2:
            second = offset
            break
        offset += len(raw) + 1
    return first >= 0 and second > first and first <= len(text) * _REG_MAX_PREAMBLE


def split_regulation(text: str) -> list[ArticleSection]:
    """Articles of a regulation in plain text: 장/절/관 headings make the path, a "부칙" line
    starts the addenda (their articles restart at 제1조), tables become plain row lines."""
    sections: list[ArticleSection] = []
    divisions: dict[int, str] = {}
    in_addendum, addendum_label = False, ""
    current: ArticleSection | None = None
    offset = 0
    for raw in text.split("\n"):
        line_start = offset
        offset += len(raw) + 1
        line = raw.replace(PAGE_BREAK, "").rstrip()
        stripped = line.strip()
        if not stripped or stripped == TABLE_CLOSE:
            continue
        if stripped.startswith(TABLE_OPEN):
            line = stripped = f"[표] {stripped[len(TABLE_OPEN) :]}".strip()
        if m_add := REGULATION_ADDENDUM.match(stripped):
            in_addendum, addendum_label, current = True, (m_add.group(1) or "").strip(), None
            continue
        if m_art := REGULATION_ARTICLE.match(stripped):
            no, branch, title, rest = m_art.groups()
            path = "" if in_addendum else " > ".join(divisions[k] for k in sorted(divisions))
            current = ArticleSection(
                int(no), int(branch or 0), title.strip(), [rest.strip()] if rest.strip() else [], path,
                in_addendum, addendum_label, line_start,
            )  # fmt: skip
            sections.append(current)
            continue
        if (m_div := REGULATION_DIVISION.match(stripped)) and not in_addendum:
            level = REGULATION_DIVISION_LEVELS[m_div.group(1)]
            divisions = {k: v for k, v in divisions.items() if k < level}
            divisions[level] = stripped
            current = None
            continue
        if current is None:  # the title, a preamble, or text under a heading before its articles
            current = ArticleSection(0, 0, "", [], "", in_addendum, addendum_label, line_start)
            sections.append(current)
        current.lines.append(line.strip())
    return sections


def regulation_path(sec: ArticleSection) -> str:
    """Where an article stands: "제1장 총칙 > 제3조(직제 개편 및 정원)", "부칙 <2020. 1. 1.> > 제1조(시행일)"."""
    head = f"부칙 {sec.addendum_label}".rstrip() if sec.is_addendum else sec.chapter_path
    label = f"{sec.label}({sec.title})" if sec.label and sec.title else sec.label
    return " > ".join(p for p in (head, label) if p)


def chunk_regulation(doc: LoadedDocument, budget: int, count: CountTokens) -> Iterator[Chunk]:
    """One chunk per article of a regulation (parts for long ones, cut at 항/호), each labelled with
    its own article: a short article never joins the next one's label."""
    doc_id = doc_id_for(doc.path)
    base = _base_metadata(doc, doc_id)
    seen: dict[str, int] = {}
    index = 0
    for sec in split_regulation(doc.text):
        if not sec.label and " ".join(sec.lines).strip() in ("", doc.title):
            continue  # the title line: it heads every chunk already
        where = regulation_path(sec)
        header = f"{doc.title} > {where}" if where else doc.title
        key = f"{'부칙' + sec.addendum_label if sec.is_addendum else ''}{sec.label or where}"
        seen[key] = occurrence = seen.get(key, 0) + 1
        parts = article_parts(sec, header, budget, count)
        page = page_at(doc.text, sec.start, doc.paged)
        for part, (text, body) in enumerate(parts, start=1):
            meta = _article_metadata(base, sec, occurrence, where, page, part, len(parts), body, index)
            meta["text_hash"] = text_key(text)
            meta.update(ocr_metadata(doc, page))
            yield Chunk(chunk_id(doc_id, f"{key}#{occurrence}#{part}", text), text, meta)
            index += 1


def chunk_document(doc: LoadedDocument, budget: int, count: CountTokens, min_tokens: int = 40) -> list[Chunk]:
    """Chunks of any loaded document, by its type."""
    if doc.doc_type == "statute":
        return list(chunk_statute(doc, budget, count))
    if is_regulation(doc.text):
        return list(chunk_regulation(doc, budget, count))
    return list(chunk_guideline(doc, budget, count, min_tokens))
