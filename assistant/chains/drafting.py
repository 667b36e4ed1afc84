"""First drafts of 공문 (기안문/시행문) and 개조식 보고서 following 「행정업무의 운영 및 혁신에 관한
규정」 and its 시행규칙 (see /work/shared/docs/official-documents.md).

The program owns the form — 두문 (행정기관명, 수신, 경유), 제목, item symbols, 붙임, "끝." and the
결문 placeholders — and the LLM (when there is one) only writes the content lines, as indented
plain lines that the program numbers. So the form is right even when the model is weak, and the
format checker runs on every draft. Retrieved provisions are inserted as 관련 근거; article
references the model writes are checked against them like answer citations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from assistant.chains.citations import FLAG, check_citations
from assistant.chains.context import ChainContext
from assistant.chains.docx_export import draft_docx_bytes
from assistant.chains.format_check import FormatIssue, check_format
from assistant.chains.hwpx_export import draft_hwpx_bytes
from assistant.chains.prompts import ECHO_REASON, draft_messages, looks_like_prompt_echo
from assistant.chains.qa import has_evidence, highlight, is_adequate, judge_sources, retrieve_sources
from assistant.chains.report_parts import REPORT_SECTIONS, placeholder, report_sections
from assistant.chains.types import Mode, Source
from assistant.llm import Generation, describe_llm_error, stream_chat
from assistant.search.retrieval import SearchFilters
from assistant.security.pii import mask_personal_data, should_mask_for_llm
from ingest.legal.marks import DRAFT_LEAD_MARK, symbol_for

DocKind = Literal["공문", "보고서"]
END_MARK = "  끝."  # one character (2 half-width columns) after the last character
SUMMARY_SECTION = "요약"
BASIS_SECTION = "관련 근거"
PLACEHOLDER = "(내용 입력)"
INDENT = "  "  # each lower item starts 2 columns to the right of its parent
_REPORT_SYMBOLS = ("○", "-", "ㆍ")
_REPORT_INDENT = (" ", "   ", "     ")
_MAX_LINES = 20


@dataclass
class DraftRequest:
    """What the user typed into the drafting form."""

    kind: DocKind = "공문"
    subject: str = ""
    recipient: str = ""  # "○○구청장(총무과장)"; several separated by commas → 수신자 참조; "" → 내부결재
    key_points: list[str] = field(default_factory=list)
    question: str | None = None  # what to look up as legal basis (default: subject + key points)
    attachments: list[str] = field(default_factory=list)  # "점검표" or "점검표 2부"
    via: str = ""  # 경유
    agency: str = ""  # 행정기관명 (default: settings.chains.draft_agency)
    sender: str = ""  # 발신 명의 (default: 행정기관명 + 장)
    use_basis: bool = True
    groups: tuple[str, ...] = ()  # the user's access groups (restricted guidelines as 관련 근거)


@dataclass
class Draft:
    request: DraftRequest
    text: str  # the editable draft
    basis: list[Source] = field(default_factory=list)  # provisions inserted as 관련 근거
    mode: Mode = "extractive"
    fallback_reason: str | None = None
    corrections: list[str] = field(default_factory=list)  # article references flagged in the content
    issues: list[FormatIssue] = field(default_factory=list)  # format check of `text`
    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def title(self) -> str:
        return self.request.subject

    def to_docx(self) -> bytes:
        return draft_docx_bytes(self.text, self.request.kind)

    def to_hwpx(self) -> bytes:
        return draft_hwpx_bytes(self.text, self.request.kind, self.request.subject)


# --- pure helpers -------------------------------------------------------------------------------

_DATE_KOREAN = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일")
_DATE_COMPACT = re.compile(r"(?<![\d.])(\d{4})[.-](\d{1,2})[.-](\d{1,2})\.?(?![\d])")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*월\s*(\d{1,2})\s*일")
_TIME_KOREAN = re.compile(r"(오전|오후)?\s*(\d{1,2})\s*시(?:\s*(\d{1,2})\s*분)?(?!\s*간)")
_MARKERS = re.compile(r"\s*\[\d{1,3}\]")


def normalize_dates(text: str) -> str:
    """``2026년 11월 24일`` / ``2026-11-24`` → ``2026. 11. 24.``; ``오후 2시 30분`` → ``14:30``."""
    text = _DATE_KOREAN.sub(lambda m: f"{m.group(1)}. {int(m.group(2))}. {int(m.group(3))}.", text)
    text = _DATE_COMPACT.sub(lambda m: f"{m.group(1)}. {int(m.group(2))}. {int(m.group(3))}.", text)
    text = _MONTH_DAY.sub(lambda m: f"{int(m.group(1))}. {int(m.group(2))}.", text)

    def time(m: re.Match[str]) -> str:
        hour = int(m.group(2)) + (12 if m.group(1) == "오후" and int(m.group(2)) < 12 else 0)
        if hour > 24:
            return m.group(0)
        return f"{hour:02d}:{int(m.group(3) or 0):02d}"

    return _TIME_KOREAN.sub(time, text)


def clean_line(line: str) -> str:
    """A content line without symbols the model added, its "끝." or citation markers."""
    s = line.strip().replace("**", "")
    while True:
        t = DRAFT_LEAD_MARK.sub("", s, count=1)
        if t == s:
            break
        s = t
    s = re.sub(r"\s*끝\.?\s*$", "", s)
    return normalize_dates(_MARKERS.sub("", s)).strip()


def parse_outline(text: str, sections: Sequence[str] = ()) -> dict[str, list[tuple[int, str]]]:
    """Indented lines of a model reply → {section: [(depth, text)]} ("" = no section). Lines that
    repeat the 두문/결문 (수신, 제목, 붙임, 끝) are dropped."""
    out: dict[str, list[tuple[int, str]]] = {}
    current = ""
    for raw in text.split("\n"):
        if not raw.strip():
            continue
        head = re.match(r"^\s*[\[【<#]*\s*([^\]】>]+?)\s*[\]】>]*\s*:?\s*$", raw)
        if head and sections:
            name = head.group(1).strip().lstrip("□").strip()
            match = next((s for s in sections if s.replace(" ", "") == name.replace(" ", "")), None)
            if match:
                current = match
                continue
        s = raw.strip()
        if re.match(r"^(수\s*신|제\s*목|붙\s*임|경\s*유|발신|끝\.?$)", s):
            continue
        indent = len(raw) - len(raw.lstrip(" \u3000\t"))
        line = clean_line(raw)
        if len(line) < 2:
            continue
        out.setdefault(current, []).append((min(indent // 2, 3), line))
    return out


def _normalize_depths(items: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Depths that never jump more than one level down (a model's indentation is erratic)."""
    out: list[tuple[int, str]] = []
    prev = -1
    for depth, text in items:
        depth = min(depth, prev + 1) if out else 0
        out.append((depth, text))
        prev = depth
    return out


def number_items(items: Sequence[tuple[int, str]], first_level: int = 1, start: int = 1) -> list[str]:
    """Lines with the official symbols by depth (depth 0 = `first_level`), counters restarting
    under each parent, 2 columns of indent per level below the first."""
    lines: list[str] = []
    counters: list[int] = []
    for depth, text in _normalize_depths(items):
        level = min(first_level + depth, 8)
        del counters[depth + 1 :]
        while len(counters) <= depth:
            counters.append(start - 1 if len(counters) == 0 else 0)
        counters[depth] += 1
        lines.append(f"{INDENT * depth}{symbol_for(level, counters[depth])} {text}")
    return lines


def report_items(items: Sequence[tuple[int, str]]) -> list[str]:
    """개조식 lines under a □ heading: ○ → - → ㆍ by depth."""
    return [
        f"{_REPORT_INDENT[d]}{_REPORT_SYMBOLS[d]} {t}"
        for d, t in _normalize_depths([(min(d, 2), t) for d, t in items])
    ]


def attachment_lines(attachments: Sequence[str]) -> list[str]:
    """``붙임  ○○ 1부.`` / numbered when two or more, continuation lines aligned."""
    names = [a.strip().rstrip(".") for a in attachments if a.strip()]
    names = [n if re.search(r"\d+\s*(부|매|권|건|개|점|장|식|책|질)$", n) else f"{n} 1부" for n in names]
    if not names:
        return []
    if len(names) == 1:
        return [f"붙임  {names[0]}."]
    pad = " " * len("붙임  ".encode("euc-kr"))  # 붙임 is two full-width characters wide
    return [f"{'붙임  ' if i == 0 else pad}{i + 1}. {n}." for i, n in enumerate(names)]


def basis_reference(src: Source) -> str:
    """``「개인정보 보호법」 제15조(개인정보의 수집ㆍ이용)`` or a document title and section."""
    meta = src.metadata
    if src.law_title and src.article:
        title = f"({meta['article_title']})" if meta.get("article_title") else ""
        para = f" 제{src.paragraphs[0]}항" if len(src.paragraphs) == 1 else ""
        return f"「{src.law_title}」 {src.article}{title}{para}"
    return f"「{meta.get('doc_title') or src.law_title}」" + (
        f" {meta['section_path']}" if meta.get("section_path") else ""
    )


_SUBJECT_TAILS = (
    (("협조 요청", "요청"), "다음과 같이 요청하오니 협조하여 주시기 바랍니다."),
    (("알림", "안내", "통보", "공고"), "다음과 같이 알려 드립니다."),
    (("제출",), "다음과 같이 제출합니다."),
    (("보고",), "다음과 같이 보고합니다."),
    (("계획", "추진"), "다음과 같이 추진하고자 합니다."),
)


def _purpose_sentence(subject: str, has_basis: bool) -> str:
    """The lead sentence of a 공문 body, from the subject's last word (요청/알림/제출/보고/계획)."""
    lead = "위 호와 관련하여 " if has_basis else ""
    base = subject.strip()
    tail = "다음과 같이 알려 드리오니 업무에 참고하시기 바랍니다."
    for words, sentence in _SUBJECT_TAILS:
        word = next((w for w in words if base.endswith(w)), None)
        if word:
            tail = sentence
            if word not in ("계획", "추진"):
                base = base[: -len(word)].strip()
            break
    return f"{lead}{base}에 관하여 {tail}" if base else f"{lead}{tail}"


def _with_end_mark(lines: list[str]) -> list[str]:
    out = list(lines)
    for i in range(len(out) - 1, -1, -1):
        if out[i].strip():
            out[i] = out[i].rstrip() + END_MARK
            break
    return out


def closing_block(kind: DocKind, sender: str, recipients: Sequence[str]) -> list[str]:
    """결문 placeholders (시행규칙 제4조제6항); a 보고서 (internal form) has no 발신 명의."""
    lines: list[str] = []
    if kind == "공문":
        lines += [sender, ""]
        if len(recipients) > 1:
            lines += [f"수신자  {', '.join(recipients)}", ""]
    lines += [
        "기안자 (직위/직급) (서명)   검토자 (직위/직급) (서명)   결재권자 (직위/직급) (서명)",
        "협조자 (직위/직급) (서명)",
        "시행  (처리과명)-(일련번호) (시행일)   접수  (처리과명)-(일련번호) (접수일)",
        "우 (우편번호)  (주소)  / (홈페이지 주소)",
        "전화번호 (   )  팩스번호 (   )  / (공무원의 전자우편주소)  / (공개 구분)",
    ]
    return lines


def compose_official_letter(
    req: DraftRequest, basis: Sequence[Source], body: Sequence[tuple[int, str]], agency: str
) -> str:
    """The 공문 text from its parts (pure)."""
    recipients = [r.strip() for r in re.split(r"[,，;]", req.recipient) if r.strip()]
    to = "내부결재" if not recipients else recipients[0] if len(recipients) == 1 else "수신자 참조"
    lines = [agency, f"수신  {to}", f"(경유)  {req.via}".rstrip(), f"제목  {req.subject.strip()}", ""]
    items: list[tuple[int, str]] = []
    if basis:
        items.append((0, BASIS_SECTION))
        items += [(1, basis_reference(s)) for s in basis]
    items += _normalize_depths(body)
    content = number_items(items)
    attach = attachment_lines(req.attachments)
    if attach:
        content += [""] + attach
    lines += _with_end_mark(content)
    sender = req.sender.strip() or (agency.rstrip() + "장" if not agency.endswith("장") else agency)
    lines += ["", *closing_block("공문", sender, recipients)]
    return "\n".join(lines)


def compose_report(
    req: DraftRequest, basis: Sequence[Source], sections: dict[str, list[tuple[int, str]]], summary: str
) -> str:
    """The 개조식 보고서 text (internal form: title, 요약, □ sections, 붙임, 끝); no 기안문
    결재/시행 footer, which a 보고서 does not carry."""
    lines = [req.subject.strip(), "", f"〈요약〉 {summary}", ""]
    order = [REPORT_SECTIONS[0], BASIS_SECTION, *REPORT_SECTIONS[1:]]
    for name in order:
        if name == BASIS_SECTION:
            if not basis:
                continue
            items: list[tuple[int, str]] = []
            for s in basis:
                items.append((0, basis_reference(s)))
                if s.highlights:
                    items.append((1, _shorten(s.highlights[0], 120)))
        else:
            items = sections.get(name) or [(0, placeholder(name))]
        lines += [f"□ {name}", *report_items(items), ""]
    while lines and not lines[-1].strip():
        lines.pop()
    attach = attachment_lines(req.attachments)
    if attach:
        lines += [""] + attach
    return "\n".join(_with_end_mark(lines))


def _shorten(text: str, width: int) -> str:
    t = re.sub(r"^\s*[①-⑳]\s*", "", text).strip()
    return t if len(t) <= width else t[: width - 1].rstrip() + "…"


def report_summary(req: DraftRequest) -> str:
    """The one-line 요약 of a report written without an LLM."""
    return f"{req.subject.strip()}의 추진 배경, 현황, 문제점, 개선 방안 및 향후 계획을 보고함"


def fallback_sections(req: DraftRequest, basis: Sequence[Source] = ()) -> dict[str, list[tuple[int, str]]]:
    """Report sections from the form inputs and the basis (no LLM); placeholders where neither
    says anything (never the search query: it is not a 추진 배경)."""
    points = [clean_line(p) for p in req.key_points if p.strip()]
    reference = basis_reference(basis[0]) if basis else ""
    return report_sections(req.subject, points, basis, reference)


def fallback_body(req: DraftRequest, has_basis: bool) -> list[tuple[int, str]]:
    """공문 content from the form inputs alone (no LLM)."""
    items = [(0, _purpose_sentence(req.subject, has_basis))]
    items += [(1, clean_line(p)) for p in req.key_points if p.strip()]
    return items


# --- the chain ----------------------------------------------------------------------------------


def _basis(ctx: ChainContext, req: DraftRequest) -> list[Source]:
    if not req.use_basis:
        return []
    return basis_sources(ctx, req.question or " ".join([req.subject, *req.key_points]), req.groups)


def basis_sources(ctx: ChainContext, query: str, groups: Sequence[str]) -> list[Source]:
    """The provisions a document cites as its basis: retrieved for `query`, kept only when there
    is evidence, and only those close to the best (one highlighted sentence each)."""
    try:
        sources, weights, exact = retrieve_sources(
            ctx, query, SearchFilters(groups=tuple(groups)), k=ctx.settings.chains.draft_basis_k
        )
    except Exception:  # no index: a document without 관련 근거 is still a document
        return []
    sources = judge_sources(ctx, sources, [query])
    if not has_evidence(sources, ctx.settings.chains, exact):
        return []
    best = max(s.evidence for s in sources)
    # Only provisions above the evidence gate: a merely retrieved article is not a 근거.
    cfg = ctx.settings.chains
    chosen = [s for s in sources if is_adequate(s, cfg) and s.evidence >= 0.6 * best]
    if exact and not chosen:  # the article the user named, even when its wording differs
        chosen = sources[:1]
    return [highlight(replace(s, n=i), weights, 1) for i, s in enumerate(chosen, start=1)]


def stream_draft(req: DraftRequest, ctx: ChainContext) -> Iterator[str | Draft]:
    """Draft a document: the model's content deltas (if generating), then the final Draft."""
    cfg = ctx.settings.chains
    agency = req.agency.strip() or cfg.draft_agency
    basis = _basis(ctx, req)
    fallback = f"{ctx.llm_error} 입력 내용으로 양식을 채웠습니다." if ctx.llm_error else None
    corrections: list[str] = []
    gen = Generation()
    reply = ""
    mode: Mode = "extractive"
    if ctx.llm is not None:
        sections = (SUMMARY_SECTION, *REPORT_SECTIONS) if req.kind == "보고서" else ()
        mask = mask_personal_data if should_mask_for_llm(ctx.settings) else (lambda t: t)
        points = [mask(p) for p in req.key_points]
        sent_basis = [replace(b, text=mask(b.text)) for b in basis]
        messages = draft_messages(
            req.kind, mask(req.recipient), mask(req.subject), points, sent_basis, sections
        )
        try:
            yield from stream_chat(ctx.llm, messages, gen)
            reply = gen.text
            mode = "generated"
            if looks_like_prompt_echo(reply):
                reply, mode = "", "extractive"
                fallback = f"{ECHO_REASON} 입력 내용으로 양식을 채웠습니다."
            if not gen.usage_reported:
                gen.tokens_in = sum(ctx.tokens(m.text) for m in messages)
                gen.tokens_out = ctx.tokens(reply)
        except Exception as exc:
            fallback = describe_llm_error(exc, ctx.settings.llm) + " 입력 내용으로 양식을 채웠습니다."
    if reply:
        check = check_citations(reply, basis, ctx.catalog)
        corrections = [c for c in check.corrections if "미확인" in c]
        reply = check.text
    if req.kind == "보고서":
        outline = parse_outline(reply, (SUMMARY_SECTION, *REPORT_SECTIONS)) if reply else {}
        sections_out = fallback_sections(req, basis)
        used_model = False
        for name in REPORT_SECTIONS:
            if outline.get(name):
                sections_out[name] = outline[name][:_MAX_LINES]
                used_model = True
        if reply and not used_model:
            loose = outline.get("", [])
            if loose:
                sections_out[REPORT_SECTIONS[1]] = loose[:_MAX_LINES]
                used_model = True
        if reply and not used_model:
            fallback, mode = "LLM 출력에서 본문을 찾지 못해 입력 내용으로 양식을 채웠습니다.", "extractive"
        summary = (outline.get(SUMMARY_SECTION) or [(0, "")])[0][1] or report_summary(req)
        text = compose_report(req, basis, sections_out, summary)
    else:
        body: list[tuple[int, str]] = []
        if reply:
            outline = parse_outline(reply)
            body = [item for items in outline.values() for item in items][:_MAX_LINES]
        if not body:
            if reply:
                fallback, mode = (
                    "LLM 출력에서 본문을 찾지 못해 입력 내용으로 양식을 채웠습니다.",
                    "extractive",
                )
            body = fallback_body(req, bool(basis))
        text = compose_official_letter(req, basis, body, agency)
    if FLAG in text and not corrections:
        corrections.append("근거가 확인되지 않은 조문 표시가 있습니다.")
    draft = Draft(
        req,
        text,
        list(basis),
        mode,
        fallback,
        corrections,
        check_format(text, req.kind),
        gen.tokens_in,
        gen.tokens_out,
    )
    if mode == "extractive":
        yield draft.text  # nothing was streamed: the filled form in one piece
    yield draft


def draft_document(req: DraftRequest, ctx: ChainContext) -> Draft:
    result: Any = None
    for item in stream_draft(req, ctx):
        result = item
    assert isinstance(result, Draft)
    return result
