"""The "schedule changed" wake: services say, after committing, that what is due has changed (a session made,
moved, ended or restored), and the scheduler runs a tick at once instead of at its next one."""

from __future__ import annotations

from collections.abc import Callable


class ScheduleSignal:
    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def listen(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        """Call after the commit: a listener that reads the database must see the change."""
        for listener in self._listeners:
            listener()
