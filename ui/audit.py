"""Audit trail calls of the UI (``assistant.security.audit``): a failing log is written to the
server log and never breaks the page or the action."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from assistant.security.audit import get_audit_log
from assistant.security.auth import User
from assistant.settings import Settings

log = logging.getLogger("ui.audit")


def record(
    settings: Settings,
    event: str,
    user: User | None,
    *,
    login: str | None = None,
    question: str | None = None,
    sources: Sequence[str] = (),
    backend: str | None = None,
    detail: str | None = None,
    status: str | None = None,
    ref_id: int | None = None,
) -> int | None:
    """Record `event` for `user` (or for the attempted `login` when nobody is logged in); the
    row id, or None when the log failed."""
    who = login if login is not None else (user.login if user else "")
    try:
        return get_audit_log(settings).record(
            event,
            who,
            user.role if user else "",
            question=question,
            sources=tuple(sources),
            backend=backend,
            detail=detail,
            status=status,
            ref_id=ref_id,
        )
    except Exception as exc:
        log.error("audit event %r of %r not recorded: %s", event, who, type(exc).__name__, exc_info=exc)
        return None


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
