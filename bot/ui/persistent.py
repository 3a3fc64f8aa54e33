"""Persistent UI: forms (modals) and buttons that work for any number of members at once and across restarts.

discord.py keeps an open modal in memory keyed by its custom_id alone, so two members with the same form open
replace each other, the first submit closes it for everyone, and a restart forgets every form still on screen.
A ``PersistentForm`` is never held in memory. Like a ``DynamicItem`` button, its class carries a custom_id
template: a submit is matched to the class by that template and handled from the custom_id, the member and the
submitted values alone; any other state is read from the database.

``answer_unclaimed`` is the safety net for every interaction a handler did not claim (a forged or outdated
custom_id): the member gets a polite answer instead of "This interaction failed".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal

import discord

from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.ids import ROW_ID_MAX, parse_id
from bot.domain.language import N_
from bot.ui.errors import arrived_too_late, report_error

log = logging.getLogger(__name__)

ID = "[0-9]{1,19}"  # an ID in a custom_id template; ``id_from`` checks it fits its column
OUT_OF_DATE = N_("That form or button is out of date. Please open it again from the latest message or command.")
UNREADABLE = N_("I couldn't read that form. Please open it again and choose one answer for each question.")
SERVER_ONLY = N_("This works only inside the server. Please use it there.")
GONE = {  # what an outdated or forged button names, refused politely
    "session": N_(
        "I can't find that session any more. That form or button is out of date. Please open it again from the "
        "latest message or command."
    ),
    "resource": N_(
        "I can't find that resource any more. That form or button is out of date. Please open it again from the "
        "latest message or command."
    ),
    "alert": N_(
        "I can't find that alert any more. That form or button is out of date. Please open it again from the "
        "latest message or command."
    ),
    "series": N_(
        "I can't find that series any more. That form or button is out of date. Please open it again from the "
        "latest message or command."
    ),
}


def id_from(match: re.Match[str], group: str, maximum: int = ROW_ID_MAX) -> int:
    """The ID in a custom_id's ``group`` (a row ID unless ``maximum`` says otherwise); 0, which names no record,
    when it does not fit."""
    return parse_id(match[group], maximum) or 0


def guild_of(interaction: discord.Interaction[Any]) -> int:
    """The server an interaction happened in; a DM gets a polite refusal."""
    if interaction.guild_id is None:
        raise NotAllowed(SERVER_ONLY)
    return interaction.guild_id


def require_id(record_id: int, what: Literal["session", "resource", "alert", "series"]) -> int:
    """``record_id`` when it can name a record; a forged or outdated one is refused politely."""
    if record_id <= 0:
        raise NotFound(GONE[what])
    return record_id


async def guarded(interaction: discord.Interaction[Any], handler: Callable[[], Awaitable[None]]) -> None:
    """Run a button's or form's handler through the same error funnel as commands (not at all for an interaction
    that reached the bot too late to be answered)."""
    if arrived_too_late(interaction):
        return
    try:
        await handler()
    except Exception as error:
        await report_error(interaction, error)


class FormValues:
    """A submitted form's values by component custom_id, as Discord sent them (checked when read)."""

    def __init__(self, raw: Mapping[str, object]) -> None:
        self._raw = dict(raw)

    @classmethod
    def from_components(cls, components: object) -> FormValues:
        """Collect the values of a submit's components: in labels (type 18), action rows (type 1) or bare."""
        raw: dict[str, object] = {}

        def walk(nodes: object) -> None:
            for node in nodes if isinstance(nodes, list) else []:
                if not isinstance(node, dict):
                    continue
                if "components" in node:
                    walk(node["components"])
                elif "component" in node:
                    walk([node["component"]])
                elif isinstance(node.get("custom_id"), str):
                    raw[node["custom_id"]] = node.get("values", node.get("value"))

        walk(components)
        return cls(raw)

    def text(self, custom_id: str) -> str:
        """A text input's or radio group's value; "" when left empty. Anything but text is refused."""
        value = self._raw.get(custom_id)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise InvalidInput(UNREADABLE)
        return value.replace("\x00", "")  # nobody types NUL, and PostgreSQL's text cannot hold it


class PersistentForm(discord.ui.Modal):
    """A modal that is matched by its custom_id template and never held in memory.

    Subclasses pass ``template=`` (a regular expression that fully matches their custom_ids), build their
    components in ``__init__`` to send the form, and handle a submit in the classmethod ``submit``.
    """

    __form_template__: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, *, template: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__form_template__ = re.compile(template)

    def __init__(self, *, title: str, custom_id: str) -> None:
        if not self.__form_template__.fullmatch(custom_id):
            raise ValueError(f"{custom_id!r} does not match {type(self).__name__}'s template")
        super().__init__(title=title, custom_id=custom_id)

    def is_finished(self) -> bool:
        # discord.py stores only unfinished modals; this one is matched by its template instead.
        return True

    @classmethod
    async def submit(cls, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues) -> None:
        raise NotImplementedError


def _components_on(message: discord.Message | None) -> set[tuple[int, str]]:
    """(type, custom_id) of each component on ``message``: discord.py hands a click only to one it carries."""
    found: set[tuple[int, str]] = set()

    def walk(components: Iterable[Any]) -> None:
        for component in components:
            if isinstance(getattr(component, "custom_id", None), str):
                found.add((component.type.value, component.custom_id))
            walk(getattr(component, "children", ()))

    walk(message.components if message is not None else ())
    return found


async def dispatch_form(interaction: discord.Interaction[Any], forms: Sequence[type[PersistentForm]]) -> bool:
    """Handle a modal submit with the form whose template matches; False when none does."""
    data: Mapping[str, Any] = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))
    found = next(((f, m) for f in forms if (m := f.__form_template__.fullmatch(custom_id)) is not None), None)
    if found is None:
        return False
    form, match = found
    values = FormValues.from_components(data.get("components"))
    await guarded(interaction, lambda: form.submit(interaction, match, values))
    return True


async def answer_unclaimed(
    interaction: discord.Interaction[Any],
    forms: Sequence[type[PersistentForm]],
    items: Sequence[type[discord.ui.DynamicItem[Any]]],
) -> None:
    """Every modal submit goes to its form; a click no button claims gets a polite answer, not silence."""
    if interaction.type is discord.InteractionType.modal_submit:
        if not await dispatch_form(interaction, forms):
            log.warning("a form submit matched no form (interaction %s)", interaction.id)
            await report_error(interaction, NotFound(OUT_OF_DATE))
        return
    if interaction.type is not discord.InteractionType.component:
        return
    data: Mapping[str, Any] = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))
    on_message = (data.get("component_type"), custom_id) in _components_on(interaction.message)
    claimed = on_message and any(item.__discord_ui_compiled_template__.fullmatch(custom_id) for item in items)
    if not claimed:
        log.warning("a click matched no button (interaction %s)", interaction.id)
        await report_error(interaction, NotFound(OUT_OF_DATE))
