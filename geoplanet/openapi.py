"""The error responses every API operation can give, added to the published schema in one place.

Views declare their success responses; the failures come from one table (``geoplanet.errors``), DRF's own
validation and authentication, and the one access helper per object, so they are the same everywhere and
are declared here rather than on 66 operations: a client (or a fuzzer) reads from the schema every status
and Content-Type an operation really answers with.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "description": "A domain or access error ({detail, code}) or DRF's validation errors (field -> messages).",
    "oneOf": [
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
            "additionalProperties": {},
        },
        {"type": "array", "items": {"type": "string"}},
    ],
}
_REF = {"$ref": "#/components/schemas/Error"}
_METHODS = {"get", "post", "put", "patch", "delete"}
_WRITES = {"post", "put", "patch", "delete"}
# Error bodies are JSON; DRF renders them with the operation's negotiated JSON renderer (GeoJSON lists too).
_JSON_TYPES = ("application/json", "application/geo+json")
_REASONS = {
    "400": "The query or body cannot be understood (each refused field says why).",
    "401": "Not logged in (session) and no valid API token.",
    "403": "Logged in, but this user may not do this.",
    "404": "No such object, or not visible to this user (the two look the same).",
    "409": "The object is not in a state that allows this (e.g. retry an image that did not fail).",
    "413": "The upload is larger than the configured limit.",
    "415": "The request's Content-Type, or the uploaded file's format, is not accepted.",
}


def _error_media_types(operation: dict[str, Any]) -> list[str]:
    produced = {
        media
        for response in operation.get("responses", {}).values()
        for media in (response.get("content") or {})
    }
    # Plain JSON always (a download whose success is GeoJSON or a file still errs through DRF's JSON renderer);
    # GeoJSON too where the operation renders it, since the error then follows the negotiated renderer.
    return ["application/json", *(media for media in _JSON_TYPES[1:] if media in produced)]


def _codes(method: str, operation: dict[str, Any]) -> list[str]:
    where = {parameter.get("in") for parameter in operation.get("parameters", [])}
    body = operation.get("requestBody")
    codes = ["401", "403"]
    if "query" in where or body or method in _WRITES:
        codes.append("400")
    if "path" in where or "query" in where or body:
        codes.append("404")  # a path id, or a body slug / object id given in the query or the request body
    if method in _WRITES:
        codes.append("409")
    if body:
        codes.append("415")
        if "multipart/form-data" in (body.get("content") or {}):
            codes.append("413")
    return codes


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the shared error responses on every operation that lacks them."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            media = _error_media_types(operation)
            responses = operation.setdefault("responses", {})
            for code in _codes(method, operation):
                responses.setdefault(code, {
                    "description": _REASONS[code],
                    "content": {media_type: {"schema": _REF} for media_type in media},
                })
    return result
