"""The grammar of Korean legal text: list marks and their levels (`marks`), article/paragraph/item/
division patterns (`articles`), statute metadata from a file's header
(`metadata`), references, law titles and abbreviations (`refs`) and statute markup clean-up
(`markup`)."""
