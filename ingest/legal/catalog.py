"""The law catalog: known titles, their official and derived aliases, and law names found in
free text (a trie over key forms). Pure: built once from a list of titles, then only read.

    cat = LawCatalog(titles)                        # official titles, e.g. from the statute index
    cat.resolve("민원처리법")                         # → "민원 처리에 관한 법률"
    cat.find_laws("개인정보보호법에 따라 …")            # → [(0, 7, "개인정보 보호법")]
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from ingest.legal.titles import (
    _SCAN_TABLE,
    _SUBORDINATE,
    _WS,
    _clean_title,
    _nfc,
    law_type_of,
    normalize_title,
    parent_act,
)


def _official_abbreviations() -> dict[str, str]:
    with Path(__file__).with_name("abbreviations.toml").open("rb") as f:
        return dict(tomllib.load(f)["abbreviations"])


# Official 약칭 and common abbreviations (abbreviations.toml): alias as written → official title.
OFFICIAL_ABBREVIATIONS: dict[str, str] = _official_abbreviations()

# Words that refer to a law relative to the text they stand in; never aliases of a title.
_RELATIVE_KEY = re.compile(
    r"(?P<pre>같은|동|이|본|해당|당해)?(?P<kind>법률|법|영|규칙|규정)(?P<suf>시행령|시행규칙)?"
    r"|(?P<bare>시행령|시행규칙)"
)

_LAW_SUFFIXES = r"법률|특별법|특례법|특별조치법|기본법|규정|규칙"
# "X(등)에 관한 법률" → stem X and instrument word; the common way 약칭 are formed.
_ABOUT = re.compile(rf"^(?P<stem>.+?)(?:\s*등)?에\s*관한\s*(?P<kind>{_LAW_SUFFIXES})$")
_PAREN = re.compile(r"\([^()]*\)")
# Nouns ending in 의 that are not the possessive particle; they keep their 의 in derived aliases.
_NOT_POSSESSIVE = (
    "회의",
    "협의",
    "합의",
    "동의",
    "정의",
    "주의",
    "결의",
    "논의",
    "건의",
    "심의",
    "질의",
    "이의",
    "모의",
    "창의",
    "임의",
    "문의",
)
# The skeleton drops words that people add or omit when writing a long title from memory.
_SKELETON_DROP = re.compile(r"에관한|의|및|등")


def _strip_possessive(words: list[str]) -> list[str]:
    out = []
    for w in words:
        if len(w) >= 2 and w.endswith("의") and not w.endswith(_NOT_POSSESSIVE):
            w = w[:-1]
        out.append(w)
    return out


def _derived_alias_keys(title: str) -> set[str]:
    """Alias keys that people derive from an official title (spacing is free anyway):
    parenthetical glosses dropped; "X에 관한 법률" → "X법" / "X에 관한 법", with and without the
    possessive 의 and the conjunction 및 ("가족관계의 등록 등에 관한 법률" → "가족관계등록법")."""
    if _SUBORDINATE.match(title):
        return set()  # "alias + 시행령" is derived from the act's aliases instead
    out: set[str] = set()
    bases = {title}
    unparen = _WS.sub(" ", _PAREN.sub("", title)).strip()
    if unparen and unparen != title:
        bases.add(unparen)
    for base in bases:
        out.add(normalize_title(base))
        m = _ABOUT.match(base)
        if not m:
            continue
        stem, kind = m.group("stem"), m.group("kind")
        short = {"법률": "법"}.get(kind, kind)
        if kind == "법률":
            out.add(normalize_title(base)[:-1])  # "X에 관한 법"
        words = stem.split()
        variants = {
            "".join(words),
            "".join(_strip_possessive(words)),
            "".join(w for w in _strip_possessive(words) if w != "및"),
        }
        for v in variants:
            out.add(normalize_title(v + short))
    out.discard("")
    return out


def _skeleton(key: str) -> str:
    return _SKELETON_DROP.sub("", key)


# ---------------------------------------------------------------------------------------------
# Catalog
# ---------------------------------------------------------------------------------------------

_TRAILING_PARTICLE = re.compile(r"(?:상|에|에서|에는|의|은|는|이|가|을|를|과|와|도|으로|로)?")
_TERM = ""  # trie terminal marker (never a character of a key)
_GAP = " "
# Hangul syllables that may follow a law name glued to it: particles (은/는/이/가/을/를/의/에/와/과/
# 도/만/로/으로/에서/보다/까지/처럼/부터/뿐), 상(上), 및, 령(법령), 중, and the start of what usually
# comes next (제N조, 시행령, 별표, 위반, 개정, 부칙, 조항, 입니다). Anything else means the name is
# the head of a longer word: "헌법재판소" is not 헌법, "특허법인"/"의료법인" (corporations) not 특허법/의료법.
_PARTICLE_FIRST = frozenset("은는이가을를의에와과도만로으상및령중제시별위개부조입까보처뿐랑엔")


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


class LawCatalog:
    """Known law titles plus aliases; resolves names and finds law mentions in free text.

    ``titles`` holds the official titles (display form); ``aliases`` maps every active alias
    (curated abbreviations as written, derived ones in key form) to its official title;
    ``alias_collisions`` lists derived alias keys dropped because two titles derive them.
    """

    def __init__(self, titles: Iterable[str], extra_aliases: Mapping[str, str] | None = None) -> None:
        self.titles: set[str] = set()
        self._by_key: dict[str, str] = {}
        for raw in sorted({_clean_title(t) for t in titles if t and t.strip()}):
            key = normalize_title(raw)
            if key and key not in self._by_key:  # spelling variants of one title keep the first
                self._by_key[key] = raw
                self.titles.add(raw)

        skeletons: dict[str, set[str]] = {}
        for key, t in self._by_key.items():
            skeletons.setdefault(_skeleton(key), set()).add(t)
        self._by_skeleton = {s: next(iter(ts)) for s, ts in skeletons.items() if len(ts) == 1}
        self.aliases: dict[str, str] = {}
        self._alias_keys: dict[str, str] = {}
        derived: dict[str, set[str]] = {}
        for t in self.titles:
            for a in _derived_alias_keys(t):
                if a != normalize_title(t):
                    derived.setdefault(a, set()).add(t)
        for a, ts in derived.items():
            if a in self._by_key:  # "X법" is another law's official title: the title wins
                ts.add(self._by_key[a])
        self.alias_collisions: dict[str, list[str]] = {
            a: sorted(ts) for a, ts in derived.items() if len(ts) > 1
        }
        for a, ts in sorted(derived.items()):
            if len(ts) == 1 and self._usable_alias_key(a):
                (t,) = ts
                self._alias_keys[a] = t
                self.aliases[a] = t
        for alias, target in [*OFFICIAL_ABBREVIATIONS.items(), *(extra_aliases or {}).items()]:
            title = self._lookup(normalize_title(target))
            key = normalize_title(alias)
            if title is None or not self._usable_alias_key(key):
                continue
            if self._by_key.get(key, title) != title:
                continue  # an alias never shadows another law's official title
            self._alias_keys[key] = title
            self.aliases[_clean_title(alias)] = title

        self._trie: dict | None = None
        self._start_re: re.Pattern[str] | None = None

    def _usable_alias_key(self, key: str) -> bool:
        return len(key) >= 2 and not _RELATIVE_KEY.fullmatch(key)

    # -- resolution ---------------------------------------------------------------------------

    def _lookup(self, key: str, _depth: int = 0) -> str | None:
        """Official title for a key (no relative words), trying the variants people write."""
        if not key:
            return None
        hit = self._by_key.get(key) or self._alias_keys.get(key)
        if hit:
            return hit
        if _depth > 1:
            return None
        for suf in ("시행령", "시행규칙"):
            # alias of the act + 시행령: "소방시설법시행령" → 소방시설 설치 및 관리에 관한 법률 시행령
            if key.endswith(suf) and len(key) > len(suf):
                base = self._lookup(key[: -len(suf)], _depth + 1)
                if base:
                    return self._by_key.get(normalize_title(base) + suf)
                return None
        unparen = _PAREN.sub("", key)
        if unparen != key:
            hit = self._lookup(unparen, _depth + 1)
            if hit:
                return hit
        if key.endswith("법률"):
            hit = self._by_key.get(key[:-1]) or self._alias_keys.get(key[:-1])
        elif key.endswith("법"):
            hit = self._by_key.get(key + "률") or self._alias_keys.get(key + "률")
        return hit or self._by_skeleton.get(_skeleton(key))

    def _base(self, context_law: str | None) -> str | None:
        if not context_law:
            return None
        return self._lookup(normalize_title(context_law)) or _clean_title(context_law)

    def resolve(self, name: str, context_law: str | None = None) -> str | None:
        """Official title for any way people write a law (exact, spacing/dot variants, 「」,
        abbreviations, "X법 시행령" with X an abbreviation), or for a relative name ("같은 법",
        "동법 시행령", "이 법", "법", "영", "규칙") given the law of the surrounding text."""
        if not name:
            return None
        key = normalize_title(name)
        hit = self._lookup(key)
        if hit:
            return hit
        rel = _RELATIVE_KEY.fullmatch(key)
        if rel:
            target = _relative_target(rel, self._base(context_law))
            return self._lookup(normalize_title(target)) if target else None
        # a name with a particle glued to it, as cut out of a sentence: "개인정보보호법상"
        found = self.find_laws(name)
        if (
            len(found) == 1
            and not name[: found[0][0]].strip(" 「『")
            and _TRAILING_PARTICLE.fullmatch(name[found[0][1] :].strip(" 」』"))
        ):
            return found[0][2]
        return None

    # -- scanning -----------------------------------------------------------------------------

    def _build_trie(self) -> None:
        entries: dict[str, str] = dict(self._alias_keys)
        for key, t in self._alias_keys.items():
            for suf in ("시행령", "시행규칙"):
                sub = self._by_key.get(normalize_title(t) + suf)
                if sub:
                    entries.setdefault(key + suf, sub)
        entries.update(self._by_key)
        trie: dict = {}
        for key, title in entries.items():
            if len(key) < 2:
                continue
            node = trie
            for ch in key:
                node = node.setdefault(ch, {})
            node[_TERM] = title
        self._trie = trie
        firsts = "".join(sorted(ch for ch in trie if ch != _TERM))
        # An index of guidelines only has no law titles: a pattern that never matches.
        start = "[" + re.escape(firsts) + "]" if firsts else r"(?!)"
        self._start_re = re.compile(r"(?<![가-힣ㄱ-ㆎa-z0-9])" + start)

    def _match_at(self, s: str, i: int) -> tuple[int, str] | None:
        """Longest key starting at s[i] whose end is a plausible word end; gaps (spaces, dots,
        brackets) may sit inside a key after its second character, except before the last
        character of a 3-character key ("건축 법" is not 건축법), or after a digit ("5ㆍ18")."""
        node = self._trie
        assert node is not None
        n = len(s)
        j, depth, best = i, 0, None
        while j < n:
            nxt = node.get(s[j])
            if nxt is None and s[j] == _GAP and (depth >= 2 or (depth and s[j - 1].isdigit())):
                k = j
                while k < n and s[k] == _GAP:
                    k += 1
                if k < n:
                    cand = node.get(s[k])
                    if cand is not None and not (depth == 2 and _TERM in cand and len(cand) == 1):
                        nxt, j = cand, k
            if nxt is None:
                break
            node, depth, j = nxt, depth + 1, j + 1
            if _TERM in node and (j >= n or not _is_hangul(s[j]) or s[j] in _PARTICLE_FIRST):
                best = (j, node[_TERM])
        return best

    def find_laws(self, text: str) -> list[tuple[int, int, str]]:
        """Spans ``(start, end, official title)`` of explicit law mentions in free text, leftmost-
        longest and non-overlapping. Works without 「」 and with glued particles ("민원처리법상",
        "형법은"); a mention must start a word. Offsets refer to ``text`` (NFC-normalised first
        when it is not NFC already). Relative names ("같은 법") are left to :func:`parse_refs`."""
        if self._trie is None:
            self._build_trie()
        assert self._start_re is not None
        s = _nfc(text).translate(_SCAN_TABLE)
        out: list[tuple[int, int, str]] = []
        pos = 0
        for m in self._start_re.finditer(s):
            i = m.start()
            if i < pos:
                continue
            hit = self._match_at(s, i)
            if hit:
                out.append((i, hit[0], hit[1]))
                pos = hit[0]
        return out


def is_relative_law_name(name: str | None) -> bool:
    """True for a name that only points at another law ("같은 법", "동법 시행령", "이 법")."""
    return bool(name) and _RELATIVE_KEY.fullmatch(normalize_title(name or "")) is not None


def _relative_target(rel: re.Match[str], base: str | None) -> str | None:
    """Title a relative name stands for, given the law it is relative to (may not exist)."""
    if not base:
        return None
    act = parent_act(base) or base
    kind = rel.group("kind")
    suf = rel.group("suf") or rel.group("bare")
    if suf:
        return f"{act} {suf}"
    if kind in ("법", "법률"):
        return act
    btype = law_type_of(base)
    if kind == "영":
        return base if btype == "시행령" else f"{act} 시행령"
    if kind == "규칙":
        return base if btype in ("시행규칙", "규칙") else f"{act} 시행규칙"
    return base if btype == "규정" else None  # "같은 규정" only means a 규정-type instrument
