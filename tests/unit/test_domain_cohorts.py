from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import cohorts
from bot.domain.access import Actor, GuildRoles, is_coordinator, is_facilitator, require_admin, require_facilitator
from bot.domain.errors import InvalidInput, NotAllowed

FACILITATOR_ROLE = 111
COORDINATOR_ROLE = 222
ROLES = GuildRoles(facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=COORDINATOR_ROLE)


def actor(*roles: int, admin: bool = False) -> Actor:
    return Actor(user_id=1, role_ids=frozenset(roles), is_admin=admin)


def test_names_are_trimmed_and_collapsed() -> None:
    assert cohorts.clean_name("  Care   home\tmanagers ") == "Care home managers"
    assert cohorts.name_key("Care HOME managers") == cohorts.name_key("care home  managers")


@pytest.mark.parametrize("raw", ["", "   ", "x" * (cohorts.NAME_MAX + 1)])
def test_bad_names_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        cohorts.clean_name(raw)


@given(st.text(max_size=200))
def test_clean_name_is_idempotent_or_refuses(raw: str) -> None:
    try:
        name = cohorts.clean_name(raw)
    except InvalidInput:
        return
    assert cohorts.clean_name(name) == name
    assert 1 <= len(name) <= cohorts.NAME_MAX


def test_descriptions() -> None:
    assert cohorts.clean_description("  For managers  ") == "For managers"
    with pytest.raises(InvalidInput):
        cohorts.clean_description(" ")
    with pytest.raises(InvalidInput, match="at most 1000"):
        cohorts.clean_description("x" * 1001)


def test_timezones() -> None:
    assert cohorts.parse_timezone("Europe/London").key == "Europe/London"
    assert cohorts.parse_timezone("europe/dublin").key == "Europe/Dublin"
    with pytest.raises(InvalidInput, match="Mars/Base"):
        cohorts.parse_timezone("Mars/Base")
    with pytest.raises(InvalidInput):
        cohorts.parse_timezone("../etc/passwd")
    suggestions = cohorts.suggest_timezones("lon")
    assert suggestions[0] == "Europe/London"
    assert len(cohorts.suggest_timezones("")) == 25


def test_access_rules() -> None:
    assert is_facilitator(actor(FACILITATOR_ROLE), ROLES)
    assert not is_facilitator(actor(COORDINATOR_ROLE), ROLES)
    assert is_facilitator(actor(admin=True), ROLES)
    assert is_coordinator(actor(COORDINATOR_ROLE), ROLES)
    assert not is_coordinator(actor(FACILITATOR_ROLE), ROLES)
    assert not is_facilitator(actor(FACILITATOR_ROLE), GuildRoles())


def test_refusals_explain_what_is_needed() -> None:
    with pytest.raises(NotAllowed, match=f"<@&{FACILITATOR_ROLE}>"):
        require_facilitator(actor(), ROLES)
    with pytest.raises(NotAllowed, match="/setup roles"):
        require_facilitator(actor(), GuildRoles())
    with pytest.raises(NotAllowed, match="Manage Server"):
        require_admin(actor(FACILITATOR_ROLE))
    require_admin(actor(admin=True))
