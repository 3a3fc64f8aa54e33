"""Rules for the wellbeing resources and the community's forum: the tags a post may carry, what a resource may
hold (title, summary, link), when two links are the same resource, and how a member's search becomes safe terms."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote_plus, urlsplit

from bot.domain.errors import InvalidInput
from bot.domain.inputs import quote
from bot.domain.language import N_

# The themes of the health and well-being framework for the social care workforce, as forum tags (Discord allows
# 20 tags a forum, each at most 20 characters). A resource carries one to five of them. They are stored and searched
# in English (they are data); each is marked for the catalogue, so a Welsh reader sees its Welsh name.
THEMES: tuple[str, ...] = (
    N_("Leadership"),
    N_("Team culture"),
    N_("Mental health"),
    N_("Physical health"),
    N_("Stress and burnout"),
    N_("Work-life balance"),
    N_("Money worries"),
    N_("Bereavement"),
    N_("Peer support"),
    N_("Learning"),
    N_("Recognition"),
    N_("Inclusion"),
)
# The tag of the members' "what works" posts in the same forum.
WHAT_WORKS_TAG = N_("What works")
FORUM_TAGS: tuple[str, ...] = (*THEMES, WHAT_WORKS_TAG)

# --- what a resource may hold -------------------------------------------------------------------------------------

TITLE_MAX = 100  # a forum post's name is at most 100 characters
SUMMARY_MAX = 500  # a short paragraph; the post and the search results show it whole
URL_MAX = 500
TAGS_MAX = 5  # Discord applies at most 5 tags to a forum post
TAGS_TEXT_MAX = 200  # the longest list of tags a member may type (five themes with commas fit easily)
TAG_TEXT_MAX = 100  # the longest single tag a member may type (a theme is at most 20 characters)
SEARCH_TERMS_MAX = 8
REASON_MAX = 300  # why a facilitator declined a suggestion, told to the member
_TERM_MAX = 64
_SPACES = re.compile(r"\s+")
# Letters and digits only: a term made of these can never be FTS5 or tsquery syntax.
_WORD = re.compile(r"[^\W_]+")
_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Parameters that only say where a visitor came from: the same page with or without them is the same resource.
_TRACKING = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid"})
# Words too common to help a search; dropped so both database engines (PostgreSQL's English configuration drops
# them anyway) rank the same words.
_STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "for", "from", "how", "i", "in", "is", "it"}
    | {"me", "my", "of", "on", "or", "our", "the", "to", "we", "what", "with", "you", "your"}
)


class UnknownTheme(InvalidInput):
    """A tag that is none of the framework's themes; the edge lists the themes in the reader's language."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        super().__init__(
            N_("There's no tag called **{tag}**. The tags are: {tags}."), tag=quote(raw), tags=", ".join(THEMES)
        )


class DraftProblems(InvalidInput):
    """Everything wrong with a resource's fields at once, so one reply names all of it. ``problems`` keeps each
    refusal, so the edge can show every one in the reader's language."""

    def __init__(self, problems: Sequence[InvalidInput]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            super().__init__(N_("{problem} Nothing was saved."), problem=self.problems[0].message)
        else:
            super().__init__(
                N_("Nothing was saved. Please fix these and try again:\n{problems}"),
                problems="\n".join(f"• {problem.message}" for problem in self.problems),
            )


class ResourceStatus(StrEnum):
    PENDING = "pending"  # a member's suggestion, waiting for a facilitator
    APPROVED = "approved"  # a post in the resources forum


def clean_title(raw: str) -> str:
    """Trim and collapse whitespace; refuse an empty or overlong title (never cut it short)."""
    title = _SPACES.sub(" ", raw).strip()
    if not title:
        raise InvalidInput(N_("A resource needs a title."))
    if len(title) > TITLE_MAX:
        raise InvalidInput(
            N_("A resource title can be at most {limit} characters (this one has {length}). Please shorten it."),
            limit=TITLE_MAX,
            length=len(title),
        )
    return title


def clean_summary(raw: str) -> str:
    """Trim the summary; refuse an empty or overlong one (never cut it short)."""
    summary = raw.strip()
    if not summary:
        raise InvalidInput(N_("A resource needs a short summary, so members know what it offers."))
    if len(summary) > SUMMARY_MAX:
        raise InvalidInput(
            N_("A resource summary can be at most {limit} characters (this one has {length}). Please shorten it."),
            limit=SUMMARY_MAX,
            length=len(summary),
        )
    return summary


def clean_url(raw: str) -> str:
    """The link as given (trimmed) if it is a plain web address: http(s), a real host name, no spaces, no user
    name or password, at most ``URL_MAX`` characters. Otherwise say what is wrong; nothing is fixed silently."""
    url = raw.strip()
    if not url:
        raise InvalidInput(N_("A resource needs a link (a web address starting with https://)."))
    if len(url) > URL_MAX:
        raise InvalidInput(
            N_("A link can be at most {limit} characters (this one has {length})."), limit=URL_MAX, length=len(url)
        )
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise InvalidInput(
            N_("A link can't contain spaces. Please paste the web address exactly as your browser shows it.")
        )
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        if not parts.scheme and "." in url.split("/")[0]:
            raise InvalidInput(
                N_("A link must be a web address starting with `https://` (or `http://`). Did you mean {suggested}?"),
                suggested=f"`https://{url}`",
            )
        raise InvalidInput(N_("A link must be a web address starting with `https://` (or `http://`)."))
    if "@" in parts.netloc:
        raise InvalidInput(N_("A link can't carry a user name or password. Please share the public address."))
    try:
        parts.port  # noqa: B018 (it validates the port)
    except ValueError:
        raise InvalidInput(N_("That link's port number isn't valid. Please check the address.")) from None
    if not _is_web_host(parts.hostname or ""):
        raise InvalidInput(
            N_("That link doesn't name a website I can recognise. It should look like `https://www.example.org/page`.")
        )
    if len(url_key(url)) > URL_MAX:  # only when lower-casing the host lengthens it
        raise InvalidInput(N_("A link can be at most {limit} characters."), limit=URL_MAX)
    return url


@dataclass(frozen=True, slots=True)
class ResourceDraft:
    """A resource's fields, each checked; ``url_key`` finds duplicates."""

    title: str
    url: str
    url_key: str
    summary: str
    tags: tuple[str, ...]


def check_draft(
    title: str, url: str, summary: str, tags: str, aliases: Mapping[str, str] | None = None
) -> ResourceDraft:
    """Check every field at once, so one reply names everything that needs fixing. ``aliases`` maps other names of
    the themes (their Welsh names, case folded) to the themes."""
    problems: list[InvalidInput] = []
    checked: list[object] = []
    for clean, raw in (
        (clean_title, title),
        (clean_url, url),
        (clean_summary, summary),
        (lambda raw: parse_tags(raw, aliases), tags),
    ):
        try:
            checked.append(clean(raw))
        except InvalidInput as problem:
            problems.append(problem)
    if problems:
        raise DraftProblems(problems)
    good_title, good_url, good_summary = (str(value) for value in checked[:3])
    themes = checked[3]
    assert isinstance(themes, tuple)
    return ResourceDraft(good_title, good_url, url_key(good_url), good_summary, themes)


def clean_reason(raw: str | None) -> str | None:
    """A facilitator's reason for declining (optional); refused when overlong, never cut short."""
    reason = (raw or "").strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            N_("A reason can be at most {limit} characters (this one has {length})."),
            limit=REASON_MAX,
            length=len(reason),
        )
    return reason or None


def _is_web_host(host: str) -> bool:
    host = host.rstrip(".")
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def url_key(url: str) -> str:
    """The form in which two links count as the same resource: scheme dropped (http and https are the same page),
    host in lower case without a default port, no trailing slash, fragment or tracking parameters (``utm_*``,
    ``fbclid``...), the other query parameters sorted."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    port = parts.port
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host += f":{port}"
    # The parameters stay as the member wrote them (not decoded and encoded again), so the key never grows.
    query = sorted(
        pair
        for pair in parts.query.split("&")
        if pair and not _is_tracking(unquote_plus(pair.split("=", 1)[0]).lower())
    )
    path = parts.path.rstrip("/")
    return f"{host}{path}" + ("?" + "&".join(query) if query else "")


def _is_tracking(name: str) -> bool:
    return name.startswith("utm_") or name in _TRACKING


def _key(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def find_theme(raw: str, aliases: Mapping[str, str] | None = None) -> str:
    """The framework theme named by ``raw`` (case and spacing ignored), in English or by one of its ``aliases``
    (another name, case folded, mapped to the theme: its Welsh name); or a refusal listing the themes."""
    wanted = _key(raw)
    for theme in THEMES:
        if theme.casefold() == wanted:
            return theme
    if aliases and wanted in aliases:
        return aliases[wanted]
    raise UnknownTheme(raw)


def parse_tags(raw: str, aliases: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Tags from a comma-separated list: each a framework theme (case ignored, or one of its ``aliases``), repeats
    dropped, one to five."""
    pieces = [piece for piece in (p.strip() for p in raw.split(",")) if piece]
    if not pieces:
        raise InvalidInput(
            N_("Give a resource at least one tag, separated by commas. The tags are: {tags}."), tags=", ".join(THEMES)
        )
    tags = tuple(dict.fromkeys(find_theme(piece, aliases) for piece in pieces))
    if len(tags) > TAGS_MAX:
        raise InvalidInput(
            N_("A resource can have at most {limit} tags (you gave {count}). Pick the closest."),
            limit=TAGS_MAX,
            count=len(tags),
        )
    return tags


def suggest_tags(current: str, limit: int = 25, names: Mapping[str, str] | None = None) -> list[str]:
    """Autocomplete for a comma-separated tag list: the recognised tags so far, then each theme that matches the
    word being typed. ``names`` maps each theme to its name in the reader's language, which is recognised too; the
    suggestions are always the themes themselves (what is stored)."""
    aliases = {name.casefold(): theme for theme, name in (names or {}).items()}
    *done, typing = current.split(",")
    chosen: list[str] = []
    for piece in done:
        try:
            theme = find_theme(piece, aliases)
        except InvalidInput:
            continue
        if theme not in chosen:
            chosen.append(theme)
    if len(chosen) >= TAGS_MAX:
        return [", ".join(chosen[:TAGS_MAX])]
    prefix = "".join(f"{theme}, " for theme in chosen)
    return [prefix + theme for theme in suggest_themes(typing, names) if theme not in chosen][:limit]


def suggest_themes(fragment: str, names: Mapping[str, str] | None = None) -> list[str]:
    """Themes containing ``fragment`` (case ignored) in English or in ``names`` (each theme's name in the reader's
    language), those starting with it first."""
    needle = fragment.strip().casefold()
    shown = names or {}

    def spellings(theme: str) -> tuple[str, ...]:
        return (theme.casefold(), shown.get(theme, theme).casefold())

    found = [theme for theme in THEMES if any(needle in spelling for spelling in spellings(theme))]
    return sorted(found, key=lambda theme: not any(spelling.startswith(needle) for spelling in spellings(theme)))


def search_terms(query: str, aliases: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The words of a member's search, safe to hand to a full-text engine: letters and digits only, lower case,
    common words dropped, at most ``SEARCH_TERMS_MAX``. Refuses a query with nothing to search for.

    A theme named by one of its ``aliases`` (its Welsh name, case folded, mapped to the theme) adds the theme's
    English words, which the resources' tags are indexed under: "iechyd meddwl" finds what is tagged Mental
    health."""
    words = [word.casefold() for word in _WORD.findall(query) if len(word) <= _TERM_MAX]
    if not words:
        raise InvalidInput(N_("Please search for at least one word, for example `sleep` or `burnout`."))
    said = f" {' '.join(words)} "
    for alias, theme in (aliases or {}).items():
        if f" {' '.join(_WORD.findall(alias))} " in said:
            words += [word.casefold() for word in _WORD.findall(theme)]
    terms = tuple(dict.fromkeys(word for word in words if word not in _STOP_WORDS))
    if not terms:
        raise InvalidInput(N_("Those words are too common to search for. Try a more specific word, like `stress`."))
    return terms[:SEARCH_TERMS_MAX]


def site_of(url: str) -> str:
    """The host a link points at (what the forum post shows, so members know where it leads)."""
    return (urlsplit(url).hostname or "").removeprefix("www.")
