"""The ingest job: discover, load, chunk, embed and switch generations (`pipeline`), its command
line (`cli`) and the shipped statute book completed in the background (`book`)."""
