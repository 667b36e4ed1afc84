"""Streamlit entry point: `streamlit run ui/app.py`. Pages: 질의응답, 문서 요약, 초안 작성, 관리.

Every page shows the status line (generating LLM or extractive mode); errors are shown as Korean
messages with a next step (details only in the server log).
"""

from __future__ import annotations

import streamlit as st

from ui import components, state

st.set_page_config(page_title="업무 AI 도우미", page_icon=":material/gavel:", layout="wide")
st.set_option("client.showErrorDetails", "none")
st.set_option("client.toolbarMode", "viewer")

pages = [
    st.Page("views/qa.py", title="질의응답", icon=":material/forum:", url_path="qa", default=True),
    st.Page("views/summary.py", title="문서 요약", icon=":material/summarize:", url_path="summary"),
    st.Page("views/draft.py", title="초안 작성", icon=":material/edit_document:", url_path="draft"),
    st.Page("views/admin.py", title="관리", icon=":material/admin_panel_settings:", url_path="admin"),
]
page = st.navigation(pages)
st.sidebar.caption("업무 AI 도우미 · 법령·지침 근거 검색")
with components.guard("상태 확인"):
    components.status_line(state.settings())
with components.guard(f"'{page.title}' 화면 처리"):
    page.run()
