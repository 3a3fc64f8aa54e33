"""Each person's language on a real database: first contact recorded once, a choice known at once here, one made
through another process known within ``REMEMBER_FOR`` seconds, a server's default followed until someone chooses,
and an erased person asked again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.language import Language
from bot.services import languages as languages_module
from bot.services.guild_setup import SetupService
from bot.services.languages import LanguageService
from bot.services.settings_cache import SettingsCache

GUILD, USER = 930000000000000001, 830000000000000001
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
NOW = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def service(uow: UnitOfWorkFactory) -> LanguageService:
    return LanguageService(uow, SettingsCache(uow), clock=lambda: NOW)


async def test_first_contact_is_offered_once_and_a_choice_is_known_at_once(service: LanguageService) -> None:
    first = await service.reader(GUILD, USER)
    assert first.language is Language.EN and first.first_contact
    await service.idle()
    assert not (await service.reader(GUILD, USER)).first_contact
    await service.choose(USER, Language.CY)
    assert (await service.reader(GUILD, USER)).language is Language.CY
    assert await service.languages(GUILD, [USER, USER + 1]) == {USER: Language.CY, USER + 1: Language.EN}


async def test_a_choice_made_elsewhere_is_known_once_the_memory_lapses(
    service: LanguageService, uow: UnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await service.reader(GUILD, USER)).language is Language.EN
    await service.idle()
    async with uow() as work:  # another process: the person chose Cymraeg there
        await work.languages.choose(USER, Language.CY, NOW)
        await work.commit()
    assert (await service.reader(GUILD, USER)).language is Language.EN  # held in memory for a while
    monkeypatch.setattr(languages_module, "REMEMBER_FOR", 0.0)
    assert (await service.reader(GUILD, USER)).language is Language.CY


async def test_those_who_never_chose_follow_the_servers_default(
    service: LanguageService, uow: UnitOfWorkFactory
) -> None:
    settings = SettingsCache(uow)
    service = LanguageService(uow, settings, clock=lambda: NOW)
    assert (await service.reader(GUILD, USER)).first_contact
    await service.idle()
    await SetupService(uow, settings).set_languages(GUILD, ADMIN, language=Language.CY, channel_posts=None)
    settings.forget(GUILD)
    reader = await service.reader(GUILD, USER)
    assert reader.language is Language.CY and not reader.first_contact


async def test_an_erased_person_is_asked_again(service: LanguageService, uow: UnitOfWorkFactory) -> None:
    await service.choose(USER, Language.CY)
    async with uow() as work:  # what /privacy delete does to the row
        await work.privacy.delete_owned(GUILD, USER)
        await work.commit()
    service.forget(USER)
    again = await service.reader(GUILD, USER)
    assert again.language is Language.EN and again.first_contact
