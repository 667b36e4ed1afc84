"""Index storage, read and written: Chroma and its embeddings, the keyword index and its segments,
generations, the manifest, access groups, the lay table, index statistics."""
