"""The app as an ASGI application: ``streamlit run ui/server.py`` (what scripts/run-app.sh does).

The same pages as ``ui/app.py``, behind :class:`ui.gate.AnonymousGate`, which refuses what
Streamlit's settings cannot: uploads before login and the metrics endpoint.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from ui.gate import AnonymousGate

app = st.App("app.py", middleware=[Middleware(AnonymousGate)])
