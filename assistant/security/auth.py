"""Login with the built-in accounts (bcrypt), throttling of repeated failures
(``assistant.security.throttle``), re-checking a session's account on every request,
single-sign-on mapping, and the account commands::

    python -m assistant.security.auth add-user LOGIN --role admin --name 이름 [--groups 감사,인사]
    python -m assistant.security.auth ensure-admin   # first run: an "admin" with a random password

(inside the virtualenv; from any shell: ``bash scripts/account.sh add-user …`` or
``.venv/bin/gov-assistant-account add-user …``).

Passwords and hashes are never logged.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import bcrypt

from assistant.security.accounts import (
    ROLES,
    Account,
    AccountsError,
    load_accounts,
    normalize_login,
    save_account,
)
from assistant.security.password_policy import PasswordPolicy, check_password
from assistant.security.throttle import LoginThrottle, LoginThrottled, ThrottlePolicy, get_throttle
from ingest.core.settings import Settings, get_settings

__all__ = [
    "ROLES",
    "Account",
    "AccountsError",
    "LoginThrottled",
    "User",
    "hash_password",
    "oidc_user",
    "verify_login",
]

DEFAULT_ROUNDS = 12
MAX_PASSWORD_BYTES = 72  # bcrypt's limit (bcrypt 5 refuses longer input)
ROLE_NAMES = {"admin": "관리자", "staff": "직원"}


@dataclass(frozen=True)
class User:
    """A logged-in person: role "staff" or "admin", document access groups."""

    login: str
    name: str
    role: str = "staff"
    groups: tuple[str, ...] = ()
    # A digest of the password hash the session logged in with: a password change ends it.
    credential: str = field(default="", compare=False, repr=False)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_name(self) -> str:
        """The role in Korean (관리자 / 직원)."""
        return ROLE_NAMES.get(self.role, self.role)


def credential_of(account: Account) -> str:
    """A short digest of the account's password hash ("" for single-sign-on-only accounts)."""
    if not account.password_hash:
        return ""
    return hashlib.sha256(account.password_hash.encode("utf-8")).hexdigest()[:16]


def user_of(account: Account) -> User:
    return User(account.login, account.name, account.role, account.groups, credential_of(account))


def refresh_user(user: User, settings: Settings, via: str = "password") -> User | None:
    """The session's user as the accounts file says now (read again only when it changed):
    None when the account was removed or its password changed since login, else the user with
    the file's current role and groups. A single-sign-on user without an account keeps
    ``security.oidc_role``."""
    accounts = load_accounts(settings.security.accounts_file)
    account = accounts.get(user.login)
    if via == "oidc":
        if account is None:
            account = next((a for a in accounts.values() if a.email == user.login), None)
        if account is None:
            role = settings.security.oidc_role if settings.security.oidc_role in ROLES else "staff"
            return replace(user, role=role, groups=())
        return replace(user_of(account), login=user.login, name=user.name)
    if account is None:
        return None
    if user.credential and credential_of(account) != user.credential:
        return None
    return user_of(account)


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    """A bcrypt hash of `password` (non-empty, at most 72 bytes in UTF-8)."""
    raw = password.encode("utf-8")
    if not raw:
        raise ValueError("비밀번호가 비어 있습니다.")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise ValueError(f"비밀번호가 너무 깁니다 (UTF-8 {MAX_PASSWORD_BYTES}바이트, 한글 24자까지).")
    return bcrypt.hashpw(raw, bcrypt.gensalt(rounds)).decode("ascii")


def new_password_hash(password: str, settings: Settings) -> str:
    """The hash of a password being set, after checking it against the settings' policy."""
    sec = settings.security
    check_password(password, PasswordPolicy(sec.password_min_length, sec.password_min_classes))
    return hash_password(password)


_dummy_hashes: dict[bytes, bytes] = {}


def _cost(password_hash: bytes) -> bytes:
    """The cost field of a bcrypt hash ("$2b$12$…" → b"12")."""
    parts = password_hash.split(b"$")
    return parts[2] if len(parts) > 3 and parts[2].isdigit() else str(DEFAULT_ROUNDS).encode()


def _dummy_hash(cost: bytes) -> bytes:
    """A hash of the given cost, checked for unknown logins so they take as long as known ones."""
    if cost not in _dummy_hashes:
        _dummy_hashes[cost] = bcrypt.hashpw(b"no such user", bcrypt.gensalt(int(cost)))
    return _dummy_hashes[cost]


def _check_password(password: str, password_hash: str, cost: bytes) -> bool:
    raw = password.encode("utf-8")
    stored = password_hash.encode("ascii", "replace")
    usable = bool(raw) and len(raw) <= MAX_PASSWORD_BYTES and stored.startswith(b"$2")
    try:
        ok = bcrypt.checkpw(raw[:MAX_PASSWORD_BYTES] or b"-", stored if usable else _dummy_hash(cost))
    except ValueError:  # a malformed hash in the file
        return False
    return ok and usable


def verify_login(
    login: str,
    password: str,
    settings: Settings | None = None,
    *,
    client: str = "",
    throttle: LoginThrottle | None = None,
) -> User | None:
    """The user when `password` is right, else None. Unknown logins cost one bcrypt check too.
    Raises LoginThrottled while `client` must wait (see ``assistant.security.throttle``): another
    client's failures slow this one by at most ``security.account_backoff_max_seconds``.
    AccountsError when the accounts file is malformed."""
    settings = settings or get_settings()
    sec = settings.security
    throttle = throttle or get_throttle(settings)
    key = normalize_login(login)[:128]
    throttle.check(key, client)
    accounts = load_accounts(sec.accounts_file)
    account = accounts.get(key)
    some_hash = next((a.password_hash for a in accounts.values() if a.password_hash), "")
    cost = _cost(some_hash.encode("ascii", "replace"))
    if account is not None and _check_password(password, account.password_hash, cost):
        throttle.succeeded(key, client)
        return user_of(account)
    if account is None:
        _check_password(password, "", cost)
    throttle.failed(key, client, ThrottlePolicy.from_settings(settings))
    return None


def oidc_user(email: str, name: str | None, settings: Settings | None = None) -> User:
    """The user for a single-sign-on identity: the account whose login or ``email`` is `email`
    (its role and groups), else a user with ``security.oidc_role`` and no groups."""
    sec = (settings or get_settings()).security
    key = normalize_login(email)
    accounts = load_accounts(sec.accounts_file)
    account = accounts.get(key) or next((a for a in accounts.values() if a.email == key), None)
    if account is not None:
        return user_of(account)
    role = sec.oidc_role if sec.oidc_role in ROLES else "staff"
    return User(key, (name or "").strip() or key, role)


# --- command line -------------------------------------------------------------------------------


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("비밀번호: ")
    if getpass.getpass("비밀번호 확인: ") != first:
        raise ValueError("두 비밀번호가 다릅니다.")
    return first


def add_user(args: argparse.Namespace, settings: Settings) -> str:
    """Create an account, or update one (what is not given stays as it was); the Korean
    confirmation line."""
    path = Path(args.file or settings.security.accounts_file)
    login = normalize_login(args.login)
    old = load_accounts(path).get(login) or Account(login, login)
    password_hash = (
        "" if args.no_password else new_password_hash(_read_password(args.password_stdin), settings)
    )
    groups = old.groups
    if args.groups is not None:
        groups = tuple(g.strip() for g in args.groups.split(",") if g.strip())
    role = args.role or old.role
    email = old.email if args.email is None else args.email.strip().lower()
    save_account(path, Account(login, args.name or old.name, role, groups, password_hash, email))
    return f"계정을 저장했습니다: {login} ({ROLE_NAMES[role]}) → {path}"


def ensure_admin(settings: Settings) -> str | None:
    """When the accounts file does not exist, create it with an "admin" account and a random
    password; the Korean line that shows the password (once), else None."""
    path = Path(settings.security.accounts_file)
    if path.exists():
        return None
    password = secrets.token_urlsafe(12) + "-7"  # 18 characters with a digit and a symbol
    save_account(path, Account("admin", "관리자", "admin", (), new_password_hash(password, settings)))
    return (
        f"초기 관리자 계정: admin / 비밀번호 {password}  — 로그인 후 "
        "`bash scripts/account.sh add-user admin --role admin` 으로 비밀번호를 바꾸고 "
        f"직원 계정을 만드세요. (계정 파일: {path})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.security.auth", description="계정 관리")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user", help="계정을 만들거나 바꿉니다 (비밀번호를 묻습니다)")
    add.add_argument("login", help="아이디 (기관 계정 로그인이면 e-mail 주소)")
    add.add_argument("--name", help="이름 (기본: 아이디)")
    add.add_argument("--role", choices=ROLES, help="staff(직원, 새 계정의 기본값) 또는 admin(관리자)")
    add.add_argument("--groups", help="문서 접근 그룹, 쉼표로 구분 (예: 감사,인사; 빈 값이면 없음)")
    add.add_argument("--email", help="기관 계정(OIDC) e-mail 이 아이디와 다를 때")
    add.add_argument("--password-stdin", action="store_true", help="비밀번호를 표준 입력 첫 줄에서 읽습니다")
    add.add_argument("--no-password", action="store_true", help="비밀번호 없이 (기관 계정 로그인 전용)")
    add.add_argument("--file", help="계정 파일 (기본: security.accounts_file)")
    commands.add_parser("ensure-admin", help="계정 파일이 없으면 임의 비밀번호의 admin 계정을 만듭니다")
    args = parser.parse_args(argv)
    try:
        if args.command == "ensure-admin":
            line = ensure_admin(get_settings())
            if line:
                print(line)
            return 0
        print(add_user(args, get_settings()))
    except (ValueError, OSError) as exc:  # AccountsError is a ValueError
        print(f"오류: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
