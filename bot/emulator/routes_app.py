"""REST routes for login, the gateway URL, the application, command sync, interaction callbacks and
interaction webhooks (followups, @original)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .rest import Call, Reply, Router
from .state import JSON, sid
from .validation import ApiError, Errors, validate_command, validate_commands

if TYPE_CHECKING:
    from .emulator import Emulator

_COMMAND_KEYS = ("name_localizations", "description_localizations", "nsfw", "contexts", "integration_types")


def register(router: Router, emu: Emulator) -> None:
    world = emu.world

    def application() -> JSON:
        """The application object (``PrivateApplicationResponse`` in Discord's OpenAPI spec)."""
        return {
            "id": str(emu.application_id),
            "name": emu.bot_user["username"],
            "icon": None,
            "description": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": copy.deepcopy(emu.owner_user),
            "team": None,
            "verify_key": "0" * 64,
            "flags": emu.application_flags,
            "flags_new": str(emu.application_flags),
            "bot": copy.deepcopy(emu.bot_user),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "approximate_guild_count": len(world.guilds),
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0,
            "eligible_oauth2_scopes": ["bot", "applications.commands"],
            "integration_types_config": {"0": {}},
            "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
        }

    async def gateway_bot(call: Call) -> Any:
        return {
            "url": emu.gateway_url,
            "shards": emu.shards,
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000 - emu.gateway.identifies,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }

    async def gateway(call: Call) -> Any:
        return {"url": emu.gateway_url}

    async def me(call: Call) -> Any:
        return emu.current_user()

    async def get_user(call: Call) -> Any:
        return world.user(call.params[0])

    async def app_info(call: Call) -> Any:
        return application()

    async def edit_app(call: Call) -> Any:
        data = application()
        data.update({k: v for k, v in call.body().items() if k in ("description", "flags", "tags")})
        return data

    def scope(call: Call) -> int | None:
        if sid(call.params[0]) != emu.application_id:
            raise ApiError(403, 50001, "Missing Access")
        if len(call.params) > 1 and "/guilds/" in call.path:
            return world.guild(call.params[1]).id
        return None

    def normalise(cmd: JSON, guild_id: int | None) -> JSON:
        ctype = int(cmd.get("type") or 1)
        perms = cmd.get("default_member_permissions")
        out: JSON = {
            "id": str(world.command_id(guild_id, ctype, str(cmd["name"]))),
            "application_id": str(emu.application_id),
            "version": str(world.ids.next()),
            "type": ctype,
            "name": cmd["name"],
            "description": cmd.get("description") or "",
            "default_member_permissions": None if perms is None else str(perms),
            "dm_permission": cmd.get("dm_permission", True),
            "options": copy.deepcopy(cmd.get("options") or []),
        }
        for key in _COMMAND_KEYS:
            if key in cmd:
                out[key] = copy.deepcopy(cmd[key])
        # Never null in Discord's answer: a command sent without it is available where the app is installed to a
        # guild (0).
        out["integration_types"] = out.get("integration_types") or [0]
        if guild_id is not None:
            out["guild_id"] = str(guild_id)
        return out

    async def get_commands(call: Call) -> Any:
        return world.commands.get(scope(call), [])

    async def put_commands(call: Call) -> Any:
        where = scope(call)
        validate_commands(call.json)
        world.commands[where] = [normalise(c, where) for c in call.json]
        return world.commands[where]

    def _find(where: int | None, command_id: str) -> JSON:
        for cmd in world.commands.get(where, []):
            if cmd["id"] == command_id:
                return cmd
        raise ApiError(404, 10063, "Unknown application command")

    async def post_command(call: Call) -> Any:
        where = scope(call)
        body = call.body()
        errs = Errors()
        validate_command(body, errs, ())
        errs.raise_if_any()
        new = normalise(body, where)
        current = [c for c in world.commands.get(where, []) if c["id"] != new["id"]]
        world.commands[where] = [*current, new]
        return Reply(new, 201)

    async def get_command(call: Call) -> Any:
        return _find(scope(call), call.params[-1])

    async def patch_command(call: Call) -> Any:
        where = scope(call)
        cmd = _find(where, call.params[-1])
        merged = {**cmd, **call.body()}
        errs = Errors()
        validate_command(merged, errs, ())
        errs.raise_if_any()
        cmd.update(normalise(merged, where), id=cmd["id"])
        return cmd

    async def delete_command(call: Call) -> Any:
        where = scope(call)
        cmd = _find(where, call.params[-1])
        world.commands[where].remove(cmd)
        return Reply(None, 204)

    async def callback(call: Call) -> Any:
        pending = emu.interactions.for_callback(call.params[0], call.params[1])
        return emu.interactions.callback(pending, call.body(), call.files, call.flag("with_response"))

    async def followup(call: Call) -> Any:
        pending = emu.interactions.for_webhook(call.params[0], call.params[1])
        msg = emu.interactions.followup(pending, call.body(), call.files, call.query.get("thread_id"))
        return msg if call.flag("wait") else Reply(None, 204)

    async def get_webhook_message(call: Call) -> Any:
        pending = emu.interactions.for_webhook(call.params[0], call.params[1])
        return emu.interactions.message(pending, call.params[2])

    async def edit_webhook_message(call: Call) -> Any:
        pending = emu.interactions.for_webhook(call.params[0], call.params[1])
        return emu.interactions.edit(pending, call.params[2], call.body(), call.files)

    async def delete_webhook_message(call: Call) -> Any:
        pending = emu.interactions.for_webhook(call.params[0], call.params[1])
        emu.interactions.delete(pending, call.params[2])
        return Reply(None, 204)

    router.add("GET", "/gateway/bot", gateway_bot)
    router.add("GET", "/gateway", gateway, auth=False)
    router.add("GET", "/users/@me", me)
    router.add("GET", "/users/{id}", get_user)
    router.add("GET", "/oauth2/applications/@me", app_info)
    router.add("GET", "/applications/@me", app_info)
    router.add("PATCH", "/applications/@me", edit_app)
    for base in ("/applications/{id}/commands", "/applications/{id}/guilds/{id}/commands"):
        router.add("GET", base, get_commands)
        router.add("PUT", base, put_commands)
        router.add("POST", base, post_command)
        router.add("GET", base + "/{id}", get_command)
        router.add("PATCH", base + "/{id}", patch_command)
        router.add("DELETE", base + "/{id}", delete_command)
    router.add("POST", "/interactions/{id}/{token}/callback", callback, auth=False, interaction=True)
    router.add("POST", "/webhooks/{id}/{token}", followup, auth=False, interaction=True)
    for verb, handler in (
        ("GET", get_webhook_message),
        ("PATCH", edit_webhook_message),
        ("DELETE", delete_webhook_message),
    ):
        router.add(verb, "/webhooks/{id}/{token}/messages/{msg}", handler, auth=False, interaction=True)
