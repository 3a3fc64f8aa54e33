"""The error funnel: refusals in the reader's language, the apology for anything unexpected, and an interaction that
expired under a burst logged quietly instead of answered (Discord would refuse the answer)."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.domain.errors import NotFound
from bot.domain.language import N_, Language
from bot.ui.errors import GENERIC_APOLOGY, describe_error, report_error


def test_a_refusal_is_shown_in_the_readers_language_with_its_values() -> None:
    refusal = NotFound(N_("I couldn't understand {value} there. Please check it and try again."), value="'x'")
    english, level = describe_error(refusal, Language.EN)
    welsh, _ = describe_error(refusal, Language.CY)
    assert english == refusal.message == "I couldn't understand 'x' there. Please check it and try again."
    assert welsh == "Doeddwn i ddim yn deall 'x' yn y fan honno. Gwiriwch hynny a rhowch gynnig arall arni."
    assert level == logging.INFO


def test_anything_unexpected_is_the_apology_logged_as_an_error() -> None:
    message, level = describe_error(KeyError("boom"), Language.EN)
    assert message == GENERIC_APOLOGY and level == logging.ERROR
    assert describe_error(KeyError("boom"), Language.CY)[0] != GENERIC_APOLOGY


class _Refused:
    status, reason = 404, "Not Found"


async def test_an_expired_interaction_is_logged_quietly_and_not_answered(caplog: pytest.LogCaptureFixture) -> None:
    def never(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("an expired interaction cannot be answered")

    interaction: Any = SimpleNamespace(
        id=1, user=SimpleNamespace(id=2), response=SimpleNamespace(is_done=never), followup=SimpleNamespace(send=never)
    )
    expired = discord.NotFound(_Refused(), {"code": 10062, "message": "Unknown interaction"})  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="bot.ui.errors"):
        await report_error(interaction, expired)
    assert [record.levelno for record in caplog.records] == [logging.WARNING]
    assert "expired" in caplog.records[0].getMessage() and caplog.records[0].exc_info is None
