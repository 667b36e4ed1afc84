"""Kiwi tokenisation for the answer metrics (ROUGE-L tokens, content morphemes, sentences)."""

from __future__ import annotations

import re

from ingest.core.korean import tagged_tokens as _tokens

# Kiwi punctuation/symbol tags: SF . ! ?, SP , / : ;, SS* quotes/brackets, SE …, SO - ~,
# SW other symbols, SB list bullets (가. 1.).
PUNCT_TAGS = frozenset({"SF", "SP", "SS", "SSO", "SSC", "SE", "SO", "SW", "SB"})
# Content morphemes for the support check: nouns (NN*), verb/adjective stems, foreign words, numbers.
SUPPORT_TAGS = frozenset({"VV", "VA", "SL", "SN"})
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")


def rouge_tokens(text: str) -> list[str]:
    """Kiwi morpheme forms without punctuation."""
    return [form for form, tag in _tokens(text) if tag not in PUNCT_TAGS]


def content_morphemes(text: str) -> list[str]:
    """Nouns, verb/adjective stems, foreign words and numbers (lower-cased)."""
    return [form.lower() for form, tag in _tokens(text) if tag.startswith("NN") or tag in SUPPORT_TAGS]


def split_sentences(text: str) -> list[str]:
    """Sentences of an answer: split after . ! ? and at line breaks; citation-only lines kept."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
