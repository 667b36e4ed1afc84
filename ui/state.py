"""Process-wide resources, created once per process, and the small per-browser-session state
(session id, logged-in user, login time, last activity).

Heavy objects — the embedding model, the retriever (Chroma client, keyword index, Kiwi) and the
chain context — are keyed by the settings, so a test that points the app at another index gets
fresh ones while every rerun of one app reuses them. They live in this module, not in
``st.cache_resource``: any browser, logged in or not, can send Streamlit's "clear cache"
message, which would drop the models for everyone.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from assistant.app.ask import (
    ChainContext,
    HybridRetriever,
    IndexMissingError,
    Source,
    llm_status,
    make_context,
    make_embeddings,
)
from assistant.app.feedback import FeedbackStore
from assistant.security.auth import User
from ingest.core.settings import Settings, get_settings

WARMUP_QUERY = "민원 처리기간"
USER_KEY, SEEN_KEY, VIA_KEY, SINCE_KEY = "auth_user", "auth_last_seen", "auth_via", "auth_since"
clock: Callable[[], float] = time.time  # replaced by a fake clock in tests
T = TypeVar("T")
_shared_objects: dict[tuple[str, str], Any] = {}
_shared_lock = threading.RLock()  # makers call shared() for their parts


def shared(kind: str, key: str, make: Callable[[], T], spinner: str | None = None) -> T:
    """The process's one object of `kind` for `key`, made on first use. A failure is not kept:
    the next call tries again (e.g. after the first indexing)."""
    slot = (kind, key)
    if slot in _shared_objects:
        return _shared_objects[slot]
    with _shared_lock:
        if slot not in _shared_objects:
            if spinner:
                with st.spinner(spinner):
                    _shared_objects[slot] = make()
            else:
                _shared_objects[slot] = make()
        return _shared_objects[slot]


def settings() -> Settings:
    return get_settings()


def current_user() -> User | None:
    """The logged-in user of this browser session, or None."""
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, User) else None


def sign_in(user: User, via: str = "password") -> None:
    """Start a logged-in session: nothing of the anonymous session carries over, and it gets a
    new session id (an id seen before login is worthless after it)."""
    st.session_state.clear()
    st.session_state[USER_KEY] = user
    st.session_state[VIA_KEY] = via
    st.session_state[SEEN_KEY] = st.session_state[SINCE_KEY] = clock()
    st.session_state["session_id"] = uuid.uuid4().hex


def update_user(user: User) -> None:
    """Replace the session's user (role or groups changed in the accounts file)."""
    st.session_state[USER_KEY] = user


def signed_in_via() -> str:
    """ "password" or "oidc"."""
    return str(st.session_state.get(VIA_KEY, "password"))


def sign_out() -> None:
    """Forget the user and everything this session held (conversation, summaries, drafts)."""
    st.session_state.clear()


def lifetime_expired(s: Settings) -> bool:
    """True when the session is older than ``security.session_max_hours`` (0 = no limit),
    however active it was."""
    limit = s.security.session_max_hours * 3600
    since = float(st.session_state.get(SINCE_KEY, clock()))
    st.session_state.setdefault(SINCE_KEY, since)
    return limit > 0 and clock() - since > limit


def idle_expired(s: Settings) -> bool:
    """True when the session was idle longer than ``security.session_idle_minutes`` (0 = never);
    otherwise this rerun counts as activity."""
    now = clock()
    last = float(st.session_state.get(SEEN_KEY, now))
    limit = s.security.session_idle_minutes * 60
    if limit > 0 and now - last > limit:
        return True
    st.session_state[SEEN_KEY] = now
    return False


def session_id() -> str:
    if "session_id" not in st.session_state:
        st.session_state["session_id"] = uuid.uuid4().hex
    return str(st.session_state["session_id"])


def _key(s: Settings) -> str:
    return s.model_dump_json()


def embeddings(s: Settings | None = None) -> Any:
    """The embedding model (shared by search and the 관리 page's indexing)."""
    s = s or settings()
    return shared(
        "embeddings",
        s.embedding.model_dump_json(),
        lambda: make_embeddings(s.embedding),
        "임베딩 모델을 불러오는 중…",
    )


def _make_retriever(s: Settings) -> HybridRetriever:
    r = HybridRetriever(s, embeddings=embeddings(s))
    r.search(WARMUP_QUERY, k=1)  # loads Kiwi, the embedding model and Chroma now, not on the first question
    return r


def retriever(s: Settings | None = None) -> HybridRetriever:
    """The shared retriever; raises IndexMissingError (Korean message) when nothing is indexed.
    A failure is not kept: the next call tries again (e.g. after the first indexing)."""
    s = s or settings()
    return shared("retriever", _key(s), lambda: _make_retriever(s), "색인과 검색 모델을 불러오는 중…")


def _make_context(s: Settings) -> ChainContext:
    ctx = make_context(s, retriever=None)
    ctx.tokens("준비")  # loads the tokenizer
    return ctx


def chain_context(s: Settings | None = None) -> ChainContext:
    """The chain context with the shared retriever attached when an index exists (summaries of
    uploads and drafts without legal basis work without one)."""
    s = s or settings()
    ctx = shared("context", _key(s), lambda: _make_context(s))
    if ctx.retriever is None:
        with contextlib.suppress(IndexMissingError):
            ctx.retriever = retriever(s)
    return ctx


def feedback_store(s: Settings | None = None) -> FeedbackStore:
    s = s or settings()
    url = s.ui.feedback_url
    return shared("feedback", url, lambda: FeedbackStore(url))


@st.cache_data(ttl=60, show_spinner=False)
def _llm_state(key: str, _s: Settings) -> tuple[bool, str]:
    return llm_status(_s)


def llm_state(s: Settings | None = None, fresh: bool = False) -> tuple[bool, str]:
    """(usable, Korean message) of the configured LLM, checked at most once a minute."""
    s = s or settings()
    if fresh:
        _llm_state.clear()
    return _llm_state(s.llm.model_dump_json(), s)


def full_source_text(source: Source, s: Settings | None = None) -> str:
    """The whole article/section of a source (the chain may have cut the last one to its token
    budget; such text ends with "…"), as far as the current user may see it."""
    if not source.text.endswith("\n…"):
        return source.body
    s = s or settings()
    meta = source.metadata
    user = current_user()
    groups = user.groups if user else ()
    try:
        r = retriever(s)
    except IndexMissingError:
        return source.body
    if meta.get("law_title") and meta.get("article"):
        parts = [
            c
            for c in r.get_article(str(meta["law_title"]), str(meta["article"]), groups)
            if c.metadata.get("doc_id") == meta.get("doc_id")
            and c.metadata.get("occurrence") == meta.get("occurrence")
        ]
        parts.sort(key=lambda c: int(c.metadata.get("part", 1)))
        if parts:
            return "\n".join(c.text.split("\n", 1)[-1] for c in parts)
    found = r.get_chunks([source.chunk_id], groups)
    text = found[0].text if found else source.text
    return text.split("\n", 1)[1] if "\n" in text else text
