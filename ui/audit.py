"""Audit trail calls of the UI (``assistant.security.audit``): a failing log is written to the
server log and never breaks the page or the action."""

from __future__ import annotations

import logging
from collections.abc import Sequence

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
) -> None:
    """Record `event` for `user` (or for the attempted `login` when nobody is logged in)."""
    from assistant.security.audit import get_audit_log

    who = login if login is not None else (user.login if user else "")
    try:
        get_audit_log(settings).record(
            event,
            who,
            user.role if user else "",
            question=question,
            sources=tuple(sources),
            backend=backend,
            detail=detail,
        )
    except Exception as exc:
        log.error("audit event %r of %r not recorded: %s", event, who, type(exc).__name__, exc_info=exc)


def backend_of(settings: Settings, mode: str) -> str:
    """What produced a result: the configured LLM backend, "none" (extractive by configuration),
    or the configured backend with "(발췌로 대체)" when it fell back to extractive."""
    configured = (settings.llm.backend or "none").strip().lower()
    if mode == "generated" or configured == "none":
        return configured
    return f"{configured} (발췌로 대체)"
