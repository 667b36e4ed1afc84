"""보도자료 drafts: 제목, 부제, 보도 시점 (엠바고), 담당 부서/담당자/연락처, 본문 (□ 리드 → □ 주요
내용 → ○ 세부 → □ 관련 근거 → □ 향후 계획/인용), 붙임 — from key points plus retrieved sources.

Citations follow the Q&A rules: a sentence resting on a retrieved provision ends with its number
``[n]``, the numbered sources are listed under "※ 근거", and article references a model writes
are checked against the sources (``check_citations``). Without an LLM the body is the key points
in order, plus the retrieved provisions' most relevant sentences, each with its ``[n]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.chains.citations import check_citations
from assistant.chains.context import ChainContext
from assistant.chains.docx_export import draft_docx_bytes
from assistant.chains.drafting import attachment_lines, basis_reference, basis_sources, clean_line
from assistant.chains.hwpx_export import draft_hwpx_bytes
from assistant.chains.prompts import DATA_RULE, escape_data, format_context, looks_like_prompt_echo
from assistant.chains.types import Mode, Source
from assistant.llm import Generation, describe_llm_error, stream_chat
from assistant.security.pii import mask_personal_data, should_mask_for_llm

KIND = "보도자료"
HEADING = "보 도 자 료"
PRESS_SYSTEM = f"""당신은 시청 대변인실의 보도자료 작성을 돕습니다.
- 본문 문단은 '□ '로 시작하고, 세부 내용은 줄 앞에 공백 1칸과 '○ '를 둡니다.
- 첫 문단(리드)은 누가·언제·무엇을·왜 하는지 한두 문장으로 씁니다.
- 자료(법령·지침)에 근거한 문장은 끝에 근거 번호를 [1]처럼 붙이고, 자료에 없는 조문 번호는 쓰지 않습니다.
- 제목, 부제, 보도 시점, 담당자, 붙임은 쓰지 마십시오(프로그램이 붙입니다).
{DATA_RULE}"""


@dataclass
class PressRequest:
    """What the user typed into the 보도자료 form."""

    title: str = ""
    subtitles: list[str] = field(default_factory=list)  # 부제 (one or two lines)
    embargo: str = "즉시 보도"  # 보도 시점: "2026. 11. 25.(수) 06:00 이후" / "즉시 보도"
    department: str = ""  # 담당 부서
    contact_person: str = ""  # 담당자 (직위 성명)
    phone: str = ""  # 연락처
    key_points: list[str] = field(default_factory=list)
    question: str | None = None  # what to look up (default: title + key points)
    attachments: list[str] = field(default_factory=list)
    agency: str = ""  # default: settings.chains.draft_agency
    use_sources: bool = True
    groups: tuple[str, ...] = ()


@dataclass
class PressRelease:
    request: PressRequest
    text: str
    sources: list[Source] = field(default_factory=list)
    mode: Mode = "extractive"
    fallback_reason: str | None = None
    corrections: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.request.title

    def to_hwpx(self) -> bytes:
        return draft_hwpx_bytes(self.text, KIND, self.request.title)

    def to_docx(self) -> bytes:
        return draft_docx_bytes(self.text, KIND)


# --- pure helpers -------------------------------------------------------------------------------


def header_lines(req: PressRequest, agency: str) -> list[str]:
    """보도자료 head: the banner, the agency, 보도 시점 and 담당 rows (cells 3+ spaces apart)."""
    return [
        HEADING,
        agency,
        f"보도 시점  {req.embargo.strip() or '즉시 보도'}",
        f"담당 부서  {req.department.strip() or '(담당 부서)'}   담당자  {req.contact_person.strip() or '(직위 성명)'}"
        f"   연락처  {req.phone.strip() or '(전화번호)'}",
        "",
        req.title.strip(),
        *[f"- {clean_line(s)} -" for s in req.subtitles if s.strip()],
        "",
    ]


def source_list(sources: Sequence[Source]) -> list[str]:
    """``※ 근거  [1] 「…」 제N조(…)`` lines (the numbers the body cites)."""
    if not sources:
        return []
    return ["※ 근거", *[f"  [{s.n}] {basis_reference(s)}" for s in sources]]


def extractive_body(req: PressRequest, sources: Sequence[Source]) -> list[str]:
    """The 본문 without an LLM: the key points as □ paragraphs (details after ':' as ○), then the
    sources' highlighted sentences as 관련 근거, each citing its number."""
    lines: list[str] = []
    for point in (p for p in req.key_points if p.strip()):
        head, _, detail = point.partition(" : ") if " : " in point else (point, "", "")
        lines.append(f"□ {clean_line(head)}")
        if detail.strip():
            lines.append(f" ○ {clean_line(detail)}")
    if not lines:
        lines.append(f"□ {req.title.strip()}")
    if sources:
        lines.append("□ 관련 근거")
        for s in sources:
            sentence = s.highlights[0] if s.highlights else s.body.strip().split("\n")[0]
            sentence = re.sub(r"^\s*[①-⑳]\s*", "", sentence).strip()
            lines.append(f" ○ {basis_reference(s)}: {_shorten(sentence, 160)} [{s.n}]")
    return lines


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def body_from_reply(reply: str) -> list[str]:
    """A model reply → □/○ lines (other symbols normalised, 두문/붙임 lines dropped)."""
    lines: list[str] = []
    for raw in reply.split("\n"):
        s = raw.strip()
        if not s or re.match(r"^(제\s*목|부\s*제|붙\s*임|보도\s*시점|담당)", s):
            continue
        sub = raw.startswith((" ", "\t")) or s.startswith(("○", "-", "ㆍ", "·"))
        text = re.sub(r"^[□■○◦\-ㆍ·•*]\s*", "", s).strip()
        if len(text) >= 2:
            lines.append(f" ○ {text}" if sub and lines else f"□ {text}")
    return lines


def compose_press_release(
    req: PressRequest, body: Sequence[str], sources: Sequence[Source], agency: str
) -> str:
    """The full 보도자료 text (pure)."""
    lines = header_lines(req, agency) + list(body)
    attach = attachment_lines(req.attachments)
    if attach:
        lines += ["", *attach]
    refs = source_list(sources)
    if refs:
        lines += ["", *refs]
    return "\n".join(lines)


def press_messages(req: PressRequest, sources: Sequence[Source], mask: bool) -> list[BaseMessage]:
    m = mask_personal_data if mask else (lambda t: t)
    points = "\n".join(f"- {escape_data(m(p))}" for p in req.key_points) or "- (없음)"
    user = (
        f"{format_context(sources)}\n\n제목: {escape_data(m(req.title))}\n핵심 내용:\n{points}\n\n"
        "위 핵심 내용과 자료를 바탕으로 보도자료 본문을 작성하십시오."
    )
    return [SystemMessage(PRESS_SYSTEM), HumanMessage(user)]


# --- the chain ----------------------------------------------------------------------------------


def _sources(ctx: ChainContext, req: PressRequest) -> list[Source]:
    if not req.use_sources:
        return []
    return basis_sources(ctx, req.question or " ".join([req.title, *req.key_points]), req.groups)


def draft_press_release(req: PressRequest, ctx: ChainContext) -> PressRelease:
    """Draft a 보도자료 (with the LLM when there is one, else from the form and the sources)."""
    if not req.title.strip():
        raise ValueError("보도자료 제목을 입력하세요.")
    agency = req.agency.strip() or ctx.settings.chains.draft_agency
    sources = _sources(ctx, req)
    fallback = f"{ctx.llm_error} 입력 내용으로 양식을 채웠습니다." if ctx.llm_error else None
    mode: Mode = "extractive"
    corrections: list[str] = []
    body: list[str] = []
    if ctx.llm is not None:
        gen = Generation()
        try:
            for _ in stream_chat(
                ctx.llm, press_messages(req, sources, should_mask_for_llm(ctx.settings)), gen
            ):
                pass
            reply = "" if looks_like_prompt_echo(gen.text) else gen.text
            if reply:
                check = check_citations(reply, sources, ctx.catalog)
                corrections = [c for c in check.corrections if "미확인" in c]
                body = body_from_reply(check.text)
                mode = "generated" if body else "extractive"
        except Exception as exc:
            fallback = describe_llm_error(exc, ctx.settings.llm) + " 입력 내용으로 양식을 채웠습니다."
    if not body:
        body = extractive_body(req, sources)
    text = compose_press_release(req, body, sources, agency)
    return PressRelease(req, text, sources, mode, fallback, corrections)
