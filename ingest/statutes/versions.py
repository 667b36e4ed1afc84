"""Article versions of a statute: what changed between two file versions, which version was in
force on a date (행위시법), and the side-by-side comparison (신구조문 대비). Pure functions over
statute markdown text (legalize-kr export: YAML front matter + markdown)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from ingest.documents.chunking import split_articles
from ingest.documents.loaders.text import split_front_matter
from ingest.legal.metadata import front_matter_metadata

_REPEALED = re.compile(r"^\s*삭제\s*(?:<[^>]*>)?\s*$")


def effective_date(markdown: str) -> str:
    """시행일자 (YYYY-MM-DD) of a statute file; "" when its front matter has none."""
    fm, _ = split_front_matter(markdown)
    return front_matter_metadata(fm).get("effective_date", "") if fm else ""


def article_texts(markdown: str) -> dict[str, str]:
    """Article label → text ("(제목)\\n본문") of a statute file, 부칙 left out. A label the export
    repeats (branch articles written as a second 제N조) gets "#2", "#3" … appended."""
    _, body = split_front_matter(markdown)
    out: dict[str, str] = {}
    for sec in split_articles(body):
        if sec.is_addendum or not sec.label:
            continue
        key, n = sec.label, 1
        while key in out:
            n += 1
            key = f"{sec.label}#{n}"
        text = "\n".join(line for line in sec.lines if line.strip()).strip()
        out[key] = f"({sec.title})\n{text}" if sec.title else text
    return out


def is_repealed(text: str) -> bool:
    """An article kept only as "삭제 <2021. 1. 12.>"."""
    body = text.split("\n", 1)[1] if text.startswith("(") and "\n" in text else text
    return bool(_REPEALED.match(body)) or not body.strip()


@dataclass
class ArticleChanges:
    """Articles added, amended and repealed between two versions of one statute file."""

    added: list[str] = field(default_factory=list)
    amended: list[str] = field(default_factory=list)
    repealed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.amended or self.repealed)


def compare_articles(old: dict[str, str], new: dict[str, str]) -> ArticleChanges:
    """Classify the articles that differ between two `article_texts` maps."""
    changes = ArticleChanges()
    for label, text in new.items():
        before = old.get(label)
        if before is None or is_repealed(before):
            if not is_repealed(text):
                changes.added.append(label)
        elif before != text:
            (changes.repealed if is_repealed(text) else changes.amended).append(label)
    changes.repealed.extend(lb for lb, text in old.items() if lb not in new and not is_repealed(text))
    return changes


# --- versions in force (행위시법) -----------------------------------------------------------


@dataclass(frozen=True)
class ArticleVersion:
    """One text of an article and when it was in force: valid_from ≤ day < valid_to."""

    text: str
    valid_from: str  # 시행일자 of the file version that introduced this text
    valid_to: str  # 시행일자 of the next differing text; "" while in force
    commit: str  # commit that introduced it
    promulgated: str  # that commit's date (공포일자)


def article_versions(versions: list[tuple[str, str, str]], article: str) -> list[ArticleVersion]:
    """Texts of `article` over file versions [(commit, commit date, markdown)], oldest first;
    consecutive identical texts are merged. A version in which the article is absent or
    repealed ends the previous text's validity (and starts none)."""
    out: list[ArticleVersion] = []
    current: ArticleVersion | None = None
    for commit, date, markdown in versions:
        start = effective_date(markdown) or date
        text = article_texts(markdown).get(article)
        if text is not None and is_repealed(text):
            text = None
        if current is not None and text == current.text:
            continue
        if current is not None:
            out.append(
                ArticleVersion(current.text, current.valid_from, start, current.commit, current.promulgated)
            )
            current = None
        if text is not None:
            current = ArticleVersion(text, start, "", commit, date)
    if current is not None:
        out.append(current)
    return out


def version_on(versions: list[ArticleVersion], day: str) -> ArticleVersion | None:
    """The version in force on `day` (YYYY-MM-DD), None when the article did not exist then."""
    for v in versions:
        if v.valid_from <= day and (not v.valid_to or day < v.valid_to):
            return v
    return None


def last_change(versions: list[ArticleVersion]) -> tuple[ArticleVersion, ArticleVersion] | None:
    """(previous, latest) texts of an article whose latest text replaced an earlier one; None
    when there is no earlier text (first version known, or only one). The previous text is the
    last one that was actually in force: a text superseded on the day it took effect is skipped."""
    if len(versions) < 2:
        return None
    latest, earlier = versions[-1], versions[:-1]
    in_force = [v for v in earlier if not v.valid_to or v.valid_from < v.valid_to]
    return (in_force or earlier)[-1], latest


def change_date(version: ArticleVersion) -> str:
    """The day a text was enacted: its promulgation (공포일), else the day it took effect."""
    return version.promulgated or version.valid_from


def changed_within(
    versions: list[ArticleVersion], today: str, days: int
) -> tuple[ArticleVersion, ArticleVersion] | None:
    """`last_change` when the latest text was enacted on or after `today` - `days` (a date later
    than today counts too: a change promulgated for a future date is recent)."""
    change = last_change(versions)
    if change is None or days < 0:
        return None
    since = (dt.date.fromisoformat(today) - dt.timedelta(days=days)).isoformat()
    return change if change_date(change[1]) >= since else None


def versions_from_chunks(chunks: list[tuple[str, dict]]) -> list[ArticleVersion]:
    """Article versions from the index: the chunks (text, metadata) of one article, current and
    past (`valid_to` set, ``sync --history``), oldest first. Parts of one version are joined;
    consecutive identical texts merged. The index keeps no commit or 공포일, only 시행일."""
    by_start: dict[str, dict[int, str]] = {}
    ends: dict[str, str] = {}
    for text, meta in chunks:
        start = str(meta.get("valid_from") or meta.get("effective_date") or "")
        body = text.split("\n", 1)[1] if "\n" in text else ""
        title = str(meta.get("article_title") or "")
        part = int(meta.get("part", 1) or 1)
        by_start.setdefault(start, {})[part] = f"({title})\n{body}" if title and part == 1 else body
        ends[start] = str(meta.get("valid_to") or "")
    out: list[ArticleVersion] = []
    for start in sorted(by_start):
        text = "\n".join(t for _, t in sorted(by_start[start].items())).strip()
        if out and out[-1].text == text:
            prev = out.pop()
            out.append(ArticleVersion(text, prev.valid_from, ends[start], "", ""))
            continue
        out.append(ArticleVersion(text, start, ends[start], "", ""))
    return out


# --- 신구조문 대비 ---------------------------------------------------------------------------


Parts = tuple[tuple[str, bool], ...]  # (text, changed) runs of one side of a row


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side comparison. `tag` is equal / replace / delete / insert; the
    marked texts wrap changed characters as [-…-] (old side) and {+…+} (new side); the parts
    are the same runs as (text, changed) pairs, for renderers that must not parse the marks."""

    old: str
    new: str
    tag: str
    old_marked: str
    new_marked: str
    old_parts: Parts = ()
    new_parts: Parts = ()


Opcode = tuple[str, int, int, int, int]


def _coalesce(ops: list[Opcode]) -> list[Opcode]:
    """Join changes separated by one unchanged character (a space or a shared syllable), so a
    rewritten phrase reads as one change instead of fragments."""
    out: list[Opcode] = []
    for k, op in enumerate(ops):
        tag, i1, i2, j1, j2 = op
        between = 0 < k < len(ops) - 1 and out and out[-1][0] != "equal" and ops[k + 1][0] != "equal"
        if tag == "equal" and between and i2 - i1 <= 1:
            tag = "replace"
        if tag != "equal" and out and out[-1][0] != "equal":
            _, p1, _, q1, _ = out.pop()
            out.append(("replace", p1, i2, q1, j2))
        else:
            out.append((tag, i1, i2, j1, j2))
    return out


def _char_parts(old: str, new: str) -> tuple[Parts, Parts]:
    """Character-level runs: Korean particles and endings attach to words, so a word diff would
    flag whole 어절 for a one-character change."""
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    a: list[tuple[str, bool]] = []
    b: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in _coalesce(sm.get_opcodes()):
        if i2 > i1:
            a.append((old[i1:i2], tag != "equal"))
        if j2 > j1:
            b.append((new[j1:j2], tag != "equal"))
    return tuple(a), tuple(b)


def _marked(parts: Parts, opener: str, closer: str) -> str:
    return "".join(f"{opener}{t}{closer}" if changed else t for t, changed in parts)


def side_by_side(old: str, new: str) -> list[DiffRow]:
    """Rows comparing two article texts line by line (항·호 are lines), changed lines paired."""
    a, b = old.split("\n") if old else [], new.split("\n") if new else []
    rows: list[DiffRow] = []
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            rows.extend(DiffRow(x, x, "equal", x, x, ((x, False),), ((x, False),)) for x in a[i1:i2])
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            o = olds[k] if k < len(olds) else ""
            n = news[k] if k < len(news) else ""
            row_tag = "replace" if o and n else ("delete" if o else "insert")
            op, np_ = (
                _char_parts(o, n)
                if row_tag == "replace"
                else (((o, True),) if o else (), ((n, True),) if n else ())
            )
            rows.append(DiffRow(o, n, row_tag, _marked(op, "[-", "-]"), _marked(np_, "{+", "+}"), op, np_))
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap(text: str, width: int) -> list[str]:
    lines, buf = [], ""
    for ch in text:
        if _width(buf + ch) > width:
            lines.append(buf)
            buf = ""
        buf += ch
    return [*lines, buf] if buf or not lines else lines


def format_side_by_side(rows: list[DiffRow], old_label: str, new_label: str, width: int = 48) -> str:
    """Plain-text two-column table (종전 | 개정) with changes marked, for the CLI."""

    def pad(s: str) -> str:
        return s + " " * (width - _width(s))

    out = [f"  {pad(old_label)} │ {new_label}", "─" * (width * 2 + 5)]
    for row in rows:
        mark = " " if row.tag == "equal" else "*"
        left, right = _wrap(row.old_marked, width), _wrap(row.new_marked, width)
        for k in range(max(len(left), len(right))):
            lt = left[k] if k < len(left) else ""
            rt = right[k] if k < len(right) else ""
            out.append(f"{mark if k == 0 else ' '} {pad(lt)} │ {rt}")
    return "\n".join(out)


# --- past file versions kept in the index ---------------------------------------------------


@dataclass(frozen=True)
class PastFile:
    """A whole statute file as it was in force from valid_from until (excluding) valid_to."""

    valid_from: str
    valid_to: str
    commit: str
    markdown: str  # with 시행종료일자 added to its front matter


def mark_past(markdown: str, valid_to: str) -> str:
    """The file with `시행종료일자: valid_to` in its front matter (what the loader reads as the end
    of validity)."""
    if not markdown.startswith("---"):
        raise ValueError("법령 파일에 머리말(front matter)이 없습니다")
    first, rest = markdown.split("\n", 1)
    return f"{first}\n시행종료일자: {valid_to}\n{rest}"


def past_file_versions(versions: list[tuple[str, str, str]], since: str = "") -> list[PastFile]:
    """Versions of one statute file that are no longer in force, from [(commit, commit date,
    markdown)] oldest first. A later commit with the same 시행일자 replaces the earlier text; a
    version superseded before it took effect is dropped; with `since`, only versions still in
    force on or after that date are kept (bounds the index growth)."""
    by_start: list[tuple[str, str, str]] = []  # (시행일자, commit, markdown)
    for commit, date, markdown in versions:
        start = effective_date(markdown) or date
        while by_start and by_start[-1][0] >= start:
            by_start.pop()  # never in force on its own
        by_start.append((start, commit, markdown))
    out = []
    for (start, commit, markdown), (end, _, _) in zip(by_start, by_start[1:], strict=False):
        if not since or end > since:
            out.append(PastFile(start, end, commit, mark_past(markdown, end)))
    return out
