"""The demo's stage: a server in the emulator with its people, and a narrator that acts as those people (slash
commands, buttons, forms, voice) and writes down what each of them saw."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.demo.clock import DemoClock
from bot.demo.render import JSON, Names, message_lines, modal_lines
from bot.emulator import Emulator, InteractionResult

MANAGE_GUILD = 1 << 5
Show = Literal["full", "line", "silent"]  # a reply in full, its first line, or not at all
WIDTH = 100


class DemoError(RuntimeError):
    """The story could not go on: the message says what was expected and what Cwtch did instead."""


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    part: str  # what they do in the story: "admin", "facilitator", "coordinator", "manager"


@dataclass(frozen=True)
class Server:
    """One care organisation's Discord server, set up the way its admin would."""

    guild_id: int
    name: str
    admin: Person
    facilitator: Person
    coordinator: Person
    dom_managers: tuple[Person, ...]
    home_managers: tuple[Person, ...]
    facilitator_role: int
    coordinator_role: int
    dom_role: int
    home_role: int
    dom_channel: int
    home_channel: int
    announcements: int
    resources: int
    facilitators_channel: int
    room: int


DOM_MANAGERS = ("Megan", "Owain", "Siân", "Dafydd", "Rhian", "Gethin", "Elin", "Huw")
HOME_MANAGERS = ("Nia", "Gareth")


def build_server(emu: Emulator) -> Server:
    """The server before Cwtch is set up: roles, channels, a voice room, and the people."""
    guild = emu.create_guild("Valleys Care Network", bot_role_position=10)
    gid = int(guild["id"])

    def role(name: str, position: int, permissions: int = 0) -> int:
        return int(emu.create_role(gid, name, permissions=permissions, position=position)["id"])

    def person(name: str, part: str, *roles: int) -> Person:
        uid = int(emu.create_user(name.lower().replace("â", "a"), global_name=name)["id"])
        emu.add_member(gid, uid, roles=list(roles))
        return Person(uid, name, part)

    def channel(name: str, kind: int = 0) -> int:
        return int(emu.create_channel(gid, name, type=kind)["id"])

    admins = role("Admins", 8, MANAGE_GUILD)
    facilitator_role = role("Facilitators", 5)
    coordinator_role = role("Coordinators", 4)
    return Server(
        guild_id=gid,
        name=str(guild["name"]),
        admin=person("Ceri", "admin", admins),
        facilitator=person("Fran", "facilitator", facilitator_role),
        coordinator=person("Cai", "coordinator", coordinator_role),
        dom_managers=tuple(person(name, "manager") for name in DOM_MANAGERS),
        home_managers=tuple(person(name, "manager") for name in HOME_MANAGERS),
        facilitator_role=facilitator_role,
        coordinator_role=coordinator_role,
        dom_role=role("Domiciliary care managers", 2),
        home_role=role("Care home managers", 3),
        dom_channel=channel("dom-care"),
        home_channel=channel("care-homes"),
        announcements=channel("announcements"),
        resources=channel("wellbeing-resources", kind=15),
        facilitators_channel=channel("facilitators"),
        room=channel("Peer support room", kind=2),
    )


def visible_text(result: InteractionResult) -> str:
    """What a reply says, in one string: content, embed titles, descriptions, fields and footers."""
    message = result.message or {}
    parts = [str(message.get("content") or "")]
    for embed in message.get("embeds") or []:
        parts += [str(embed.get("title", "")), str(embed.get("description", ""))]
        for field in embed.get("fields") or []:
            parts += [str(field.get("name", "")), str(field.get("value", ""))]
        parts.append(str((embed.get("footer") or {}).get("text", "")))
    return "\n".join(part for part in parts if part)


class Stage:
    """Acts as the server's people through the emulator and narrates what they saw.

    ``clock`` is the bot's clock too; ``run_due`` does now what the bot's scheduler does every 30 seconds (run
    the actions that are due) and returns once that work is done."""

    def __init__(
        self,
        emu: Emulator,
        server: Server,
        emit: Callable[[str], None],
        zone: ZoneInfo,
        *,
        clock: DemoClock,
        run_due: Callable[[], Awaitable[None]],
    ) -> None:
        self.emu = emu
        self.server = server
        self._emit = emit
        self._seen: set[int] = set()
        self._chapter = 0
        self._clock = clock
        self._run_due = run_due
        self.names = Names(self._user_name, self._role_name, self._channel_name, zone, clock=clock)

    # time --------------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The time in the story, as the bot sees it."""
        return self._clock()

    async def pass_time(self, span: timedelta) -> None:
        """Let ``span`` go by for the bot, then run what fell due meanwhile, as its scheduler would have."""
        self._clock.advance(span)
        await self._run_due()

    # names -------------------------------------------------------------------------------------
    def _user_name(self, user_id: int) -> str | None:
        user = self.emu.world.users.get(user_id)
        return None if user is None else str(user.get("global_name") or user["username"])

    def _role_name(self, role_id: int) -> str | None:
        role = self.emu.guild(self.server.guild_id).roles.get(role_id)
        return None if role is None else str(role["name"])

    def _channel_name(self, channel_id: int) -> str | None:
        guild = self.emu.guild(self.server.guild_id)
        found = guild.channels.get(channel_id) or guild.threads.get(channel_id)
        return None if found is None else str(found["name"])

    def who(self, person: Person) -> str:
        return person.name if person.part == "manager" else f"{person.name} ({person.part})"

    # writing -----------------------------------------------------------------------------------
    def say(self, text: str = "", indent: int = 0) -> None:
        self._emit(" " * indent + text if text else "")

    def block(self, lines: Iterable[str], indent: int) -> None:
        for line in lines:
            self.say(line, indent)

    def heading(self, title: str) -> None:
        self._chapter += 1
        text = f"── {self._chapter}. {title} "
        self.say()
        self.say(text + "─" * max(3, WIDTH - len(text)))

    def note(self, text: str) -> None:
        self.say(f"({text})")

    # acting ------------------------------------------------------------------------------------
    async def slash(
        self,
        person: Person,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        expect: str,
        show: Show = "full",
        labels: dict[str, str] | None = None,
    ) -> InteractionResult:
        """``person`` runs ``/command`` with ``options``; the reply must contain ``expect``. ``labels`` show an
        option as the person picked it from a list (its name) rather than the value sent (an ID)."""
        labels = labels or {}
        shown = " ".join(
            f"{key}:{labels[key] if key in labels else self._option(value)}" for key, value in (options or {}).items()
        )
        action = f"/{command}" + (f" {shown}" if shown else "")
        try:
            result = await self.emu.slash(self.server.guild_id, person.id, command, options or {})
        except AssertionError as exc:
            raise DemoError(f"{person.name} ran {action}, and Discord refused it: {exc}") from exc
        self._show(person, action, result, expect, show)
        return result

    async def press(
        self,
        person: Person,
        message: JSON,
        custom_id: str,
        *,
        expect: str,
        show: Show = "full",
        where: str = "",
    ) -> InteractionResult:
        """``person`` presses the button ``custom_id`` on ``message``; what follows must contain ``expect``."""
        label = self._button_label(message, custom_id)
        action = f"presses [{label}]" + (f" {where}" if where else "")
        try:
            result = await self.emu.click(self.server.guild_id, person.id, message["id"], custom_id)
        except AssertionError as exc:
            raise DemoError(f"{person.name} {action}, and Discord refused it: {exc}") from exc
        self._show(person, action, result, expect, show)
        return result

    async def fill_in(
        self,
        person: Person,
        opened: InteractionResult,
        values: dict[str, Any],
        described: str,
        *,
        expect: str,
        show: Show = "full",
    ) -> InteractionResult:
        """``person`` fills in the form ``opened`` showed them and sends it."""
        try:
            result = await self.emu.submit_modal(self.server.guild_id, person.id, opened, values)
        except AssertionError as exc:
            raise DemoError(f"{person.name} sent the form, and Discord refused it: {exc}") from exc
        self._show(person, f"answers {described} and sends the form", result, expect, show)
        return result

    async def choose(self, person: Person, command: str, option: str, typed: str, *, expect: str) -> tuple[str, str]:
        """``person`` types ``typed`` into an autocompleted option and picks the suggestion containing ``expect``.

        Returns the value sent and the label the person saw."""
        choices = await self.emu.autocomplete(self.server.guild_id, person.id, command, {option: typed}, option)
        picked = next((choice for choice in choices if expect in str(choice.get("name"))), None)
        if picked is None:
            raise DemoError(f"/{command} {option}: suggested {[c.get('name') for c in choices]}, none with {expect!r}")
        label = str(picked["name"])
        self.say(f'{self.who(person)} types "{typed}" in /{command} {option}: and picks "{label}" from the list')
        return str(picked["value"]), f'"{label}"'

    async def until(self, done: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:  # noqa: ASYNC109
        """Wait (in real time) for something the bot does by itself, e.g. a post from its scheduler."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (found := done()):
            if loop.time() > deadline:
                raise DemoError(f"waited {timeout:.0f} s, but {what} never happened")
            await asyncio.sleep(0.05)
        return found

    async def until_async(
        self,
        check: Callable[[], Awaitable[bool]],
        what: str,
        timeout: float = 20.0,  # noqa: ASYNC109
    ) -> None:
        """Like :meth:`until`, for a check that itself acts (e.g. a facilitator looking at the attendance sheet)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not await check():
            if loop.time() > deadline:
                raise DemoError(f"waited {timeout:.0f} s, but {what} never happened")
            await asyncio.sleep(0.1)

    # showing -----------------------------------------------------------------------------------
    def _option(self, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            channel = self._channel_name(value)
            if channel is not None:
                return f"#{channel}"
            role = self._role_name(value)
            if role is not None:
                return f"@{role}"
            user = self._user_name(value)
            if user is not None:
                return f"@{user}"
        text = str(value)
        return f'"{text}"' if " " in text and len(text) > 30 else text

    @staticmethod
    def _button_label(message: JSON, custom_id: str) -> str:
        def walk(items: list[JSON]) -> str | None:
            for item in items:
                if item.get("custom_id") == custom_id:
                    return str(item.get("label") or custom_id)
                inner = walk(list(item.get("components") or []))
                if inner:
                    return inner
            return None

        return walk(list(message.get("components") or [])) or custom_id

    def shown(self, result: InteractionResult) -> list[str]:
        """The lines a reply shows: its form, or its messages."""
        if result.modal is not None:
            return modal_lines(result.modal)
        messages = [message for message in [result.message, *result.followups] if message]
        return [line for message in messages for line in message_lines(message, self.names)]

    def _show(self, person: Person, action: str, result: InteractionResult, expect: str, show: Show) -> None:
        for message in [result.message, *result.followups]:
            if message:
                self._seen.add(int(message["id"]))
        seen = self.shown(result)
        if expect not in "\n".join(seen):
            shown = "\n".join(seen) or "nothing"
            raise DemoError(
                f"{person.name} {action.removeprefix('/')}: expected “{expect}”, but Cwtch showed:\n{shown}"
            )
        if show == "silent":
            return
        self.say(f"{self.who(person)}{' › ' if action.startswith('/') else ' '}{action}")
        if show == "line":
            first = next((line for line in seen if line.strip("│ ")), "")
            self.say(f"→ {first.lstrip('│ ')}", 4)
            return
        audience = (
            f"only {person.name} sees this"
            if result.ephemeral or result.modal is not None
            else "for everyone in the channel"
        )
        self.say(f"Cwtch ({audience}):", 4)
        self.block(seen, 6)

    def news(self) -> list[JSON]:
        """Show what the bot posted by itself since the last look (channel posts, threads, DMs); return it.

        The same DM sent to several people is shown once, with its recipients."""
        guild = self.emu.guild(self.server.guild_id)
        fresh: list[JSON] = []
        for channel_id, ids in list(self.emu.world.channel_messages.items()):
            for message_id in ids:
                if message_id in self._seen:
                    continue
                self._seen.add(message_id)
                message = self.emu.world.messages.get(message_id)
                if message is not None and message.get("author", {}).get("bot"):
                    fresh.append(dict(message, _channel=channel_id))
        fresh.sort(key=lambda message: int(message["id"]))  # snowflakes grow with time
        dms: dict[tuple[str, ...], list[str]] = {}
        for message in fresh:
            channel_id = int(message["_channel"])
            lines = tuple(message_lines(message, self.names))
            if channel_id in self.emu.world.dm_channels:
                recipients = self.emu.world.dm_channels[channel_id].get("recipients") or []
                dms.setdefault(lines, []).extend(str(r.get("global_name") or r["username"]) for r in recipients)
                continue
            thread = guild.threads.get(channel_id)
            parent = guild.channels.get(int(thread.get("parent_id") or 0)) if thread else None
            if thread and parent and parent.get("type") == 15:
                self.say(f"In the forum #{parent['name']}, Cwtch opens the post “{thread['name']}”:", 2)
            else:
                kind = "thread" if thread else "channel"
                self.say(f"In the {kind} #{self.names.channel(channel_id)}, Cwtch posts:", 2)
            self.block(lines, 6)
        for lines, people in dms.items():
            self.say(f"A direct message from Cwtch to {and_list(people)}:", 2)
            self.block(lines, 6)
        return fresh


def and_list(names: list[str]) -> str:
    """``Megan, Owain and Siân``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
