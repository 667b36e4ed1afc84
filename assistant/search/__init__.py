"""Search: hybrid retrieval over the index (`retrieval`), the optional reranker (`rerank`) and the
evidence judge (`judge`)."""
