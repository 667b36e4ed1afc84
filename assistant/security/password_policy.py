"""Password policy for built-in accounts (pure): a minimum length and a number of character
classes, both from ``security.password_min_length`` / ``security.password_min_classes``.

The classes are 영문 대문자, 영문 소문자, 숫자 and 그 밖의 문자 (특수문자, 한글 …), so a
Korean passphrase with digits counts as two classes.
"""

from __future__ import annotations

from dataclasses import dataclass

CLASS_NAMES = ("영문 대문자", "영문 소문자", "숫자", "특수문자·한글")


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int
    min_classes: int

    def describe(self) -> str:
        """The policy in one Korean sentence (for prompts and errors)."""
        return f"{self.min_length}자 이상, {' · '.join(CLASS_NAMES)} 중 {self.min_classes}종류 이상을 섞어 주세요."


def character_classes(password: str) -> set[str]:
    """The classes of :data:`CLASS_NAMES` that occur in `password`."""
    found: set[str] = set()
    for ch in password:
        if "A" <= ch <= "Z":
            found.add(CLASS_NAMES[0])
        elif "a" <= ch <= "z":
            found.add(CLASS_NAMES[1])
        elif ch.isdigit():
            found.add(CLASS_NAMES[2])
        elif not ch.isspace():
            found.add(CLASS_NAMES[3])
    return found


def password_problems(password: str, policy: PasswordPolicy) -> list[str]:
    """What `password` lacks under `policy`, as Korean reasons (empty when it complies)."""
    problems = []
    if len(password) < policy.min_length:
        problems.append(f"길이가 {len(password)}자입니다 ({policy.min_length}자 이상 필요)")
    classes = character_classes(password)
    if len(classes) < policy.min_classes:
        problems.append(f"문자 종류가 {len(classes)}종류입니다 ({policy.min_classes}종류 이상 필요)")
    return problems


def check_password(password: str, policy: PasswordPolicy) -> None:
    """Raise ValueError with a Korean message when `password` breaks `policy`."""
    problems = password_problems(password, policy)
    if problems:
        raise ValueError(f"비밀번호 정책에 맞지 않습니다: {'; '.join(problems)}. {policy.describe()}")
