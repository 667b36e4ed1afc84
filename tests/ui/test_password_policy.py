"""Password policy from settings: enforced by `add-user` and by the first admin account."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from assistant.security import auth
from assistant.security.accounts import load_accounts
from assistant.security.password_policy import PasswordPolicy, check_password, password_problems
from ingest.core.settings import Settings

POLICY = PasswordPolicy(min_length=10, min_classes=2)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short", False),  # the password the issue saw accepted
        ("abcdefghijk", False),  # long, one class
        ("abcd1234", False),  # two classes, too short
        ("abcdefgh12", True),
        ("새-비밀번호-2026", True),
        ("Passphrase Only", True),  # upper + lower; spaces count toward length, not classes
    ],
)
def test_policy_length_and_classes(password: str, ok: bool) -> None:
    assert (password_problems(password, POLICY) == []) is ok


def test_policy_error_names_the_reasons() -> None:
    with pytest.raises(ValueError, match=r"길이가 5자입니다 \(10자 이상 필요\).*1종류입니다"):
        check_password("short", POLICY)


def test_add_user_refuses_a_weak_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "accounts.toml"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert auth.main(["add-user", "kim", "--password-stdin", "--file", str(path)]) == 2
    assert "비밀번호 정책" in capsys.readouterr().err and not path.exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("민원-처리-2026\n"))
    assert auth.main(["add-user", "kim", "--password-stdin", "--file", str(path)]) == 0
    assert load_accounts(path)["kim"].password_hash


def test_policy_comes_from_settings(tmp_path: Path) -> None:
    s = Settings()
    s.security.accounts_file = tmp_path / "accounts.toml"
    s.security.password_min_length = 20
    with pytest.raises(ValueError, match="20자 이상"):
        auth.new_password_hash("민원-처리-2026", s)
    s.security.password_min_length, s.security.password_min_classes = 4, 1
    assert auth.new_password_hash("짧은암호", s).startswith("$2")


def test_generated_admin_password_meets_the_policy(tmp_path: Path) -> None:
    s = Settings()
    s.security.accounts_file = tmp_path / "accounts.toml"
    line = auth.ensure_admin(s)
    assert line is not None
    password = line.split("비밀번호 ", 1)[1].split()[0]
    sec = s.security
    assert (
        password_problems(password, PasswordPolicy(sec.password_min_length, sec.password_min_classes)) == []
    )
