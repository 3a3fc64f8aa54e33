"""The gateway: an aiohttp websocket speaking Discord's protocol in plain JSON text frames.

HELLO, heartbeat ACK, IDENTIFY -> READY + GUILD_CREATE per guild of the shard, RESUME with replay
of missed events then RESUMED; faults on demand (RECONNECT, INVALID_SESSION, a dropped socket).
Events are queued per session synchronously (so world changes made by sync test helpers keep their
order) and written by one writer task per connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

log = logging.getLogger(__name__)
JSON = dict[str, Any]

# Intent bits that gate events; events not listed here are always sent.
INTENT_OF: dict[str, int] = {
    "GUILD_MEMBER_ADD": 1 << 1,
    "GUILD_MEMBER_UPDATE": 1 << 1,
    "GUILD_MEMBER_REMOVE": 1 << 1,
    "THREAD_MEMBERS_UPDATE": 1 << 1,
    "VOICE_STATE_UPDATE": 1 << 7,
    "GUILD_SCHEDULED_EVENT_CREATE": 1 << 16,
    "GUILD_SCHEDULED_EVENT_UPDATE": 1 << 16,
    "GUILD_SCHEDULED_EVENT_DELETE": 1 << 16,
    "GUILD_SCHEDULED_EVENT_USER_ADD": 1 << 16,
    "GUILD_SCHEDULED_EVENT_USER_REMOVE": 1 << 16,
}
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
GUILDS = 1 << 0


class Connection:
    def __init__(self, ws: web.WebSocketResponse, transport: Any) -> None:
        self.ws = ws
        self.transport = transport
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.session: Session | None = None
        self.writer: asyncio.Task[None] = asyncio.create_task(self._write())

    async def _write(self) -> None:
        while True:
            frame = await self.queue.get()
            if frame is None:
                return
            try:
                await self.ws.send_str(frame)
            except Exception as exc:  # the peer went away; the session keeps the events for a resume
                log.debug("emulator gateway: send failed: %r", exc)
                return

    def send(self, frame: JSON) -> None:
        self.queue.put_nowait(json.dumps(frame))

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


@dataclass
class Session:
    id: str
    shard_id: int
    shard_count: int
    intents: int
    seq: int = 0
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=10_000))
    conn: Connection | None = None
    ready: bool = False

    def push(self, event: str, data: Any) -> int:
        self.seq += 1
        frame = json.dumps({"op": 0, "t": event, "s": self.seq, "d": data})
        self.buffer.append((self.seq, frame))
        if self.conn is not None:
            self.conn.queue.put_nowait(frame)
        return self.seq


ReadyPayload = Callable[["Session"], tuple[JSON, list[JSON]]]
MembersChunk = Callable[[JSON], list[JSON]]


class Gateway:
    """Sessions per shard and the websocket endpoint."""

    def __init__(
        self, token: str, ready_payload: ReadyPayload, members_chunk: MembersChunk, heartbeat_interval_ms: int = 41250
    ) -> None:
        self.token = token
        self.ready_payload = ready_payload
        self.members_chunk = members_chunk
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, Session] = {}
        self.by_shard: dict[int, Session] = {}
        self.shard_count: int | None = None
        self.connections: set[Connection] = set()
        self.identifies = 0
        self.resumes = 0
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # state -------------------------------------------------------------------------------------
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, within: float) -> None:
        await asyncio.wait_for(self._changed.wait(), within)

    def shard_of(self, guild_id: int, count: int | None = None) -> int:
        return (guild_id >> 22) % (count or self.shard_count or 1)

    def session_for_guild(self, guild_id: int) -> Session | None:
        if self.shard_count is None:
            return None
        return self.by_shard.get(self.shard_of(guild_id))

    def all_ready(self, shard_ids: list[int] | None = None) -> bool:
        if self.shard_count is None:
            return False
        wanted = shard_ids if shard_ids is not None else list(range(self.shard_count))
        for shard in wanted:
            session = self.by_shard.get(shard)
            if session is None or session.conn is None or not session.ready or session.shard_count != self.shard_count:
                return False
        return True

    def describe(self) -> str:
        parts = [
            f"shard {s.shard_id}/{s.shard_count}: {'ready' if s.ready else 'not ready'},"
            f" {'connected' if s.conn else 'disconnected'}"
            for s in self.by_shard.values()
        ]
        return "; ".join(parts) or "no session identified"

    # dispatch ----------------------------------------------------------------------------------
    @staticmethod
    def _allowed(session: Session, event: str, data: Any) -> bool:
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"):
            msg_bit = GUILD_MESSAGES if isinstance(data, dict) and data.get("guild_id") else DIRECT_MESSAGES
            return bool(session.intents & msg_bit)
        bit = INTENT_OF.get(event)
        if bit is not None:
            return bool(session.intents & bit)
        if event.startswith(("GUILD_", "CHANNEL_", "THREAD_", "STAGE_INSTANCE_")):
            return bool(session.intents & GUILDS)
        return True

    def dispatch_guild(self, guild_id: int, event: str, data: Any, *, raw: bool = False) -> bool:
        """Queue an event on the session of the shard owning ``guild_id``; False when none."""
        session = self.session_for_guild(guild_id)
        if session is None:
            return False
        if not raw and not self._allowed(session, event, data):
            return False
        session.push(event, data)
        return True

    def dispatch_all(self, event: str, data: Any) -> None:
        for session in self.by_shard.values():
            if self._allowed(session, event, data):
                session.push(event, data)

    # faults ------------------------------------------------------------------------------------
    def _targets(self, shard_id: int | None) -> list[Session]:
        return [s for s in self.by_shard.values() if shard_id is None or s.shard_id == shard_id]

    def reconnect(self, shard_id: int | None = None) -> None:
        for session in self._targets(shard_id):
            session.ready = False
            if session.conn is not None:
                session.conn.send({"op": 7, "d": None})
        self._notify()

    def invalid_session(self, resumable: bool, shard_id: int | None = None) -> None:
        for session in self._targets(shard_id):
            session.ready = False
            if not resumable:
                self._forget(session)
            if session.conn is not None:
                session.conn.send({"op": 9, "d": resumable})
        self._notify()

    def drop(self, shard_id: int | None = None) -> None:
        for session in self._targets(shard_id):
            session.ready = False
            conn = session.conn
            session.conn = None
            if conn is not None:
                conn.abort()
        self._notify()

    def _forget(self, session: Session) -> None:
        self.sessions.pop(session.id, None)
        if self.by_shard.get(session.shard_id) is session:
            del self.by_shard[session.shard_id]

    # websocket ---------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, compress=False, autoping=True)
        transport = request.transport
        await ws.prepare(request)
        conn = Connection(ws, transport)
        self.connections.add(conn)
        conn.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.ERROR:
                    break
        except Exception:
            log.exception("emulator gateway: connection failed")
        finally:
            self._closed(conn, ws.close_code)
        return ws

    def _closed(self, conn: Connection, code: int | None) -> None:
        self.connections.discard(conn)
        conn.queue.put_nowait(None)
        session = conn.session
        if session is not None and session.conn is conn:
            session.conn = None
            session.ready = False
            if code in (1000, 1001):
                self._forget(session)
        self._notify()

    async def _on_frame(self, conn: Connection, frame: JSON) -> None:
        op = frame.get("op")
        data = frame.get("d")
        if op == 1:
            conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            self._identify(conn, data or {})
        elif op == 6:
            self._resume(conn, data or {})
        elif op == 8 and conn.session is not None:
            for chunk in self.members_chunk(data or {}):
                conn.session.push("GUILD_MEMBERS_CHUNK", chunk)
        elif op in (3, 4):
            log.debug("emulator gateway: ignoring op %s", op)
        else:
            log.warning("emulator gateway: unknown op %s", op)

    def _identify(self, conn: Connection, data: JSON) -> None:
        if data.get("token") != self.token:
            self._spawn(conn.ws.close(code=4004, message=b"Authentication failed."))
            return
        shard_id, shard_count = (int(x) for x in data.get("shard") or [0, 1])
        if conn.session is not None:
            self._spawn(conn.ws.close(code=4005, message=b"Already authenticated."))
            return
        old = self.by_shard.get(shard_id)
        if old is not None:
            self._forget(old)
        session = Session(secrets.token_hex(16), int(shard_id), int(shard_count), int(data.get("intents") or 0))
        session.conn = conn
        conn.session = session
        self.sessions[session.id] = session
        self.by_shard[session.shard_id] = session
        self.shard_count = session.shard_count
        self.identifies += 1
        ready, guilds = self.ready_payload(session)
        session.push("READY", ready)
        for guild in guilds:
            session.push("GUILD_CREATE", guild)
        session.ready = True
        self._notify()

    def _resume(self, conn: Connection, data: JSON) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.token:
            self._spawn(conn.ws.close(code=4004, message=b"Authentication failed."))
            return
        seq = data.get("seq") or 0
        if session is None or (session.buffer and session.buffer[0][0] > seq + 1):
            conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        if session.conn is not None and session.conn is not conn:
            session.conn.session = None
            session.conn.abort()
        session.conn = conn
        conn.session = session
        for number, frame in session.buffer:
            if number > seq:
                conn.queue.put_nowait(frame)
        session.push("RESUMED", {})
        session.ready = True
        self.resumes += 1
        self._notify()

    async def close(self) -> None:
        for conn in list(self.connections):
            conn.queue.put_nowait(None)
            try:
                await conn.ws.close(code=1001, message=b"emulator stopping")
            except Exception:
                conn.abort()
            conn.writer.cancel()
        self.connections.clear()
