"""The APScheduler wiring. The database is the truth; this scheduler is disposable and rebuilt on start."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler


def build_scheduler() -> AsyncIOScheduler:
    """An in-memory ``AsyncIOScheduler`` in UTC; jobs are module-level functions that take IDs."""
    return AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "misfire_grace_time": None})
