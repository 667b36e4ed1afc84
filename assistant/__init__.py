"""The answering floors above `ingest`: `search` (hybrid retrieval, reranker, evidence judge),
`llm` (backends), `security`, `chains` (answer, summary, draft), `app` (what the UI calls) and, on
the top floor beside the UI, the tools: `bench`, `loadtest`, `training`."""
