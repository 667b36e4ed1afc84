"""law.go.kr statute PDFs (detected by their footer) rebuilt into canonical statute markdown:
page furniture removed, wrapped lines joined, articles, paragraphs and items as blocks."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.core.korean import kiwi_space
from ingest.core.model import (
    PAGE_BREAK,
    LoadedDocument,
)
from ingest.documents.loaders.pdf_text import Line, PdfPage
from ingest.documents.loaders.textnorm import MIDDLE_DOT, normalize_text, title_from_stem
from ingest.legal.articles import (
    ADDENDUM_START,
    ARTICLE_HEAD,
    DIVISION_HEAD,
    DIVISION_HEADING_MARK,
    REF_AT_END,
    REF_AT_START,
)
from ingest.legal.marks import (
    HANGUL_ORDER_LONG,
    PDF_ITEM,
    PDF_PARAGRAPH,
    PDF_SUBITEM,
    PDF_SUBSUB_LETTER,
    PDF_SUBSUB_NUMBER,
)
from ingest.legal.metadata import TITLE_BLOCK, title_block_metadata

FOOTER = re.compile(r"^\s*법제처\s+\d+\s+국가법령정보센터\s*$", re.M)
_CLOSING = set(")]}>.,;:”’」』〉》】" + MIDDLE_DOT)
_LETTERS = HANGUL_ORDER_LONG


def is_law_go_kr(pages: list[PdfPage]) -> bool:
    """law.go.kr prints `법제처 <n> 국가법령정보센터` on every page."""
    hits = sum(1 for p in pages if FOOTER.search(p.text))
    return hits >= max(1, len(pages) // 2)


def _running_header(pages: list[PdfPage]) -> str | None:
    firsts = Counter()
    for p in pages:
        body = [ln for ln in p.lines if ln.text.strip() and not FOOTER.match(ln.text)]
        if body:
            firsts[body[0].text.strip()] += 1
    if not firsts:
        return None
    name, n = firsts.most_common(1)[0]
    return name if n >= max(2, len(pages) // 2) else None


def strip_page_furniture(pages: list[PdfPage], header: str | None) -> list[list[Line]]:
    """Drop the footer and the running header (the topmost line equal to the law name)."""
    out = []
    for p in pages:
        lines = [ln for ln in p.lines if not FOOTER.match(ln.text)]
        nonblank = [ln for ln in lines if ln.text.strip()]
        if header and nonblank and nonblank[0].text.strip() == header:
            top = max(ln.y for ln in nonblank)
            if nonblank[0].y >= top - 0.5:
                lines.remove(nonblank[0])
        out.append(lines)
    return out


# --- joining wrapped lines -------------------------------------------------------------------


def is_split_char(ch: str) -> bool:
    """iText 2.1.7 (DefaultSplitCharacter) may break a line only after these characters; after
    any other character a line break means the generator dropped a space there."""
    o = ord(ch)
    return (
        ch <= " "
        or ch in "-\u2010"
        or 0x2002 <= o <= 0x200B
        or 0x2E80 <= o < 0xD7A0
        or 0xF900 <= o < 0xFB00
        or 0xFE30 <= o < 0xFE50
        or 0xFF61 <= o < 0xFFA0
    )


def kiwi_wants_space(left: str, right: str) -> bool:
    """Ask Kiwi's spacing model whether a space belongs between `left` and `right` (no when
    kiwipiepy is unavailable: undecided joins get no space)."""
    left, right = left[-12:], right[:12]
    spaced = kiwi_space(left + right)
    if spaced is None:
        return False
    target = len(left) - left.count(" ")  # non-space characters before the junction
    seen = 0
    for ch in spaced:
        if seen == target:
            return ch == " "
        if ch != " ":
            seen += 1
    return False


_EVIDENCE_LEVELS = ((3, 3), (3, 2), (2, 3), (2, 2), (1, 2), (2, 1))


def make_joiner(corpus: str) -> Callable[[str, str], str]:
    """Return join(prev, next) for a line wrapped by the PDF generator.

    law.go.kr wraps inside words and drops the space when it wraps between words, so the
    separator must be inferred: (1) after a non-breakable character the break was a space;
    (2) before closing punctuation there is none; (3) otherwise the document votes — how often
    the same fragments appear joined vs. spaced inside lines (e.g. 개인+정보); (4) Kiwi's
    spacing model; (5) no space (a missing space hurts search less than a false one).
    """
    cache: dict[str, int] = {}

    def count(s: str) -> int:
        if s not in cache:
            cache[s] = corpus.count(s)
        return cache[s]

    def sep(prev: str, nxt: str) -> str:
        a, b = prev[-1], nxt[0]
        if not is_split_char(a):
            return " "
        if b in _CLOSING or (REF_AT_END.search(prev) and REF_AT_START.match(nxt)):
            return ""  # 제13조제5항: statute citations are written without spaces
        left_word, right_word = prev.rsplit(" ", 1)[-1], nxt.split(" ", 1)[0]
        for k, m in _EVIDENCE_LEVELS:
            if len(left_word) < k or len(right_word) < m:
                continue
            left, right = left_word[-k:], right_word[:m]
            joined, spaced = count(left + right), count(f"{left} {right}")
            if joined + spaced >= 2 and joined != spaced:
                return " " if spaced > joined else ""
        return " " if kiwi_wants_space(prev, nxt) else ""

    def join(prev: str, nxt: str) -> str:
        prev, nxt = prev.rstrip(), nxt.strip()
        if not prev or not nxt:
            return prev + nxt
        return prev + sep(prev, nxt) + nxt

    return join


# --- block reconstruction ------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # struct, addendum, article, para, item, subitem, subsub, tag, text
    text: str
    page_breaks_before: int = 0
    level: str = ""  # 편/장/절/관 for struct blocks


@dataclass
class _ListState:
    item: tuple[int, int] | None = None  # (number, branch) of the last `1.` item
    sub: int | None = None  # index into _LETTERS of the last `가.` item
    subsub_num: int | None = None
    subsub_letter: int | None = None

    def reset(self, level: str) -> None:
        order = ["item", "sub", "subsub_num", "subsub_letter"]
        for name in order[order.index(level) :]:
            setattr(self, name, None)


def _next_item_ok(state: _ListState, num: int, branch: int | None) -> bool:
    if state.item is None:
        return num == 1 and branch is None
    last_num, last_branch = state.item
    if branch is None:
        return num == last_num + 1
    return num == last_num and branch > last_branch or num == last_num + 1


def _letter_ok(last: int | None, letter: str) -> bool:
    idx = _LETTERS.find(letter)
    return idx == 0 if last is None else idx == last + 1


def _unclosed(text: str, parens: bool = False) -> bool:
    """A wrapped amendment tag (`<개정 2020. 12.` / `[시행일: 2026.`) continues on the next line,
    whose start (`22.>`, `9. 11.]`) must not be read as an item number."""
    pairs = ("<>", "[]", "()") if parens else ("<>", "[]")
    return any(text.count(a) > text.count(b) for a, b in pairs)


def classify(line: Line, stripped: str, state: _ListState, article_x: float) -> str | None:
    """Kind of block `line` starts, or None when it continues the previous block."""
    raw_indent = line.text[: len(line.text) - len(line.text.lstrip())]
    if DIVISION_HEAD.match(stripped) and (raw_indent or line.x <= article_x - 2):
        return "struct"
    if ADDENDUM_START.match(stripped) and (raw_indent or line.x > article_x + 20):
        return "addendum"
    if ARTICLE_HEAD.match(stripped) and line.x <= article_x + 6:
        return "article"
    if PDF_PARAGRAPH.match(stripped):
        return "para"
    if m := PDF_ITEM.match(stripped):
        num, branch = int(m.group(1)), int(m.group(2)) if m.group(2) else None
        if _next_item_ok(state, num, branch):
            return "item"
    if (m := PDF_SUBITEM.match(stripped)) and m.group(2) is None and _letter_ok(state.sub, m.group(1)):
        return "subitem"
    if (m := PDF_SUBSUB_NUMBER.match(stripped)) and int(m.group(1)) == (state.subsub_num or 0) + 1:
        return "subsub"
    if (m := PDF_SUBSUB_LETTER.match(stripped)) and _letter_ok(state.subsub_letter, m.group(1)):
        return "subsub"
    if stripped.startswith("["):
        return "tag"
    return None


def _update_state(state: _ListState, kind: str, stripped: str) -> None:
    if kind in ("article", "para", "addendum", "struct"):
        state.reset("item")
    elif kind == "item" and (m := PDF_ITEM.match(stripped)):
        state.item = (int(m.group(1)), int(m.group(2)) if m.group(2) else 0)
        state.reset("sub")
    elif kind == "subitem" and (m := PDF_SUBITEM.match(stripped)):
        state.sub = _LETTERS.find(m.group(1))
        state.reset("subsub_num")
    elif kind == "subsub":
        if m := PDF_SUBSUB_NUMBER.match(stripped):
            state.subsub_num = int(m.group(1))
        elif m := PDF_SUBSUB_LETTER.match(stripped):
            state.subsub_letter = _LETTERS.find(m.group(1))


def build_blocks(
    body: Iterable[Line | None], article_x: float, join: Callable[[str, str], str]
) -> list[Block]:
    """Group body lines (None = page break) into logical blocks, rejoining wrapped lines."""
    blocks: list[Block] = []
    state = _ListState()
    pending_breaks = 0
    after_blank = True
    for line in body:
        if line is None:
            pending_breaks += 1
            continue
        stripped = normalize_text(line.text).strip()
        if not stripped:
            after_blank = True
            continue
        cur = blocks[-1] if blocks else None
        kind = classify(line, stripped, state, article_x)
        # Only the tail counts, so a stray "<" in running text cannot swallow what follows;
        # headings found by position (article, chapter, 부칙) always start a new block.
        if cur is not None and _unclosed(cur.text[-150:]) and kind not in ("article", "struct", "addendum"):
            kind = None
        if kind is None and (cur is None or after_blank):
            kind = "text"
        elif kind is None and cur is not None and cur.kind == "addendum" and not _unclosed(cur.text, True):
            kind = "text"  # `부칙 <제…호,…>` is a line of its own unless its (…) wraps
        if kind is None and cur is not None:
            cur.text = join(cur.text, stripped)
        else:
            block = Block(kind or "text", stripped, pending_breaks)
            if block.kind == "struct" and (m := DIVISION_HEAD.match(stripped)):
                block.level = m.group(3)
            blocks.append(block)
            pending_breaks = 0
            _update_state(state, block.kind, stripped)
        after_blank = False
    if pending_breaks:
        blocks.append(Block("end", "", pending_breaks))
    return blocks


def split_article_head(text: str) -> tuple[str, str | None, str]:
    """`제15조의2(제목) 본문` → ("제15조의2", "제목", "본문"); the title may nest parentheses."""
    m = ARTICLE_HEAD.match(text)
    assert m is not None
    label, rest = m.group(0), text[m.end() :]
    if not rest.startswith("("):
        return label, None, rest.strip()
    depth = 0
    for i, ch in enumerate(rest):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return label, rest[1:i].strip(), rest[i + 1 :].strip()
    return label, None, rest.strip()  # unbalanced: keep everything as body


def render_statute(title: str, blocks: list[Block]) -> str:
    """Canonical statute markdown with one PAGE_BREAK line per page boundary."""
    out: list[str] = [f"# {title}"]
    in_addendum = False

    def heading(s: str) -> None:
        out.extend(["", s, ""])

    for b in blocks:
        out.extend([PAGE_BREAK] * b.page_breaks_before)
        if b.kind == "end":
            continue
        if b.kind == "struct" and not in_addendum:
            heading(f"{DIVISION_HEADING_MARK[b.level]} {b.text}")
        elif b.kind == "addendum":
            if not in_addendum:
                heading("## 부칙")
                in_addendum = True
            out.append(b.text)
        elif b.kind == "article" and not in_addendum:
            label, art_title, rest = split_article_head(b.text)
            heading(f"##### {label} ({art_title})" if art_title else f"##### {label}")
            if rest:
                out.append(rest)
        else:
            out.append(b.text)
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def find_body_start(lines: list[Line | None]) -> tuple[int, int | None]:
    """(index of the first body line, index of the title-block `[시행 …]` line).

    "조문 목차 포함" exports repeat the title block after the table of contents; the body
    follows the last title block before the first article that carries text."""
    first_article = next(
        (
            i
            for i, ln in enumerate(lines)
            if ln is not None
            and (m := ARTICLE_HEAD.match(ln.text.strip()))
            and ln.text.strip()[m.end() :].split(")", 1)[-1].strip()
        ),
        len(lines),
    )
    blocks_at = [
        i for i in range(first_article) if lines[i] is not None and TITLE_BLOCK.match(lines[i].text.strip())
    ]
    if not blocks_at:
        return 0, None
    tb = blocks_at[-1]
    i = tb + 1
    while i < len(lines):
        ln = lines[i]
        if ln is not None:
            s = ln.text.strip()
            if DIVISION_HEAD.match(s) or ARTICLE_HEAD.match(s) or ADDENDUM_START.match(s):
                break
        i += 1
    return i, tb


def load_statute_pdf(path: Path, pages: list[PdfPage]) -> LoadedDocument:
    header = _running_header(pages)
    page_lines = strip_page_furniture(pages, header)
    flat: list[Line | None] = []
    for i, lines in enumerate(page_lines):
        if i:
            flat.append(None)
        flat.extend(lines)
    start, tb = find_body_start(flat)
    title_line = block_line = ""
    contacts: list[str] = []
    if tb is not None:
        block_line = flat[tb].text.strip()  # type: ignore[union-attr]
        prev = next(
            (flat[j] for j in range(tb - 1, -1, -1) if flat[j] is not None and flat[j].text.strip()), None
        )
        title_line = prev.text.strip() if prev is not None else ""
        contacts = [ln.text.strip() for ln in flat[tb + 1 : start] if ln is not None and ln.text.strip()]
    meta = title_block_metadata(normalize_text(title_line), normalize_text(block_line), contacts, path.stem)
    title = meta.get("law_title") or header or title_from_stem(path.stem)
    meta["law_title"] = title
    # Everything before the body (cover, TOC pages) is dropped but its page breaks are kept.
    body: list[Line | None] = [None] * sum(1 for x in flat[:start] if x is None) + flat[start:]
    body_lines = [ln for ln in body if ln is not None]
    article_xs = [ln.x for ln in body_lines if ARTICLE_HEAD.match(ln.text) and not ln.text[:1].isspace()]
    article_x = min(article_xs) if article_xs else min((ln.x for ln in body_lines), default=0.0)
    corpus = "\n".join(normalize_text(ln.text.strip()) for ln in body_lines)
    blocks = build_blocks(body, article_x, make_joiner(corpus))
    text = render_statute(title, blocks)
    meta.update({"source_format": "pdf", "pages": len(pages), "source": "law.go.kr"})
    return LoadedDocument(str(path), title, "statute", text, meta, paged=True)
