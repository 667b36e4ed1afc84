"""Audit trail calls of the UI (``assistant.security.audit``): a failing log is written to the
server log and never breaks the page or the action."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from assistant.security.audit import record
from assistant.security.auth import User
from ingest.core.settings import Settings

log = logging.getLogger("ui.audit")


@dataclass
class Outcome:
    """What an audited action produced, filled in by the caller before the block ends."""

    sources: list[str] = field(default_factory=list)
    backend: str | None = None
    detail: str | None = None


@contextmanager
def action(
    settings: Settings, event: str, user: User | None, *, question: str | None, detail: str | None = None
) -> Iterator[Outcome]:
    """Audit an action that shows text: a "started" row before the block runs (before any text
    reaches the user), and a completing row after it: "complete", "stopped" (the user stopped
    the run, left or reran the page) or "error"."""
    started = record(settings, event, user, question=question, detail=detail, status="started")
    outcome = Outcome()
    status = "error"
    try:
        yield outcome
        status = "complete"
    except (StopException, RerunException, GeneratorExit, KeyboardInterrupt):
        status = "stopped"
        raise
    finally:
        record(
            settings,
            event,
            user,
            question=question,
            sources=outcome.sources,
            backend=outcome.backend,
            detail=outcome.detail,
            status=status,
            ref_id=started,
        )


def backend_of(settings: Settings, mode: str) -> str:
    """What produced a result: the configured LLM backend, "none" (extractive by configuration),
    or the configured backend with "(발췌로 대체)" when it fell back to extractive."""
    configured = (settings.llm.backend or "none").strip().lower()
    if mode == "generated" or configured == "none":
        return configured
    return f"{configured} (발췌로 대체)"
