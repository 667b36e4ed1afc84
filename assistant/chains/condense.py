"""Follow-up questions: rewrite a question that leans on the conversation into a standalone one.

With an LLM the model rewrites it (a sanity check falls back to the rule when the rewrite lost
the question); without one, a rule carries the law names (and, for short or deictic follow-ups,
the previous question) over from the history.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel

from assistant.chains.prompts import condense_messages
from assistant.chains.types import Turn
from assistant.llm import Generation, stream_chat
from ingest.core.korean import char_bigrams

_DEICTIC = re.compile(
    r"^\s*(그럼|그러면|그렇다면|그 경우|이 경우|그때|그것|이것|그건|이건|거기|그 외|그밖|또|그리고|만약|반대로|같은|위|해당)"
)
_SHORT = 25  # characters: follow-ups shorter than this rarely stand alone ("제18조는요?")


def recent_history(history: Sequence[Turn], turns: int) -> list[Turn]:
    return [(r, t) for r, t in history if t and t.strip()][-turns:] if turns > 0 else []


def rule_condense(question: str, history: Sequence[Turn], catalog: Any = None) -> str:
    """Standalone question without an LLM (pure apart from the catalog lookup)."""
    previous = [t for r, t in history if r == "user" and t.strip()]
    if not previous:
        return question
    last = previous[-1].strip()
    names_law = bool(catalog.find_laws(question)) if catalog is not None else "법" in question
    # A short question that names its own law ("정보공개법 청구 기한은?") is a new topic, not a
    # follow-up; without a catalog "법" alone is too weak a sign ("방법은?") to tell.
    short_follow_up = len(question.strip()) < _SHORT and not (names_law and catalog is not None)
    if short_follow_up or _DEICTIC.match(question):
        return f"{last} {question.strip()}"
    if not names_law and catalog is not None:
        laws = [title for q in reversed(previous) for _, _, title in catalog.find_laws(q)]
        if laws:
            return f"{laws[0]} {question.strip()}"
    return question


def plausible_rewrite(question: str, rewrite: str) -> bool:
    """A rewrite must keep most of the follow-up's wording and stay a question-sized line."""
    if not rewrite or len(rewrite) > max(300, 4 * len(question)):
        return False
    q = set(char_bigrams(question))
    return not q or len(q & set(char_bigrams(rewrite))) / len(q) >= 0.5


def clean_rewrite(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().split("\n") if ln.strip()]
    if not lines:
        return ""
    line = re.sub(r"^(독립된\s*질문|질문)\s*[:：]\s*", "", lines[0])
    return line.strip().strip("\"'“”‘’`").strip()


def condense_question(
    question: str,
    history: Sequence[Turn],
    llm: BaseChatModel | None,
    gen: Generation,
    catalog: Any = None,
) -> str:
    """The standalone form of `question`. LLM errors propagate: the caller then knows the server
    is down before it tries to answer."""
    if not history:
        return question
    if llm is None:
        return rule_condense(question, history, catalog)
    for _ in stream_chat(llm, condense_messages(question, history), gen):
        pass
    rewrite = clean_rewrite(gen.text)
    return rewrite if plausible_rewrite(question, rewrite) else rule_condense(question, history, catalog)
