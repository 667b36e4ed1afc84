"""The pages pass the logged-in user's access groups: a fact planted in a folder restricted to
감사 is answered and summarised for a 감사 member and invisible to everyone else; an oversized
question is refused on the page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from assistant.security.accounts import Account, save_account
from assistant.security.auth import User
from ingest.core.settings import get_settings
from tests.conftest import build_test_index
from tests.test_access_groups import QUESTION, RESTRICTED
from tests.ui.conftest import app_environment, open_app

AUDITOR = User("audit1", "박감사", "staff", ("감사",))
TITLE = "[테스트] 특정감사 계획 (감사 부서 한정)"


@pytest.fixture(scope="module", autouse=True)
def restricted_app(
    tmp_path_factory: pytest.TempPathFactory, statute_sample: Path, embeddings: Any
) -> Iterator[None]:
    root = tmp_path_factory.mktemp("ui-access")
    restricted = root / "build" / "src" / "감사"  # where build_test_index writes the extra file
    rules = json.dumps({str(restricted): ["감사"]}, ensure_ascii=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CHROMA_URL", raising=False)
        mp.setenv("ASSISTANT_SECURITY__ACCESS_GROUPS", rules)
        built = build_test_index(
            root / "build",
            statute_sample,
            ["민원처리에관한법률/법률.md"],
            embeddings,
            {"감사/계획.md": RESTRICTED},
        )
        env = app_environment(root / "app", Path(built.store.db_dir))
        # sessions are re-checked against the accounts file on every request
        save_account(
            Path(env["ASSISTANT_SECURITY__ACCOUNTS_FILE"]),
            Account(AUDITOR.login, AUDITOR.name, AUDITOR.role, AUDITOR.groups),
        )
        for key, value in env.items():
            mp.setenv(key, value)
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


def answer_text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown) + "\n".join(str(e.label) for e in at.expander)


def test_member_gets_the_restricted_answer_others_do_not() -> None:
    member = open_app(user=AUDITOR)
    member.chat_input(key="question").set_value(QUESTION).run()
    assert "푸른참나무" in answer_text(member)

    outsider = open_app()
    outsider.chat_input(key="question").set_value(QUESTION).run()
    assert not outsider.exception
    assert "푸른참나무" not in answer_text(outsider)


def test_summary_picker_lists_restricted_documents_only_for_members() -> None:
    assert TITLE in open_app("views/summary.py", AUDITOR).selectbox(key="sum_doc").options
    assert TITLE not in open_app("views/summary.py").selectbox(key="sum_doc").options


def test_huge_question_is_refused_on_the_page() -> None:
    at = open_app()
    at.chat_input(key="question").set_value("가" * 100_000).run()
    assert any("질문이 너무 깁니다" in str(e.value) for e in at.error)
    assert not any("가" * 1000 in str(m.value) for m in at.markdown)  # not echoed into the chat
