"""LLM seam: ``None`` (offline, the default) or any OpenAI-compatible endpoint.

Callers ask ``get_llm(settings)``; ``None`` means "do the offline thing". Every failure
(timeout, refusal, HTTP error, unreachable server) surfaces as ``LLMError`` so the caller can
fall back to its offline result and add a note. Prompts are the files of the top-level
``prompts/`` folder, which the wheel installs as the package ``missionrag.prompts``
(pyproject.toml, setup.py); they are read through ``importlib.resources`` so an installed
missionrag finds them as well as a checkout does (tests/test_llm_wheel.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from missionrag.errors import LLMError
from missionrag.redact import redact_url, scrub, secrets_of

if TYPE_CHECKING:
    from missionrag.config import Settings

PROMPTS_PACKAGE = "missionrag.prompts"


def load_prompt(name: str) -> str:
    """Text of ``prompts/<name>.md`` (installed as ``missionrag/prompts/<name>.md``)."""
    from importlib.resources import files

    try:
        return files(PROMPTS_PACKAGE).joinpath(f"{name}.md").read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise LLMError(
            f"prompt {name}.md is missing from {PROMPTS_PACKAGE}; reinstall missionrag "
            "(pip install --force-reinstall missionrag, or `make install` in a checkout)"
        ) from exc


def fence(text: str) -> str:
    """Wrap untrusted document text so the model treats it as data, never as instructions.

    The closing marker is neutralised inside the text so a document cannot end the fence early.
    """
    cleaned = text.replace("<<<", "‹‹‹").replace(">>>", "›››")
    return f"<<<DOCUMENT\n{cleaned}\nDOCUMENT>>>"


class LLM:
    """Thin wrapper over llama-index's ``OpenAILike`` with our error and timeout policy."""

    def __init__(self, settings: Settings) -> None:
        if not settings.llm_url:
            raise LLMError("no LLM configured; set MISSIONRAG_LLM_URL")
        self.url = settings.llm_url.rstrip("/")
        # What names and messages show: never the URL's user name and password (see redact.py).
        self.shown_url = redact_url(self.url)
        self._secrets = secrets_of(settings)
        self.model = settings.llm_model or "default"
        self.timeout = settings.llm_timeout
        self.api_key = settings.llm_api_key or "not-needed"
        self.max_tokens = settings.llm_max_tokens
        self.json_mode = settings.llm_json_mode
        self._client: Any = None

    @property
    def name(self) -> str:
        return f"{self.model}@{self.shown_url}"

    def _llm(self) -> Any:
        if self._client is None:
            from llama_index.llms.openai_like import OpenAILike

            self._client = OpenAILike(
                model=self.model,
                api_base=self.url,
                api_key=self.api_key,
                is_chat_model=True,
                timeout=self.timeout,
                max_retries=0,
                temperature=0.0,
            )
        return self._client

    @staticmethod
    def _messages(system: str, user: str) -> list[Any]:
        from llama_index.core.llms import ChatMessage

        return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=user)]

    def complete(self, system: str, user: str, **request: Any) -> str:
        """One chat completion; raises ``LLMError`` on any failure or an empty reply.

        ``request`` adds fields to the request body (``response_format``, ``max_tokens``).
        """
        request["max_tokens"] = self._cap(request.get("max_tokens"))
        try:
            resp = self._llm().chat(self._messages(system, user), **request)
        except Exception as exc:  # network, HTTP status, timeout, bad payload
            raise LLMError(
                scrub(f"LLM at {self.shown_url} failed: {type(exc).__name__}: {exc}", self._secrets)
            ) from exc
        text = (resp.message.content or "").strip()
        if not text:
            raise LLMError(f"LLM at {self.shown_url} returned an empty answer")
        return text

    def _cap(self, wanted: int | None) -> int:
        """A call's own token budget (a short answer needs few), never above the setting."""
        return min(wanted or self.max_tokens, self.max_tokens)

    def stream(self, system: str, user: str, max_tokens: int | None = None) -> Iterator[str]:
        """Token deltas as they arrive; raises ``LLMError`` on failure."""
        messages = self._messages(system, user)
        try:
            for chunk in self._llm().stream_chat(messages, max_tokens=self._cap(max_tokens)):
                if chunk.delta:
                    yield chunk.delta
        except LLMError:
            raise
        except Exception as exc:
            raise LLMError(
                scrub(f"LLM at {self.shown_url} failed while streaming: {exc}", self._secrets)
            ) from exc

    def complete_json(
        self, system: str, user: str, schema: dict[str, Any] | None = None, **request: Any
    ) -> Any:
        """A completion parsed as JSON (code fences tolerated); raises ``LLMError`` if it is not.

        With ``MISSIONRAG_LLM_JSON_MODE`` ``schema`` (and a ``schema`` given) the endpoint is
        asked for JSON matching it; llama.cpp, vLLM and Ollama then constrain decoding to it,
        which is what lets a small model's judge reply parse at all (evals/reports/check_llm.md).
        The reply is validated by the caller either way: a constrained reply can still be cut
        short by ``max_tokens``.
        """
        if self.json_mode == "schema" and schema is not None:
            request.setdefault(
                "response_format",
                {
                    "type": "json_schema",
                    "json_schema": {"name": "reply", "schema": schema, "strict": False},
                },
            )
        elif self.json_mode != "off":
            request.setdefault("response_format", {"type": "json_object"})
        return parse_json_reply(self.complete(system, user, **request))


def parse_json_reply(text: str) -> Any:
    m = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    body = m.group(1) if m else text
    start = min((i for i in (body.find("{"), body.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise LLMError("LLM reply is not JSON")
    try:
        return json.loads(body[start:])
    except json.JSONDecodeError:
        # Tolerate trailing prose after the JSON value.
        try:
            obj, _ = json.JSONDecoder().raw_decode(body[start:])
            return obj
        except json.JSONDecodeError as exc:
            raise LLMError(f"LLM reply is not valid JSON: {exc}") from exc


def get_llm(settings: Settings) -> LLM | None:
    return LLM(settings) if settings.llm_enabled else None
