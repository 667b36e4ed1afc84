"""The parts of a summary (assistant.chains.summarize): documents into units, rule findings,
sections, extractive ranking."""
