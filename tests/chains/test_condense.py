"""The rule that turns a follow-up into a standalone question without an LLM (pure)."""

from __future__ import annotations

import pytest

from assistant.chains.condense import rule_condense
from ingest.legal.catalog import LawCatalog

CATALOG = LawCatalog(["공공기관의 정보공개에 관한 법률", "민원 처리에 관한 법률", "개인정보 보호법"])
HISTORY = [
    ("user", "민원 처리에 관한 법률에서 법정민원의 처리기간은 어떻게 정하나요?"),
    ("assistant", "종류별로 미리 정하여 공표합니다 [1]."),
]


@pytest.mark.parametrize("follow_up", ["민원편람은요?", "연장은 몇 번까지 되나요?", "제18조는요?"])
def test_a_short_follow_up_carries_the_previous_question(follow_up: str) -> None:
    assert rule_condense(follow_up, HISTORY, CATALOG) == f"{HISTORY[0][1]} {follow_up}"


def test_a_short_question_that_names_its_own_law_stands_alone() -> None:
    question = "정보공개법 청구 기한은?"
    assert rule_condense(question, HISTORY, CATALOG) == question


def test_a_deictic_question_is_joined_even_when_it_names_a_law() -> None:
    question = "그럼 개인정보 보호법에서는 어떻게 되나요?"
    assert rule_condense(question, HISTORY, CATALOG).startswith(HISTORY[0][1])


def test_a_long_question_without_a_law_takes_the_law_of_the_conversation() -> None:
    question = "처리기간을 넘기면 민원인에게 무엇을 알려야 하는지 궁금합니다"
    assert rule_condense(question, HISTORY, CATALOG) == f"민원 처리에 관한 법률 {question}"
