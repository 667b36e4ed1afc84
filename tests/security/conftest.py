"""Fixtures of the security tests and the hostile-input tally.

A test marked ``@pytest.mark.hostile("refuse")`` or ``("mask")`` feeds one hostile input; its
outcome is tallied: passed = refused (or masked) correctly, failed = leaked. ``("intact")`` marks
near-misses that must pass through unchanged (not hostile, counted apart). The terminal summary
prints the counts; "leaked" must be 0.
"""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ingest.core.settings import Settings, load_settings

_TALLY: Counter[str] = Counter()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        'hostile(kind): a hostile input expected to be "refuse"d or "mask"ed, or an "intact" near-miss',
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    report = yield
    marker = item.get_closest_marker("hostile")
    if marker is not None and report.when == "call" and not report.skipped:
        tally(marker.args[0], report.passed)
    return report


def tally(kind: str, passed: bool) -> None:
    if kind == "intact":
        _TALLY["near-misses intact" if passed else "near-misses altered"] += 1
        return
    _TALLY["tried"] += 1
    if passed:
        _TALLY["refused" if kind == "refuse" else "masked"] += 1
    else:
        _TALLY["leaked"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _TALLY:
        return
    tr = terminalreporter
    tr.section("hostile inputs")
    tr.write_line(
        f"hostile inputs tried: {_TALLY['tried']} / refused correctly: {_TALLY['refused']} / "
        f"masked correctly: {_TALLY['masked']} / leaked: {_TALLY['leaked']}"
    )
    tr.write_line(
        f"near-misses left intact: {_TALLY['near-misses intact']} (altered: {_TALLY['near-misses altered']})"
    )


@pytest.fixture()
def sec_settings(tmp_path: Path) -> Settings:
    """Settings with a temporary audit log and small limits (so that test files stay small)."""
    s = copy.deepcopy(load_settings())
    s.security.audit_url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    s.security.max_question_chars = 500
    s.security.max_upload_pages = 3
    s.security.max_unzipped_mb = 1.0
    s.ingest.max_file_mb = 2.0
    s.store.db_dir = tmp_path / "index"
    s.store.chroma_url = None
    s.llm.backend = "none"
    return s
