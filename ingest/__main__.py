"""`python -m ingest`: the index command line (ingest.job.cli)."""

import sys

from ingest.job.cli import main

sys.exit(main())
