"""The app as an ASGI application: ``streamlit run ui/server.py`` (what scripts/run-app.sh does).

The same pages as ``ui/app.py``, behind :class:`ui.gate.AnonymousGate`, which refuses what
Streamlit's settings cannot: uploads before login and the metrics endpoint; and behind
:class:`ui.cookie_gate.SessionCookieGate`, which sets and clears the persistent-login cookie.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from ui.cookie_gate import SessionCookieGate
from ui.gate import AnonymousGate

app = st.App("app.py", middleware=[Middleware(AnonymousGate), Middleware(SessionCookieGate)])
