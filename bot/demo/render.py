"""Turning what the emulator recorded into lines a person reads: names instead of IDs, Discord timestamps as
readable times, embeds and buttons condensed, Discord's markdown left out."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

JSON = dict[str, Any]

_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")
_CHANNEL = re.compile(r"<#(\d+)>")
_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_BLANK = " \u200b\n"  # Discord embeds use a zero-width space for an empty field


def discord_time(moment: datetime, style: str, zone: ZoneInfo, now: datetime) -> str:
    """How a Discord client shows ``<t:…:style>`` to someone in ``zone`` (British English)."""
    local = moment.astimezone(zone)
    day = f"{local.day} {local:%B %Y}"
    shown = {
        "t": f"{local:%H:%M}",
        "T": f"{local:%H:%M:%S}",
        "d": f"{local:%d/%m/%Y}",
        "D": day,
        "f": f"{day} {local:%H:%M}",
        "F": f"{local:%A}, {day} {local:%H:%M}",
    }
    return shown[style] if style in shown else relative_time(moment, now)


def relative_time(moment: datetime, now: datetime) -> str:
    """Discord's ``R`` style: "in 15 minutes", "2 days ago"."""
    seconds = (moment - now).total_seconds()
    size = abs(seconds)
    units = (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60))
    unit, length = next(((name, span) for name, span in units if size >= span * 0.75), ("second", 1))
    count = max(1, round(size / length))
    if unit == "second" and count < 10:
        return "just now"
    words = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"in {words}" if seconds > 0 else f"{words} ago"


class Names:
    """People, roles and channels by ID, as the server's members see them (looked up when shown, so threads
    made later have their names too)."""

    def __init__(
        self,
        user: Callable[[int], str | None],
        role: Callable[[int], str | None],
        channel: Callable[[int], str | None],
        zone: ZoneInfo,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._user, self._role, self._channel = user, role, channel
        self.zone = zone
        self.clock = clock

    def user(self, user_id: int) -> str:
        return self._user(user_id) or f"user {user_id}"

    def role(self, role_id: int) -> str:
        return self._role(role_id) or f"role {role_id}"

    def channel(self, channel_id: int) -> str:
        return self._channel(channel_id) or f"channel {channel_id}"

    def humanise(self, text: str) -> str:
        """Mentions as names, timestamps as times, links as "text (url)", without bold or code marks."""
        now = self.clock()

        def when(match: re.Match[str]) -> str:
            moment = datetime.fromtimestamp(int(match[1]), UTC)
            return discord_time(moment, match[2] or "f", self.zone, now)

        text = _TIMESTAMP.sub(when, text)
        text = _ROLE.sub(lambda m: "@" + self.role(int(m[1])), text)
        text = _USER.sub(lambda m: "@" + self.user(int(m[1])), text)
        text = _CHANNEL.sub(lambda m: "#" + self.channel(int(m[1])), text)
        text = _LINK.sub(lambda m: m[1] if m[1] == m[2] else f"{m[1]} ({m[2]})", text)
        text = _EMPHASIS.sub(lambda m: m[1] or m[2] or m[3], text)
        return _INLINE_CODE.sub(lambda m: m[1], text)


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines()]


def embed_lines(embed: JSON, names: Names) -> list[str]:
    """An embed as a block of lines behind a bar, like its coloured edge in Discord."""
    out: list[str] = []
    if embed.get("title"):
        out.append(names.humanise(str(embed["title"])))
    if embed.get("description"):
        out += _lines(names.humanise(str(embed["description"])))
    for field in embed.get("fields") or []:
        name = names.humanise(str(field.get("name", ""))).strip(_BLANK)
        value = _lines(names.humanise(str(field.get("value", ""))).strip(_BLANK))
        if not name and not value:
            continue  # a spacer field
        if len(value) == 1 and len(name) + len(value[0]) < 90:
            out.append(f"{name}{' ' if name.endswith(('.', '?', '!', ':')) else ': '}{value[0]}")
        else:
            out.append(f"{name}:")
            out += [f"  {line}" for line in value]
    image = (embed.get("image") or {}).get("url", "")
    if image:
        out.append(f"[picture: {image.removeprefix('attachment://')}]")
    footer = (embed.get("footer") or {}).get("text")
    if footer:
        out.append(f"({names.humanise(str(footer))})")
    return [f"│ {line}" if line else "│" for line in out]


def component_line(components: list[JSON]) -> str:
    """Buttons and menus of a message as ``[I'll be there] [Can't make it]``."""
    shown: list[str] = []

    def walk(items: list[JSON]) -> None:
        for item in items:
            if item.get("components"):
                walk(item["components"])
            elif item.get("type") == 2 and item.get("label"):
                shown.append(f"[{item['label']}]")
            elif item.get("type") in (3, 5, 6, 7, 8):
                shown.append(f"[menu: {item.get('placeholder') or 'choose'}]")

    walk(components)
    return " ".join(shown)


def message_lines(message: JSON, names: Names) -> list[str]:
    """Everything a message shows: text, embeds, attachments, buttons."""
    out = _lines(names.humanise(str(message.get("content") or "")))
    for embed in message.get("embeds") or []:
        out += embed_lines(embed, names)
    for attachment in message.get("attachments") or []:
        out.append(f"[file: {attachment.get('filename')}, {_size(int(attachment.get('size') or 0))}]")
    buttons = component_line(list(message.get("components") or []))
    if buttons:
        out.append(buttons)
    return out


def modal_lines(modal: JSON) -> list[str]:
    """A form (modal): its title and each question, with the choices of a radio group."""
    out = [f"Form: {modal.get('title', '')}"]

    def walk(items: list[JSON], label: str = "") -> None:
        for item in items:
            if item.get("type") == 18:  # a label wrapping one component
                text = str(item.get("label", ""))
                if item.get("description"):
                    text += f" ({item['description']})"
                walk([item["component"]], text)
            elif item.get("components"):
                walk(item["components"], label)
            elif item.get("type") == 21:
                options = " / ".join(str(option.get("label")) for option in item.get("options") or [])
                out.append(f"  • {label}")
                out.append(f"      {options}")
            elif item.get("type") == 4:
                out.append(f"  • {label or item.get('label', '')} [text box]")

    walk(list(modal.get("components") or []))
    return out


def _size(size: int) -> str:
    return f"{size} bytes" if size < 1024 else f"{size / 1024:.0f} kB"
