"""Discord's documented limits on what a bot may send, checked the way Discord checks them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .bodies import UploadedFile
from .errors import FormErrors, Path, empty_message, entity_too_large

CONTENT = 2000
EMBEDS = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER_TEXT = 2048
AUTHOR_NAME = 256
EMBEDS_TOTAL = 6000
ACTION_ROWS = 5
ROW_BUTTONS = 5
CUSTOM_ID = 100
BUTTON_LABEL = 80
SELECT_OPTIONS = 25
FILES = 10
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100
COMMANDS = 100
COMMAND_NAME = 32
COMMAND_DESCRIPTION = 100
COMMAND_OPTIONS = 25

ACTION_ROW, BUTTON, TEXT_INPUT = 1, 2, 4
SELECTS = {3, 5, 6, 7, 8}
COMPONENTS_V2 = 1 << 15


def check_message(payload: dict[str, Any], errors: FormErrors, path: Path = ()) -> None:
    """Content, embed and component limits of a message create or edit payload."""
    content = payload.get("content")
    if isinstance(content, str) and len(content) > CONTENT:
        errors.too_long([*path, "content"], CONTENT)
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS:
        errors.too_long([*path, "embeds"], EMBEDS)
    total = sum(_check_embed(embed, errors, [*path, "embeds", i]) for i, embed in enumerate(embeds))
    if total > EMBEDS_TOTAL:
        errors.add(
            [*path, "embeds"], "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBEDS_TOTAL}"
        )
    components = payload.get("components") or []
    top_level_rows = sum(1 for c in components if c.get("type") == ACTION_ROW)
    if not (payload.get("flags") or 0) & COMPONENTS_V2 and top_level_rows > ACTION_ROWS:
        errors.too_long([*path, "components"], ACTION_ROWS)
    for i, component in enumerate(components):
        _check_component(component, errors, [*path, "components", i])


def require_something(payload: dict[str, Any], files: Sequence[UploadedFile]) -> None:
    """A new message needs content, an embed, a component, a poll, a sticker or a file (else 50006)."""
    shown = ("content", "embeds", "components", "poll", "sticker_ids")
    if not (any(payload.get(key) for key in shown) or files):
        raise empty_message()


def check_files(files: Sequence[UploadedFile], size_limit: int, errors: FormErrors, path: Path = ()) -> None:
    """At most ten files, each and all together within the size limit (413 otherwise)."""
    if len(files) > FILES:
        errors.too_long([*path, "attachments"], FILES)
    for file in files:
        if len(file.data) > size_limit:
            raise entity_too_large(f"{file.filename} is {len(file.data)} bytes, limit {size_limit}")
    total = sum(len(f.data) for f in files)
    if total > size_limit:
        raise entity_too_large(f"{len(files)} files total {total} bytes, limit {size_limit}")


def check_choices(choices: Any, errors: FormErrors, path: Path) -> None:
    """Autocomplete results: at most 25 choices, names of 1-100 characters, string values up to 100."""
    if not isinstance(choices, list):
        errors.required(path)
        return
    if len(choices) > CHOICES:
        errors.too_long(path, CHOICES)
    for i, choice in enumerate(choices):
        name = choice.get("name")
        if not name:
            errors.required([*path, i, "name"])
        elif len(name) > CHOICE_NAME:
            errors.too_long([*path, i, "name"], CHOICE_NAME)
        value = choice.get("value")
        if isinstance(value, str) and len(value) > CHOICE_VALUE:
            errors.too_long([*path, i, "value"], CHOICE_VALUE)


def check_commands(commands: list[dict[str, Any]], errors: FormErrors) -> None:
    """A bulk command overwrite: names, descriptions, option and choice counts."""
    if len(commands) > COMMANDS:
        errors.too_long([], COMMANDS)
    for i, command in enumerate(commands):
        _check_command_node(command, errors, [i], slash=command.get("type", 1) == 1)


def _check_embed(embed: dict[str, Any], errors: FormErrors, path: list[str | int]) -> int:
    """Check one embed and return the characters it counts towards the 6000 total."""
    texts: list[tuple[tuple[str | int, ...], Any, int]] = [
        (("title",), embed.get("title"), EMBED_TITLE),
        (("description",), embed.get("description"), EMBED_DESCRIPTION),
        (("footer", "text"), (embed.get("footer") or {}).get("text"), FOOTER_TEXT),
        (("author", "name"), (embed.get("author") or {}).get("name"), AUTHOR_NAME),
    ]
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS:
        errors.too_long([*path, "fields"], EMBED_FIELDS)
    for j, field in enumerate(fields):
        for key, limit in (("name", FIELD_NAME), ("value", FIELD_VALUE)):
            if not field.get(key):
                errors.required([*path, "fields", j, key])
            texts.append((("fields", j, key), field.get(key), limit))
    total = 0
    for key, text, limit in texts:
        text = text or ""
        total += len(text)
        if len(text) > limit:
            errors.too_long([*path, *key], limit)
    return total


def _check_component(component: dict[str, Any], errors: FormErrors, path: list[str | int]) -> None:
    kind = component.get("type")
    custom_id = component.get("custom_id")
    if custom_id is not None and len(custom_id) > CUSTOM_ID:
        errors.too_long([*path, "custom_id"], CUSTOM_ID)
    if kind == ACTION_ROW:
        children = component.get("components") or []
        buttons = sum(1 for c in children if c.get("type") == BUTTON)
        if buttons > ROW_BUTTONS:
            errors.too_long([*path, "components"], ROW_BUTTONS)
        if any(c.get("type") in SELECTS for c in children) and len(children) > 1:
            errors.add(
                [*path, "components"], "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select menu fills its row."
            )
    if kind == BUTTON:
        label = component.get("label")
        if label is not None and len(label) > BUTTON_LABEL:
            errors.too_long([*path, "label"], BUTTON_LABEL)
        if custom_id is None and component.get("url") is None and component.get("sku_id") is None:
            errors.required([*path, "custom_id"])
    if kind in SELECTS and len(component.get("options") or []) > SELECT_OPTIONS:
        errors.too_long([*path, "options"], SELECT_OPTIONS)
    for i, child in enumerate(component.get("components") or []):
        _check_component(child, errors, [*path, "components", i])
    if isinstance(component.get("accessory"), dict):
        _check_component(component["accessory"], errors, [*path, "accessory"])


def _check_command_node(
    node: dict[str, Any], errors: FormErrors, path: list[str | int], *, slash: bool
) -> None:
    name = node.get("name") or ""
    if not 1 <= len(name) <= COMMAND_NAME or (slash and name != name.lower()):
        errors.add([*path, "name"], "APPLICATION_COMMAND_INVALID_NAME", f"Invalid command name {name!r}")
    description = node.get("description") or ""
    if slash and not 1 <= len(description) <= COMMAND_DESCRIPTION:
        errors.add([*path, "description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    options = node.get("options") or []
    if len(options) > COMMAND_OPTIONS:
        errors.too_long([*path, "options"], COMMAND_OPTIONS)
    if len(node.get("choices") or []) > CHOICES:
        errors.too_long([*path, "choices"], CHOICES)
    for i, option in enumerate(options):
        _check_command_node(option, errors, [*path, "options", i], slash=True)
