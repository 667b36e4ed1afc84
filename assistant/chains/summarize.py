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

from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.chains.addenda import addendum_notes
from assistant.chains.context import ChainContext
from assistant.chains.doc_facts import FACT_NAMES, Fact, cover_title, document_kind, extract_facts
from assistant.chains.prompts import (
    ECHO_REASON,
    looks_like_prompt_echo,
    summary_map_messages,
    summary_reduce_messages,
)
from assistant.chains.summary.extractive import SECTION_POINTS, SectionSummary, extractive_summary
from assistant.chains.summary.findings import Finding, find_findings
from assistant.chains.summary.sections import group_sections, location_range, unit_passage
from assistant.chains.summary.units import Unit, UploadedFile, load_file_units, load_indexed_units
from assistant.chains.text import (
    pack_by_tokens,
    truncate_to_tokens,
)
from assistant.chains.types import Mode
from assistant.llm import Generation, describe_llm_error, stream_chat
from assistant.security.pii import mask_personal_data, should_mask_for_llm
from ingest.legal.marks import REPLY_BULLET

EXTRACTIVE_NOTE = "※ 발췌 요약 (LLM 미사용): 문서에서 중요도가 높은 문장을 그대로 골라 정리했습니다."
FINDINGS_NOTE = "본문에서 규칙으로 찾은 문장입니다(원문 그대로)."
FACTS_NOTE = "본문과 표에서 규칙으로 찾은 값입니다. 괄호 안은 찾은 위치입니다."
ADDENDA_NOTE = "부칙은 본문 요약·기한에서 빼고 따로 적었습니다."


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


# --- generated (map-reduce) ---------------------------------------------------------------------


def parse_bullets(text: str, limit: int) -> list[str]:
    """Bullet lines of an LLM reply (any common marker), without markers or bold."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    bullets = [REPLY_BULLET.sub("", ln).replace("**", "").strip() for ln in lines if REPLY_BULLET.match(ln)]
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
    facts = extract_facts([unit_passage(u) for u in units]) if kind else []
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
        name = groups[gi][0] or location_range(groups[gi][1])
        reply = calls.run(summary_map_messages(title, name, mask(text)))
        points.setdefault(gi, []).extend(parse_bullets(reply, SECTION_POINTS))
        if progress:
            progress(done, len(pieces))
    sections = [
        SectionSummary(
            name or location_range(units), location_range(units), points.get(gi, [])[: SECTION_POINTS + 1]
        )
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
