"""The data floors, bottom to top: `core` (settings, Korean text, plain records), `legal` (the
grammar of Korean legal text), `index` (storage: Chroma, keyword segments, embeddings, generations,
manifest), `documents` (loaders and legal-structure chunking), `job` (the ingest job and the
statute book in the background) and `statutes` (statute history and sync). Nothing here imports
`assistant` or `ui`."""
