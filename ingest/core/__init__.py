"""The bottom floor: settings (the one place defaults live), Korean text (one Kiwi) and the plain
records every floor passes around (documents, chunks, loader errors)."""
