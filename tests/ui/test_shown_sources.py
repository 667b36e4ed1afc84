"""Issue 31 finding 3 through AppTest (in-process, real index with a PDF restricted to 감사, real
accounts file): the open 질의응답 page re-checks the sources it shows on every rerun, as reopened
history does, so a group removed from the user hides an earlier answer's restricted source text
on the next rerun and says so."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.security.accounts import load_accounts, save_account
from tests.ui.conftest import ADMIN, app_environ, open_app
from tests.ui.test_browser_downloads import RESTRICTED_QUESTION


@pytest.fixture(scope="module")
def original_env(
    tmp_path_factory: pytest.TempPathFactory, original_index_template: Path
) -> Iterator[dict[str, str]]:
    with app_environ(tmp_path_factory.mktemp("ui-shown-sources"), original_index_template) as env:
        yield env


def _restricted(at: object) -> list[str]:
    return [e.label for e in at.expander if "감사 계획" in e.label]  # type: ignore[attr-defined]


def test_shown_sources_are_hidden_on_the_next_rerun_after_a_group_is_removed(
    original_env: dict[str, str],
) -> None:
    accounts = Path(original_env["ASSISTANT_SECURITY__ACCOUNTS_FILE"])
    admin = load_accounts(accounts)[ADMIN[0]]
    at = open_app(user=ADMIN[2])  # groups (감사,): may see the restricted PDF
    at.chat_input(key="question").set_value(RESTRICTED_QUESTION).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _restricted(at), [e.label for e in at.expander]

    save_account(accounts, replace(admin, groups=()))  # 감사 removed while the page is open
    try:
        at.run()
    finally:
        save_account(accounts, admin)
    assert not at.exception, [e.value for e in at.exception]
    assert not _restricted(at)
    shown = "\n".join(str(m.value) for m in at.markdown)
    assert "지금 권한으로 볼 수 없거나" in shown and "숨겼습니다" in shown
