"""Entry point: `python -m assistant.bench --qa FILE …` (see assistant.bench.cli)."""

import sys

from assistant.bench.cli import main

if __name__ == "__main__":
    sys.exit(main())
