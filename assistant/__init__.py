"""Retrieval, chains, LLM backends and the QA benchmark of the government assistant."""
