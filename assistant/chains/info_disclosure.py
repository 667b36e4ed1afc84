"""정보공개 청구 workbench: the request split into items, a proposed 공개/부분공개/비공개 per item
with the grounds of 「공공기관의 정보공개에 관한 법률」 제9조제1항 각 호 (and 「개인정보 보호법」 where
personal data is involved) retrieved from the index and cited, the 결정 기한, and a draft
정보(공개, 부분 공개, 비공개)결정 통지서 (시행규칙 별지 제7호서식) with the 불복 구제 절차.

Rule-based and extractive, so it works without an LLM (the default). Every classification is a
proposal for the official to decide: the output says so, and names the words that triggered it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from assistant.chains.context import ChainContext
from assistant.chains.deadlines import (
    Deadline,
    HolidayCalendar,
    fmt_date,
    info_disclosure_deadline,
    remedy_deadlines,
)
from assistant.chains.docx_export import draft_docx_bytes
from assistant.chains.hwpx_export import draft_hwpx_bytes
from assistant.chains.qa import retrieve_sources
from assistant.chains.types import Source
from assistant.search.retrieval import SearchFilters
from assistant.security.personal_info import PersonalInfo, asks_for_personal_data, find_personal_info
from ingest.legal.marks import HANGUL_ORDER, INLINE_ITEM_MARK, REQUEST_ITEM_MARK, symbol_for

Decision = Literal["공개", "부분공개", "비공개"]
LAW = "공공기관의 정보공개에 관한 법률"
PRIVACY_LAW = "개인정보 보호법"
NOTICE_TITLE = "정보(공개, 부분 공개, 비공개)결정 통지서"
NOTICE_FORM = "「공공기관의 정보공개에 관한 법률 시행규칙」 별지 제7호서식"
PROPOSAL_NOTE = "※ 이 검토 결과는 제안입니다. 공개 여부는 담당 공무원이 정보를 직접 확인하고 결정합니다."

# 제9조제1항 각 호: the words in a request item that suggest the ground (checked in this order).
GROUND_WORDS: dict[int, tuple[str, ...]] = {
    1: ("비밀", "대외비", "비공개 사항으로 규정"),
    2: ("국방", "외교", "통일", "국가안전보장"),
    3: ("보안 시설", "경비 계획", "cctv 위치", "방호"),
    4: ("수사", "재판", "소송 진행", "공소", "범죄"),
    5: ("회의록", "내부 검토", "내부검토", "검토 보고", "검토보고", "의사결정", "심의", "협의 중", "검토 중",
        "(안)", "초안", "감사", "감독", "입찰", "인사", "평가", "시험"),
    6: ("성명", "이름", "주민등록번호", "주소", "연락처", "전화번호", "생년월일", "개인", "인적 사항",
        "인적사항", "명단", "신고인", "민원인", "참석자", "전자우편", "이메일", "계좌"),
    7: ("영업비밀", "영업상 비밀", "경영상", "원가", "단가 산출", "기술 자료", "법인 내부"),
    8: ("부동산 투기", "개발 예정지", "매점매석"),
}  # fmt: skip
_OFFICIAL = re.compile(r"공무원|담당자|주무관|직원")
_ONGOING = ("진행 중", "진행중", "검토 중", "검토중", "협의 중", "미확정", "확정 전", "(안)", "초안")


@dataclass
class ItemReview:
    """One requested item and the proposal for it."""

    n: int
    text: str
    decision: Decision
    grounds: list[int] = field(default_factory=list)  # 제9조제1항 호 numbers
    triggers: list[str] = field(default_factory=list)  # the words that suggested them
    privacy: bool = False  # personal data: 개인정보 보호법 cited
    reason: str = ""


@dataclass
class DisclosureReview:
    request: str
    received: date
    items: list[ItemReview]
    decision: Decision
    deadline: Deadline
    extended: Deadline
    sources: list[Source] = field(default_factory=list)  # cited as [n]
    citations: dict[str, int] = field(default_factory=dict)  # "제9조제1항제6호" → n
    notice: str = ""

    def to_hwpx(self) -> bytes:
        return draft_hwpx_bytes(self.notice, "통지서", NOTICE_TITLE)

    def to_docx(self) -> bytes:
        return draft_docx_bytes(self.notice, "통지서")


# --- pure helpers -------------------------------------------------------------------------------


# "2025. 1. 2.": the 1 and 2 are date parts, not items
_DATE_BEFORE = re.compile(r"\d\s*\.\s*$")
_DATE_AFTER = re.compile(r"\s*\d{1,2}\s*\.(?:\s|$)")
_SEPARATORS = re.compile(r"^[\s/;,·]+|[\s/;,·]+$")
# Sentence ends (not the dots of "2024. 12. 31."), ";" and " / " between unnumbered items
_ITEM_SEPARATOR = re.compile(r"(?<=[가-힣)][.?!])\s+|\s*;\s*|\s+/\s+")


def _mark_value(m: re.Match[str]) -> tuple[str, int]:
    arabic, paren, circled, hangul = m.groups()
    if arabic or paren:
        return ("num" if arabic else "paren"), int(arabic or paren)
    if circled:
        return "circled", ord(circled) - ord("①") + 1
    return "hangul", HANGUL_ORDER.find(hangul) + 1


def _numbered_items(text: str) -> list[str]:
    """Items after markers numbered 1, 2, 3 … of one kind, wherever they stand (one line or many)."""
    best: list[re.Match[str]] = []
    for kind in ("num", "paren", "circled", "hangul"):
        run: list[re.Match[str]] = []
        for m in INLINE_ITEM_MARK.finditer(text):
            k, value = _mark_value(m)
            if k != kind or value != len(run) + 1:
                continue
            if k == "num" and (_DATE_BEFORE.search(text[: m.start()]) or _DATE_AFTER.match(text, m.end())):
                continue
            run.append(m)
        if len(run) > len(best):
            best = run
    if not best or (len(best) == 1 and text[: best[0].start()].strip()):
        return []
    ends = [m.start() for m in best[1:]] + [len(text)]
    items = [" ".join(text[m.end() : e].split()) for m, e in zip(best, ends, strict=True)]
    return [i for i in (_SEPARATORS.sub("", t) for t in items) if i]


def split_items(request: str) -> list[str]:
    """The requested items: numbered items (on one line or many), bulleted lines, else sentences
    or parts between ";" and " / ", else the whole text."""
    if numbered := _numbered_items(request.strip()):
        return numbered
    lines = [ln for ln in request.split("\n") if ln.strip()]
    marked = [ln for ln in lines if REQUEST_ITEM_MARK.match(ln)]
    if len(marked) >= 2 or (marked and len(lines) == len(marked)):
        return [REQUEST_ITEM_MARK.sub("", ln, count=1).strip() for ln in marked]
    text = " ".join(ln.strip() for ln in lines)
    parts = [p.strip() for p in _ITEM_SEPARATOR.split(text) if len(p.strip()) >= 4]
    return parts or ([text.strip()] if text.strip() else [])


def _privacy_reason(found: Sequence[PersonalInfo], asked: PersonalInfo | None, text: str) -> str:
    """Why personal data decides the item, naming the words that showed it."""
    words = ", ".join(dict.fromkeys(f"‘{p.trigger}’({p.kind})" for p in found))
    if asked is not None:
        reason = (
            f"청구 대상이 개인정보({asked.kind}) 자체이므로 비공개를 제안합니다 (정보공개법 제9조제1항제6호, "
            f"「{PRIVACY_LAW}」). 단서: {words}."
        )
        if _OFFICIAL.search(text):
            reason += " 직무를 수행한 공무원의 성명·직위는 공개 대상(같은 호 단서 라목)이나, 개인 연락처 등은 이에 해당하지 않습니다."
        return reason
    return f"가릴 개인정보(제9조제1항제6호): {words}."


def classify_item(n: int, text: str) -> ItemReview:
    """Grounds suggested by the item's words and the personal data it asks for or contains, and
    the proposed decision (pure)."""
    low = text.lower()
    found = find_personal_info(text)
    asked = asks_for_personal_data(text)
    grounds: list[int] = []
    triggers: list[str] = list(dict.fromkeys(p.trigger for p in found))
    for ho, words in GROUND_WORDS.items():
        hit = [w for w in words if w in low]
        if hit or (ho == 6 and found):
            grounds.append(ho)
            triggers += [w for w in hit if not any(w in t.lower() for t in triggers)]
    privacy = 6 in grounds
    if not grounds:
        return ItemReview(
            n, text, "공개", reason="비공개 사유에 해당하는 내용이 보이지 않아 공개를 제안합니다."
        )
    ongoing = 5 in grounds and any(w in text for w in _ONGOING)
    only_privacy = grounds == [6]
    if asked is not None:
        decision: Decision = "비공개"
        reason = _privacy_reason(found, asked, text)
    elif only_privacy or (set(grounds) <= {5, 6} and not ongoing):
        decision = "부분공개"
        reason = (
            "비공개 대상 부분을 가리고 나머지를 공개합니다(정보공개법 제14조 부분 공개)."
            + (" " + _privacy_reason(found, None, text) if found else "")
            + (" 개인 식별 정보는 가립니다." if privacy and not found else "")
            + (" 의사결정 과정의 의견·검토 부분은 가립니다." if 5 in grounds else "")
        )
    else:
        decision = "비공개"
        reason = "비공개 사유에 해당할 수 있어 비공개를 제안합니다." + (
            " 의사결정·내부검토 과정이 끝나면 청구인에게 통지합니다(제9조제1항제5호 단서)." if ongoing else ""
        )
    return ItemReview(n, text, decision, grounds, triggers, privacy, reason)


def overall_decision(items: Sequence[ItemReview]) -> Decision:
    """공개 when every item is, 비공개 when every item is, else 부분공개."""
    kinds = {i.decision for i in items}
    if kinds == {"공개"}:
        return "공개"
    if kinds == {"비공개"}:
        return "비공개"
    return "부분공개"


def ground_label(ho: int) -> str:
    return f"「{LAW}」 제9조제1항제{ho}호"


def item_text(source: Source, ho: int) -> str:
    """The text of 호 ``ho`` in a provision's text ("  6\\. 해당 정보에 …")."""
    m = re.search(rf"(?m)^\s*{ho}\\?\.\s*(.+)$", source.text)
    return m.group(1).strip() if m else ""


def compose_notice(
    review: DisclosureReview,
    agency: str,
    cal: HolidayCalendar,
    applicant: str = "",
    receipt_no: str = "",
    notified: date | None = None,
) -> str:
    """The 결정 통지서 text (pure): head table, 청구 내용, 결정 내용·사유 with cited grounds, 결정 기한,
    불복 구제 절차 with each period (and its last day when the notice date is known)."""
    cite = review.citations
    lines = [
        NOTICE_TITLE,
        f"({NOTICE_FORM})",
        f"접수번호  {receipt_no or '(접수번호)'}   접수일  {fmt_date(review.received)}",
        f"청구인  {applicant or '(성명)'}   주소  (주소)   연락처  (연락처)",
        f"결정 구분  {review.decision.replace('부분공개', '부분 공개')}   결정 기한  {review.deadline.label}",
        "",
        "1. 청구 내용",
        *[f"  {symbol_for(2, i.n)} {i.text}" for i in review.items],
        "2. 결정 내용 및 사유 (항목별)",
    ]
    for i in review.items:
        lines.append(f"  {symbol_for(2, i.n)} {i.text}: {i.decision.replace('부분공개', '부분 공개')}")
        for g in i.grounds:
            n = cite.get(f"제9조제1항제{g}호")
            lines.append(f"    - {ground_label(g)}" + (f" [{n}]" if n else ""))
        if i.privacy and (n := cite.get(PRIVACY_LAW)):
            lines.append(f"    - 「{PRIVACY_LAW}」 제2조제1호(개인정보의 정의) [{n}]")
        if i.grounds:
            lines.append(f"    - {i.reason}")
    lines += [
        "3. 공개 일시·장소·방법: (공개 일시) / (공개 장소) / (사본·출력물, 전자파일 등)",
        f"4. 결정 기한: {review.deadline.label} (정보공개법 제11조①), 연장 시 {review.extended.label} (같은 조 ②)",
        "5. 불복 구제 절차",
    ]
    # Without the date the 청구인 receives the notice, show the periods for one received on the
    # 결정 기한 (the latest it may be sent).
    on = notified or review.deadline.due
    remedies = remedy_deadlines(on, cal)
    texts = [
        "이의신청: 결정 통지를 받은 날부터 30일 이내에 이 기관에 문서로 신청 (정보공개법 제18조)",
        "행정심판: 처분이 있음을 알게 된 날부터 90일 이내에 청구 (정보공개법 제19조, 「행정심판법」 제27조)",
        "행정소송: 처분 등이 있음을 안 날부터 90일 이내에 제기 (정보공개법 제20조, 「행정소송법」 제20조)",
    ]
    for k, t in enumerate(texts):
        lines.append(f"  {symbol_for(2, k + 1)} {t}")
    lines.append(
        f"  ※ {fmt_date(on)}에 이 통지를 받은 경우: "
        + ", ".join(f"{r.name} {d.label}" for r, d in remedies)
        + " (「민법」 제157조·제161조)"
    )
    if review.sources:
        lines += ["", "※ 근거"] + [f"  [{s.n}] 「{s.law_title}」 {s.article}" for s in review.sources]
    lines += ["", PROPOSAL_NOTE, "", f"{agency.rstrip()}장" if not agency.endswith("장") else agency]
    return "\n".join(lines)


# --- the chain ----------------------------------------------------------------------------------


def _find(ctx: ChainContext, query: str, law: str, article: str) -> Source | None:
    try:
        sources, _, _ = retrieve_sources(ctx, query, SearchFilters(), k=5)
    except Exception:  # no index: the grounds are named, not quoted
        return None
    return next(
        (s for s in sources if s.law_title.replace(" ", "") == law.replace(" ", "") and s.article == article),
        None,
    )


def review_request(
    request: str,
    received: date,
    ctx: ChainContext,
    *,
    cal: HolidayCalendar | None = None,
    attachments: Sequence[str] = (),
    applicant: str = "",
    agency: str = "",
    notified: date | None = None,
) -> DisclosureReview:
    """The workbench output for a 정보공개 청구 received on ``received``."""
    if not request.strip():
        raise ValueError("정보공개 청구 내용을 입력하세요.")
    if cal is None:
        d = ctx.settings.deadlines
        cal = HolidayCalendar.of(d.extra_holidays, d.removed_holidays)
    texts = split_items(request)
    items = [classify_item(n, t) for n, t in enumerate(texts, start=1)]
    # Attached documents: personal data in them makes the items that refer to them 부분공개 at least.
    if any(classify_item(0, a).privacy for a in attachments):
        for i in items:
            if i.decision == "공개":
                i.decision, i.grounds, i.privacy = "부분공개", [6], True
                i.reason = "첨부 문서에 개인정보가 있어 그 부분을 가리고 공개합니다(정보공개법 제14조)."
    sources: list[Source] = []
    citations: dict[str, int] = {}
    grounds = sorted({g for i in items for g in i.grounds})
    if grounds:
        art9 = _find(ctx, f"{LAW} 제9조 비공개 대상 정보", LAW, "제9조")
        if art9 is not None:
            sources.append(art9)
            for g in grounds:
                citations[f"제9조제1항제{g}호"] = len(sources)
    if any(i.privacy for i in items):
        pipa = _find(ctx, f"{PRIVACY_LAW} 제2조 개인정보 정의", PRIVACY_LAW, "제2조")
        if pipa is not None:
            sources.append(pipa)
            citations[PRIVACY_LAW] = len(sources)
    sources = [replace(s, n=k) for k, s in enumerate(sources, start=1)]
    review = DisclosureReview(
        request,
        received,
        items,
        overall_decision(items),
        info_disclosure_deadline(received, cal),
        info_disclosure_deadline(received, cal, extended=True),
        sources,
        citations,
    )
    review.notice = compose_notice(
        review, agency or ctx.settings.chains.draft_agency, cal, applicant, notified=notified
    )
    return review
