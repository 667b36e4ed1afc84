"""Question answering over statutes and guidelines.

Flow: condense a follow-up with the history → retrieve → decide whether the evidence is adequate
→ generate with ``[n]`` markers (streamed) or quote extractively → check the citations.

``stream_answer`` yields text deltas (``str``) and finally one :class:`Answer`. The final
``Answer.text`` is authoritative: the citation check may have changed what was streamed, and a
failed LLM call is replaced by the extractive answer (``fallback_reason`` says why).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from assistant.chains.citations import check_citations, claim_paragraphs, renumber
from assistant.chains.condense import condense_question, recent_history, rule_condense
from assistant.chains.context import ChainContext, ensure_retriever
from assistant.chains.evidence_gate import source_score
from assistant.chains.extractive import coverage, rank_for_question, term_weights
from assistant.chains.prompts import (
    ECHO_REASON,
    condense_messages,
    looks_like_injection,
    looks_like_prompt_echo,
    qa_messages,
)
from assistant.chains.rewrite import suggest_provisions
from assistant.chains.text import CountTokens, paragraph_of, split_sentences, truncate_to_tokens
from assistant.chains.types import Answer, Source, Turn
from assistant.llm import Generation, describe_llm_error, stream_chat
from assistant.search.retrieval import SearchFilters, analyze_query
from assistant.security.guard import check_question
from assistant.security.pii import mask_personal_data, should_mask_for_llm
from ingest.core.korean import morphemes
from ingest.core.settings import ChainSettings
from ingest.legal.markup import clean_quote, is_table_line
from ingest.legal.refs import ref_matches

NO_EVIDENCE = "관련 근거를 찾지 못했습니다."
NO_EVIDENCE_DETAIL = (
    "검색된 조문·문서 중 질문과 충분히 관련된 내용이 없어 답변을 만들지 않았습니다. "
    "법령명(예: 주민등록법, 주택임대차보호법)을 넣거나 다른 말(법령에 쓰는 용어: 집주인 → 임대인, "
    "월세 → 차임)로 바꾸어 다시 질문해 보세요."
)
EXTRACTIVE_NOTE = (
    "※ 발췌 답변 (LLM 미사용): 생성된 답변이 아니라 검색된 조문을 그대로 인용한 것입니다. "
    "질문과 가장 관련 있는 문장은 **굵게** 표시했습니다."
)
UNCITED_NOTE = "⚠ 이 답변에는 확인된 출처 표시가 없습니다. 아래 검색된 조문을 직접 확인하세요."
_MAX_QUOTE_LINES = 12
_MIN_TRUNCATED_TOKENS = 120


# --- pure parts ---------------------------------------------------------------------------------


def build_sources(
    hits: Sequence[Any], evidence: Sequence[float], budget: int, count: CountTokens, k: int
) -> list[Source]:
    """Number the first `k` hits as sources within a token budget (the last one may be cut)."""
    out: list[Source] = []
    used = 0
    for hit, ev in zip(hits, evidence, strict=False):
        if len(out) >= k:
            break
        text = hit.chunk.text
        cost = count(text)
        if used + cost > budget:
            left = budget - used
            if out and left < _MIN_TRUNCATED_TOKENS:
                break
            text = truncate_to_tokens(text, max(left, _MIN_TRUNCATED_TOKENS), count)
            cost = count(text)
        out.append(
            Source(len(out) + 1, hit.chunk.id, text, dict(hit.chunk.metadata), float(hit.score), evidence=ev)
        )
        used += cost
    return out


def has_evidence(sources: Sequence[Source], cfg: ChainSettings, exact: bool) -> bool:
    """Adequate evidence: the question named an article that was found, or some source is close
    to the question (see ``ChainSettings.min_similarity`` / ``min_evidence``)."""
    return exact or any(is_adequate(s, cfg) for s in sources)


def is_adequate(source: Source, cfg: ChainSettings) -> bool:
    """The source clears the evidence gate (see ``assistant.chains.evidence_gate``)."""
    return source_score(source, cfg) >= cfg.evidence_threshold


def highlight(source: Source, weights: dict[str, float], n: int) -> Source:
    """The source with its `n` sentences most relevant to the question and their 항, plus the 항
    that qualify the chosen one (an extension, exception or amount "제1항에 따른 기간 …"): the
    clause that decides the question must not be cut."""
    sentences = split_sentences(source.body)
    # Pick the 항 first: a 항's lead sentence and its 호 items answer together ("…수집할 수 있다"
    # + "1. 정보주체의 동의를 받은 경우"), which sentence-level scores alone would split apart.
    groups: dict[int, list[int]] = {}
    for i, s in enumerate(sentences):
        groups.setdefault(s.paragraph, []).append(i)
    allowed = set(range(len(sentences)))
    qualifying: set[int] = set()
    if len(groups) > 1:
        keys = list(groups)
        texts = [" ".join(sentences[i].text for i in groups[k]) for k in keys]
        p_scores = rank_for_question(weights, texts)
        best = max(range(len(keys)), key=lambda j: (p_scores[j], -j))
        allowed = set(groups[keys[best]])
        qualifying = {
            keys[j]
            for j in range(len(keys))
            if j != best and keys[best] and p_scores[j] > 0 and refers_to_paragraph(texts[j], keys[best])
        }
    scores = rank_for_question(weights, [s.text for s in sentences])
    best_sentences = sorted(allowed, key=lambda i: (-scores[i], i))[:n]
    best_sentences = sorted(i for i in best_sentences if scores[i] > 0)
    chosen = {sentences[i].paragraph for i in best_sentences if sentences[i].paragraph}
    paragraphs = tuple(sorted(chosen | (qualifying if chosen else set())))
    return replace(source, highlights=tuple(sentences[i].text for i in best_sentences), paragraphs=paragraphs)


def refers_to_paragraph(text: str, paragraph: int) -> bool:
    """The 항 text qualifies 항 `paragraph` of its article ("제1항에 따른 기간", "제1항에도 불구하고")."""
    return re.search(rf"(?<![조의\d])제{paragraph}항(?!제)", text) is not None


def quote_lines(source: Source, max_lines: int = _MAX_QUOTE_LINES) -> list[str]:
    """Lines of the source to quote: those of the highlighted 항 and the 항 that qualify it (or
    around the highlighted sentences), highlighted sentences in bold, omissions as "…". Markup
    debris (tags, outside links) is removed; Markdown table lines stay table lines."""
    lines = [ln.rstrip() for ln in clean_quote(source.body).split("\n") if ln.strip()]
    if not lines:
        return []
    para_of_line: list[int] = []
    current = 0
    for ln in lines:
        current = paragraph_of(ln) or current
        para_of_line.append(current)
    keep: set[int] = set()
    for i, ln in enumerate(lines):
        if any(h in ln for h in source.highlights):
            if para_of_line[i] and para_of_line[i] in source.paragraphs:
                keep.update(j for j, p in enumerate(para_of_line) if p in source.paragraphs)
            else:
                keep.update({i - 1, i, i + 1} & set(range(len(lines))))
    if not keep:
        keep = set(range(min(len(lines), 4)))
    picked = sorted(keep)[:max_lines]
    out: list[str] = []
    prev = -1
    for i in picked:
        if i != prev + 1:
            out.append("…")
        line = lines[i]
        for h in source.highlights:
            if h in line and not is_table_line(line):
                line = line.replace(h, f"**{h}**", 1)
        out.append(line)
        prev = i
    if prev < len(lines) - 1:
        out.append("…")
    return out


def quote_block(lines: Sequence[str]) -> str:
    """Quoted lines as Markdown without blockquote markers: text runs in quotation marks with
    hard line breaks, statute tables as tables (a blank line around them)."""
    blocks: list[tuple[bool, list[str]]] = []
    for ln in lines:
        table = is_table_line(ln)
        if not blocks or blocks[-1][0] != table:
            blocks.append((table, []))
        blocks[-1][1].append(ln.strip())
    parts = []
    for table, block in blocks:
        if table:
            parts.append("\n".join(block))
        else:
            parts.append("  \n".join(block).join(("“", "”")))
    return "\n\n".join(parts)


def render_extractive(sources: Sequence[Source]) -> str:
    """The no-LLM answer: note, then each source's label in bold and its quoted lines."""
    parts = [EXTRACTIVE_NOTE]
    for s in sources:
        parts.append(f"**[{s.n}] {s.label}**\n\n{quote_block(quote_lines(s))}")
    return "\n\n".join(parts)


def render_no_evidence(candidates: Sequence[Source]) -> str:
    """The 근거 없음 answer: what to try, and the candidates (only those that passed the floor)."""
    text = f"{NO_EVIDENCE} {NO_EVIDENCE_DETAIL}"
    if candidates:
        text += "\n\n가까운 후보 조문 (근거로 확인되지 않음):\n" + "\n".join(
            f"- {s.label}" for s in candidates
        )
    return text


def near_candidates(sources: Sequence[Source], cfg: ChainSettings) -> list[Source]:
    """Sources worth showing as "nearest" when there is no evidence: those whose gate score
    clears `chains.no_evidence_floor` (unrelated articles would only look like suggestions)."""
    near = [s for s in sources if source_score(s, cfg) >= cfg.no_evidence_floor]
    return [replace(s, n=i) for i, s in enumerate(near[: cfg.no_evidence_candidates], start=1)]


def injection_warnings(sources: Sequence[Source]) -> list[str]:
    return [
        f"'{s.label}'에 지시문처럼 보이는 문장이 있어, 지시로 따르지 않고 자료로만 다루었습니다."
        for s in sources
        if looks_like_injection(s.text)
    ]


# --- the chain ----------------------------------------------------------------------------------


def question_weights(question: str) -> dict[str, float]:
    return term_weights(morphemes([question])[0])


def _exact_hit(query: str, sources: Sequence[Source], catalog: Any) -> bool:
    if catalog is None:
        return False
    refs = analyze_query(query, catalog).refs
    return any(ref_matches(r, s.law_title, s.article) for r in refs for s in sources if s.article)


def retrieve_sources(
    ctx: ChainContext,
    query: str,
    filters: SearchFilters | None = None,
    k: int | None = None,
    llm: Any = None,
) -> tuple[list[Source], dict[str, float], bool]:
    """(numbered sources within the context budget, question weights, exact article found). With
    `llm` and `retrieval.llm_rewrite`, the model's guess of the provisions involved joins the search."""
    cfg = ctx.settings.chains
    retriever = ensure_retriever(ctx)
    k = k or max(cfg.context_k, cfg.extractive_sources, cfg.no_evidence_candidates)
    hint = suggest_provisions(llm, query, ctx.settings) if ctx.settings.retrieval.llm_rewrite else None
    hits = retriever.search(query, k=k, filters=filters, hint=hint)
    weights = question_weights(query)
    evidence = [coverage(weights, h.chunk.text) for h in hits]
    sources = build_sources(hits, evidence, ctx.settings.retrieval.context_tokens, ctx.tokens, k)
    sims = ctx.similarities(query, [s.text for s in sources])
    if sims is not None:
        sources = [replace(s, similarity=sim) for s, sim in zip(sources, sims, strict=True)]
    return sources, weights, _exact_hit(query, sources, ctx.catalog)


def judge_sources(ctx: ChainContext, sources: Sequence[Source], questions: Sequence[str]) -> list[Source]:
    """`sources` with the evidence judge's closeness to `questions` (unchanged without a judge), for
    the gate. Pass a condensed follow-up and the question as typed: a short off-topic follow-up
    carries the previous question along and would pass on it alone."""
    judged = ctx.judged(list(dict.fromkeys(questions)), [s.text for s in sources])
    if judged is None:
        return list(sources)
    return [replace(s, judged=j) for s, j in zip(sources, judged, strict=True)]


def extractive_answer(
    question: str, sources: Sequence[Source], weights: dict[str, float], ctx: ChainContext
) -> Answer:
    cfg = ctx.settings.chains
    best = max((s.evidence for s in sources), default=0.0)
    # Quote only provisions that carry a fair share of the best one's evidence: a weak fourth
    # hit adds noise, not support.
    chosen = [s for s in sources if s.evidence >= 0.6 * best][: cfg.extractive_sources] or list(sources[:1])
    quoted = [
        highlight(replace(s, n=i), weights, cfg.highlight_sentences) for i, s in enumerate(chosen, start=1)
    ]
    return Answer(
        question, render_extractive(quoted), quoted, mode="extractive", warnings=injection_warnings(quoted)
    )


def _prompt_tokens(ctx: ChainContext, messages: Sequence[Any]) -> int:
    return sum(ctx.tokens(m.text) for m in messages)


def stream_answer(
    question: str,
    ctx: ChainContext,
    history: Sequence[Turn] = (),
    filters: SearchFilters | None = None,
) -> Iterator[str | Answer]:
    """Answer `question` (with the conversation `history`): text deltas, then the final Answer.
    Raises ``InputRejected`` (Korean message) for an empty, over-long or garbled question."""
    question = check_question(question, ctx.settings)
    cfg = ctx.settings.chains
    llm = ctx.llm
    fallback = f"{ctx.llm_error} 발췌 답변으로 대신합니다." if ctx.llm_error else None
    mask = should_mask_for_llm(ctx.settings)
    condense_gen = Generation()
    turns = recent_history(history, cfg.history_turns)
    try:
        asked, sent_turns = question, turns
        if mask and llm is not None:  # personal data never leaves the city's network
            asked = mask_personal_data(question)
            sent_turns = [(role, mask_personal_data(text)) for role, text in turns]
        standalone = condense_question(asked, sent_turns, llm, condense_gen, ctx.catalog)
    except Exception as exc:  # the server is down: answer extractively, saying so
        fallback = describe_llm_error(exc, ctx.settings.llm) + " 발췌 답변으로 대신합니다."
        llm = None
        standalone = rule_condense(question, turns, ctx.catalog)

    sources, weights, exact = retrieve_sources(ctx, standalone, filters, llm=llm)
    sources = judge_sources(ctx, sources, [standalone, question])
    if not has_evidence(sources, cfg, exact):
        candidates = near_candidates(sources, cfg)
        answer = Answer(
            question,
            render_no_evidence(candidates),
            [],
            no_evidence=True,
            candidates=candidates,
            mode="extractive",  # nothing is generated without evidence
            fallback_reason=fallback,
            standalone_question=standalone,
        )
        yield answer.text
        yield answer
        return

    if llm is None:
        answer = extractive_answer(question, sources, weights, ctx)
        answer.fallback_reason, answer.standalone_question = fallback, standalone
        yield answer.text
        yield answer
        return

    context = [replace(s, text=mask_personal_data(s.text)) for s in sources] if mask else sources
    messages = qa_messages(standalone, context)
    gen = Generation()
    try:
        yield from stream_chat(llm, messages, gen)
        reason = None if gen.text.strip() else "LLM이 빈 답변을 돌려주어 발췌 답변으로 대신합니다."
        if reason is None and looks_like_prompt_echo(gen.text):
            reason = f"{ECHO_REASON} 발췌 답변으로 대신합니다."
    except Exception as exc:  # down, timed out, or broke off mid-stream
        reason = describe_llm_error(exc, ctx.settings.llm) + " 발췌 답변으로 대신합니다."
    if reason:
        answer = extractive_answer(question, sources, weights, ctx)
        answer.fallback_reason, answer.standalone_question = reason, standalone
        yield answer
        return

    answer = finish_generated(question, gen.text, sources, ctx.catalog)
    answer.standalone_question = standalone
    if condense_gen.usage_reported and gen.usage_reported:
        answer.tokens_in = condense_gen.tokens_in + gen.tokens_in
        answer.tokens_out = condense_gen.tokens_out + gen.tokens_out
    else:  # the backend did not report usage: count with the configured tokenizer
        condense_in = (
            _prompt_tokens(ctx, condense_messages(question, turns)) if (turns and condense_gen.text) else 0
        )
        answer.tokens_in = condense_in + _prompt_tokens(ctx, messages)
        answer.tokens_out = ctx.tokens(condense_gen.text) + ctx.tokens(gen.text)
    yield answer


def finish_generated(question: str, draft: str, sources: Sequence[Source], catalog: Any) -> Answer:
    """Citation check, renumbering and source labelling of a generated answer (pure)."""
    check = check_citations(draft, sources, catalog)
    warnings = injection_warnings(sources) + check.warnings
    if not check.cited:
        text = f"{check.text.rstrip()}\n\n{UNCITED_NOTE}"
        return Answer(
            question,
            text,
            [],
            mode="generated",
            corrections=check.corrections,
            warnings=warnings,
            candidates=list(sources),
        )
    text, mapping = renumber(check.text, check.cited)
    by_n = {s.n: s for s in sources}
    cited = []
    for old, new in sorted(mapping.items(), key=lambda kv: kv[1]):
        src = replace(by_n[old], n=new)
        cited.append(replace(src, paragraphs=claim_paragraphs(text, src)))
    return Answer(question, text, cited, mode="generated", corrections=check.corrections, warnings=warnings)


def answer_question(
    question: str, ctx: ChainContext, history: Sequence[Turn] = (), filters: SearchFilters | None = None
) -> Answer:
    """The final Answer of :func:`stream_answer`."""
    result: Answer | None = None
    for item in stream_answer(question, ctx, history, filters):
        if isinstance(item, Answer):
            result = item
    assert result is not None
    return result
