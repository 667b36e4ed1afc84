"""Format checker for official documents (pure): 「행정업무의 운영 및 혁신에 관한 규정」 제7조 and
its 시행규칙 제2조·제4조.

Checked: item symbols (1. → 가. → 1) → 가) → (1) → (가) → ① → ㉮, ascending, no level skipped,
children indented; □ → ○ → - → ㆍ without skipping), the "끝." mark (once, one character space
after the last content or 붙임 line, nothing after it but the 결문), the 붙임 line (name and
quantity, numbered when two or more), the 두문 (수신, 제목) of a 공문, and — as warnings — dates
(``2026. 11. 24.``), times (``14:30``) and amounts (``금113,560원(금일십일만삼천오백육십원)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.chains.report_parts import placeholder_lines
from ingest.legal.marks import (
    ITEM_LEVELS,
    LEVEL_NAMES,
    SPECIAL_LEVELS,
    SPECIAL_LINE,
    SPECIAL_NAMES,
    item_ordinal,
    symbol_for,
)

# "끝" as the end mark: a token followed by a period or the end of the line ("끝나면" is not one).
_END_ANY = re.compile(r"(?:^|(?<=\s)|(?<=\.))끝(?:\s*\.|\s*$)")
_ATTACH = re.compile(r"^붙\s*임(\s*)(.*)$")
_QUANTITY = re.compile(r"\d+\s*(?:부|매|권|건|개|점|장|식|책|질)\.?(?:\s+끝\.)?\s*$")
_CLOSING = re.compile(
    r"^(?:발신\s*명의|기안자|검토자|협조자|결재권자|전결|대결|시행\s|접수\s|우\s|우편번호|전화|팩스|공개\s*구분|수신자\s|"
    r"\(?직위|\(?서명|홈페이지|전자우편|/\s*)"
)
_DATE_KOREAN = re.compile(r"\d{4}\s*년\s*\d{1,2}\s*월\s*\d{1,2}\s*일")
_DATE_TIGHT = re.compile(r"(?<![\d.])\d{4}\.\d{1,2}\.\d{1,2}\.?(?![\d])")
_DATE_DASH = re.compile(r"(?<![\d-])\d{4}-\d{1,2}-\d{1,2}(?![\d-])")
_TIME_KOREAN = re.compile(r"(?:오전|오후)\s*\d{1,2}\s*시(?:\s*\d{1,2}\s*분)?|\d{1,2}\s*시\s*\d{1,2}\s*분")
_AMOUNT = re.compile(r"(?<![\d,])(?:금\s*)?\d{1,3}(?:,\d{3})+원(?!\s*\()|(?<![\d,])금\s*\d+원(?!\s*\()")


@dataclass(frozen=True)
class FormatIssue:
    line: int  # 1-based line number, 0 for the whole document
    code: str
    message: str  # Korean, for the user
    severity: str = "error"  # "error" | "warning"


@dataclass(frozen=True)
class ItemLine:
    line: int
    indent: int  # in half-width columns (a full-width space counts 2)
    level: int  # 1–8 for the numbered hierarchy, 0 for none
    index: int  # ordinal of the symbol (1 for 1./가./①…)
    special: int = 0  # 1–4 for □ ○ - ㆍ
    symbol: str = ""


def _indent(raw: str) -> int:
    n = 0
    for ch in raw:
        if ch == " ":
            n += 1
        elif ch == "\u3000":
            n += 2
        elif ch == "\t":
            n += 4
        else:
            break
    return n


def parse_item(raw: str, line_no: int = 0) -> ItemLine | None:
    """The item symbol that starts a line, if any."""
    s = raw.strip()
    if not s:
        return None
    for level, pattern in ITEM_LEVELS:
        m = pattern.match(s)
        if m:
            if level == 1 and re.match(r"^\d{4}\.", s):
                return None  # a date ("2026. 11. 24.") at the start of a line
            return ItemLine(line_no, _indent(raw), level, item_ordinal(m.group(1)), symbol=m.group(0).strip())
    m = SPECIAL_LINE.match(s)
    if m:
        return ItemLine(line_no, _indent(raw), 0, 0, special=SPECIAL_LEVELS[m.group(1)], symbol=m.group(1))
    return None


def _expected_name(level: int, index: int) -> str:
    return symbol_for(level, index)


@dataclass
class _Regions:
    title_line: int | None
    content: list[int]  # line indices of the content (after 제목 / title, before 결문)
    attach: list[int]
    closing_start: int | None


def _regions(lines: list[str], kind: str) -> _Regions:
    title = next((i for i, ln in enumerate(lines) if re.match(r"^\s*제\s*목(\s|$)", ln)), None)
    if title is None and kind != "공문":
        title = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    start = (title + 1) if title is not None else 0
    end_line = next((i for i in range(len(lines) - 1, start - 1, -1) if _END_ANY.search(lines[i])), None)
    closing = None
    scan_from = (end_line + 1) if end_line is not None else start
    in_attach = False
    for i in range(scan_from, len(lines)):
        s = lines[i].strip()
        if not s:
            in_attach = False
            continue
        if _ATTACH.match(s) or (in_attach and parse_item(s)):
            in_attach = True  # a 붙임 block after the "끝." line: still the body (misplaced mark)
            continue
        if _CLOSING.match(s) or end_line is not None:
            closing = i
            break
    stop = closing if closing is not None else len(lines)
    attach: list[int] = []
    content: list[int] = []
    in_attach = False
    for i in range(start, stop):
        s = lines[i].strip()
        if not s:
            if attach and closing is None:
                closing = i  # the 붙임 block ends at a blank line; the 결문 follows
                break
            continue
        if _ATTACH.match(s):
            in_attach = True
        (attach if in_attach else content).append(i)
    return _Regions(title, content, attach, closing)


def check_format(text: str, kind: str = "공문") -> list[FormatIssue]:
    """Issues of a draft (``kind`` = "공문" or "보고서"); an empty list means it passes."""
    lines = text.split("\n")
    issues: list[FormatIssue] = []
    reg = _regions(lines, kind)
    if kind == "공문":
        if not any(re.match(r"^\s*수\s*신(\s|자|$)", ln) for ln in lines[: reg.title_line or len(lines)]):
            issues.append(
                FormatIssue(0, "recipient_missing", "두문에 수신란(수신  ○○○장 / 내부결재)이 없습니다.")
            )
        if reg.title_line is None:
            issues.append(FormatIssue(0, "title_missing", "본문에 '제목' 줄이 없습니다."))
    elif reg.title_line is None:
        issues.append(FormatIssue(0, "title_missing", "보고서 제목이 없습니다."))
    issues += _check_items(lines, reg.content)
    issues += _check_attachments(lines, reg.attach)
    issues += _check_end_mark(lines, reg)
    issues += _check_style(lines)
    issues += [
        FormatIssue(n, "placeholder", "채우지 않은 자리표시 '(내용 입력…)'가 남아 있습니다. 내용을 쓰세요.")
        for n in placeholder_lines(lines)
    ]
    return issues


def _check_items(lines: list[str], content: list[int]) -> list[FormatIssue]:
    issues: list[FormatIssue] = []
    stack: list[ItemLine] = []
    special: list[ItemLine] = []
    for i in content:
        item = parse_item(lines[i], i + 1)
        if item is None:
            continue
        if item.special:
            while special and special[-1].special > item.special:
                special.pop()
            if special and special[-1].special == item.special:
                special[-1] = item
            elif special and item.special > special[-1].special + 1:
                want = SPECIAL_NAMES[special[-1].special]
                issues.append(
                    FormatIssue(
                        item.line,
                        "symbol_skip",
                        f"'{item.symbol}' 앞에 상위 기호 '{want}'가 없습니다 (□ → ○ → - → ㆍ 순서).",
                    )
                )
                special.append(item)
            else:
                special.append(item)
            continue
        while stack and stack[-1].level > item.level:
            stack.pop()
        if stack and stack[-1].level == item.level:
            prev = stack[-1]
            if item.index != prev.index + 1:
                want = _expected_name(item.level, prev.index + 1)
                issues.append(
                    FormatIssue(
                        item.line,
                        "symbol_order",
                        f"항목 기호 '{item.symbol}'의 순서가 맞지 않습니다 ('{want}'이어야 합니다).",
                    )
                )
            if item.indent != prev.indent:
                issues.append(
                    FormatIssue(
                        item.line, "indent", "같은 단계의 항목은 같은 위치에서 시작해야 합니다.", "warning"
                    )
                )
            stack[-1] = item
            continue
        parent_level = stack[-1].level if stack else 0
        if item.level != parent_level + 1:
            want = LEVEL_NAMES[parent_level] if parent_level < len(LEVEL_NAMES) else "?"
            issues.append(
                FormatIssue(
                    item.line,
                    "symbol_level",
                    f"'{item.symbol}'는 '{want}' 단계가 와야 할 자리입니다 "
                    "(1. → 가. → 1) → 가) → (1) → (가) → ① → ㉮ 순서).",
                )
            )
        elif item.index != 1:
            want = _expected_name(item.level, 1)
            issues.append(
                FormatIssue(
                    item.line, "symbol_order", f"하위 항목은 '{want}'부터 시작해야 합니다 ('{item.symbol}')."
                )
            )
        if stack and item.indent <= stack[-1].indent:
            issues.append(
                FormatIssue(
                    item.line,
                    "indent",
                    "하위 항목은 상위 항목보다 오른쪽(2타)에서 시작해야 합니다.",
                    "warning",
                )
            )
        stack.append(item)
    return issues


def _check_attachments(lines: list[str], attach: list[int]) -> list[FormatIssue]:
    if not attach:
        return []
    issues: list[FormatIssue] = []
    first = lines[attach[0]].strip()
    m = _ATTACH.match(first)
    assert m is not None
    gap, rest = m.group(1), m.group(2)
    if rest.startswith((":", "：")):
        issues.append(
            FormatIssue(
                attach[0] + 1,
                "attachment_format",
                "'붙임' 다음에는 쌍점 없이 2타를 띄웁니다 (붙임  ○○○ 1부.).",
            )
        )
        rest = rest[1:].strip()
    elif not gap:
        issues.append(
            FormatIssue(
                attach[0] + 1, "attachment_format", "'붙임' 다음에 2타를 띄워야 합니다 (붙임  ○○○ 1부.)."
            )
        )
    elif len(gap) == 1:
        issues.append(
            FormatIssue(attach[0] + 1, "attachment_spacing", "'붙임' 다음에는 2타를 띄웁니다.", "warning")
        )
    entries = [rest] + [lines[i].strip() for i in attach[1:] if not re.fullmatch(r"끝\.?", lines[i].strip())]
    numbered = [parse_item(e) for e in entries]
    for k, (entry, item) in enumerate(zip(entries, numbered, strict=True)):
        line = attach[k] + 1 if k else attach[0] + 1
        if not _QUANTITY.search(entry):
            issues.append(
                FormatIssue(
                    line,
                    "attachment_format",
                    f"첨부물의 명칭과 수량을 적어야 합니다 (예: ○○ 계획서 1부.): '{entry}'",
                )
            )
        if len(entries) > 1 and (item is None or item.level != 1 or item.index != k + 1):
            issues.append(
                FormatIssue(
                    line,
                    "attachment_numbering",
                    f"첨부물이 둘 이상이면 '{k + 1}.'처럼 번호를 붙여야 합니다: '{entry}'",
                )
            )
    return issues


def _check_end_mark(lines: list[str], reg: _Regions) -> list[FormatIssue]:
    body = reg.content + reg.attach
    marks = [
        i
        for i in range(len(lines))
        if _END_ANY.search(lines[i]) and (reg.closing_start is None or i < reg.closing_start)
    ]
    if not marks:
        if any("이하 빈칸" in lines[i] for i in body):
            return []
        return [
            FormatIssue(0, "end_mark_missing", "본문(붙임이 있으면 붙임)의 마지막에 '끝.' 표시가 없습니다.")
        ]
    issues: list[FormatIssue] = []
    if len(marks) > 1:
        issues.append(
            FormatIssue(marks[0] + 1, "end_mark_repeated", "'끝.' 표시는 본문 마지막에 한 번만 씁니다.")
        )
    mark = marks[-1]
    last_body = max(body) if body else mark
    if mark < last_body:
        where = "붙임의 마지막 줄" if reg.attach and mark < max(reg.attach) else "본문의 마지막 줄"
        issues.append(FormatIssue(mark + 1, "end_mark_position", f"'끝.' 표시는 {where}에 붙어야 합니다."))
    stripped = lines[mark].rstrip()
    if not stripped.endswith("끝."):
        if stripped.endswith("끝"):
            issues.append(FormatIssue(mark + 1, "end_mark_form", "'끝' 다음에 온점을 찍어 '끝.'으로 씁니다."))
        else:
            issues.append(FormatIssue(mark + 1, "end_mark_form", "'끝.' 표시 뒤에는 아무것도 쓰지 않습니다."))
    pos = stripped.rfind("끝")
    before = stripped[:pos]
    if before.strip() and not before.endswith((" ", "\u3000")):
        issues.append(
            FormatIssue(mark + 1, "end_mark_spacing", "마지막 글자에서 한 글자(2타) 띄우고 '끝.'을 씁니다.")
        )
    elif not before.strip() and not before:
        issues.append(
            FormatIssue(
                mark + 1,
                "end_mark_spacing",
                "다음 줄에 쓰는 '끝.'은 왼쪽 기본선에서 한 글자 띄웁니다.",
                "warning",
            )
        )
    return issues


def _check_style(lines: list[str]) -> list[FormatIssue]:
    issues: list[FormatIssue] = []
    for i, line in enumerate(lines, start=1):
        for m in _DATE_KOREAN.finditer(line):
            issues.append(
                FormatIssue(
                    i, "date_format", f"날짜는 '2026. 11. 24.'처럼 온점으로 씁니다: '{m.group(0)}'", "warning"
                )
            )
        for m in list(_DATE_TIGHT.finditer(line)) + list(_DATE_DASH.finditer(line)):
            issues.append(
                FormatIssue(
                    i,
                    "date_format",
                    f"날짜는 연·월·일 사이를 띄어 '2026. 11. 24.'처럼 씁니다: '{m.group(0)}'",
                    "warning",
                )
            )
        for m in _TIME_KOREAN.finditer(line):
            issues.append(
                FormatIssue(
                    i, "time_format", f"시각은 24시각제로 '14:30'처럼 씁니다: '{m.group(0)}'", "warning"
                )
            )
        for m in _AMOUNT.finditer(line):
            issues.append(
                FormatIssue(
                    i,
                    "amount_format",
                    f"금액은 숫자 다음 괄호 안에 한글로도 적습니다 (예: 금113,560원(금일십일만삼천오백육십원)): '{m.group(0)}'",
                    "warning",
                )
            )
    return issues


def errors(issues: list[FormatIssue]) -> list[FormatIssue]:
    return [i for i in issues if i.severity == "error"]
