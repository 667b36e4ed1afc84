"""Index generations: what makes a full rebuild zero-downtime.

A generation is one complete index: a manifest and keyword snapshots in its own folder plus its
own Chroma collection. ``db_dir/ACTIVE`` names the generation queries use and is replaced
atomically, so a rebuild writes a new generation while the old one keeps serving, and readers
switch only when the new one is complete and has passed its sanity check. ``db_dir/BUILDING``
names a rebuild in progress, so a run killed half-way is resumed rather than started over.

An index made before generations existed (manifest and keyword folder directly in db_dir, the
collection named by the settings) is read as the "legacy" generation; the first rebuild replaces
it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ACTIVE = "ACTIVE"
BUILDING = "BUILDING"
GENERATIONS = "generations"
LEGACY = ""


@dataclass(frozen=True)
class Generation:
    """One complete (or being-built) index."""

    name: str  # "" = legacy layout directly in db_dir
    collection: str  # Chroma collection holding its vectors
    embedding_model: str | None = None  # settings.embedding.model it was built with
    created: str = ""

    def path(self, db_dir: Path) -> Path:
        """Folder of its manifest and keyword snapshots."""
        return Path(db_dir) if self.name == LEGACY else Path(db_dir) / GENERATIONS / self.name

    def manifest_path(self, db_dir: Path) -> Path:
        return self.path(db_dir) / "manifest.sqlite3"


def _read(path: Path) -> Generation | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return Generation(**data)


def _write_atomic(path: Path, gen: Generation) -> None:
    tmp = path.with_name(f".{path.name}-{time.time_ns()}")
    tmp.write_text(json.dumps(asdict(gen), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def active(db_dir: Path, base_collection: str) -> Generation | None:
    """The generation queries use; the legacy layout when only that exists; None when empty."""
    gen = _read(Path(db_dir) / ACTIVE)
    if gen is not None:
        return gen
    if (Path(db_dir) / "manifest.sqlite3").exists():
        return Generation(LEGACY, base_collection)
    return None


def active_marker(db_dir: Path) -> str:
    """Cheap change detector for readers: the ACTIVE file's content ("" when absent)."""
    try:
        return (Path(db_dir) / ACTIVE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def building(db_dir: Path) -> Generation | None:
    return _read(Path(db_dir) / BUILDING)


def start_build(db_dir: Path, base_collection: str, embedding_model: str) -> Generation:
    """The generation a rebuild writes: the unfinished one of a killed run when it used the same
    embedding model and collection base (so its vectors are reused), else a new one."""
    db_dir = Path(db_dir)
    previous = building(db_dir)
    if (
        previous is not None
        and previous.embedding_model == embedding_model
        and previous.collection.startswith(f"{base_collection}-")
    ):
        return previous
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    name = f"g{stamp}-{time.time_ns() % 1_000_000:06d}"
    gen = Generation(name, f"{base_collection}-{name}", embedding_model, stamp)
    gen.path(db_dir).mkdir(parents=True, exist_ok=True)
    db_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(db_dir / BUILDING, gen)
    return gen


def switch(db_dir: Path, gen: Generation) -> Generation | None:
    """Make `gen` the active generation (atomic); return the one it replaced."""
    db_dir = Path(db_dir)
    old = active(db_dir, gen.collection)
    _write_atomic(db_dir / ACTIVE, gen)
    if building(db_dir) == gen:
        (db_dir / BUILDING).unlink(missing_ok=True)
    return old if old != gen else None


def cleanup(db_dir: Path, client: Any, keep: list[Generation], base_collection: str) -> list[str]:
    """Delete generations (folders and collections) other than `keep` and the one being built.
    Returns the names removed. The previous generation is normally in `keep`: a query that
    started just before the switch may still be reading it."""
    db_dir = Path(db_dir)
    keep_names = {g.name for g in keep}
    in_progress = building(db_dir)
    if in_progress is not None:
        keep_names.add(in_progress.name)
    keep_collections = {g.collection for g in keep} | ({in_progress.collection} if in_progress else set())
    removed: list[str] = []
    root = db_dir / GENERATIONS
    if root.exists():
        for folder in sorted(root.iterdir()):
            if folder.is_dir() and folder.name not in keep_names:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder.name)
    if LEGACY not in keep_names:
        legacy = [
            db_dir / "manifest.sqlite3",
            db_dir / "manifest.sqlite3-wal",
            db_dir / "manifest.sqlite3-shm",
        ]
        if legacy[0].exists():
            for f in legacy:
                f.unlink(missing_ok=True)
            shutil.rmtree(db_dir / "keyword", ignore_errors=True)
            removed.append("legacy")
    for c in client.list_collections():
        name = getattr(c, "name", c)
        ours = name == base_collection or name.startswith(f"{base_collection}-g")
        if ours and name not in keep_collections:
            client.delete_collection(name)
    return removed
