"""UI test fixtures: one small index (3 statutes of the sample + the sample guidelines) built per
session; each module that changes the index works on its own copy, and the app is pointed at it
with environment variables (the way an operator configures it), with its own accounts file (one
admin, one staff member; bcrypt cost 4 to stay fast) and audit log."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from assistant.security.accounts import Account, save_account
from assistant.security.auth import User, hash_password
from ingest.core.settings import get_settings
from tests.conftest import PRESS_PDF, PROJECT_ROOT, RESTRICTED_PDF, STATUTE_PDF, build_test_index

APP = PROJECT_ROOT / "ui" / "app.py"
UI_TIMINGS = pytest.StashKey[dict[str, float]]()  # measured by the browser tests, printed at the end
UI_STATUTES = [
    "민원처리에관한법률/법률.md",
    "민원처리에관한법률/시행령.md",
    "행정업무의운영및혁신에관한규정/대통령령.md",
]
# A question the sample answers from 민원처리법 시행령 제21조, and one it has no evidence for.
QUESTION = "민원 처리기간을 연장할 수 있나요?"
OFF_TOPIC = "오늘 점심 메뉴 추천해 줘"
# (login, password, user) of the test accounts
ADMIN = ("admin", "관리자-비밀번호-1", User("admin", "김관리", "admin", ("감사",)))
STAFF = ("clerk", "직원-비밀번호-1", User("clerk", "이주무", "staff", ("민원",)))
GUIDELINE_TEXT = """# [테스트] OO시 공용차량 운영 지침

## 1. 목적
이 지침은 OO시 공용차량의 배차와 운행 관리에 필요한 사항을 정한다.

## 2. 배차 신청
□ 공용차량을 이용하려는 부서는 운행 3일 전까지 배차를 신청하여야 한다.
□ 운행을 마친 뒤에는 운행일지를 작성하여 차량 관리부서에 제출하여야 한다.
"""


@pytest.fixture(scope="session")
def ui_index_template(tmp_path_factory: pytest.TempPathFactory, embeddings: Any) -> Path:
    """The pristine index; never opened by the app (copies are). Built from the statutes shipped in
    corpus/statutes, so the UI and browser tests answer as a fresh clone does (no ../shared)."""
    root = tmp_path_factory.mktemp("ui-index")
    shipped = PROJECT_ROOT / "corpus" / "statutes" / "kr"
    return Path(build_test_index(root, shipped, UI_STATUTES, embeddings, guidelines=True).store.db_dir)


# 원문 보기: a public guideline PDF and a question it answers, a guideline PDF restricted to 감사
# (ADMIN's group, not STAFF's), and a law.go.kr statute PDF.
PDF_QUESTION = "영양소 섭취기준은 어떤 분야에서 활용할 수 있나요?"


@pytest.fixture(scope="session")
def original_index_template(
    tmp_path_factory: pytest.TempPathFactory, embeddings: Any, documents_dir: Path
) -> Path:
    """The UI index plus the PDFs of 원문 보기: a guideline (public, and restricted to 감사) and a
    law.go.kr statute."""
    root = tmp_path_factory.mktemp("ui-original-index")
    shipped = PROJECT_ROOT / "corpus" / "statutes" / "kr"
    copies = {
        "보도자료/영양소_보도자료.pdf": documents_dir / PRESS_PDF,
        "감사/감사_계획.pdf": documents_dir / RESTRICTED_PDF,
        "법령PDF/정보공개법.pdf": documents_dir / STATUTE_PDF,
    }
    # Parsed inline: in the full suite the prepare worker died abruptly on these PDFs (2 of 2 runs;
    # never when run alone); see the closing note of session 5.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_INGEST__PREPARE_WORKERS", "0")
        s = build_test_index(
            root,
            shipped,
            UI_STATUTES,
            embeddings,
            guidelines=True,
            copies=copies,
            access_groups={"감사": ["감사"]},
        )
    return Path(s.store.db_dir)


def write_accounts(path: Path) -> Path:
    """The test accounts file: ADMIN and STAFF."""
    for _, password, user in (ADMIN, STAFF):
        account = Account(user.login, user.name, user.role, user.groups, hash_password(password, rounds=4))
        save_account(path, account)
    return path


def app_environment(root: Path, template: Path) -> dict[str, str]:
    """Environment for an app over a copy of the template index under `root`."""
    shutil.copytree(template, root / "index")
    return {
        "ASSISTANT_SECURITY__ACCOUNTS_FILE": str(write_accounts(root / "secrets" / "accounts.toml")),
        "ASSISTANT_SECURITY__AUDIT_URL": f"sqlite:///{root / 'audit.sqlite3'}",
        "ASSISTANT_STORE__DB_DIR": str(root / "index"),
        "ASSISTANT_UI__FEEDBACK_URL": f"sqlite:///{root / 'feedback.sqlite3'}",
        "ASSISTANT_SECURITY__STATE_URL": f"sqlite:///{root / 'security.sqlite3'}",
        "ASSISTANT_SECURITY__SESSION_SECRET_FILE": str(root / "secrets" / "session.key"),
        "ASSISTANT_UI__HISTORY_URL": f"sqlite:///{root / 'history.sqlite3'}",
        "ASSISTANT_UI__UPLOAD_DIR": str(root / "uploads"),
        "ASSISTANT_UI__DRAFTS_DIR": str(root / "drafts"),
        "ASSISTANT_UI__DRAFT_PROFILES_FILE": str(root / "draft-profiles.json"),
        "ASSISTANT_STATUTES__DOCUMENT_DATES_FILE": str(root / "document-dates.json"),
        "ASSISTANT_LLM__BACKEND": "none",
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "ORT_DISABLE_TELEMETRY": "1",
    }


@contextmanager
def app_environ(root: Path, template: Path) -> Iterator[dict[str, str]]:
    """A copy of the `template` index under `root`, set in os.environ for in-process AppTest runs."""
    env = app_environment(root, template)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CHROMA_URL", raising=False)
        for key, value in env.items():
            mp.setenv(key, value)
        get_settings.cache_clear()
        yield env
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory, ui_index_template: Path) -> Iterator[dict[str, str]]:
    """This module's index copy, set in os.environ for in-process AppTest runs."""
    with app_environ(tmp_path_factory.mktemp("ui-app"), ui_index_template) as env:
        yield env


@pytest.fixture()
def env_override(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """override(KEY=value, …): change settings for one test (the app reads them afresh)."""

    def override(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()

    yield override
    monkeypatch.undo()
    get_settings.cache_clear()


def open_app(page: str | None = None, user: User = STAFF[2]) -> Any:
    """An AppTest of the app, logged in as `user` (session state), optionally on `page`."""
    from streamlit.testing.v1 import AppTest

    from ui.state import USER_KEY

    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state[USER_KEY] = user
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def require_browser() -> str:
    """Path of Debian's Chromium with Playwright importable; skip locally, fail in CI."""
    missing = []
    chromium = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if chromium is None:
        missing.append("chromium (bash scripts/install-system-deps.sh)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install playwright)")
    if missing:
        message = "browser tests need " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert chromium is not None
    return chromium


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Report what the browser tests measured."""
    timings = config.stash.get(UI_TIMINGS, {})
    if timings:
        terminalreporter.write_sep("-", "UI timings")
        for name, seconds in timings.items():
            terminalreporter.write_line(f"{name}: {seconds:.2f} s")
