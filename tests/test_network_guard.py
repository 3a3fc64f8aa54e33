"""No test may open a socket except to 127.0.0.1: the guard in conftest refuses everything else."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from tests.conftest import NetworkGuardError

# Addresses reserved for documentation (RFC 5737, RFC 2606): never anyone's server, so even a broken guard
# would reach nothing real. The guard refuses them as it refuses every address but 127.0.0.1.
OUTSIDE_ADDRESS = "192.0.2.1"
OUTSIDE_HOST = "api.example.invalid"


def test_connecting_outside_loopback_is_refused() -> None:
    with socket.socket() as sock, pytest.raises(NetworkGuardError):
        sock.connect((OUTSIDE_ADDRESS, 443))


def test_resolving_a_name_is_refused() -> None:
    with pytest.raises(NetworkGuardError):
        socket.getaddrinfo(OUTSIDE_HOST, 443)


async def test_an_http_client_cannot_leave_the_machine() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises((NetworkGuardError, aiohttp.ClientError)) as info:
            await session.get(f"https://{OUTSIDE_HOST}/")
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
