"""The OpenAPI schema says what the server does (schemathesis checks it in ``make test``).

FastAPI's generated schema drifted from the server: 422 bodies are ``{"detail": "<text>",
"errors": [...]}`` (``api/errors.py``) where it said ``detail`` is an array; it advertised
the request models' ceilings (20,000 / 100,000 characters) while the configured limits
(``MISSIONRAG_MAX_*_CHARS``) are what is enforced; blank text, an empty ``types`` list and
upload errors were allowed by it and refused by the server; 400, 404 and 500 were missing.
``install_openapi`` post-processes the generated schema once per app with the app's settings.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from missionrag.api.schemas import QUERY_CEILING, STATEMENT_CEILING
from missionrag.config import Settings
from missionrag.ingest import SUPPORTED

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What went wrong, what to do"}},
    "required": ["detail"],
}
VALIDATION_SCHEMA: dict[str, Any] = {
    "title": "ValidationFailure",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "Every problem, one after another"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
                "required": ["loc", "msg", "type"],
            },
        },
    },
    "required": ["detail"],
    "description": "`errors` is there when the request failed validation (one per problem); "
    "a file or URL that cannot be ingested has `detail` only",
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Status -> when it happens; added to every operation it can come from.
_EVERYWHERE = {
    "400": "Malformed request, or a Host name this server does not answer to",
    "500": "Internal error (the server log has the details)",
}
_WITH_BODY = {"413": "Request body over MISSIONRAG_MAX_BODY_KB (uploads: MISSIONRAG_MAX_FILE_MB)"}
_UNSAFE = {"403": "Cross-site request, or writes disabled / without the X-Requested-With header"}
_WRITES = {
    "401": "A token is required: the collection's (MISSIONRAG_COLLECTION_TOKENS), else MISSIONRAG_API_TOKEN"
}
_STORE = {"503": "The knowledge base is empty or the store is unavailable"}


def _response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}


def _limit(schema: dict[str, Any], field: str, limit: int) -> None:
    prop = schema["properties"][field]
    prop["maxLength"] = limit
    prop["pattern"] = r"\S"  # blank text is refused (must hold a non-space character)


def _operation(path: str, method: str, op: dict[str, Any]) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})
    extra: dict[str, str] = dict(_EVERYWHERE)
    if "requestBody" in op:
        extra.update(_WITH_BODY)
    if method in ("post", "put", "patch", "delete"):
        extra.update(_UNSAFE)
    if path.startswith(("/documents", "/collections")) and method in ("post", "delete"):
        extra.update(_WRITES)
    missing = []
    if any(p.get("name") == "collection" for p in op.get("parameters", [])) or "{name}" in path:
        missing.append("no collection with this name")
    if "{doc_id}" in path:
        missing.append("no document with this id")
    if missing:
        extra["404"] = "; ".join(missing).capitalize()
    if path in ("/search", "/ask", "/ask/stream", "/quiz"):
        extra.update(_STORE)
    for status, description in extra.items():
        responses.setdefault(status, _response(description))
    if "422" in responses or op.get("parameters") or "requestBody" in op:
        responses["422"] = {
            "description": "Invalid request: every problem in `detail`, each in `errors`",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ValidationFailure"}}
            },
        }


def build_schema(app: FastAPI, settings: Settings) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    comps = schema.setdefault("components", {}).setdefault("schemas", {})
    comps.pop("HTTPValidationError", None)
    comps.pop("ValidationError", None)
    comps["Error"] = ERROR_SCHEMA
    comps["ValidationFailure"] = VALIDATION_SCHEMA
    # What is enforced: the configured limit, under the model's ceiling.
    _limit(comps["SearchRequest"], "query", min(settings.max_query_chars, QUERY_CEILING))
    _limit(comps["AskRequest"], "question", min(settings.max_query_chars, QUERY_CEILING))
    _limit(comps["CheckRequest"], "statement", min(settings.max_statement_chars, STATEMENT_CEILING))
    for variant in comps["QuizRequest"]["properties"]["types"].get("anyOf", []):
        if variant.get("type") == "array":
            variant["minItems"] = 1
    upload = schema["paths"]["/documents"]["post"]["requestBody"]["content"]
    _limit(upload["application/json"]["schema"], "url", 2048)
    upload["multipart/form-data"]["encoding"] = {
        "file": {"contentType": "application/octet-stream"}
    }
    upload["multipart/form-data"]["schema"]["properties"]["file"]["description"] = (
        f"The file, with a file name ending in one of {', '.join(SUPPORTED)}; at most "
        f"{settings.max_file_mb:g} MB"
    )
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            _operation(path, method, op)
    return schema


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """Serve ``build_schema`` at /openapi.json (built on first request, then kept)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_schema(app, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
