"""Loading, chunking, embedding and indexing of statutes and guidelines."""
