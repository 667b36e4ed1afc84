"""LLM backends behind one settings switch (``settings.llm.backend``), as LangChain chat models.

- ``none`` (default): no model; the chains answer extractively (발췌).
- ``openai``: any OpenAI-compatible server by base URL (vLLM, Ollama ``/v1``, llama.cpp server,
  LM Studio, a hosted API).
- ``ollama``: Ollama's native API through ``langchain-ollama`` when installed, else its
  OpenAI-compatible ``/v1`` endpoint (same server, same models).
- ``local``: a GGUF model file loaded in-process with llama.cpp (``llama-cpp-python``).

Every model streams (``.stream``); timeouts and retries come from the settings; failures are
turned into one Korean sentence by :func:`describe_llm_error` so the chains can fall back to the
extractive mode and say why.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from ingest.core.settings import LLMSettings, Settings

BACKENDS = ("none", "openai", "ollama", "local")
OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"
_STATUS_TIMEOUT_S = 3.0


class LLMUnavailableError(RuntimeError):
    """The configured LLM cannot be used; ``str(exc)`` is a Korean message for the user."""


def backend_of(cfg: LLMSettings) -> str:
    backend = (cfg.backend or "none").strip().lower()
    if backend not in BACKENDS:
        raise LLMUnavailableError(
            f"알 수 없는 LLM 백엔드입니다: '{cfg.backend}' (none, openai, ollama, local 중 하나)"
        )
    return backend


def _is_openai_hosted(base_url: str | None) -> bool:
    return not base_url or "api.openai.com" in base_url


_NO_KEY = "not-needed"  # local OpenAI-compatible servers accept any key


def api_key(cfg: LLMSettings) -> str:
    """The LLM API key (settings, secrets file or OPENAI_API_KEY); held as a SecretStr elsewhere
    so that settings dumps and logs show only asterisks."""
    if cfg.api_key is not None:
        return cfg.api_key.get_secret_value()
    return os.environ.get("OPENAI_API_KEY") or _NO_KEY


def _openai_compatible(cfg: LLMSettings, base_url: str | None, default_model: str) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    kwargs: dict[str, Any] = {
        "model": cfg.model or default_model,
        "base_url": base_url,
        "api_key": api_key(cfg),
        "temperature": cfg.temperature,
        "timeout": cfg.timeout_s,
        "max_retries": cfg.max_retries,
        # usage in the last stream chunk where the server supports it (vLLM, Ollama, OpenAI);
        # servers that ignore it (llama.cpp) are counted with tiktoken by the chains
        "stream_usage": True,
    }
    if _is_openai_hosted(base_url):
        kwargs["max_tokens"] = cfg.max_tokens  # sent as max_completion_tokens
    else:
        # langchain-openai sends max_completion_tokens, which llama.cpp's server ignores (a run could
        # go on to the context limit); the classic max_tokens is understood by every local server.
        kwargs["extra_body"] = {"max_tokens": cfg.max_tokens}
    return ChatOpenAI(**kwargs)


def _ollama(cfg: LLMSettings) -> BaseChatModel:
    base = (cfg.base_url or OLLAMA_DEFAULT_URL).rstrip("/")
    if base.endswith("/v1"):
        return _openai_compatible(cfg, base, "llama3.2")
    try:
        from langchain_ollama import ChatOllama
    except ImportError:
        return _openai_compatible(cfg, f"{base}/v1", "llama3.2")
    return ChatOllama(
        model=cfg.model or "llama3.2",
        base_url=base,
        temperature=cfg.temperature,
        num_predict=cfg.max_tokens,
        client_kwargs={"timeout": cfg.timeout_s},
    )


def make_chat_model(cfg: LLMSettings) -> BaseChatModel | None:
    """The chat model for the settings, or None for ``backend = "none"`` (extractive mode).

    Raises LLMUnavailableError (Korean message) when the settings cannot give a model.
    """
    backend = backend_of(cfg)
    if backend == "none":
        return None
    if backend == "openai":
        if not cfg.base_url and api_key(cfg) == _NO_KEY:
            raise LLMUnavailableError("LLM 서버 주소(llm.base_url)가 설정되지 않았습니다.")
        return _openai_compatible(cfg, cfg.base_url, "default")
    if backend == "ollama":
        return _ollama(cfg)
    return _local(cfg)


# --- in-process llama.cpp -----------------------------------------------------------------------

_LLAMA_CACHE: dict[tuple[str, int, int, str | None], tuple[Any, threading.Lock]] = {}
_LLAMA_CACHE_LOCK = threading.Lock()


def _load_llama(path: str, n_ctx: int, n_threads: int, chat_format: str | None) -> tuple[Any, threading.Lock]:
    """One loaded model per file and parameters for the process (loading takes seconds)."""
    key = (path, n_ctx, n_threads, chat_format)
    with _LLAMA_CACHE_LOCK:
        if key not in _LLAMA_CACHE:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise LLMUnavailableError(
                    "llama-cpp-python이 설치되어 있지 않아 로컬 모델을 불러올 수 없습니다."
                ) from exc
            model = Llama(
                model_path=path, n_ctx=n_ctx, n_threads=n_threads, chat_format=chat_format, verbose=False
            )
            _LLAMA_CACHE[key] = (model, threading.Lock())
        return _LLAMA_CACHE[key]


def _role(message: BaseMessage) -> str:
    return {"human": "user", "ai": "assistant", "system": "system"}.get(message.type, "user")


class LlamaCppChatModel(BaseChatModel):
    """A GGUF model run in-process by llama.cpp, with token streaming."""

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    chat_format: str | None = None
    temperature: float = 0.1
    max_tokens: int = 800

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-in-process"

    def _model(self) -> tuple[Any, threading.Lock]:
        return _load_llama(self.model_path, self.n_ctx, self.n_threads, self.chat_format)

    def _request(self, messages: list[BaseMessage], stop: list[str] | None) -> dict[str, Any]:
        return {
            "messages": [{"role": _role(m), "content": m.text} for m in messages],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stop": stop or [],
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        model, lock = self._model()
        with lock:  # a llama.cpp context serves one request at a time
            out = model.create_chat_completion(**self._request(messages, stop))
        usage = out.get("usage") or {}
        message = AIMessage(
            content=out["choices"][0]["message"].get("content") or "",
            usage_metadata={
                "input_tokens": int(usage.get("prompt_tokens", 0)),
                "output_tokens": int(usage.get("completion_tokens", 0)),
                "total_tokens": int(usage.get("total_tokens", 0)),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        model, lock = self._model()
        with lock:
            for part in model.create_chat_completion(**self._request(messages, stop), stream=True):
                delta = part["choices"][0].get("delta", {}).get("content") or ""
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk


def _local(cfg: LLMSettings) -> BaseChatModel:
    if not cfg.model_path:
        raise LLMUnavailableError("로컬 모델 파일 경로(llm.model_path)가 설정되지 않았습니다.")
    path = Path(cfg.model_path)
    if not path.is_file():
        raise LLMUnavailableError(f"로컬 모델 파일을 찾을 수 없습니다: {path}")
    if path.suffix.lower() != ".gguf":
        raise LLMUnavailableError(f"로컬 모델은 GGUF 파일만 지원합니다 (llama.cpp): {path.name}")
    return LlamaCppChatModel(
        model_path=str(path),
        n_ctx=cfg.n_ctx,
        n_threads=cfg.n_threads or max(os.cpu_count() or 1, 1),
        chat_format=cfg.chat_format,
        temperature=cfg.temperature,
        max_tokens=cfg.max_tokens,
    )


# --- errors and health --------------------------------------------------------------------------


def describe_llm_error(exc: BaseException, cfg: LLMSettings) -> str:
    """One Korean sentence saying why the LLM call failed."""
    if isinstance(exc, LLMUnavailableError):
        return str(exc)
    where = cfg.base_url or (OLLAMA_DEFAULT_URL if cfg.backend == "ollama" else "로컬 모델")
    try:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return f"LLM 서버({where}) 응답 시간({cfg.timeout_s:g}초)이 초과되었습니다."
        if isinstance(exc, openai.APIConnectionError):
            return f"LLM 서버({where})에 연결할 수 없습니다. 서버가 실행 중인지 확인하세요."
        if isinstance(exc, openai.AuthenticationError):
            return "LLM 서버 인증에 실패했습니다 (API 키를 확인하세요)."
        if isinstance(exc, openai.NotFoundError):
            return f"LLM 서버에서 모델 '{cfg.model}'을(를) 찾을 수 없습니다."
        if isinstance(exc, openai.RateLimitError):
            return "LLM 서버의 요청 한도를 초과했습니다. 잠시 후 다시 시도하세요."
        if isinstance(exc, openai.APIStatusError):
            return f"LLM 서버 오류가 발생했습니다 (HTTP {exc.status_code})."
    except ImportError:  # pragma: no cover - langchain-openai depends on openai
        pass
    import httpx

    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return f"LLM 서버({where}) 응답 시간({cfg.timeout_s:g}초)이 초과되었습니다."
    if isinstance(exc, httpx.TransportError | ConnectionError):
        return f"LLM 서버({where})에 연결할 수 없습니다. 서버가 실행 중인지 확인하세요."
    return f"LLM 호출 중 오류가 발생했습니다: {type(exc).__name__}: {exc}"


def llm_status(settings: Settings) -> tuple[bool, str]:
    """(usable, Korean message) for the configured backend; quick, for the UI's status line."""
    cfg = settings.llm
    try:
        backend = backend_of(cfg)
    except LLMUnavailableError as exc:
        return False, str(exc)
    if backend == "none":
        return True, "LLM을 사용하지 않습니다: 답변은 검색된 조문을 그대로 인용하는 발췌 방식입니다."
    if backend == "local":
        try:
            _local(cfg)
            import llama_cpp  # noqa: F401
        except LLMUnavailableError as exc:
            return False, str(exc)
        except ImportError:
            return False, "llama-cpp-python이 설치되어 있지 않아 로컬 모델을 불러올 수 없습니다."
        return True, f"로컬 모델 사용: {Path(cfg.model_path or '').name}"
    import httpx

    if backend == "ollama" and not (cfg.base_url or "").rstrip("/").endswith("/v1"):
        base = (cfg.base_url or OLLAMA_DEFAULT_URL).rstrip("/")
        url, headers = f"{base}/api/tags", {}
    else:
        base = (cfg.base_url or "https://api.openai.com/v1").rstrip("/")
        key = api_key(cfg)
        url, headers = f"{base}/models", {"Authorization": f"Bearer {key}"}
    try:
        resp = httpx.get(url, headers=headers, timeout=min(_STATUS_TIMEOUT_S, cfg.timeout_s))
    except httpx.HTTPError as exc:
        return False, describe_llm_error(exc, cfg) + " 답변은 발췌 방식으로 대신합니다."
    if resp.status_code in (401, 403):
        return False, "LLM 서버 인증에 실패했습니다 (API 키를 확인하세요)."
    if resp.status_code >= 400:
        return False, f"LLM 서버 상태 확인 실패 (HTTP {resp.status_code}): {base}"
    return True, f"LLM 서버 연결됨: {base}" + (f" (모델 {cfg.model})" if cfg.model else "")


@dataclass
class Generation:
    """Text and token usage accumulated while streaming one LLM call."""

    text: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    usage_reported: bool = False


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content or "")


def stream_chat(model: BaseChatModel, messages: list[BaseMessage], gen: Generation) -> Iterator[str]:
    """Stream text deltas of one call into `gen` (text and, when the backend reports it, usage)."""
    for chunk in model.stream(messages):
        usage = getattr(chunk, "usage_metadata", None)
        if usage:
            gen.tokens_in += int(usage.get("input_tokens", 0))
            gen.tokens_out += int(usage.get("output_tokens", 0))
            gen.usage_reported = True
        delta = _text_of(chunk.content)
        if delta:
            gen.text += delta
            yield delta
