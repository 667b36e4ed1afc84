"""부칙 kept apart from a summary's body: each 부칙's 시행일 and 경과조치 in one short line.
Pure functions over (location, text) pairs."""

from __future__ import annotations

import re
from collections.abc import Sequence

_LABEL = re.compile(r"^부칙\s*(<[^>]*>|\([^)]*\))?")
_IN_FORCE = re.compile(r"시행한다|시행일")
_TRANSITION = re.compile(r"경과\s*조치|적용\s*례|종전의|에\s*관한\s*적용")
_SENTENCE = re.compile(r"(?<=[다음함])\.\s+|\n")


def _short(text: str, width: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def addendum_notes(items: Sequence[tuple[str, str]], keep: int = 3) -> list[str]:
    """One line per 부칙 (the last `keep`, the newest being last in a document): its 시행일 sentence
    and its 경과조치, then how many older 부칙 were left out."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for location, text in items:
        m = _LABEL.match(location)
        label = f"부칙 {m.group(1)}" if m and m.group(1) else "부칙"
        groups.setdefault(label, []).append((location, text))
    lines: list[str] = []
    for label, parts in list(groups.items())[-keep:]:
        sentences = [(loc, s.strip()) for loc, t in parts for s in _SENTENCE.split(t) if s.strip()]
        in_force = next((s for _, s in sentences if _IN_FORCE.search(s)), "")
        transition = next((s for loc, s in sentences if _TRANSITION.search(loc) or _TRANSITION.search(s)), "")
        bits = [
            f"시행: {_short(in_force)}" if in_force else "",
            f"경과조치: {_short(transition)}" if transition else "",
        ]
        lines.append(
            f"{label} — " + " / ".join(b for b in bits if b)
            if any(bits)
            else f"{label} — {_short(parts[0][1])}"
        )
    if len(groups) > keep:
        lines.append(f"그 밖의 부칙 {len(groups) - keep}개는 생략했습니다 (원문 참조).")
    return lines
