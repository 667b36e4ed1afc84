"""Streamlit front end: 질의응답 (extractive until the chains land)."""

from __future__ import annotations

import streamlit as st

from assistant.retrieval import HybridRetriever, IndexMissingError, build_retriever
from assistant.settings import get_settings

st.set_page_config(page_title="업무 AI 도우미", page_icon="📜", layout="wide")


@st.cache_resource(show_spinner="색인을 불러오는 중…")
def retriever() -> HybridRetriever:
    return build_retriever(get_settings())


def source_label(meta: dict) -> str:
    if meta.get("doc_type") == "statute":
        title = f"({meta['article_title']})" if meta.get("article_title") else ""
        eff = f" · 시행 {meta['effective_date']}" if meta.get("effective_date") else ""
        return f"{meta.get('law_title')} {meta.get('article')}{title}{eff}"
    page = f" · {meta['page']}쪽" if int(meta.get("page", -1)) > 0 else ""
    return f"{meta.get('doc_title')} · {meta.get('section_path') or '본문'}{page}"


st.title("업무 AI 도우미")
st.caption("발췌 모드: 생성형 LLM이 연결되어 있지 않아 관련 조문을 그대로 보여 줍니다.")
try:
    r = retriever()
except IndexMissingError as exc:
    st.error(f"{exc}")
    st.stop()

question = st.chat_input("법령이나 지침에 대해 물어보세요 (예: 민원 처리기간은?)")
if question:
    with st.chat_message("user"):
        st.write(question)
    hits = r.search(question, k=5)
    with st.chat_message("assistant"):
        if not hits:
            st.warning("관련 근거를 찾지 못했습니다.")
        for i, hit in enumerate(hits, start=1):
            with st.expander(f"[{i}] {source_label(hit.chunk.metadata)}", expanded=i == 1):
                st.text(hit.chunk.text)
