"""The evaluators' QA benchmark: retrieval (and optionally answer) quality and cost over QA
files, with paired-bootstrap comparison of two configs. CLI: `python -m assistant.bench`."""

from assistant.bench.cli import main
from assistant.bench.runner import ConfigSpec, run_benchmark

__all__ = ["ConfigSpec", "main", "run_benchmark"]
