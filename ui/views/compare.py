"""신구조문 대비: pick a law, an article and two of its versions; see them side by side with the
changes highlighted. Versions come from the legalize-kr repository (``statutes.repo`` or the last
sync's) or from the past versions kept in the index; access groups apply to both."""

from __future__ import annotations

import streamlit as st

from assistant.app.statute_browser import statute_repo
from ui import state, statute_view

st.title("신구조문 대비")
st.caption(
    "조문의 두 판(시행 기간)을 나란히 비교합니다. 지워진 글자는 빨간 취소선, 새로 들어간 글자는 초록 밑줄로 표시됩니다."
)
s = state.settings()
user = state.current_user()
groups = user.groups if user else ()
at = statute_repo.configured(s)
sources = ([statute_view.FROM_REPO] if at else []) + [statute_view.FROM_INDEX]
source = st.radio("자료", sources, horizontal=True, key="cmp_source")
if at is None:
    st.caption(
        "법령 저장소(legalize-kr)가 설정되지 않아 색인에 있는 과거 조문만 비교합니다 "
        "(설정 `statutes.repo`, 또는 `python -m ingest.statutes.sync sync 저장소 --history`)."
    )
if source == statute_view.FROM_REPO and at is not None:
    st.caption(f"저장소 `{at.path}` · 커밋 {at.commit[:10]}")
    laws = sorted(law for law in statute_repo.law_titles(at) if statute_repo.visible(s, at, law, groups))
else:
    retriever = state.retriever(s)
    laws = sorted(law for law in retriever.law_titles(groups) if retriever.article_labels(law, groups))
law = st.selectbox("법령", laws, index=None, key="cmp_law", placeholder="법령을 고르세요")
if law:
    if source == statute_view.FROM_REPO and at is not None:
        labels = statute_repo.articles(at, law)
    else:
        labels = state.retriever(s).article_labels(law, groups)
    article = st.selectbox("조문", labels, index=None, key="cmp_article", placeholder="조문을 고르세요")
    if article:
        history = (
            statute_view.repo_history(s, law, article, groups)
            if source == statute_view.FROM_REPO
            else statute_view.index_history(s, law, article, groups)
        )
        versions = history.versions if history else []
        if len(versions) < 2:
            st.info(
                "비교할 이전 판이 없습니다: 이 자료에는 이 조문의 판이 하나뿐입니다."
                if versions
                else "이 자료에는 이 조문의 연혁이 없습니다."
            )
        else:
            names = [statute_view.version_label(v, f"{k + 1}판") for k, v in enumerate(versions)]
            c1, c2 = st.columns(2)
            old = c1.selectbox(
                "종전", range(len(versions)), len(versions) - 2, names.__getitem__, key="cmp_old"
            )
            new = c2.selectbox(
                "개정", range(len(versions)), len(versions) - 1, names.__getitem__, key="cmp_new"
            )
            statute_view.comparison(
                versions[old].text,
                versions[new].text,
                statute_view.version_label(versions[old], "종전"),
                statute_view.version_label(versions[new], "개정"),
            )
