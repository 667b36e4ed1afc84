"""LLM query rewriting for retrieval: ask the model which provisions and legal terms a question
implies (the KoBLEX paper's best retriever), then search with its answer as extra signals.

Citizens write 도둑/밤에/집; statutes write 절도/야간/주거. A capable model bridges that gap and
names the articles it expects ("형법 제330조(야간주거침입절도)"). Its answer is a hint, never an
instruction or a result: the retriever keeps only the articles that exist in the index and fuses
them, and BM25 over the hint's wording, with its own signals (see `HybridRetriever.search`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from assistant.chains.prompts import looks_like_prompt_echo, rewrite_messages
from assistant.llm import Generation, stream_chat
from assistant.security.pii import mask_personal_data, should_mask_for_llm
from ingest.core.korean import char_bigrams

log = logging.getLogger(__name__)

_QUESTION_TAG = re.compile(r"<\s*/?\s*질문\s*>")


def useful_hint(question: str, hint: str, max_overlap: float = 0.8) -> bool:
    """False for an empty answer or one that mostly repeats the question (weak base models echo
    their prompt; searching with the echo would only count the question twice)."""
    if not hint.strip() or _QUESTION_TAG.search(hint) or looks_like_prompt_echo(hint):
        return False
    grams = set(char_bigrams(hint))
    if not grams:
        return False
    return len(grams & set(char_bigrams(question))) / len(grams) < max_overlap


def suggest_provisions(llm: Any, question: str, settings: Any) -> str | None:
    """The model's guess of the provisions and legal terms behind `question`, or None when there is
    no model, it fails, or its answer is no use (the search then runs on the question alone)."""
    if llm is None:
        return None
    asked = mask_personal_data(question) if should_mask_for_llm(settings) else question
    gen = Generation()
    try:
        for _ in stream_chat(llm, rewrite_messages(asked), gen):
            if len(gen.text) >= settings.retrieval.hint_max_chars:
                break  # five provisions and a line of terms fit; a rambling model is cut off
    except Exception as exc:  # server down, timeout: rewriting is an extra, never a failure
        log.warning("query rewriting skipped: %s", exc)
        return None
    hint = gen.text.strip()
    return hint if useful_hint(asked, hint) else None
