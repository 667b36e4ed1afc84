"""PDF files via pypdf.

Two paths: law.go.kr statute PDFs (detected by their footer) are rebuilt into canonical
statute markdown; every other PDF is a guideline whose lines are cleaned but kept as laid out.
Either way the text holds one PAGE_BREAK line between consecutive pages.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from assistant.numbering import HANGUL_ORDER_LONG
from ingest.loaders.textnorm import MIDDLE_DOT, normalize_text, tidy_lines, title_from_stem
from ingest.model import PAGE_BREAK, ErrorKind, LoadedDocument, LoaderError, LoadLimits, check_text_budget

log = logging.getLogger(__name__)

OCR_REASON = "텍스트 레이어가 없습니다 (no text layer — OCR needed, 스캔 문서 {pages}쪽)"
MIN_TEXT_CHARS = 20  # fewer visible characters in the whole file = an image-only scan


@dataclass(frozen=True)
class Line:
    x: float  # start x in PDF user space (points)
    y: float
    text: str  # as extracted, leading spaces kept (law.go.kr indents headings with spaces)


@dataclass
class PdfPage:
    text: str  # pypdf's own layout of the page
    lines: list[Line]  # the same text, grouped by baseline, with x positions


# ---------------------------------------------------------------------------------------------
# Reading


def check_page_count(name: str, n_pages: int, max_pages: int) -> None:
    """Refuse a PDF over the page limit before any page is parsed (≈40 ms each)."""
    if n_pages > max_pages:
        raise LoaderError(name, f"PDF 쪽수 제한 초과: {n_pages:,}쪽 > {max_pages:,}쪽", ErrorKind.PAGES)


def open_reader(source: Path | IO[bytes], name: str) -> Any:
    """A decrypted pypdf reader of a file or an in-memory upload; LoaderError (naming `name`)
    when it is corrupt, locked or has no pages."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError, PyPdfError

    try:
        reader = PdfReader(source if not isinstance(source, Path) else str(source))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")  # owner-password-only PDFs open with the empty password
            except DependencyError as exc:
                raise LoaderError(
                    name, "암호화된 PDF입니다 (AES 해독에 필요한 cryptography 패키지가 없습니다)"
                ) from exc
            if not ok:
                raise LoaderError(
                    name,
                    "암호화된 PDF입니다 (열람 암호가 필요해 내용을 읽을 수 없습니다)",
                    ErrorKind.ENCRYPTED,
                )
        n_pages = len(reader.pages)
    except LoaderError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoaderError(name, f"PDF가 손상되어 열 수 없습니다: {type(exc).__name__}: {exc}") from exc
    if n_pages == 0:
        raise LoaderError(name, "PDF에 페이지가 없습니다 (손상되었거나 잘린 파일)")
    return reader


def _extract_page(page: Any, mode: str) -> PdfPage:
    """One page in `mode`: "plain" (pypdf's default), "layout" (spaces from glyph positions) or
    "lines" (plain, plus the text operators grouped by baseline with their start x, collected
    in the same pass through the visitor)."""
    if mode == "layout":
        return PdfPage(page.extract_text(extraction_mode="layout") or "", [])
    if mode == "plain":
        return PdfPage(page.extract_text() or "", [])
    items: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, _size: Any) -> None:
        if text:
            items.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text))

    text = page.extract_text(visitor_text=visit) or ""
    lines: list[Line] = []
    for x, y, s in items:
        s = s.replace("\n", "")
        if lines and abs(lines[-1].y - y) < 1:  # same baseline: another run of the same line
            last = lines.pop()
            lines.append(Line(last.x, last.y, last.text + s))
        else:
            lines.append(Line(x, y, s))
    return PdfPage(text, lines)


def _safe_extract(page: Any, mode: str, path: Path, number: int) -> PdfPage | None:
    try:
        return _extract_page(page, mode)
    except Exception as exc:  # pypdf raises many types on broken content streams
        log.warning("%s: page %d unreadable: %s", path, number, exc)
        return None


def read_pages(reader: Any, path: Path, mode: str, done: list[PdfPage] | None = None) -> list[PdfPage]:
    """Every page's text (reusing `done`, pages already extracted in this mode); a page pypdf
    cannot parse becomes an empty page, not a failed file."""
    pages = list(done or [])
    failed = 0
    for number, page in enumerate(reader.pages[len(pages) :], start=len(pages) + 1):
        extracted = _safe_extract(page, mode, path, number)
        failed += extracted is None
        pages.append(extracted or PdfPage("", []))
    if failed and failed == len(pages):
        raise LoaderError(
            str(path), f"PDF의 모든 페이지({failed}쪽)에서 텍스트를 읽지 못했습니다 (손상된 파일?)"
        )
    return pages


# ---------------------------------------------------------------------------------------------
# Statute PDFs from law.go.kr

FOOTER = re.compile(r"^\s*법제처\s+\d+\s+국가법령정보센터\s*$", re.M)
_TITLE_BLOCK = re.compile(
    r"^\[시행\s*(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})\.?\]\s*"
    r"\[(.+?)\s+제\s*([\d-]+)\s*호,\s*(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})\.?,?\s*([^\]]*)\]"
)
_FILENAME = re.compile(r"^(.+?)\(([^()]+)\)\(제([\d-]+)호\)\((\d{4})(\d{2})(\d{2})\)$")
_ABBREV = re.compile(r"\(\s*약칭\s*:\s*(.+?)\s*\)")
_STRUCT = re.compile(r"^제(\d+)(?:의(\d+))?([편장절관])(?:\s|$)")
_ADDENDUM = re.compile(r"^부\s*칙(?:\s|<|\(|$)")
_ARTICLE = re.compile(r"^제(\d+)조(?:의(\d+))?(?=\(|\s|$)")
_PARAGRAPH = re.compile("^[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]")
_ITEM = re.compile(r"^(\d+)(?:의(\d+))?\.(?:\s|$)")
_SUBITEM = re.compile(r"^([가-힣])(?:의(\d+))?\.(?:\s|$)")
_SUBSUB_NUM = re.compile(r"^(\d+)\)(?:\s|$)")
_SUBSUB_LETTER = re.compile(r"^([가-힣])\)(?:\s|$)")
_CLOSING = set(")]}>.,;:”’」』〉》】" + MIDDLE_DOT)
_LETTERS = HANGUL_ORDER_LONG
_HEADING_MARK = {"편": "#", "장": "##", "절": "###", "관": "####"}


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


def _iso(y: str, m: str, d: str) -> str:
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def normalize_law_type(kind: str) -> str:
    """`개인정보보호위원회고시` → 고시; 법률/대통령령/총리령/…부령 stay as written."""
    kind = kind.strip()
    for suffix in ("고시", "훈령", "예규", "지침"):
        if kind.endswith(suffix):
            return suffix
    return kind


def statute_metadata(title_line: str, block_line: str, contacts: list[str], stem: str) -> dict[str, str]:
    """law_title, law_type, effective_date, … from the title block, falling back to the
    law.go.kr file name pattern `법령명(법률)(제20897호)(20251002)`."""
    meta: dict[str, str] = {}
    fm = _FILENAME.match(stem)
    if fm:
        meta["law_title"] = fm.group(1).strip()
        meta["law_type"] = normalize_law_type(fm.group(2))
        meta["law_number"] = fm.group(3)
        meta["effective_date"] = _iso(fm.group(4), fm.group(5), fm.group(6))
    if abbrev := _ABBREV.search(title_line):
        meta["abbreviation"] = abbrev.group(1).strip()
    name = _ABBREV.sub("", title_line).strip()
    if name:
        meta["law_title"] = re.sub(r"\s+", " ", name)
    if tb := _TITLE_BLOCK.match(block_line):
        meta["effective_date"] = _iso(*tb.group(1, 2, 3))
        meta["law_type"] = normalize_law_type(tb.group(4))
        meta["law_number"] = tb.group(5)
        meta["promulgated_date"] = _iso(*tb.group(6, 7, 8))
        if tb.group(9).strip():
            meta["revision_type"] = tb.group(9).strip()
    ministries = []
    for c in contacts:
        org = c.split("(", 1)[0].strip()
        if org and "(" in c and org not in ministries and not re.search(r"\d", org):
            ministries.append(org)
    if ministries:
        meta["ministry"] = ", ".join(ministries)
    return meta


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


@lru_cache(maxsize=1)
def _kiwi() -> Any:
    try:
        from kiwipiepy import Kiwi

        return Kiwi()
    except Exception:  # optional (import or model load failed): undecided joins get no space
        log.warning("kiwipiepy unavailable; wrapped statute lines default to no space")
        return None


def kiwi_wants_space(left: str, right: str) -> bool:
    """Ask Kiwi's spacing model whether a space belongs between `left` and `right`."""
    kiwi = _kiwi()
    if kiwi is None:
        return False
    left, right = left[-12:], right[:12]
    spaced = kiwi.space(left + right, reset_whitespace=False)
    target = len(left) - left.count(" ")  # non-space characters before the junction
    seen = 0
    for ch in spaced:
        if seen == target:
            return ch == " "
        if ch != " ":
            seen += 1
    return False


_CITATION_END = re.compile(r"제\d+(?:조|항|호)(?:의\d+)?$")
_CITATION_START = re.compile(r"^제\d+")
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
        if b in _CLOSING or (_CITATION_END.search(prev) and _CITATION_START.match(nxt)):
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
    if _STRUCT.match(stripped) and (raw_indent or line.x <= article_x - 2):
        return "struct"
    if _ADDENDUM.match(stripped) and (raw_indent or line.x > article_x + 20):
        return "addendum"
    if _ARTICLE.match(stripped) and line.x <= article_x + 6:
        return "article"
    if _PARAGRAPH.match(stripped):
        return "para"
    if m := _ITEM.match(stripped):
        num, branch = int(m.group(1)), int(m.group(2)) if m.group(2) else None
        if _next_item_ok(state, num, branch):
            return "item"
    if (m := _SUBITEM.match(stripped)) and m.group(2) is None and _letter_ok(state.sub, m.group(1)):
        return "subitem"
    if (m := _SUBSUB_NUM.match(stripped)) and int(m.group(1)) == (state.subsub_num or 0) + 1:
        return "subsub"
    if (m := _SUBSUB_LETTER.match(stripped)) and _letter_ok(state.subsub_letter, m.group(1)):
        return "subsub"
    if stripped.startswith("["):
        return "tag"
    return None


def _update_state(state: _ListState, kind: str, stripped: str) -> None:
    if kind in ("article", "para", "addendum", "struct"):
        state.reset("item")
    elif kind == "item" and (m := _ITEM.match(stripped)):
        state.item = (int(m.group(1)), int(m.group(2)) if m.group(2) else 0)
        state.reset("sub")
    elif kind == "subitem" and (m := _SUBITEM.match(stripped)):
        state.sub = _LETTERS.find(m.group(1))
        state.reset("subsub_num")
    elif kind == "subsub":
        if m := _SUBSUB_NUM.match(stripped):
            state.subsub_num = int(m.group(1))
        elif m := _SUBSUB_LETTER.match(stripped):
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
            if block.kind == "struct" and (m := _STRUCT.match(stripped)):
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
    m = _ARTICLE.match(text)
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
            heading(f"{_HEADING_MARK[b.level]} {b.text}")
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
            and (m := _ARTICLE.match(ln.text.strip()))
            and ln.text.strip()[m.end() :].split(")", 1)[-1].strip()
        ),
        len(lines),
    )
    blocks_at = [
        i for i in range(first_article) if lines[i] is not None and _TITLE_BLOCK.match(lines[i].text.strip())
    ]
    if not blocks_at:
        return 0, None
    tb = blocks_at[-1]
    i = tb + 1
    while i < len(lines):
        ln = lines[i]
        if ln is not None:
            s = ln.text.strip()
            if _STRUCT.match(s) or _ARTICLE.match(s) or _ADDENDUM.match(s):
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
    meta = statute_metadata(normalize_text(title_line), normalize_text(block_line), contacts, path.stem)
    title = meta.get("law_title") or header or title_from_stem(path.stem)
    meta["law_title"] = title
    # Everything before the body (cover, TOC pages) is dropped but its page breaks are kept.
    body: list[Line | None] = [None] * sum(1 for x in flat[:start] if x is None) + flat[start:]
    body_lines = [ln for ln in body if ln is not None]
    article_xs = [ln.x for ln in body_lines if _ARTICLE.match(ln.text) and not ln.text[:1].isspace()]
    article_x = min(article_xs) if article_xs else min((ln.x for ln in body_lines), default=0.0)
    corpus = "\n".join(normalize_text(ln.text.strip()) for ln in body_lines)
    blocks = build_blocks(body, article_x, make_joiner(corpus))
    text = render_statute(title, blocks)
    meta.update({"source_format": "pdf", "pages": len(pages), "source": "law.go.kr"})
    return LoadedDocument(str(path), title, "statute", text, meta, paged=True)


# ---------------------------------------------------------------------------------------------
# Guideline PDFs

_BULLETS = set("◇◆※*•□■○●◎◦▪▫▶►▷‣➡⇒➢-–∙" + MIDDLE_DOT)
_LEADER_ONLY = re.compile(rf"^[\s.{MIDDLE_DOT}…‥]+$")
_LEADER_RUN = re.compile(rf"\s*[.{MIDDLE_DOT}…‥]{{3,}}\s*")
_PAGE_NUMBER = re.compile(r"^[-–—]?\s*\d{1,4}\s*[-–—]?$|^\d{1,4}\s*/\s*\d{1,4}$")
_DIGITS = re.compile(r"\d+")
_HANGUL_RUN = re.compile("[가-힣]+")
# Justified Hancom-PDF text positions words without space glyphs; pypdf's plain mode then
# glues whole lines together (서울 기본계획: 5.3 syllables per run against ~3 in normal prose).
GLUED_RUN_LENGTH = 3.6


def mean_hangul_run(text: str) -> float:
    runs = _HANGUL_RUN.findall(text)
    return sum(map(len, runs)) / len(runs) if len(runs) >= 20 else 0.0


def respace_glued_pages(reader: Any, pages: list[PdfPage]) -> list[str]:
    """Plain page texts, except pages whose words are glued together: those are re-extracted
    in layout mode, which places spaces from glyph positions."""
    texts = []
    for page, extracted in zip(reader.pages, pages, strict=True):
        text = extracted.text
        if mean_hangul_run(text) > GLUED_RUN_LENGTH:
            layout = _safe_extract(page, "layout", Path("?"), 0)
            if layout is not None and mean_hangul_run(layout.text) < mean_hangul_run(text):
                text = layout.text
        texts.append(text)
    return texts


def _furniture_keys(lines: list[str]) -> set[str]:
    """Digit-masked first/last two lines of a page: candidates for running headers/footers."""
    nonblank = [ln.strip() for ln in lines if ln.strip()]
    return {_DIGITS.sub("#", ln) for ln in nonblank[:2] + nonblank[-2:]}


def clean_guideline_page(lines: list[str], furniture: set[str]) -> list[str]:
    """Drop running headers/footers, page numbers and leader-dot lines; join lone bullets.
    Lines are left-trimmed so headings (Ⅰ./1./가./□/○) start their line."""
    lines = [ln.strip() for ln in lines]
    nonblank = [i for i, ln in enumerate(lines) if ln]
    edges = set(nonblank[:2] + nonblank[-2:])
    out: list[str] = []
    for i, s in enumerate(lines):
        if i in edges and (_DIGITS.sub("#", s) in furniture or _PAGE_NUMBER.match(s)):
            continue
        if s and _LEADER_ONLY.match(s):
            continue
        out.append(_LEADER_RUN.sub(" ", s).strip() if len(s) > 3 else s)
    joined: list[str] = []
    for s in out:
        if joined and joined[-1] in _BULLETS and s:
            joined[-1] = f"{joined[-1]} {s}"  # a bullet extracted on its own line
        else:
            joined.append(s)
    return joined


def load_guideline_pdf(
    path: Path,
    reader: Any,
    pages: list[PdfPage],
    respace: bool,
    ocr_done: set[int] | None = None,
    tables: dict[int, list[str]] | None = None,
) -> LoadedDocument:
    texts = respace_glued_pages(reader, pages) if respace else [p.text for p in pages]
    for i in ocr_done or ():  # OCR text has no glyph positions to re-space from
        texts[i] = pages[i].text
    page_lines = [normalize_text(t).split("\n") for t in texts]
    keys = Counter(k for lines in page_lines for k in _furniture_keys(lines))
    threshold = max(3, int(0.3 * len(pages)) + 1)
    furniture = {k for k, n in keys.items() if n >= threshold and len(k) > 2}
    cleaned = [tidy_lines("\n".join(clean_guideline_page(lines, furniture))) for lines in page_lines]
    for i, block in (tables or {}).items():  # rows with headers after the page's flat text
        cleaned[i] = "\n".join([cleaned[i], *(normalize_text(ln) for ln in block)])
    text = f"\n{PAGE_BREAK}\n".join(cleaned)
    meta = {"source_format": "pdf", "pages": len(pages)}
    title = title_from_stem(path.stem) or path.stem
    return LoadedDocument(str(path), title, "guideline", text, meta, paged=True)


# ---------------------------------------------------------------------------------------------


PROBE_PAGES = 5


def _require_text(path: Path, pages: list[PdfPage], limits: LoadLimits) -> None:
    check_text_budget(str(path), sum(len(p.text) for p in pages), limits)
    visible = sum(1 for p in pages for ch in p.text if not ch.isspace())
    if visible < MIN_TEXT_CHARS:
        raise LoaderError(str(path), OCR_REASON.format(pages=len(pages)), ErrorKind.NO_TEXT)


def _tables(path: Path, wanted: bool, skip: set[int]) -> dict[int, list[str]]:
    if not wanted:
        return {}
    from ingest.loaders.pdf_tables import pdf_table_blocks

    return pdf_table_blocks(path, skip)


def _ocr_guideline(
    path: Path, reader: Any, pages: list[PdfPage], respace: bool, limits: LoadLimits
) -> LoadedDocument:
    """A guideline PDF whose pages without a text layer were read by OCR (when enabled); a
    file left without any text raises LoaderError (OCR needed / no text found)."""
    from ingest.loaders.pdf_ocr import ocr_pdf_pages, pages_to_ocr

    ocr, tables = limits.ocr, limits.pdf_tables
    if not ocr.enabled:
        _require_text(path, pages, limits)
        return load_guideline_pdf(path, reader, pages, respace, tables=_tables(path, tables, set()))
    result = ocr_pdf_pages(path, pages_to_ocr([p.text for p in pages], ocr.min_page_chars), ocr)
    for index, text in result.texts.items():
        pages[index] = PdfPage(text, [])
    check_text_budget(str(path), sum(len(p.text) for p in pages), limits)
    visible = sum(1 for p in pages for ch in p.text if not ch.isspace())
    if visible < MIN_TEXT_CHARS:
        reason = result.warnings[0] if result.warnings else f"OCR 결과 {visible}자"
        raise LoaderError(str(path), f"스캔 PDF에서 글자를 찾지 못했습니다 ({reason})", ErrorKind.NO_TEXT)
    done = set(result.texts)
    doc = load_guideline_pdf(path, reader, pages, respace, done, _tables(path, tables, done))
    doc.ocr_pages = result.confidences
    doc.warnings = result.warnings
    if result.texts:
        doc.metadata.update(ocr_page_count=len(result.texts), ocr_seconds=round(result.seconds, 2))
    return doc


def load_pdf(path: Path, limits: LoadLimits) -> LoadedDocument:
    """Load a PDF; pages without a text layer are read by OCR when ``limits.ocr`` is enabled (a
    text PDF is never OCR'd), otherwise image-only scans raise LoaderError (OCR needed). With
    ``limits.pdf_tables``, ruled tables of guideline PDFs are added as rows with headers.

    The first pages decide how the rest is read, so that no page is parsed more often than
    needed (pypdf needs ~40 ms per page): law.go.kr statutes with line positions; guidelines
    whose justified text comes out glued in plain mode entirely in layout mode; other
    guidelines in plain mode, re-reading only their glued pages in layout mode."""
    reader = open_reader(path, str(path))
    check_page_count(str(path), len(reader.pages), limits.max_pdf_pages)
    n_probe = min(PROBE_PAGES, len(reader.pages))
    probe = [_safe_extract(reader.pages[i], "plain", path, i + 1) or PdfPage("", []) for i in range(n_probe)]
    if is_law_go_kr(probe):
        pages = read_pages(reader, path, "lines")
        _require_text(path, pages, limits)
        return load_statute_pdf(path, pages)
    glued = sum(1 for p in probe if mean_hangul_run(p.text) > GLUED_RUN_LENGTH)
    if glued >= max(2, (n_probe + 1) // 2):
        pages = read_pages(reader, path, "layout")
        return _ocr_guideline(path, reader, pages, False, limits)
    pages = read_pages(reader, path, "plain", done=probe)
    return _ocr_guideline(path, reader, pages, True, limits)
