"""Discord's documented limits on messages, embeds and autocomplete, with its 50035 error shape."""

from __future__ import annotations

from typing import Any

CONTENT_LIMIT = 2000
EMBEDS_LIMIT = 10
EMBED_TOTAL_LIMIT = 6000
EMBED_FIELDS_LIMIT = 25
AUTOCOMPLETE_CHOICES_LIMIT = 25
CHOICE_TEXT_LIMIT = 100

_EMBED_TEXT_LIMITS = {"title": 256, "description": 4096}
_FIELD_TEXT_LIMITS = {"name": 256, "value": 1024}

ErrorTree = dict[str, Any]


def _too_long(limit: int) -> dict[str, Any]:
    return {
        "_errors": [
            {"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {limit} or fewer in length."}
        ]
    }


def _set_error(tree: ErrorTree, path: list[str], error: dict[str, Any]) -> None:
    node = tree
    for key in path:
        node = node.setdefault(key, {})
    node.setdefault("_errors", []).extend(error["_errors"])


def invalid_form_body(errors: ErrorTree) -> dict[str, Any]:
    """The body of Discord's 400 answer for a payload that breaks a limit."""
    return {"code": 50035, "errors": errors, "message": "Invalid Form Body"}


def _embed_text_length(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for embed_field in embed.get("fields") or []:
        total += len(embed_field.get("name") or "") + len(embed_field.get("value") or "")
    return total


def message_errors(body: dict[str, Any], prefix: list[str] | None = None) -> ErrorTree:
    """Errors Discord reports for a message create/edit body (empty when it is acceptable)."""
    prefix = prefix or []
    errors: ErrorTree = {}
    content = body.get("content")
    if isinstance(content, str) and len(content) > CONTENT_LIMIT:
        _set_error(errors, [*prefix, "content"], _too_long(CONTENT_LIMIT))
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS_LIMIT:
        _set_error(errors, [*prefix, "embeds"], _too_long(EMBEDS_LIMIT))
    total = 0
    for index, embed in enumerate(embeds):
        at = [*prefix, "embeds", str(index)]
        for key, limit in _EMBED_TEXT_LIMITS.items():
            if len(embed.get(key) or "") > limit:
                _set_error(errors, [*at, key], _too_long(limit))
        if len((embed.get("footer") or {}).get("text") or "") > 2048:
            _set_error(errors, [*at, "footer", "text"], _too_long(2048))
        if len((embed.get("author") or {}).get("name") or "") > 256:
            _set_error(errors, [*at, "author", "name"], _too_long(256))
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_LIMIT:
            _set_error(errors, [*at, "fields"], _too_long(EMBED_FIELDS_LIMIT))
        for field_index, embed_field in enumerate(fields):
            for key, limit in _FIELD_TEXT_LIMITS.items():
                if len(embed_field.get(key) or "") > limit:
                    _set_error(errors, [*at, "fields", str(field_index), key], _too_long(limit))
        total += _embed_text_length(embed)
    if total > EMBED_TOTAL_LIMIT:
        _set_error(
            errors,
            [*prefix, "embeds"],
            {
                "_errors": [
                    {
                        "code": "MAX_EMBED_SIZE_EXCEEDED",
                        "message": f"Embed size exceeds maximum size of {EMBED_TOTAL_LIMIT}",
                    }
                ]
            },
        )
    return errors


def is_empty_message(body: dict[str, Any], has_files: bool) -> bool:
    """Whether Discord would answer 50006 "Cannot send an empty message"."""
    return not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or has_files
    )


def autocomplete_errors(data: dict[str, Any]) -> ErrorTree:
    """Errors Discord reports for an autocomplete result (type 8) ``data``."""
    errors: ErrorTree = {}
    choices = data.get("choices") or []
    if len(choices) > AUTOCOMPLETE_CHOICES_LIMIT:
        _set_error(errors, ["data", "choices"], _too_long(AUTOCOMPLETE_CHOICES_LIMIT))
    for index, choice in enumerate(choices):
        at = ["data", "choices", str(index)]
        if len(str(choice.get("name", ""))) > CHOICE_TEXT_LIMIT:
            _set_error(errors, [*at, "name"], _too_long(CHOICE_TEXT_LIMIT))
        value = choice.get("value")
        if isinstance(value, str) and len(value) > CHOICE_TEXT_LIMIT:
            _set_error(errors, [*at, "value"], _too_long(CHOICE_TEXT_LIMIT))
    return errors
