"""The LLM backend factory, health check and Korean error messages (no server needed)."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import openai
import pytest

from assistant.llm import (
    LlamaCppChatModel,
    LLMUnavailableError,
    describe_llm_error,
    llm_status,
    make_chat_model,
)
from ingest.core.settings import LLMSettings, load_settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_none_is_the_default_and_gives_no_model() -> None:
    assert LLMSettings().backend == "none"
    assert make_chat_model(LLMSettings()) is None
    ok, message = llm_status(load_settings(llm=LLMSettings()))
    assert ok and "발췌" in message


def test_openai_compatible_backend() -> None:
    from langchain_openai import ChatOpenAI

    cfg = LLMSettings(
        backend="openai",
        base_url="http://127.0.0.1:8000/v1",
        model="m",
        max_tokens=77,
        timeout_s=9,
        max_retries=2,
    )
    model = make_chat_model(cfg)
    assert isinstance(model, ChatOpenAI)
    assert model.extra_body == {"max_tokens": 77}  # llama.cpp ignores max_completion_tokens
    assert (model.request_timeout, model.max_retries, model.model_name) == (9, 2, "m")
    hosted = make_chat_model(LLMSettings(backend="openai", api_key="sk-test", max_tokens=50))
    assert hosted.max_tokens == 50 and not hosted.extra_body


def test_ollama_backend_uses_an_openai_compatible_fallback() -> None:
    model = make_chat_model(LLMSettings(backend="ollama", model="qwen2.5:3b"))
    assert model is not None and "11434" in str(
        getattr(model, "openai_api_base", "") or getattr(model, "base_url", "")
    )


def test_local_backend_checks_the_model_file(tmp_path: Path) -> None:
    with pytest.raises(LLMUnavailableError, match="model_path"):
        make_chat_model(LLMSettings(backend="local"))
    with pytest.raises(LLMUnavailableError, match="찾을 수 없습니다"):
        make_chat_model(LLMSettings(backend="local", model_path=str(tmp_path / "x.gguf")))
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"GGUF")
    model = make_chat_model(LLMSettings(backend="local", model_path=str(fake), n_threads=1, max_tokens=5))
    assert isinstance(model, LlamaCppChatModel) and model.n_threads == 1  # loaded lazily, on first use


def test_unknown_backend() -> None:
    with pytest.raises(LLMUnavailableError, match="알 수 없는 LLM 백엔드"):
        make_chat_model(LLMSettings(backend="gpt"))


def test_status_and_errors_when_the_server_is_down() -> None:
    port = _closed_port()
    s = load_settings(llm=LLMSettings(backend="openai", base_url=f"http://127.0.0.1:{port}/v1", timeout_s=2))
    ok, message = llm_status(s)
    assert not ok and "연결할 수 없습니다" in message and str(port) in message
    request = httpx.Request("POST", "http://x")
    cfg = s.llm
    assert "연결할 수 없습니다" in describe_llm_error(openai.APIConnectionError(request=request), cfg)
    assert "시간" in describe_llm_error(openai.APITimeoutError(request=request), cfg)
    assert "시간" in describe_llm_error(httpx.ReadTimeout("t"), cfg)
    assert "오류" in describe_llm_error(ValueError("boom"), cfg)
