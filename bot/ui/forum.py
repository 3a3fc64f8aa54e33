"""The resources forum: its tags are made on first use, so an admin only has to point /setup at a forum channel."""

from __future__ import annotations

from collections.abc import Sequence

import discord

MAX_FORUM_TAGS = 20


async def ensure_tags(forum: discord.ForumChannel, names: Sequence[str]) -> list[discord.ForumTag]:
    """The forum's tags with these names (matched ignoring case), creating the missing ones in one edit."""
    existing = {tag.name.casefold(): tag for tag in forum.available_tags}
    missing = [name for name in dict.fromkeys(names) if name.casefold() not in existing]
    if missing:
        if len(existing) + len(missing) > MAX_FORUM_TAGS:
            raise ValueError(f"forum {forum.id} has no room for {len(missing)} more tags")
        tags = [*forum.available_tags, *(discord.ForumTag(name=name) for name in missing)]
        forum = await forum.edit(available_tags=tags)
        existing = {tag.name.casefold(): tag for tag in forum.available_tags}
    return [existing[name.casefold()] for name in names]
