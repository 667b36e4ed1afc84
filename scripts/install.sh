#!/usr/bin/env bash
# Create .venv and install the project (with test extras when asked). Idempotent.
# torch is installed first from the CPU wheel so sentence-transformers does not pull a CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python3 -m venv .venv
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
python -m pip install -q --upgrade pip
python -m pip install -q "torch==2.13.0"
if [ "$extras" = "test" ]; then
    python -m pip install -q -e ".[test]"
else
    python -m pip install -q -e .
fi
