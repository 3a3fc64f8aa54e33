"""What a Discord client puts in interaction ``data``: command options, component values, modal answers.

Option values are converted by the registered option types and referenced objects are added to
``resolved`` from the emulator's state. Mistakes a real client could not make (unknown command or
option, a value outside the choices or bounds) raise :class:`AssertionError` with what is registered.
"""

from __future__ import annotations

import copy
from typing import Any

from . import payloads
from .state import JSON, THREAD_TYPES, Guild, StoredFile, World, sid

SUBCOMMAND, GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11


def resolve_path(world: World, guild_id: int | None, name: str) -> tuple[JSON, list[str], JSON]:
    """The command, the subcommand-group/subcommand names and the leaf holding the options."""
    parts = name.strip().lstrip("/").split()
    if not parts:
        raise AssertionError("empty command name")
    cmd = world.find_command(guild_id, parts[0])
    if cmd is None:
        raise AssertionError(f"unknown command /{parts[0]}; registered: {world.describe_commands(guild_id)}")
    node = cmd
    for part in parts[1:]:
        subs = [o for o in node.get("options") or [] if o.get("type") in (SUBCOMMAND, GROUP)]
        found = next((o for o in subs if o["name"] == part), None)
        if found is None:
            raise AssertionError(
                f"/{name}: no subcommand {part!r} under {node['name']!r}; "
                f"registered: {world.describe_commands(guild_id)}"
            )
        node = found
    if any(o.get("type") in (SUBCOMMAND, GROUP) for o in node.get("options") or []):
        raise AssertionError(f"/{name} needs a subcommand; registered: {world.describe_commands(guild_id)}")
    return cmd, parts[1:], node


def nest(cmd: JSON, path: list[str], leaf_options: list[JSON]) -> list[JSON]:
    options = leaf_options
    node_chain: list[JSON] = []
    node = cmd
    for part in path:
        node = next(o for o in node.get("options") or [] if o["name"] == part)
        node_chain.append(node)
    for node in reversed(node_chain):
        options = [{"type": node["type"], "name": node["name"], "options": options}]
    return options


class Resolver:
    """Builds the ``resolved`` object for users, members, roles, channels and attachments."""

    def __init__(self, world: World, guild: Guild, user_id: int, *, strict: bool = False) -> None:
        self.strict = strict  # also refuse what a real client prevents (choices, bounds)
        self.world = world
        self.guild = guild
        self.user_id = user_id
        self.data: JSON = {}

    def user(self, user_id: int) -> None:
        self.data.setdefault("users", {})[str(user_id)] = dict(self.world.user(user_id))
        if user_id in self.guild.members:
            member = payloads.member(
                self.world, self.guild, user_id, with_user=False, permissions=self.guild.base_permissions(user_id)
            )
            self.data.setdefault("members", {})[str(user_id)] = member

    def role(self, role_id: int) -> None:
        self.data.setdefault("roles", {})[str(role_id)] = copy.deepcopy(self.guild.roles[role_id])

    def channel(self, channel_id: int) -> JSON:
        data = self.guild.channels.get(channel_id) or self.guild.threads.get(channel_id)
        if data is None:
            raise AssertionError(f"channel {channel_id} is not in guild {self.guild.id}")
        self.data.setdefault("channels", {})[str(channel_id)] = payloads.channel_for_interaction(
            self.guild, data, self.user_id
        )
        return data

    def attachment(self, value: Any, channel_id: int) -> str:
        if isinstance(value, dict):
            filename, data = str(value["filename"]), value["data"]
            ctype = str(value.get("content_type", "application/octet-stream"))
        else:
            filename, data = value
            ctype = "application/octet-stream"
        raw = data.encode() if isinstance(data, str) else bytes(data)
        att = self.world.attachment(channel_id, StoredFile(filename, ctype, raw), {})
        att["ephemeral"] = True
        self.data.setdefault("attachments", {})[att["id"]] = att
        return str(att["id"])

    def mentionable(self, value: int) -> None:
        if value in self.guild.roles:
            self.role(value)
        elif value in self.world.users:
            self.user(value)
        else:
            raise AssertionError(f"{value} is neither a user nor a role of guild {self.guild.id}")


def _choice(opt: JSON, value: Any, strict: bool) -> Any:
    choices = opt.get("choices") or []
    if not choices:
        return value
    for choice in choices:
        if choice["value"] == value or choice["name"] == value:
            return choice["value"]
    if not strict:
        return value
    raise AssertionError(f"option {opt['name']!r}: {value!r} is not one of {[c['value'] for c in choices]}")


def _bounds(opt: JSON, value: Any) -> None:
    name = opt["name"]
    if isinstance(value, str):
        if opt.get("min_length") is not None and len(value) < int(opt["min_length"]):
            raise AssertionError(f"option {name!r}: shorter than min_length {opt['min_length']}")
        if opt.get("max_length") is not None and len(value) > int(opt["max_length"]):
            raise AssertionError(f"option {name!r}: longer than max_length {opt['max_length']}")
    elif isinstance(value, int | float):
        if opt.get("min_value") is not None and value < opt["min_value"]:
            raise AssertionError(f"option {name!r}: below min_value {opt['min_value']}")
        if opt.get("max_value") is not None and value > opt["max_value"]:
            raise AssertionError(f"option {name!r}: above max_value {opt['max_value']}")


def convert(opt: JSON, value: Any, res: Resolver, channel_id: int) -> Any:
    otype = int(opt["type"])
    if otype == STRING:
        out: Any = _choice(opt, str(value), res.strict)
    elif otype == INTEGER:
        out = _choice(opt, int(value), res.strict)
    elif otype == NUMBER:
        out = _choice(opt, value if isinstance(value, int | float) else float(value), res.strict)
    elif otype == BOOLEAN:
        out = value.strip().lower() in ("true", "1", "yes") if isinstance(value, str) else bool(value)
    elif otype == USER:
        uid = sid(value)
        if uid not in res.world.users:
            raise AssertionError(f"option {opt['name']!r}: unknown user {uid}")
        res.user(uid)
        out = str(uid)
    elif otype == CHANNEL:
        data = res.channel(sid(value))
        allowed = opt.get("channel_types")
        if allowed and data["type"] not in allowed:
            raise AssertionError(f"option {opt['name']!r}: channel type {data['type']} not in {allowed}")
        out = str(sid(value))
    elif otype == ROLE:
        rid = sid(value)
        if rid not in res.guild.roles:
            raise AssertionError(f"option {opt['name']!r}: role {rid} is not in guild {res.guild.id}")
        res.role(rid)
        out = str(rid)
    elif otype == MENTIONABLE:
        res.mentionable(sid(value))
        out = str(sid(value))
    elif otype == ATTACHMENT:
        out = res.attachment(value, channel_id)
    else:
        raise AssertionError(f"option {opt['name']!r} has unsupported type {otype}")
    if res.strict:
        _bounds(opt, out)
    return out


def build_options(
    leaf: JSON, values: dict[str, Any], res: Resolver, channel_id: int, *, focused: str | None = None
) -> list[JSON]:
    registered = {o["name"]: o for o in leaf.get("options") or []}
    unknown = set(values) - set(registered)
    if unknown:
        raise AssertionError(f"/{leaf['name']}: unknown option(s) {sorted(unknown)}; registered: {sorted(registered)}")
    if focused is not None and focused not in values:
        raise AssertionError(f"focused option {focused!r} needs a value (what the user typed)")
    out: list[JSON] = []
    for name, opt in registered.items():
        if name not in values:
            if opt.get("required") and focused is None:
                raise AssertionError(f"/{leaf['name']}: required option {name!r} missing")
            continue
        if name == focused:
            if not opt.get("autocomplete"):
                raise AssertionError(f"option {name!r} is not registered with autocomplete")
            out.append({"type": opt["type"], "name": name, "value": str(values[name]), "focused": True})
            continue
        out.append({"type": opt["type"], "name": name, "value": convert(opt, values[name], res, channel_id)})
    return out


def select_values(comp: JSON, values: list[Any], res: Resolver) -> list[str]:
    ctype = comp["type"]
    out = [str(sid(v)) if ctype in (5, 6, 7, 8) else str(v) for v in values]
    if ctype == 3:
        allowed = [o["value"] for o in comp.get("options") or []]
        bad = [v for v in out if v not in allowed]
        if bad:
            raise AssertionError(f"select {comp.get('custom_id')!r}: {bad} not among options {allowed}")
    for value in out:
        if ctype == 5:
            res.user(int(value))
        elif ctype == 6:
            res.role(int(value))
        elif ctype == 7:
            res.mentionable(int(value))
        elif ctype == 8:
            res.channel(int(value))
    low, high = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
    if not low <= len(out) <= high:
        raise AssertionError(f"select {comp.get('custom_id')!r}: pick between {low} and {high} values, got {len(out)}")
    return out


def modal_answers(modal: JSON, values: dict[str, Any], res: Resolver) -> list[JSON]:
    """Answers nested like Discord sends them for the components the modal used."""
    fields = {c["custom_id"]: c for c in payloads.walk_components(modal.get("components") or []) if c.get("custom_id")}
    unknown = set(values) - set(fields)
    if unknown:
        raise AssertionError(
            f"modal {modal.get('custom_id')!r}: unknown field(s) {sorted(unknown)}; fields: {sorted(fields)}"
        )

    def answer(comp: JSON) -> JSON:
        cid, ctype = comp.get("custom_id"), comp["type"]
        out: JSON = {"type": ctype}
        if comp.get("id") is not None:
            out["id"] = comp["id"]
        if cid is None:
            return out
        out["custom_id"] = cid
        given = values.get(cid)
        if ctype == 4:
            text = str(given if given is not None else comp.get("value") or "")
            if comp.get("required", True) and not text:
                raise AssertionError(f"modal field {cid!r} is required")
            if len(text) > int(comp.get("max_length") or 4000) or len(text) < int(comp.get("min_length") or 0):
                raise AssertionError(f"modal field {cid!r}: length {len(text)} outside its bounds")
            out["value"] = text
        elif ctype in (3, 5, 6, 7, 8):
            picked = given if isinstance(given, list) else ([] if given is None else [given])
            if picked or comp.get("required", True):
                out["values"] = select_values(comp, picked, res)
            else:
                out["values"] = []
        elif ctype == 21:
            choice = given[0] if isinstance(given, list) and given else given
            allowed = [o["value"] for o in comp.get("options") or []]
            if choice is not None and str(choice) not in allowed:
                raise AssertionError(f"radio {cid!r}: {choice!r} not among {allowed}")
            if choice is None and comp.get("required", True):
                raise AssertionError(f"modal field {cid!r} is required")
            out["value"] = None if choice is None else str(choice)
        elif ctype == 22:
            out["values"] = [str(v) for v in (given if isinstance(given, list) else [] if given is None else [given])]
        elif ctype == 23:
            out["value"] = bool(given)
        elif ctype == 19:
            out["values"] = [res.attachment(v, 0) for v in (given or [])]
        return out

    answers: list[JSON] = []
    for top in modal.get("components") or []:
        if top["type"] == 1:
            row: JSON = {"type": 1, "components": [answer(c) for c in top.get("components") or []]}
            if top.get("id") is not None:
                row["id"] = top["id"]
            answers.append(row)
        elif top["type"] == 18:
            label: JSON = {"type": 18, "component": answer(top["component"])}
            if top.get("id") is not None:
                label["id"] = top["id"]
            answers.append(label)
        else:
            answers.append(answer(top))
    return answers


def is_thread(channel: JSON) -> bool:
    return channel.get("type") in THREAD_TYPES
