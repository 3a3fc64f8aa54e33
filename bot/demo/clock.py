"""The demo's clock: real time plus an offset the story moves forward, so that a week of Cwtch's life (a survey
staying open, then closing) passes in a moment while everything else keeps running in real time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class DemoClock:
    """What the bot and the narrator take as "now"; :meth:`advance` moves it on, never back."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError(f"the demo's clock only moves forward, not by {delta}")
        self._offset += delta
