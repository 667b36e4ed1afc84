"""Shared fixtures: the ../shared data (required in CI), settings on a temporary index, and one
embedding model per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from ingest.core.settings import Settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
# Login throttling state of tests that use default settings: never the project's data/ folder.
os.environ.setdefault(
    "ASSISTANT_SECURITY__STATE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='test-state-')}/security.sqlite3"
)
# The audit chain's key and anchor of tests that use default settings: never the project's secrets/.
_TEST_SECRETS = tempfile.mkdtemp(prefix="test-secrets-")
os.environ.setdefault("ASSISTANT_SECURITY__AUDIT_KEY_FILE", f"{_TEST_SECRETS}/audit.key")
os.environ.setdefault("ASSISTANT_SECURITY__AUDIT_ANCHOR_FILE", f"{_TEST_SECRETS}/audit.anchor")


def _lay_cache_dir() -> str:
    """The Kiwi-tokenised lay table (ingest.index.lay: ≈100 s of CPU to make, files named by the
    table's digest) in the user's cache, per Kiwi version: made once on a machine and reused by
    every clone there, as a CI cache would be (a fresh clone's .cache/ is empty). Making it is
    tested on a small table (tests/test_lay.py)."""
    from importlib.metadata import version

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    kiwi = f"kiwi-{version('kiwipiepy')}-{version('kiwipiepy_model')}"
    return str(base / "gov-assistant" / "lay" / kiwi)


os.environ.setdefault("ASSISTANT_INGEST__LAY_CACHE_DIR", _lay_cache_dir())


# Files of ../shared/data/documents used by the 원문 보기 tests: a guideline PDF with a text layer,
# a second (different) guideline PDF, and a law.go.kr statute PDF.
PRESS_PDF = "guideline_pdf/보건복지부_보도자료_영양소_적정_섭취기준_개정_20251231.pdf"
RESTRICTED_PDF = "guideline_pdf/보건복지부_보건의료_빅데이터_플랫폼_시범사업_추진계획(안)_201712.pdf"
STATUTE_PDF = "statute_pdf/공공기관의 정보공개에 관한 법률(법률)(제19408호)(20231117).pdf"


def unavailable(message: str) -> NoReturn:
    """A test's real dependency is missing: skip locally, fail in CI (where it must be there)."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_shared(*parts: str) -> Path:
    """Path under ../shared; skip when absent locally, fail in CI (where it must exist)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        unavailable(f"shared test data missing: {path}")
    return path


@pytest.fixture(scope="session")
def statute_sample() -> Path:
    return require_shared("data", "statutes", "sample", "kr")


@pytest.fixture(scope="session")
def documents_dir() -> Path:
    return require_shared("data", "documents")


@pytest.fixture(scope="session")
def statute_sample_chunks(statute_sample: Path) -> list[str]:
    """Every chunk text (부칙 included) of every statute sample file: a few thousand real texts."""
    from ingest.documents.chunking import chunk_document, token_counter
    from ingest.documents.loaders import load_document

    s = load_settings()
    count = token_counter(s.chunking.encoding)
    return [
        c.text
        for f in sorted(statute_sample.rglob("*.md"))
        for c in chunk_document(load_document(f), s.chunking.max_tokens, count)
    ]


@pytest.fixture(scope="session")
def embeddings():
    """The default embedding model (the shipped ko-static-v1), loaded once."""
    from ingest.core.settings import EmbeddingSettings
    from ingest.index.embeddings import make_embeddings

    return make_embeddings(EmbeddingSettings())


@pytest.fixture(params=["embedded", "server"])
def store_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """`settings`, once on the embedded store and once on the session's `chroma run` server."""
    if request.param == "server":
        settings.store.chroma_url = request.getfixturevalue("chroma_server")
        settings.store.collection = f"t{time.time_ns()}"  # the server is shared by the session
    return settings


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    s = load_settings()
    s.store.db_dir = tmp_path / "index"
    s.store.chroma_url = None
    return s


def copy_statutes(sample: Path, dest: Path, names: list[str]) -> Path:
    """Copy some statute files (law folder/file.md) into dest, keeping the layout."""
    for name in names:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sample / name, target)
    return dest


def committed_chunks(db: Path) -> int:
    """Chunks committed so far in any generation under `db` (the one being built, too)."""
    import sqlite3

    total = 0
    for path in db.glob("**/manifest.sqlite3"):
        try:
            con = sqlite3.connect(path)
            total += int(con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
            con.close()
        except sqlite3.Error:
            pass
    return total


def build_test_index(
    root: Path,
    sample: Path,
    statutes: list[str],
    embeddings,
    extra: dict[str, str] | None = None,
    guidelines: bool = False,
    copies: dict[str, Path] | None = None,
    access_groups: dict[str, list[str]] | None = None,
) -> Settings:
    """Index some statute-sample files (+ the sample guidelines, + extra files {relative path: text},
    + copies of files {relative path: original}) under `root`, with `access_groups` {relative
    folder: groups}; return settings pointing at the new index."""
    from ingest.job.pipeline import run_ingest

    src = copy_statutes(sample, root / "src", statutes)
    if guidelines:
        shutil.copytree(PROJECT_ROOT / "corpus" / "guidelines", src / "guidelines")
    for rel, text in (extra or {}).items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    for rel, original in (copies or {}).items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(original, src / rel)
    s = load_settings()
    s.store.db_dir = root / "index"
    s.store.chroma_url = None
    s.llm.backend = "none"
    if access_groups is not None:  # else the configured rules (environment) apply
        s.security.access_groups = {str(src / rel): groups for rel, groups in access_groups.items()}
    report = run_ingest([src], s, embeddings=embeddings)
    assert not report.failed, report.summary()
    return s


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real `chroma run` server on a free loopback port for the session."""
    from ingest.index.chroma_server import start_chroma_server

    try:
        server = start_chroma_server(tmp_path_factory.mktemp("chroma-server"))
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A clone of the legalize-kr history bundle, one per test module (tests check out commits)."""
    bundle = require_shared("data", "statutes", "history.bundle")
    dest = tmp_path_factory.mktemp("legalize") / "repo"
    subprocess.run(["git", "clone", "-q", "-b", "main", str(bundle), str(dest)], check=True)
    yield dest
