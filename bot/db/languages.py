"""The language each person reads Cwtch in."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import Executable, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.db.chunks import by_dialect, chunks, dialect_of
from bot.db.models import MemberLanguage
from bot.domain.language import Language

_OF_PEOPLE = by_dialect(
    lambda among: select(MemberLanguage.user_id, MemberLanguage.language, MemberLanguage.chosen).where(
        among(MemberLanguage.user_id, "users")
    )
)


class LanguageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_people(self, user_ids: Collection[int]) -> dict[int, tuple[Language, bool]]:
        """``user_id -> (language, chosen)`` of those who have one, read at once."""
        found: dict[int, tuple[Language, bool]] = {}
        query = _OF_PEOPLE[dialect_of(self._session)]
        for chunk in chunks(sorted(user_ids)):
            for user_id, language, chosen in (await self._session.execute(query, {"users": chunk})).tuples():
                found[user_id] = (language, chosen)
        return found

    async def keep_defaults(self, defaults: Mapping[int, Language], now: datetime) -> set[int]:
        """First contact: give those who have no language yet their server's default (not chosen); returns who
        they were."""
        have = await self.of_people(defaults)
        new = {user_id: language for user_id, language in defaults.items() if user_id not in have}
        if new:
            dialect = dialect_of(self._session)
            await self._session.execute(_KEEP_DEFAULTS[dialect], _rows(new, now))
        return set(new)

    async def choose(self, user_id: int, language: Language, now: datetime) -> None:
        """The person chose ``language``."""
        row = await self._session.get(MemberLanguage, user_id)
        if row is None:
            self._session.add(MemberLanguage(user_id=user_id, language=language, chosen=True, updated_at=now))
        else:
            row.language, row.chosen, row.updated_at = language, True, now
        await self._session.flush()


def keep_defaults(session: Session, defaults: Mapping[int, Language], now: datetime) -> None:
    """First contact: give these people their server's default language, unless they have one by now (another
    process, or a choice, came first). Plain synchronous work for ``UnitOfWorkFactory.run_sync``."""
    if defaults:
        session.execute(_KEEP_DEFAULTS[dialect_of(session)], _rows(defaults, now))


def _rows(defaults: Mapping[int, Language], now: datetime) -> list[dict[str, object]]:
    return [
        {"user_id": user_id, "language": language.value, "chosen": False, "updated_at": now}
        for user_id, language in defaults.items()
    ]


_KEEP_DEFAULTS: dict[str, Executable] = {
    "sqlite": sqlite_insert(MemberLanguage).on_conflict_do_nothing(index_elements=["user_id"]),
    "postgresql": postgresql_insert(MemberLanguage).on_conflict_do_nothing(index_elements=["user_id"]),
}
