"""Tooling that trains models from shipped data (the `train` extra): the embedding fine-tune and
the reranker with its data and evaluation."""
