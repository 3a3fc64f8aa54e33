"""No test may open a socket except to 127.0.0.1: the guard in conftest refuses everything else."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from tests.conftest import NetworkGuardError


def test_connecting_outside_loopback_is_refused() -> None:
    with socket.socket() as sock, pytest.raises(NetworkGuardError):
        sock.connect(("162.159.135.232", 443))


def test_resolving_discord_is_refused() -> None:
    with pytest.raises(NetworkGuardError):
        socket.getaddrinfo("discord.com", 443)


async def test_an_http_client_cannot_reach_discord() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises((NetworkGuardError, aiohttp.ClientError)) as info:
            await session.get("https://gateway.discord.gg/")
    error: BaseException | None = info.value
    while error is not None and not isinstance(error, NetworkGuardError):
        error = error.__cause__ or error.__context__
    assert isinstance(error, NetworkGuardError)


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.socket() as client:
            client.connect(server.getsockname())
