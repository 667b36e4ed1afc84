"""Secrets come from the environment or a git-ignored secrets file and never show in dumps/logs."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from assistant.llm import api_key
from ingest.core.settings import Settings
from tests.conftest import PROJECT_ROOT

SECRET = "sk-test-7f3a9c1e55d2"


def test_llm_key_from_secrets_file_is_never_dumped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text(f"ASSISTANT_LLM__API_KEY={SECRET}\n", encoding="utf-8")
    s = Settings(_env_file=str(secrets))  # type: ignore[call-arg]
    assert api_key(s.llm) == SECRET
    logging.getLogger("test").warning("settings: %s / %r", s, s)
    for shown in (s.model_dump_json(), repr(s), str(s.llm), caplog.text):
        assert SECRET not in shown


def test_environment_key_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text("ASSISTANT_LLM__API_KEY=from-file\n", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_LLM__API_KEY", "from-env")
    assert api_key(Settings(_env_file=str(secrets)).llm) == "from-env"  # type: ignore[call-arg]


@pytest.mark.parametrize("path", ["secrets/secrets.env", "secrets/accounts.toml", ".streamlit/secrets.toml"])
def test_secret_files_are_git_ignored(path: str) -> None:
    result = subprocess.run(["git", "check-ignore", "-q", path], cwd=PROJECT_ROOT)
    assert result.returncode == 0, f"{path} is not git-ignored"
