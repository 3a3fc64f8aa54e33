"""Answers shown to many are drawn once: the last few hundred kept, by what they show; a search's answer is sent as
it is to everyone shown the same results, its buttons never kept by discord.py."""

from __future__ import annotations

from bot.domain.language import Language
from bot.services.ports import ResourceCard
from bot.services.resources import ResourcePage
from bot.ui.reply import SharedAnswers
from bot.ui.resource_items import results_answer


def page(*titles: str) -> ResourcePage:  # a new, equal page for each member, as each search reads its own
    cards = tuple(
        ResourceCard(id=n, guild_id=1, title=title, url=f"https://example.org/{n}", summary="", tags=())
        for n, title in enumerate(titles, start=1)
    )
    return ResourcePage(cards, total=len(cards), query="sleep")


async def test_the_same_results_are_drawn_once_and_their_buttons_are_not_kept() -> None:
    embed, view = results_answer(page("Sleep well", "Rest"), Language.EN)
    again = results_answer(page("Sleep well", "Rest"), Language.EN)
    assert again[0] is embed and again[1] is view
    assert view is not None and view.is_finished()  # stopped: sent as it is, never stored
    assert [getattr(child, "item", child).label for child in view.children] == ["1. Sleep well", "2. Rest"]

    other, _ = results_answer(page("Sleep well"), Language.EN)
    assert other is not embed and "Rest" not in str(other.to_dict())
    welsh, _ = results_answer(page("Sleep well", "Rest"), Language.CY)
    assert welsh is not embed and welsh.title != embed.title
    assert results_answer(page(), Language.EN)[1] is None  # nothing found: no buttons


def test_the_last_answers_drawn_are_kept_and_the_oldest_let_go() -> None:
    drawn: list[str] = []

    def draw(key: str) -> str:
        drawn.append(key)
        return key.upper()

    answers: SharedAnswers[str, str] = SharedAnswers(size=2)
    assert [answers.get(key, lambda key=key: draw(key)) for key in ("a", "b", "a", "c", "a", "b")] == list("ABACAB")
    assert drawn == ["a", "b", "c", "b"]  # "a", asked again, stayed; "b" was the oldest when "c" came
