"""The built-in accounts file (TOML): ``[users.<login>]`` with ``name``, ``role``, ``groups`` and a
bcrypt ``password_hash`` (absent for single-sign-on-only accounts), optionally ``email``.

Read afresh whenever the file changes; written with a TOML library (tomli-w), atomically, with
mode 0600, and read back before it replaces the old file: a value that would not load again
(a control character in a name, …) is refused, never written.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import tomli_w

ROLES = ("staff", "admin")
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")
MAX_NAME_CHARS = 100


class AccountsError(ValueError):
    """The accounts file or an account is malformed; ``str()`` is a Korean message."""


@dataclass(frozen=True)
class Account:
    """One entry of the accounts file."""

    login: str
    name: str
    role: str = "staff"
    groups: tuple[str, ...] = ()
    password_hash: str = ""  # bcrypt; empty = cannot log in with a password (SSO only)
    email: str = ""


def normalize_login(login: str) -> str:
    """Logins compare case-insensitively, without surrounding spaces."""
    return login.strip().lower()


def _bad_text(value: str) -> bool:
    """Control, format (bidi overrides, zero-width) or unassigned characters."""
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in value)


def check_identity(account: Account) -> None:
    """Raise AccountsError unless the login and role are valid (checked on every read)."""
    if not LOGIN_PATTERN.match(account.login):
        raise AccountsError(
            f"아이디 '{account.login}' 에 쓸 수 없는 문자가 있습니다 (영문, 숫자, . _ @ + -)."
        )
    if account.role not in ROLES:
        raise AccountsError(f"'{account.login}' 의 역할 '{account.role}' 은 staff 또는 admin 이어야 합니다.")


def check_account(account: Account) -> None:
    """Raise AccountsError unless the login, role, name and groups are valid (checked before
    writing; a file written by hand keeps loading)."""
    check_identity(account)
    if not account.name.strip() or len(account.name) > MAX_NAME_CHARS or _bad_text(account.name):
        raise AccountsError(
            f"'{account.login}' 의 이름이 비었거나 너무 길거나({MAX_NAME_CHARS}자 초과) 제어 문자가 있습니다."
        )
    for group in account.groups:
        if not group.strip() or "," in group or len(group) > MAX_NAME_CHARS or _bad_text(group):
            raise AccountsError(f"'{account.login}' 의 접근 그룹 {group!r} 에 쓸 수 없는 문자가 있습니다.")


def _parse(data: dict[str, object]) -> dict[str, Account]:
    users = data.get("users", {})
    if not isinstance(users, dict):
        raise AccountsError("계정 파일의 [users] 형식이 잘못되었습니다.")
    accounts: dict[str, Account] = {}
    for login, entry in users.items():
        if not isinstance(entry, dict):
            raise AccountsError(f"계정 '{login}' 의 형식이 잘못되었습니다.")
        groups = entry.get("groups", [])
        account = Account(
            login=normalize_login(str(login)),
            name=str(entry.get("name") or login),
            role=str(entry.get("role", "staff")),
            groups=tuple(str(g) for g in (groups if isinstance(groups, list) else [groups])),
            password_hash=str(entry.get("password_hash", "")),
            email=str(entry.get("email", "")).strip().lower(),
        )
        check_identity(account)
        accounts[account.login] = account
    return accounts


_cache: dict[Path, tuple[tuple[int, int], dict[str, Account]]] = {}


def load_accounts(path: Path) -> dict[str, Account]:
    """Accounts by normalized login; {} when the file does not exist."""
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        accounts = _parse(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccountsError(f"계정 파일({path})을 읽을 수 없습니다: {exc}") from exc
    _cache[path] = (stamp, accounts)
    return accounts


HEADER = "# 업무 AI 도우미 계정 (python -m assistant.security.auth add-user 로 관리). 비밀 파일입니다.\n\n"


def dumps(accounts: dict[str, Account]) -> str:
    """The TOML text of `accounts`."""
    users: dict[str, dict[str, object]] = {}
    for account in sorted(accounts.values(), key=lambda a: a.login):
        entry: dict[str, object] = {
            "name": account.name,
            "role": account.role,
            "groups": list(account.groups),
        }
        if account.email:
            entry["email"] = account.email
        if account.password_hash:
            entry["password_hash"] = account.password_hash
        users[account.login] = entry
    return HEADER + tomli_w.dumps({"users": users})


def save_account(path: Path, account: Account) -> None:
    """Add or replace `account` in the file (created with its folder; mode 0600, atomic)."""
    check_account(account)
    path = Path(path)
    accounts = dict(load_accounts(path))
    accounts[account.login] = account
    text = dumps(accounts)
    if _parse(tomllib.loads(text)) != accounts:  # what we write must read back as the same accounts
        raise AccountsError("계정 파일을 안전하게 쓸 수 없는 값이 있습니다.")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".accounts-", suffix=".toml")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
