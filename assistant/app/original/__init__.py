"""The original behind a citation: where the cited passage stands in its page or section (pure
core), the PDF page rendered with the passage highlighted, and the group-checked lookup of the
indexed file a citation came from."""
