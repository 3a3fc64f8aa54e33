"""Which guilds a process looks after: those on its shards, ``(guild_id >> 22) % shard_count``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ShardSet:
    count: int | None = None  # None: this process runs every shard
    ids: tuple[int, ...] | None = None

    @property
    def is_everything(self) -> bool:
        return self.count is None or self.ids is None or set(self.ids) >= set(range(self.count))

    def owns(self, guild_id: int) -> bool:
        if self.is_everything:
            return True
        assert self.count is not None and self.ids is not None
        return (guild_id >> 22) % self.count in self.ids


ALL_SHARDS = ShardSet()
