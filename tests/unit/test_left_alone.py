"""The warning about interactions left alone as too late to answer: the first at once, then at most one every ten
seconds, counting those in between (an overload brings thousands a minute; the log must not drown)."""

from __future__ import annotations

import logging

import pytest

from bot.ui import errors


def test_the_first_is_said_at_once_and_the_rest_are_counted_into_the_next_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [1000.0]
    left_alone = errors._LeftAlone(every=10.0, clock=lambda: now[0])
    caplog.set_level(logging.WARNING, logger="bot.ui.errors")

    left_alone.count(3.6)
    for _ in range(4):  # a burst of them within the ten seconds: counted, not said
        now[0] += 1.0
        left_alone.count(4.2)
    now[0] += 7.0  # eleven seconds after the first
    left_alone.count(5.0)

    said = [record.getMessage() for record in caplog.records]
    assert len(said) == 2, said
    assert said[0].startswith("1 interaction(s) reached the bot too late") and "latest 3.6 s" in said[0]
    assert said[1].startswith("5 interaction(s) reached the bot too late") and "latest 5.0 s" in said[1]
