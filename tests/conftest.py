"""Shared fixtures: the ../shared data (required in CI), settings on a temporary index, and one
embedding model per test session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.settings import Settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


def require_shared(*parts: str) -> Path:
    """Path under ../shared; skip when absent locally, fail in CI (where it must exist)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"shared test data missing: {path}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def statute_sample() -> Path:
    return require_shared("data", "statutes", "sample", "kr")


@pytest.fixture(scope="session")
def documents_dir() -> Path:
    return require_shared("data", "documents")


@pytest.fixture(scope="session")
def embeddings():  # noqa: ANN201
    from ingest.embeddings import UniversalSentenceEncoderEmbeddings

    return UniversalSentenceEncoderEmbeddings()


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


def build_test_index(
    root: Path,
    sample: Path,
    statutes: list[str],
    embeddings,
    extra: dict[str, str] | None = None,  # noqa: ANN001
    guidelines: bool = False,
) -> Settings:
    """Index some statute-sample files (+ the sample guidelines, + extra files {relative path: text})
    under `root`; return settings pointing at the new index."""
    from ingest.pipeline import run_ingest

    src = copy_statutes(sample, root / "src", statutes)
    if guidelines:
        shutil.copytree(PROJECT_ROOT / "corpus" / "guidelines", src / "guidelines")
    for rel, text in (extra or {}).items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    s = load_settings()
    s.store.db_dir = root / "index"
    s.store.chroma_url = None
    s.llm.backend = "none"
    report = run_ingest([src], s, embeddings=embeddings)
    assert not report.failed, report.summary()
    return s


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """A real `chroma run` server on a free loopback port for the session."""
    chroma = Path(sys.executable).with_name("chroma")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 30 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)
