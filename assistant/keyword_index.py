"""BM25 keyword index over Korean tokens, published as immutable snapshots.

A snapshot is a folder `keyword/<version>/` holding one bm25s index per field (Kiwi morphemes
of the body, Hangul bigrams of the body, morphemes of the heading) and the chunk columns that
retrieval filters on. `keyword/CURRENT` names the live snapshot and is replaced atomically, so
a reader always sees one complete, consistent set of chunk ids.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from assistant.korean import char_bigrams, morphemes
from assistant.legal_refs import is_repealed, normalize_title

FIELDS = ("body", "bigram", "title")
COLUMNS = (
    "law_title",
    "article",
    "article_title",
    "doc_type",
    "law_type",
    "is_addendum",
    "doc_title",
    "effective_date",
    "section_path",
    "doc_id",
    "access_groups",  # ",감사," … or "" (all staff): see assistant.security.access
)
_KEEP_OLD_SNAPSHOTS = 2
_BRACKETED_LAW = re.compile(r"「([^」]{2,80})」")


_TITLE_BATCH = 5000
_NO_TOKEN = "\x00"  # bm25s cannot index an empty vocabulary


def _token_ids(tokens: Iterable[str], vocab: dict[str, int]) -> list[int]:
    """Vocabulary ids of `tokens`, adding new tokens to `vocab`."""
    return [vocab.setdefault(t, len(vocab)) for t in tokens]


def law_authority(titles: list[str], cited: Counter[str]) -> list[float]:
    """Per-chunk prior in [0, 1]: log-scaled count of 「…」 citations of the chunk's law by
    other provisions. Laws the statute book leans on (민법, 형법, 행정절차법) are the ones
    questions are usually about. Chunks of no law (the city's own guidelines, which an admin
    indexed because staff need them) get the full prior."""
    scale = math.log1p(max(cited.values(), default=0)) or 1.0
    return [math.log1p(cited.get(normalize_title(t), 0)) / scale if t else 1.0 for t in titles]


def title_text(meta: dict) -> str:
    """The heading field of a chunk: law title and article title, or document title and section."""
    if meta.get("doc_type") == "statute":
        return f"{meta.get('law_title', '')} {meta.get('article_title', '')}"
    return f"{meta.get('doc_title', '')} {meta.get('section_path', '')}"


@dataclass
class KeywordIndex:
    """BM25 per field over the same chunk ids, plus per-chunk columns for filters."""

    ids: list[str]
    columns: dict[str, list]
    models: dict[str, bm25s.BM25]

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, dict, list[str]]]) -> KeywordIndex:
        """rows: (chunk id, text, metadata, body morphemes)."""
        ids: list[str] = []
        columns: dict[str, list] = {c: [] for c in COLUMNS}
        # Tokens become vocabulary ids as they come: 160k chunks hold ~80M bigrams, and keeping
        # them as Python strings took 4.8 GB; lists of shared ints take a fraction of that.
        vocabs: dict[str, dict[str, int]] = {name: {} for name in FIELDS}
        docs: dict[str, list[list[int]]] = {name: [] for name in FIELDS}
        titles: list[str] = []
        repealed: list[bool] = []
        cited: Counter[str] = Counter()
        for cid, text, meta, morphs in rows:
            ids.append(cid)
            for c in COLUMNS:
                columns[c].append(meta.get(c, ""))
            repealed.append(bool(meta.get("article")) and is_repealed(text))
            docs["body"].append(_token_ids(morphs, vocabs["body"]))
            docs["bigram"].append(_token_ids(char_bigrams(text), vocabs["bigram"]))
            titles.append(title_text(meta))
            own = normalize_title(str(meta.get("law_title", "")))
            cited.update(k for k in map(normalize_title, _BRACKETED_LAW.findall(text)) if k != own)
        columns["authority"] = law_authority(columns["law_title"], cited)
        columns["is_repealed"] = repealed
        for start in range(0, len(titles), _TITLE_BATCH):
            for tokens in morphemes(titles[start : start + _TITLE_BATCH]):
                docs["title"].append(_token_ids(tokens, vocabs["title"]))
        models = {}
        for name in FIELDS:
            model = bm25s.BM25()
            if vocabs[name]:
                model.index((docs[name], vocabs[name]), show_progress=False)
            else:  # no chunks, or none with a token in this field: a placeholder no query matches
                model.index([[_NO_TOKEN]], show_progress=False)
            models[name] = model
            docs[name] = []  # free as we go
        return cls(ids, columns, models)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, field: str, tokens: list[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every chunk for `tokens` in `field` (zeros where mask is 0)."""
        if not self.ids or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        model = self.models[field]
        known = [t for t in tokens if t in model.vocab_dict]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return model.get_scores(known, weight_mask=mask)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, model in self.models.items():
            model.save(str(folder / name), show_progress=False)
        with (folder / "chunks.json").open("w", encoding="utf-8") as fh:
            json.dump({"ids": self.ids, "columns": self.columns}, fh, ensure_ascii=False)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        with (folder / "chunks.json").open(encoding="utf-8") as fh:
            data = json.load(fh)
        models = {name: bm25s.BM25.load(str(folder / name), load_corpus=False) for name in FIELDS}
        columns = data["columns"]
        for c in COLUMNS:  # snapshots written before a column existed
            columns.setdefault(c, [""] * len(data["ids"]))
        columns.setdefault("is_repealed", [False] * len(data["ids"]))
        return cls(data["ids"], columns, models)


def keyword_root(db_dir: Path) -> Path:
    return Path(db_dir) / "keyword"


def publish(db_dir: Path, index: KeywordIndex) -> str:
    """Write a new snapshot and switch CURRENT to it atomically; prune old snapshots."""
    root = keyword_root(db_dir)
    root.mkdir(parents=True, exist_ok=True)
    version = f"v{time.time_ns()}"
    tmp = root / f".tmp-{version}"
    index.save(tmp)
    os.replace(tmp, root / version)
    pointer_tmp = root / f".CURRENT-{version}"
    pointer_tmp.write_text(version, encoding="utf-8")
    os.replace(pointer_tmp, root / "CURRENT")
    snapshots = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("v"))
    for old in snapshots[:-_KEEP_OLD_SNAPSHOTS]:  # readers may still hold the previous one
        shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".tmp-*"):
        if stale.name != tmp.name:
            shutil.rmtree(stale, ignore_errors=True)
    return version


def current_version(db_dir: Path) -> str | None:
    pointer = keyword_root(db_dir) / "CURRENT"
    try:
        return pointer.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def load_current(db_dir: Path) -> tuple[str, KeywordIndex] | None:
    version = current_version(db_dir)
    if version is None:
        return None
    return version, KeywordIndex.load(keyword_root(db_dir) / version)
