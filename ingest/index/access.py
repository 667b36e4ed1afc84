"""Document access groups (pure): which folders are restricted to which groups, and which
chunks a user of given groups may see.

A chunk's groups are stored as one string ",감사,인사," ("" = every staff member) so they fit
Chroma's and the keyword snapshot's scalar metadata.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import numpy as np


def groups_for_path(path: Path, rules: Mapping[str, Sequence[str]], root: Path) -> tuple[str, ...]:
    """Groups allowed to see the document at `path` (() = everyone). A rule's folder is absolute
    or relative to `root`; a document under several restricted folders needs any of their groups
    only where the deepest folder says so (the most specific rule wins)."""
    path = Path(path).resolve()
    best: tuple[int, tuple[str, ...]] | None = None
    for folder, groups in rules.items():
        base = Path(folder)
        base = (base if base.is_absolute() else root / base).resolve()
        if base == path or base in path.parents:
            depth = len(base.parts)
            if best is None or depth > best[0]:
                best = (depth, tuple(sorted({g.strip() for g in groups if g.strip()})))
    return best[1] if best else ()


def encode_groups(groups: Sequence[str]) -> str:
    return f",{','.join(sorted(set(groups)))}," if groups else ""


def decode_groups(value: str) -> tuple[str, ...]:
    return tuple(g for g in value.split(",") if g)


def can_see(encoded: str, user_groups: Sequence[str]) -> bool:
    """True when the chunk is public or shares a group with the user."""
    return not encoded or any(f",{g}," in encoded for g in user_groups)


def visible_mask(encoded: np.ndarray, user_groups: Collection[str]) -> np.ndarray:
    """Boolean mask over chunks (`encoded` = their group strings) that `user_groups` may see."""
    mask = encoded == ""
    for g in set(user_groups):
        mask |= np.char.find(encoded.astype(str), f",{g},") >= 0
    return mask
