"""How sessions look in Discord: announcements, reminders, notices and lists, in Cymraeg or English.

What one person reads (a reply, a DM) is in their language; what a channel shows (an announcement, the session
thread) is as the server's channel posts ask: Welsh, English, or Welsh first then English (a ``ChannelPosts``;
see :func:`in_voice`). Times are Discord timestamps for English readers, so everyone sees their own local time;
Discord cannot show its timestamps in Welsh, so a Welsh reader's are written out in Welsh, in the cohort's zone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

import discord
from babel.dates import format_date, get_day_names

from bot.domain.inputs import quote
from bot.domain.language import DEFAULT_LANGUAGE, N_, ChannelPosts, Language, SessionMedium
from bot.domain.lifecycle import SeriesState, SessionState
from bot.domain.recurrence import Cadence, MonthlyBy, Recurrence
from bot.domain.series_rules import PAUSED
from bot.domain.sessions import discord_timestamp as ts
from bot.i18n import t, when
from bot.services.ports import Notice, SessionCard
from bot.services.reports import AttendanceReport
from bot.services.series import ENDED, SeriesInfo, WelshMediumDemand
from bot.services.session_list import UpcomingPage
from bot.services.sessions import CANCELLED_BY_FACILITATOR, AttendanceSheet
from bot.ui.embeds import CWTCH_COLOUR

CANCELLED_COLOUR = discord.Colour.dark_grey()
Voice = Language | ChannelPosts  # one reader's language, or how a server's channel posts are written

STATUS_WORDS = {
    "going": N_("you're going"),
    "waitlisted": N_("you're on the waitlist"),
    "declined": N_("you can't make it"),
}
NO_RSVP = N_("no RSVP yet")
MEDIUM_WORDS = {SessionMedium.WELSH: N_("Welsh-medium"), SessionMedium.BILINGUAL: N_("Bilingual")}
# Reasons Cwtch gives itself when it cancels a session: stored in English, shown in the reader's language.
OWN_REASONS = frozenset({PAUSED, ENDED, CANCELLED_BY_FACILITATOR})


# --- languages and channel posts ----------------------------------------------------------------------------


def posts_of(voice: Voice) -> ChannelPosts:
    """A reader's language as a channel's setting (one language), or the channel's own."""
    return voice if isinstance(voice, ChannelPosts) else ChannelPosts(voice.value)


def in_voice(voice: Voice, render: Callable[[Language], str], between: str = "\n\n") -> str:
    """``render`` in the reader's language; for a bilingual channel, in Welsh then English, joined by ``between``
    (as :func:`bot.i18n.for_channel`, for texts whose values differ by language: dates, translated parts)."""
    posts = posts_of(voice)
    if posts is ChannelPosts.BILINGUAL:
        welsh, english = render(Language.CY), render(Language.EN)
        return welsh if welsh == english else f"{welsh}{between}{english}"
    return render(Language(posts.value))


def say(voice: Voice, message: str, /, *, between: str = "\n\n", **values: object) -> str:
    """One catalogue message in the voice asked for (its values the same in both languages)."""
    return in_voice(voice, lambda language: t(language, message, **values), between)


def moment(at: datetime, zone: str, language: Language, *, relative: bool = False, style: str = "F") -> str:
    """A date and time: a Discord timestamp for an English reader (with how long until it when ``relative``),
    written out in Welsh in the cohort's zone for a Welsh reader."""
    if language is not Language.EN:
        return when(at, zone, language)
    return f"{ts(at, style)} ({ts(at, 'R')})" if relative else ts(at, style)


def reason_text(reason: str, language: Language) -> str:
    """Why a session was cancelled: the facilitator's words as they typed them, or Cwtch's own, translated."""
    return t(language, reason) if reason in OWN_REASONS else reason


def medium_text(medium: SessionMedium | None, language: Language) -> str | None:
    return t(language, MEDIUM_WORDS[medium]) if medium is not None else None


# --- one session ------------------------------------------------------------------------------------------


def where(session: SessionCard, voice: Voice = DEFAULT_LANGUAGE) -> str:
    """Where a session meets; a link is given once, even when bilingual ("[y cyfarfod ar-lein / online meeting
    link](…)"), so a long one still fits an embed field."""
    if session.room_channel_id:
        return f"<#{session.room_channel_id}>"
    if session.link:
        label = say(voice, N_("online meeting link"), between=" / ")
        return f"[{label}]({session.link})"
    return say(voice, N_("the session thread"), between=" / ")


def places(session: SessionCard, language: Language = DEFAULT_LANGUAGE) -> str:
    if session.capacity is None:
        return t(language, N_("{going} going"), going=session.going)
    text = t(language, N_("{going} of {capacity} places taken"), going=session.going, capacity=session.capacity)
    if session.waitlisted:
        text += t(language, N_(", {waitlisted} on the waitlist"), waitlisted=session.waitlisted)
    return text


def _minutes(session: SessionCard) -> int:
    return int((session.ends_at - session.starts_at).total_seconds() // 60)


def announcement_embed(session: SessionCard, voice: Voice) -> discord.Embed:
    """A session as its announcement shows it (in the channel's voice), or as one member's reply shows it."""
    title = f"{session.title} · {session.cohort_name}"
    zone = session.timezone
    if session.state == SessionState.CANCELLED:
        embed = discord.Embed(title=say(voice, N_("Cancelled: {title}"), title=title, between=" / ")[:256])
        embed.colour = CANCELLED_COLOUR
        embed.description = in_voice(
            voice,
            lambda lang: t(lang, N_("The session on {when} is cancelled."), when=moment(session.starts_at, zone, lang)),
            "\n",
        )
        if session.cancel_reason:
            reason = session.cancel_reason
            embed.add_field(
                name=say(voice, N_("Why"), between=" / "),
                value=in_voice(voice, lambda lang: reason_text(reason, lang), "\n")[:1024],
                inline=False,
            )
        return embed
    embed = discord.Embed(title=title[:256], colour=CWTCH_COLOUR)
    embed.description = in_voice(
        voice,
        lambda lang: t(
            lang,
            N_("{when}, {minutes} minutes"),
            when=moment(session.starts_at, zone, lang, relative=True),
            minutes=_minutes(session),
        ),
        "\n",
    )
    embed.add_field(name=say(voice, N_("Where"), between=" / "), value=where(session, voice))
    embed.add_field(
        name=say(voice, N_("Places"), between=" / "), value=in_voice(voice, lambda lang: places(session, lang), "\n")
    )
    if session.medium is not None:
        medium = session.medium
        embed.add_field(
            name=say(voice, N_("Language"), between=" / "),
            value=in_voice(voice, lambda lang: t(lang, MEDIUM_WORDS[medium]), " / "),
        )
    state = {
        SessionState.OPEN: N_("The room is open now."),
        SessionState.CLOSED: N_("This session has ended. Thank you for coming."),
    }
    if session.state in state:
        embed.add_field(
            name=say(voice, N_("Now"), between=" / "),
            value=say(voice, state[session.state], between="\n"),
            inline=False,
        )
    embed.set_footer(text=in_voice(voice, lambda lang: _footer(lang, zone), "\n"))
    return embed


def _footer(language: Language, zone: str) -> str:
    if language is Language.EN:  # Discord shows each reader their own time
        return t(language, N_("Times show in your own time zone. Peer support is confidential; see /ground-rules."))
    return t(language, N_("Times are in {zone} time. Peer support is confidential; see /ground-rules."), zone=zone)


NOTICE_TEXT = {
    Notice.REMIND_24H: N_("Reminder: **{title}** ({cohort}) is tomorrow, {when}, in {where}."),
    Notice.REMIND_1H: N_("Reminder: **{title}** ({cohort}) starts {when}, in {where}."),
    Notice.CANCELLED: N_("**{title}** ({cohort}) on {when} is cancelled. {reason}"),
    Notice.MOVED: N_("**{title}** ({cohort}) has moved to {when}. Your RSVP still stands."),
    Notice.CHANGED: N_(
        "**{title}** ({cohort}) on {when} has changed: it meets in {where} and lasts {minutes} minutes. "
        "Your RSVP still stands."
    ),
    Notice.PROMOTED: N_("Good news: a place freed up, so you're now going to **{title}** ({cohort}) on {when}."),
    Notice.SURVEY: N_(
        "Thank you for coming to **{title}** ({cohort}). How was it? Three quick questions, and no one "
        "sees who answered what: press **Give feedback**."
    ),
    Notice.SURVEY_REMINDER: N_(
        "A gentle reminder: the survey about **{title}** ({cohort}) on {when} is still open. "
        "It takes a minute: press **Give feedback**."
    ),
}
MOVED_FROM_TEXT = N_("**{title}** ({cohort}) has moved from {old} to {when}. Your RSVP still stands.")


def _notice_when(session: SessionCard, notice: Notice, language: Language) -> str:
    """The session's time as each notice shows it: how long until it too, where it helps, for English readers."""
    zone = session.timezone
    if language is not Language.EN:
        return when(session.starts_at, zone, language)
    if notice is Notice.REMIND_1H:
        return f"{ts(session.starts_at, 'R')}, at {ts(session.starts_at)}"
    relative = notice in (Notice.REMIND_24H, Notice.MOVED)
    return moment(session.starts_at, zone, language, relative=relative)


def notice_text(session: SessionCard, notice: Notice, language: Language) -> str:
    """What one member is told about a session they RSVP'd to (a DM), in their language."""
    reason = ""
    if session.cancel_reason:
        reason = t(language, N_("Reason: {reason}"), reason=reason_text(session.cancel_reason, language))
    text = MOVED_FROM_TEXT if notice is Notice.MOVED and session.moved_from is not None else NOTICE_TEXT[notice]
    old = moment(session.moved_from, session.timezone, language) if session.moved_from is not None else ""
    return t(
        language,
        text,
        title=session.title,
        cohort=session.cohort_name,
        when=_notice_when(session, notice, language),
        old=old,
        where=where(session, language),
        minutes=_minutes(session),
        reason=reason,
    ).strip()


# --- lists ------------------------------------------------------------------------------------------------


def upcoming_embed(page: UpcomingPage, language: Language = DEFAULT_LANGUAGE) -> discord.Embed:
    """A page of ``/session list``: whose sessions, which page of how many, and each with the member's RSVP.

    Sized to fit: at most ``PAGE_SIZE`` fields of at most 200 + 400 characters stay under Discord's 6,000."""
    if page.cohort_name:
        title, lines = t(language, N_("Upcoming sessions · {cohort}"), cohort=page.cohort_name), []
    elif page.my_cohorts:
        mine = ", ".join(page.my_cohorts)
        title = t(language, N_("Upcoming sessions · your cohorts"))
        lines = [t(language, N_("Your cohorts: {cohorts}."), cohorts=quote(mine, 300))]
    else:
        title = t(language, N_("Upcoming sessions · everyone's"))
        lines = [
            t(
                language,
                N_("You're not in a cohort yet, so here are everyone's sessions. `/cohort join` adds you to one."),
            )
        ]
    embed = discord.Embed(title=title[:256], colour=CWTCH_COLOUR)
    if not page.entries:
        lines.append(t(language, N_("No sessions are planned yet.")))
        embed.description = "\n".join(lines)
        return embed
    if any(entry.open_for_rsvp for entry in page.entries):
        lines.append(t(language, N_("Pick a session below to RSVP.")))
    count = t(language, N_("{count} session") if page.total == 1 else N_("{count} sessions"), count=page.total)
    if page.pages > 1:
        lines.append(
            t(language, N_("Page {page} of {pages} ({count})."), page=page.page, pages=page.pages, count=count)
        )
    else:
        lines.append(t(language, N_("All {count} are here."), count=count))
    embed.description = "\n".join(lines)
    for entry in page.entries:
        name, value = _entry(entry.session, entry.my_status, language)
        embed.add_field(name=name[:200], value=value[:400], inline=False)
    if page.pages > 1:
        embed.set_footer(
            text=t(
                language,
                N_("Page {page} of {pages}. Previous and Next turn the pages."),
                page=page.page,
                pages=page.pages,
            )
        )
    return embed


def _entry(session: SessionCard, status: str | None, language: Language) -> tuple[str, str]:
    """One session of ``/session list``: its name and what to know about it."""
    name = f"{session.title} · {session.cohort_name}"
    starts = moment(session.starts_at, session.timezone, language)
    if session.state == SessionState.CANCELLED:
        if session.cancel_reason:
            why = t(
                language, N_("Cancelled: {reason}"), reason=quote(reason_text(session.cancel_reason, language), 200)
            )
        else:
            why = t(language, N_("Cancelled."))
        return t(language, N_("Cancelled: {title}"), title=name), f"~~{starts}~~\n{why}"
    mine = t(language, STATUS_WORDS.get(status or "", NO_RSVP))
    if session.state == SessionState.OPEN:
        on_now = t(language, N_("on now"))
        starts += f" ({on_now})"
    elif language is Language.EN:
        starts += f" ({ts(session.starts_at, 'R')})"
    place = t(language, N_("online")) if session.link and not session.room_channel_id else where(session, language)
    details = [place, places(session, language)]
    if session.medium is not None:
        details.append(t(language, MEDIUM_WORDS[session.medium]))
    you = t(language, N_("You: **{status}**"), status=mine)
    return name, f"{starts}\n{' · '.join(details)}\n{you}"


_SERIES_NAMES = {
    SeriesState.ACTIVE: N_("{title} · {cohort} (active)"),
    SeriesState.PAUSED: N_("{title} · {cohort} (paused)"),
    SeriesState.ENDED: N_("{title} · {cohort} (ended)"),
}


def series_embed(
    series: Sequence[SeriesInfo],
    title: str | None = None,
    *,
    language: Language,
    demand: WelshMediumDemand | None = None,
) -> discord.Embed:
    """Series as facilitators see them (``title``: one series' own; else "Series"); with ``demand``, how many
    members would prefer Welsh-medium sessions."""
    embed = discord.Embed(title=title or t(language, N_("Series")), colour=CWTCH_COLOUR)
    lines = []
    if not series:
        lines.append(t(language, N_("No series yet. A facilitator can create one with `/series create`.")))
    if demand is not None:
        if demand.count is None:
            lines.append(
                t(
                    language,
                    N_("Members who would prefer Welsh-medium sessions: fewer than {min_group}."),
                    min_group=demand.min_group,
                )
            )
        else:
            lines.append(
                t(language, N_("Members who would prefer Welsh-medium sessions: {count}."), count=demand.count)
            )
    if lines:
        embed.description = "\n".join(lines)
    for info in series[:25]:
        zone = info.recurrence.zone.key if info.recurrence is not None else "UTC"
        between = ", " if language is Language.EN else "; "  # a Welsh date has a comma of its own
        upcoming = between.join(moment(start, zone, language, style="f") for start in info.next_starts[:3])
        rule = rule_text(info.recurrence, language) if info.recurrence is not None else info.rule
        first = [t(language, N_("{rule}, {minutes} minutes"), rule=rule, minutes=info.duration_minutes)]
        if info.capacity:
            first.append(t(language, N_("{capacity} places"), capacity=info.capacity))
        if info.medium is not None:
            first.append(t(language, MEDIUM_WORDS[info.medium]))
        following = t(language, N_("Next: {sessions}"), sessions=upcoming or t(language, N_("none planned")))
        state = _SERIES_NAMES.get(SeriesState(info.state), _SERIES_NAMES[SeriesState.ACTIVE])
        embed.add_field(
            name=t(language, state, title=info.title, cohort=info.cohort_name)[:256],
            value=f"{' · '.join(first)}\n{following}"[:1024],
            inline=False,
        )
    return embed


# --- the rule of a series, in words ---------------------------------------------------------------------------

_EVERY = {
    Cadence.WEEKLY: N_("every {weekday}"),
    Cadence.FORTNIGHTLY: N_("every other {weekday}"),
    Cadence.MONTHLY: N_("every month"),
    Cadence.BIMONTHLY: N_("every other month"),
}
_NTH = {
    1: N_("on the 1st {weekday}"),
    2: N_("on the 2nd {weekday}"),
    3: N_("on the 3rd {weekday}"),
    4: N_("on the 4th {weekday}"),
    5: N_("on the 5th {weekday}"),
    -1: N_("on the last {weekday}"),
}


def rule_text(rule: Recurrence, language: Language) -> str:
    """How often a series meets: "every other month on the 2nd Tuesday at 10:00 (Europe/London)", or in Welsh
    "bob deufis ar yr ail ddydd Mawrth am 10:00 (Europe/London)"."""
    first = rule.first_local
    weekday = _weekday(first.weekday(), language)
    if rule.cadence is Cadence.ONCE:
        day = (
            f"{first:%A %-d %B %Y}"
            if language is Language.EN
            else format_date(first.date(), "EEEE d MMMM y", locale=language.value)
        )
        every = t(language, N_("once, on {date}"), date=day)
    else:
        every = t(language, _EVERY[rule.cadence], weekday=weekday)
    if rule.cadence in (Cadence.MONTHLY, Cadence.BIMONTHLY):
        if rule.monthly_by is MonthlyBy.DAY:
            every += " " + t(language, N_("on the {day}"), day=_ordinal(first.day, language))
        else:
            every += " " + t(language, _NTH[rule.nth_weekday], weekday=weekday)
    return t(language, N_("{rule} at {time} ({zone})"), rule=every, time=f"{first:%H:%M}", zone=rule.zone.key)


def _weekday(number: int, language: Language) -> str:
    """A weekday's name as the rule's phrases take it: "Tuesday"; in Welsh the name after "dydd": "Mawrth"."""
    name = str(get_day_names("wide", locale=language.value)[number])
    return name.removeprefix("Dydd ") if language is Language.CY else name


_WELSH_ORDINALS = {1: "af", 2: "il", 3: "ydd", 4: "ydd", 5: "ed", 6: "ed", 11: "eg", 13: "eg", 14: "eg", 16: "eg"}


def _ordinal(number: int, language: Language) -> str:
    """A day of the month as an ordinal: "2nd", "21st"; in Welsh "2il", "21ain"."""
    if language is Language.CY:
        suffix = _WELSH_ORDINALS.get(number, "eg" if number in (17, 19) else "fed" if number <= 20 else "ain")
        return f"{number}{suffix}"
    suffix = "th" if 11 <= number % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


# --- attendance -------------------------------------------------------------------------------------------

# How each attendance was known: in the voice channel, by "I'm here", or marked by a facilitator.
SOURCE_WORDS = {
    "voice": N_("<@{user}> (voice)"),
    "checkin": N_("<@{user}> (checkin)"),
    "facilitator": N_("<@{user}> (facilitator)"),
}


def attendance_embed(sheet: AttendanceSheet, language: Language) -> discord.Embed:
    session = sheet.session
    title = t(
        language,
        N_("Attendance: {title} · {when}"),
        title=session.title,
        when=moment(session.starts_at, session.timezone, language, style="f"),
    )
    embed = discord.Embed(title=title[:256], colour=CWTCH_COLOUR)
    present = "\n".join(
        t(language, SOURCE_WORDS[source], user=user) if source in SOURCE_WORDS else f"<@{user}> ({source})"
        for user, source in sheet.present
    ) or t(language, N_("nobody yet"))
    missing = "\n".join(f"<@{user}>" for user in sheet.absent_going) or t(language, N_("nobody"))
    embed.add_field(
        name=t(language, N_("Present ({count})"), count=len(sheet.present)), value=present[:1024], inline=False
    )
    embed.add_field(name=t(language, N_("Said they'd come, not seen")), value=missing[:1024], inline=False)
    embed.set_footer(text=t(language, N_("Use the menus below to correct it.")))
    return embed


def attendance_report_embed(
    report: AttendanceReport, waiting: str | None, language: Language = DEFAULT_LANGUAGE
) -> discord.Embed:
    """Sessions, RSVPs, attendance, waitlist and no-shows, added up from whole release blocks."""
    period, tally = report.period, report.total.tally

    def day(value: date) -> str:
        if language is Language.EN:
            return f"{value:%-d %b %Y}"
        return format_date(value, "d MMM y", locale=language.value)

    counted = (
        N_("{first} to {last}: {count} session counted")
        if tally.sessions == 1
        else N_("{first} to {last}: {count} sessions counted")
    )
    lines = [t(language, counted, first=day(period.start), last=day(period.end), count=tally.sessions)]
    if waiting:
        lines.append(waiting)
    cohort = period.cohort or t(language, N_("All cohorts"))
    embed = discord.Embed(
        title=t(language, N_("Attendance: {cohort}"), cohort=cohort)[:256],
        description="\n".join(lines),
        colour=CWTCH_COLOUR,
    )
    for name, value in (
        (N_("RSVPs (going)"), tally.rsvps),
        (N_("Attended"), tally.attendees),
        (N_("Waitlisted"), tally.waitlisted),
        (N_("No-shows"), tally.no_shows),
    ):
        embed.add_field(name=t(language, name), value=str(value))
    embed.set_footer(
        text=t(
            language,
            N_(
                "Counts add up whole groups of sessions with at least {min_group} people, so no one can be "
                "picked out. Attended counts attendances: one person at three sessions counts three times."
            ),
            min_group=report.min_group,
        )
    )
    return embed
