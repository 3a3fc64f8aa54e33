"""User-facing errors: raised by the domain and services, turned into a polite reply by the error funnel."""

from __future__ import annotations


class UserFacingError(Exception):
    """An expected failure whose message is safe and useful to show to the person who asked.

    ``template`` is English, marked for the catalogue with ``N_``, with ``{placeholders}`` for ``values``: the edge
    shows it in the reader's language (``bot.i18n.t(language, error.template, **error.values)``). ``message`` is
    the English, filled in (for logs and tests)."""

    def __init__(self, template: str, /, **values: object) -> None:
        self.template = template
        self.values = values
        self.message = template.format(**values) if values else template
        super().__init__(self.message)


class InvalidInput(UserFacingError):
    """The person gave a value we cannot use."""


class NotFound(UserFacingError):
    """The thing the person named does not exist (in this server)."""


class AlreadyExists(UserFacingError):
    """The thing the person wants to create or join is already there."""


class NotAllowed(UserFacingError):
    """The person lacks the role this action needs."""


class NotConfigured(UserFacingError):
    """The server has not been set up for this action yet."""


class BotLacksPermission(UserFacingError):
    """Discord refused the bot: it lacks a permission or its role is too low."""
