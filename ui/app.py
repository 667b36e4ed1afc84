"""Streamlit entry point: `streamlit run ui/app.py`. Pages: 질의응답, 문서 요약, 초안 작성, 신구조문 대비,
관리.

Nothing but the login page is shown until someone logs in (``ui.login``); staff do not see
관리, and its functions refuse them. Every page shows the status line (generating LLM or
extractive mode); errors are shown as Korean messages with a next step (details only in the
server log).
"""

from __future__ import annotations

import streamlit as st

from assistant.security.auth import User
from ui import components, downloads, login, state
from ui.korean_shell import PAGE_ICON, apply_shell

st.set_page_config(page_title="업무 AI 도우미", page_icon=PAGE_ICON, layout="wide")
st.set_option("client.showErrorDetails", "none")
st.set_option("client.toolbarMode", "viewer")


def pages(user: User | None) -> list[st.Page]:
    """All pages (so that every URL resolves); 관리 is listed for admins only."""
    admin_visible = "visible" if user is not None and user.is_admin else "hidden"
    return [
        st.Page("views/qa.py", title="질의응답", icon=":material/forum:", url_path="qa", default=True),
        st.Page("views/summary.py", title="문서 요약", icon=":material/summarize:", url_path="summary"),
        st.Page("views/draft.py", title="초안 작성", icon=":material/edit_document:", url_path="draft"),
        st.Page("views/compare.py", title="신구조문 대비", icon=":material/compare:", url_path="compare"),
        st.Page(
            "views/admin.py",
            title="관리",
            icon=":material/admin_panel_settings:",
            url_path="admin",
            visibility=admin_visible,
        ),
    ]


settings = state.settings()
apply_shell(settings.ingest.max_file_mb)  # Korean uploader texts, no English menu
user = login.current_user(settings)
if user is None:
    st.navigation(pages(None), position="hidden")  # any URL, /admin included, shows the login page
    with components.guard("로그인 화면 표시"):
        login.login_page(settings)
    st.stop()

downloads.bind_session()  # this tab's cookie may fetch the session's page images (ui.gate)
page = st.navigation(pages(user))
st.sidebar.caption("업무 AI 도우미 · 법령·지침 근거 검색")
login.account_sidebar(settings, user)
with components.guard("상태 확인"):
    components.status_line(settings)
with components.guard(f"'{page.title}' 화면 처리"):
    page.run()
