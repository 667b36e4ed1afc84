"""Documents in: the loaders (PDF, HWP, HWPX, DOCX, text, images), tables, document dates and
legal-structure chunking."""
