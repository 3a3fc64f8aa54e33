"""Discord's request limits, answered like Discord does: 400 "Invalid Form Body" (code 50035).

Each validator fills an :class:`Errors` collector keyed by the field path (``embeds.0.title``);
``Errors.raise_if_any`` raises :class:`ApiError` with Discord's nested ``errors`` object.
"""

from __future__ import annotations

import re
from typing import Any

JSON = dict[str, Any]

COMMAND_NAME_RE = re.compile(r"^[-_\w]{1,32}$")
IS_COMPONENTS_V2 = 1 << 15
BUTTON_TYPE = 2
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})


class ApiError(Exception):
    """An error answer: HTTP status plus Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> JSON:
        out: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            out["errors"] = self.errors
        return out


class Errors:
    """Collects field errors and renders them in Discord's nested ``_errors`` shape."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[str | int, ...], str, str]] = []

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        self.items.append((path, code, message))

    def max_len(self, path: tuple[str | int, ...], value: Any, limit: int, *, minimum: int = 0) -> None:
        if value is None:
            if minimum > 0:
                self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
            return
        size = len(str(value))
        if size > limit or size < minimum:
            if minimum > 0:
                self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {minimum} and {limit} in length.")
            else:
                self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def to_dict(self) -> JSON:
        root: JSON = {}
        for path, code, message in self.items:
            node = root
            for part in path:
                node = node.setdefault(str(part), {})
            node.setdefault("_errors", []).append({"code": code, "message": message})
        return root

    def raise_if_any(self) -> None:
        if self.items:
            raise ApiError(400, 50035, "Invalid Form Body", self.to_dict())


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def validate_embeds(embeds: Any, errs: Errors, path: tuple[str | int, ...] = ("embeds",)) -> None:
    if not isinstance(embeds, list):
        return
    if len(embeds) > 10:
        errs.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        if not isinstance(embed, dict):
            errs.add((*path, i), "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
            continue
        p = (*path, i)
        errs.max_len((*p, "title"), embed.get("title"), 256)
        errs.max_len((*p, "description"), embed.get("description"), 4096)
        total += len(_text(embed.get("title"))) + len(_text(embed.get("description")))
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errs.add((*p, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, fld in enumerate(fields):
            errs.max_len((*p, "fields", j, "name"), fld.get("name"), 256, minimum=1)
            errs.max_len((*p, "fields", j, "value"), fld.get("value"), 1024, minimum=1)
            total += len(_text(fld.get("name"))) + len(_text(fld.get("value")))
        footer = embed.get("footer") or {}
        errs.max_len((*p, "footer", "text"), footer.get("text"), 2048)
        author = embed.get("author") or {}
        errs.max_len((*p, "author", "name"), author.get("name"), 256)
        total += len(_text(footer.get("text"))) + len(_text(author.get("name")))
    if total > 6000:
        errs.add(path, "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def _select_options(comp: JSON, errs: Errors, p: tuple[str | int, ...]) -> None:
    options = comp.get("options")
    if comp.get("type") == 3 or options is not None:
        options = options or []
        if not 1 <= len(options) <= 25 and comp.get("type") == 3:
            errs.add((*p, "options"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
        elif len(options) > 25:
            errs.add((*p, "options"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for k, opt in enumerate(options):
            errs.max_len((*p, "options", k, "label"), opt.get("label"), 100, minimum=1)
            errs.max_len((*p, "options", k, "value"), opt.get("value"), 100, minimum=1)
            errs.max_len((*p, "options", k, "description"), opt.get("description"), 100)
    errs.max_len((*p, "placeholder"), comp.get("placeholder"), 150)
    for key in ("min_values", "max_values"):
        value = comp.get(key)
        if value is not None and not 0 <= int(value) <= 25:
            errs.add((*p, key), "NUMBER_TYPE_MAX", "int value should be less than or equal to 25.")


def _check_item(comp: JSON, errs: Errors, p: tuple[str | int, ...], seen: set[str]) -> None:
    ctype = comp.get("type")
    custom_id = comp.get("custom_id")
    if custom_id is not None:
        errs.max_len((*p, "custom_id"), custom_id, 100, minimum=1)
        if custom_id in seen:
            errs.add((*p, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
        seen.add(str(custom_id))
    if ctype == BUTTON_TYPE:
        errs.max_len((*p, "label"), comp.get("label"), 80)
        style = comp.get("style", 1)
        if style == 5 and not comp.get("url"):
            errs.add((*p, "url"), "BASE_TYPE_REQUIRED", "This field is required")
        if style in (1, 2, 3, 4) and custom_id is None:
            errs.add((*p, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
    elif ctype in SELECT_TYPES:
        if custom_id is None:
            errs.add((*p, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
        _select_options(comp, errs, p)


def _check_row(row: JSON, errs: Errors, p: tuple[str | int, ...], seen: set[str]) -> None:
    children = row.get("components") or []
    if not 1 <= len(children) <= 5:
        errs.add((*p, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    if any(c.get("type") in SELECT_TYPES for c in children) and len(children) > 1:
        errs.add(
            (*p, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width"
        )
    for k, child in enumerate(children):
        _check_item(child, errs, (*p, "components", k), seen)


def _count(components: list[JSON]) -> int:
    total = 0
    for comp in components:
        total += 1 + _count(comp.get("components") or [])
        if isinstance(comp.get("accessory"), dict):
            total += 1
    return total


def _walk_v2(comp: JSON, errs: Errors, p: tuple[str | int, ...], seen: set[str]) -> None:
    if comp.get("type") == 1:
        _check_row(comp, errs, p, seen)
        return
    _check_item(comp, errs, p, seen)
    for k, child in enumerate(comp.get("components") or []):
        _walk_v2(child, errs, (*p, "components", k), seen)
    accessory = comp.get("accessory")
    if isinstance(accessory, dict):
        _check_item(accessory, errs, (*p, "accessory"), seen)


def validate_components(components: Any, errs: Errors, *, v2: bool = False) -> None:
    if not isinstance(components, list):
        return
    seen: set[str] = set()
    if v2:
        if _count(components) > 40:
            errs.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
        for i, comp in enumerate(components):
            _walk_v2(comp, errs, ("components", i), seen)
        return
    if len(components) > 5:
        errs.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    for i, row in enumerate(components):
        if row.get("type") != 1:
            errs.add(("components", i, "type"), "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).')
            continue
        _check_row(row, errs, ("components", i), seen)


def validate_message(payload: JSON, *, file_count: int = 0, creating: bool = True) -> None:
    """Check a message create/edit body; raises :class:`ApiError`."""
    errs = Errors()
    flags = int(payload.get("flags") or 0)
    v2 = bool(flags & IS_COMPONENTS_V2)
    content = payload.get("content")
    errs.max_len(("content",), content, 2000)
    nonce = payload.get("nonce")
    if nonce is not None and len(str(nonce)) > 25:
        errs.add(("nonce",), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    validate_embeds(payload.get("embeds"), errs)
    validate_components(payload.get("components"), errs, v2=v2)
    if v2 and (content or payload.get("embeds")):
        errs.add(
            ("content",),
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2",
        )
    errs.raise_if_any()
    if creating:
        has_body = (
            bool(content)
            or bool(payload.get("embeds"))
            or bool(payload.get("components"))
            or bool(payload.get("sticker_ids"))
            or payload.get("poll") is not None
            or file_count > 0
        )
        if not has_body:
            raise ApiError(400, 50006, "Cannot send an empty message")


_MODAL_FIELD_TYPES = frozenset({3, 4, 5, 6, 7, 8, 19, 21, 22, 23})


def _modal_field(comp: JSON, errs: Errors, p: tuple[str | int, ...], *, in_label: bool) -> None:
    ctype = comp.get("type")
    if ctype not in _MODAL_FIELD_TYPES:
        errs.add((*p, "type"), "UNION_TYPE_CHOICES", f"Component type {ctype} is not allowed in a modal")
        return
    errs.max_len((*p, "custom_id"), comp.get("custom_id"), 100, minimum=1)
    if ctype == 4:
        errs.max_len((*p, "label"), comp.get("label"), 45, minimum=0 if in_label else 1)
        errs.max_len((*p, "placeholder"), comp.get("placeholder"), 100)
        errs.max_len((*p, "value"), comp.get("value"), 4000)
        for key in ("min_length", "max_length"):
            value = comp.get(key)
            if value is not None and not 0 <= int(value) <= 4000:
                errs.add((*p, key), "NUMBER_TYPE_MAX", "int value should be less than or equal to 4000.")
    elif ctype in SELECT_TYPES:
        _select_options(comp, errs, p)
    elif ctype in (21, 22) and len(comp.get("options") or []) > 25:
        errs.add((*p, "options"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")


def validate_modal(data: JSON) -> None:
    errs = Errors()
    errs.max_len(("data", "title"), data.get("title"), 45, minimum=1)
    errs.max_len(("data", "custom_id"), data.get("custom_id"), 100, minimum=1)
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        errs.add(("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    for i, comp in enumerate(components):
        p: tuple[str | int, ...] = ("data", "components", i)
        ctype = comp.get("type")
        if ctype == 1:
            children = comp.get("components") or []
            if len(children) != 1:
                errs.add((*p, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 1 in length.")
            for k, child in enumerate(children):
                _modal_field(child, errs, (*p, "components", k), in_label=False)
        elif ctype == 18:
            errs.max_len((*p, "label"), comp.get("label"), 45, minimum=1)
            errs.max_len((*p, "description"), comp.get("description"), 100)
            inner = comp.get("component")
            if not isinstance(inner, dict):
                errs.add((*p, "component"), "BASE_TYPE_REQUIRED", "This field is required")
            else:
                _modal_field(inner, errs, (*p, "component"), in_label=True)
        elif ctype == 10:
            errs.max_len((*p, "content"), comp.get("content"), 4000, minimum=1)
        else:
            errs.add((*p, "type"), "UNION_TYPE_CHOICES", f"Component type {ctype} is not allowed in a modal")
    errs.raise_if_any()


def validate_choices(choices: Any) -> None:
    errs = Errors()
    if not isinstance(choices, list):
        errs.add(("data", "choices"), "BASE_TYPE_REQUIRED", "This field is required")
    else:
        if len(choices) > 25:
            errs.add(("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for i, choice in enumerate(choices):
            errs.max_len(("data", "choices", i, "name"), choice.get("name"), 100, minimum=1)
            if isinstance(choice.get("value"), str):
                errs.max_len(("data", "choices", i, "value"), choice.get("value"), 100)
    errs.raise_if_any()


def _check_name(name: Any, errs: Errors, p: tuple[str | int, ...]) -> None:
    if not isinstance(name, str) or not COMMAND_NAME_RE.match(name) or name != name.lower():
        errs.add(p, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")


def _check_options(options: Any, errs: Errors, p: tuple[str | int, ...], depth: int) -> None:
    if not options:
        return
    if len(options) > 25:
        errs.add(p, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    names: set[str] = set()
    optional_seen = False
    kinds = {o.get("type") in (1, 2) for o in options}
    if len(kinds) > 1:
        errs.add(p, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-commands cannot be mixed with options")
    for i, opt in enumerate(options):
        q = (*p, i)
        otype = opt.get("type")
        _check_name(opt.get("name"), errs, (*q, "name"))
        errs.max_len((*q, "description"), opt.get("description"), 100, minimum=1)
        if opt.get("name") in names:
            errs.add((*q, "name"), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique")
        names.add(str(opt.get("name")))
        if not isinstance(otype, int) or not 1 <= otype <= 11:
            errs.add((*q, "type"), "BASE_TYPE_CHOICES", f"Value must be one of 1..11, got {otype!r}")
            continue
        if otype in (1, 2):
            if (otype == 2 and depth > 0) or (otype == 1 and depth > 1):
                errs.add((*q, "type"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-command nested too deep")
            _check_options(opt.get("options"), errs, (*q, "options"), depth + 1)
            continue
        if opt.get("required"):
            if optional_seen:
                errs.add(
                    (*q, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        choices = opt.get("choices") or []
        if len(choices) > 25:
            errs.add((*q, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if choices and opt.get("autocomplete"):
            errs.add(
                (*q, "autocomplete"),
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_AND_CHOICES",
                "Autocomplete cannot be set with choices",
            )
        for k, choice in enumerate(choices):
            errs.max_len((*q, "choices", k, "name"), choice.get("name"), 100, minimum=1)
            if isinstance(choice.get("value"), str):
                errs.max_len((*q, "choices", k, "value"), choice.get("value"), 100)
        for key in ("min_length", "max_length"):
            if opt.get(key) is not None and not 0 <= int(opt[key]) <= 6000:
                errs.add((*q, key), "NUMBER_TYPE_MAX", "int value should be less than or equal to 6000.")


def validate_command(cmd: JSON, errs: Errors, p: tuple[str | int, ...]) -> None:
    ctype = cmd.get("type", 1) or 1
    if ctype == 1:
        _check_name(cmd.get("name"), errs, (*p, "name"))
        errs.max_len((*p, "description"), cmd.get("description"), 100, minimum=1)
        _check_options(cmd.get("options"), errs, (*p, "options"), 0)
    else:
        errs.max_len((*p, "name"), cmd.get("name"), 32, minimum=1)
        if cmd.get("description"):
            errs.add(
                (*p, "description"),
                "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                "Context menu commands cannot have description",
            )


def validate_commands(commands: Any) -> None:
    errs = Errors()
    if not isinstance(commands, list):
        raise ApiError(400, 50035, "Invalid Form Body", {"_errors": [{"code": "BASE_TYPE_ARRAY", "message": "list"}]})
    seen: set[tuple[int, str]] = set()
    per_type: dict[int, int] = {}
    for i, cmd in enumerate(commands):
        validate_command(cmd, errs, (i,))
        key = (int(cmd.get("type", 1) or 1), str(cmd.get("name")))
        if key in seen:
            errs.add(
                (i, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {key[1]}",
            )
        seen.add(key)
        per_type[key[0]] = per_type.get(key[0], 0) + 1
    if per_type.get(1, 0) > 100 or per_type.get(2, 0) > 15 or per_type.get(3, 0) > 15:
        errs.add((), "APPLICATION_COMMANDS_TOO_MANY", "Maximum number of application commands reached")
    errs.raise_if_any()
