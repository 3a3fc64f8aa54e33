"""The REST side: routing, auth, body parsing, faults, rate limits, recording and JSON answers.

Route handlers live in ``routes_*.py``; each returns a JSON-able body (200), a :class:`Reply`
(other statuses) or raises :class:`ApiError`. Every answer carries Discord's rate-limit headers
and JSON answers carry ``Content-Type: application/json`` exactly.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, hdrs, web

from .validation import ApiError

log = logging.getLogger(__name__)
JSON = dict[str, Any]
_API_PREFIX = re.compile(r"^/api(?:/v\d+)?")
_PLACEHOLDERS = {"{id}": r"(\d+)", "{token}": r"([^/]+)", "{user}": r"(\d+|@me)", "{msg}": r"(\d+|@original)"}
_MAJOR = re.compile(r"^/(channels|guilds)/(\d+)|^/(webhooks|interactions)/(\d+)/([^/]+)")


@dataclass
class UploadedFile:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    status: int
    at: float
    raw_response: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def response(self) -> Any:
        """The answer's JSON (as sent, not later edits), its text, or None for an empty answer."""
        if not self.raw_response:
            return None
        try:
            return json.loads(self.raw_response)
        except ValueError:
            return self.raw_response.decode(errors="replace")


@dataclass
class Reply:
    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    method: str
    path: str
    params: tuple[str, ...]
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    headers: Mapping[str, str]

    def body(self) -> JSON:
        return self.json if isinstance(self.json, dict) else {}

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("1", "true", "yes")

    @property
    def reason(self) -> str | None:
        return self.headers.get("X-Audit-Log-Reason")


Handler = Callable[[Call], Awaitable[Any]]


@dataclass
class Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler
    auth: bool
    interaction: bool
    bucket: str


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self, method: str, template: str, handler: Handler, *, auth: bool = True, interaction: bool = False
    ) -> None:
        pattern = re.escape(template)
        for key, sub in _PLACEHOLDERS.items():
            pattern = pattern.replace(re.escape(key), sub)
        bucket = hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:16]
        self.routes.append(Route(method, template, re.compile(f"^{pattern}$"), handler, auth, interaction, bucket))

    def match(self, method: str, path: str) -> tuple[Route, tuple[str, ...]] | None:
        for route in self.routes:
            if route.method == method:
                m = route.regex.match(path)
                if m:
                    return route, m.groups()
        return None


@dataclass
class Fault:
    method: str | None
    path: re.Pattern[str]
    status: int | None
    times: int | None
    retry_after: float
    is_global: bool
    delay: float
    json: Any
    hits: int = 0


class Faults:
    """Failures injected on demand: the next matching requests fail like Discord would."""

    def __init__(self) -> None:
        self.active: list[Fault] = []

    def add(
        self,
        method: str | None = "POST",
        path: str = r".*",
        status: int | None = None,
        times: int | None = 1,
        retry_after: float = 0.5,
        is_global: bool = False,
        delay: float = 0.0,
        json: Any = None,
    ) -> Fault:
        """``path`` is a regex matched in full against the path after ``/api/v10`` (no query).

        ``times=None`` keeps the fault forever; ``status=None`` with ``delay`` only slows answers.
        """
        fault = Fault(
            method.upper() if method else None, re.compile(path), status, times, retry_after, is_global, delay, json
        )
        self.active.append(fault)
        return fault

    def clear(self) -> None:
        self.active.clear()

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self.active:
            if (fault.method is None or fault.method == method) and fault.path.fullmatch(path):
                fault.hits += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.active.remove(fault)
                return fault
        return None


class RateLimits:
    """Fixed-window counters per bucket plus an optional sliding global limit."""

    def __init__(self, route_limit: tuple[int, float] | None, global_limit: float | None) -> None:
        self.route_limit = route_limit or (10_000, 1.0)
        self.global_limit = global_limit
        self.windows: dict[str, list[float]] = {}
        self.recent: deque[float] = deque()

    def check_global(self, now: float) -> float | None:
        if not self.global_limit:
            return None
        while self.recent and now - self.recent[0] >= 1.0:
            self.recent.popleft()
        if len(self.recent) >= self.global_limit:
            return max(0.001, 1.0 - (now - self.recent[0]))
        self.recent.append(now)
        return None

    def hit(self, key: str, now: float) -> tuple[bool, int, float]:
        limit, window = self.route_limit
        state = self.windows.get(key)
        if state is None or now >= state[0]:
            state = self.windows[key] = [now + window, 0.0]
        if state[1] >= limit:
            return False, 0, state[0] - now
        state[1] += 1
        return True, int(limit - state[1]), state[0] - now


def ratelimit_headers(bucket: str, limit: int, remaining: int, reset_after: float) -> dict[str, str]:
    reset_after = max(reset_after, 0.001)
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }


def too_many(retry_after: float, *, is_global: bool, scope: str) -> Reply:
    headers = {
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Scope": scope,
        "Via": "1.1 google",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {
        "message": "You are being rate limited.",
        "retry_after": round(retry_after, 3),
        "global": is_global,
        "code": 0,
    }
    return Reply(body, 429, headers)


async def parse_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    """JSON bodies and multipart bodies (``payload_json`` plus ``files[n]``)."""
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[UploadedFile] = []
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                payload = json.loads(await part.text())
            elif part.filename is not None:
                data = await part.read(decode=False)
                ctype = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
                files.append(UploadedFile(part.name or "", part.filename, ctype, bytes(data)))
        return payload, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from None


def to_response(reply: Reply) -> web.Response:
    if reply.body is None:
        return web.Response(status=204 if reply.status == 200 else reply.status, headers=reply.headers)
    if isinstance(reply.body, str | bytes):
        data = reply.body.encode() if isinstance(reply.body, str) else reply.body
        headers = {"Content-Type": "text/plain", **reply.headers}
        return web.Response(status=reply.status, body=data, headers=headers)
    headers = {"Content-Type": "application/json", **reply.headers}
    return web.Response(status=reply.status, body=json.dumps(reply.body).encode(), headers=headers)


class RestServer:
    """Serves ``/api/v*/...``: checks, faults and limits around the matching route handler."""

    def __init__(self, token: str, route_limit: tuple[int, float] | None, global_limit: float | None) -> None:
        self.token = token
        self.router = Router()
        self.faults = Faults()
        self.limits = RateLimits(route_limit, global_limit)
        self.requests: list[RecordedRequest] = []
        self.internal_errors: list[str] = []
        self._waiters: list[tuple[str | None, re.Pattern[str], float, asyncio.Future[RecordedRequest]]] = []

    # recording ---------------------------------------------------------------------------------
    def find(self, method: str | None, path_regex: str, since: float | None = None) -> list[RecordedRequest]:
        rx = re.compile(path_regex)
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper())
            and rx.fullmatch(r.path)
            and (since is None or r.at >= since)
        ]

    async def wait_for(
        self, method: str | None, path_regex: str, within: float, since: float | None
    ) -> RecordedRequest:
        found = self.find(method, path_regex, since)
        if found:
            return found[0]
        fut: asyncio.Future[RecordedRequest] = asyncio.get_running_loop().create_future()
        entry = (method.upper() if method else None, re.compile(path_regex), since or 0.0, fut)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(fut, within)
        except TimeoutError:
            seen = [f"{r.method} {r.path} -> {r.status}" for r in self.requests[-20:]]
            raise AssertionError(f"no {method} {path_regex} within {within}s; last requests: {seen}") from None
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    def _record(self, rec: RecordedRequest) -> None:
        self.requests.append(rec)
        for method, rx, since, fut in list(self._waiters):
            if (
                not fut.done()
                and (method is None or method == rec.method)
                and rx.fullmatch(rec.path)
                and rec.at >= since
            ):
                fut.set_result(rec)

    # handling ----------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        prefix = _API_PREFIX.match(request.path)
        path = request.path[prefix.end() :] if prefix else request.path
        path = path or "/"
        method = request.method.upper()
        at = time.monotonic()
        body: Any = None
        files: list[UploadedFile] = []
        try:
            body, files = await parse_body(request)
            reply = await self._dispatch(method, path, request, body, files, at)
        except ApiError as exc:
            reply = Reply(exc.body(), exc.status)
        except Exception as exc:
            log.exception("emulator: internal error on %s %s", method, path)
            self.internal_errors.append(f"{method} {path}: {exc!r}")
            reply = Reply({"message": "500: Internal Server Error", "code": 0}, 500)
        response = to_response(reply)
        raw = response.body if isinstance(response.body, bytes) else b""
        self._record(
            RecordedRequest(
                method, path, dict(request.query), body, files, response.status, at, raw, dict(request.headers)
            )
        )
        return response

    async def _dispatch(
        self, method: str, path: str, request: web.Request, body: Any, files: list[UploadedFile], at: float
    ) -> Reply:
        matched = self.router.match(method, path)
        if matched is None:
            log.warning("emulator: unknown route %s %s", method, path)
            return Reply({"message": "404: Not Found", "code": 0}, 404)
        route, params = matched
        if route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
            return Reply({"message": "401: Unauthorized", "code": 0}, 401)
        if not route.interaction:
            wait = self.limits.check_global(at)
            if wait is not None:
                return too_many(wait, is_global=True, scope="global")
        major = _MAJOR.match(path)
        key = f"{route.bucket}:{major.group(0) if major else ''}"
        fault = self.faults.take(method, path)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        allowed, remaining, reset_after = self.limits.hit(key, time.monotonic())
        headers = ratelimit_headers(route.bucket, self.limits.route_limit[0], remaining, reset_after)
        if fault is not None and fault.status is not None:
            return self._fault_reply(fault, route.bucket, headers)
        if not allowed:
            reply = too_many(reset_after, is_global=False, scope="user")
            reply.headers.update(headers)
            return reply
        call = Call(method, path, params, dict(request.query), body, files, request.headers)
        try:
            result = await route.handler(call)
        except ApiError as exc:
            return Reply(exc.body(), exc.status, headers)
        reply = result if isinstance(result, Reply) else Reply(result)
        reply.headers = {**headers, **reply.headers}
        return reply

    def _fault_reply(self, fault: Fault, bucket: str, headers: dict[str, str]) -> Reply:
        status = fault.status or 500
        if status == 429:
            reply = too_many(
                fault.retry_after, is_global=fault.is_global, scope="global" if fault.is_global else "user"
            )
            if fault.json is not None:
                reply.body = fault.json
            if not fault.is_global:
                reply.headers.update(ratelimit_headers(bucket, self.limits.route_limit[0], 0, fault.retry_after))
            return reply
        if status == 403:
            return Reply(fault.json or {"message": "Missing Permissions", "code": 50013}, 403, headers)
        if status >= 500:  # from the edge, without rate-limit headers
            return Reply(fault.json if fault.json is not None else f"{status}: emulated server error", status)
        return Reply(fault.json or {"message": f"{status}: emulated error", "code": 0}, status, headers)
