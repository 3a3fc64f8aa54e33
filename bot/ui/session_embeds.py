"""How sessions look in Discord: announcements, reminders, notices and lists. Times are Discord timestamps."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.inputs import quote
from bot.domain.lifecycle import SessionState
from bot.domain.sessions import discord_timestamp as ts
from bot.services.ports import Notice, SessionCard
from bot.services.reports import AttendanceReport
from bot.services.series import SeriesInfo
from bot.services.session_list import UpcomingPage
from bot.services.sessions import AttendanceSheet
from bot.ui.embeds import CWTCH_COLOUR

CANCELLED_COLOUR = discord.Colour.dark_grey()
STATUS_WORDS = {"going": "you're going", "waitlisted": "you're on the waitlist", "declined": "you can't make it"}


def where(session: SessionCard) -> str:
    if session.room_channel_id:
        return f"<#{session.room_channel_id}>"
    if session.link:
        return f"[online meeting link]({session.link})"
    return "the session thread"


def places(session: SessionCard) -> str:
    if session.capacity is None:
        return f"{session.going} going"
    text = f"{session.going} of {session.capacity} places taken"
    return text + (f", {session.waitlisted} on the waitlist" if session.waitlisted else "")


def announcement_embed(session: SessionCard) -> discord.Embed:
    title = f"{session.title} · {session.cohort_name}"
    if session.state == SessionState.CANCELLED:
        embed = discord.Embed(title=f"Cancelled: {title}"[:256], colour=CANCELLED_COLOUR)
        embed.description = f"The session on {ts(session.starts_at)} is cancelled."
        if session.cancel_reason:
            embed.add_field(name="Why", value=session.cancel_reason[:1024], inline=False)
        return embed
    embed = discord.Embed(title=title[:256], colour=CWTCH_COLOUR)
    minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
    embed.description = f"{ts(session.starts_at)} ({ts(session.starts_at, 'R')}), {minutes} minutes"
    embed.add_field(name="Where", value=where(session))
    embed.add_field(name="Places", value=places(session))
    state = {
        SessionState.OPEN: "The room is open now.",
        SessionState.CLOSED: "This session has ended. Thank you for coming.",
    }
    if session.state in state:
        embed.add_field(name="Now", value=state[session.state], inline=False)
    embed.set_footer(text="Times show in your own time zone. Peer support is confidential; see /ground-rules.")
    return embed


NOTICE_TEXT = {
    Notice.REMIND_24H: "Reminder: **{title}** ({cohort}) is tomorrow, {when} ({rel}), in {where}.",
    Notice.REMIND_1H: "Reminder: **{title}** ({cohort}) starts {rel}, at {when}, in {where}.",
    Notice.CANCELLED: "**{title}** ({cohort}) on {when} is cancelled. {reason}",
    Notice.MOVED: "**{title}** ({cohort}) has moved to {when} ({rel}). Your RSVP still stands.",
    Notice.CHANGED: "**{title}** ({cohort}) on {when} has changed: it meets in {where} and lasts {minutes} minutes. "
    "Your RSVP still stands.",
    Notice.PROMOTED: "Good news: a place freed up, so you're now going to **{title}** ({cohort}) on {when}.",
    Notice.SURVEY: "Thank you for coming to **{title}** ({cohort}). How was it? Three quick questions, and no one "
    "sees who answered what: press **Give feedback**.",
    Notice.SURVEY_REMINDER: "A gentle reminder: the survey about **{title}** ({cohort}) on {when} is still open. "
    "It takes a minute: press **Give feedback**.",
}


MOVED_FROM_TEXT = "**{title}** ({cohort}) has moved from {old} to {when} ({rel}). Your RSVP still stands."


def notice_text(session: SessionCard, notice: Notice) -> str:
    reason = f"Reason: {session.cancel_reason}" if session.cancel_reason else ""
    text = MOVED_FROM_TEXT if notice is Notice.MOVED and session.moved_from is not None else NOTICE_TEXT[notice]
    return text.format(
        title=session.title,
        cohort=session.cohort_name,
        when=ts(session.starts_at),
        rel=ts(session.starts_at, "R"),
        old=ts(session.moved_from) if session.moved_from is not None else "",
        where=where(session),
        minutes=int((session.ends_at - session.starts_at).total_seconds() // 60),
        reason=reason,
    ).strip()


def upcoming_embed(page: UpcomingPage) -> discord.Embed:
    """A page of ``/session list``: whose sessions, which page of how many, and each with the member's RSVP.

    Sized to fit: at most ``PAGE_SIZE`` fields of at most 200 + 400 characters stay under Discord's 6,000."""
    if page.cohort_name:
        title, lines = f"Upcoming sessions · {page.cohort_name}", []
    elif page.my_cohorts:
        mine = ", ".join(page.my_cohorts)
        title, lines = "Upcoming sessions · your cohorts", [f"Your cohorts: {quote(mine, 300)}."]
    else:
        title = "Upcoming sessions · everyone's"
        lines = ["You're not in a cohort yet, so here are everyone's sessions. `/cohort join` adds you to one."]
    embed = discord.Embed(title=title[:256], colour=CWTCH_COLOUR)
    if not page.entries:
        lines.append("No sessions are planned yet.")
        embed.description = "\n".join(lines)
        return embed
    if any(entry.open_for_rsvp for entry in page.entries):
        lines.append("Pick a session below to RSVP.")
    count = f"{page.total} session{'' if page.total == 1 else 's'}"
    lines.append(f"Page {page.page} of {page.pages} ({count})." if page.pages > 1 else f"All {count} are here.")
    embed.description = "\n".join(lines)
    for entry in page.entries:
        session = entry.session
        name = f"{session.title} · {session.cohort_name}"
        if session.state == SessionState.CANCELLED:
            reason = f": {quote(session.cancel_reason, 200)}" if session.cancel_reason else "."
            value = f"~~{ts(session.starts_at)}~~\nCancelled{reason}"
            name = f"Cancelled: {name}"
        else:
            mine = STATUS_WORDS.get(entry.my_status or "", "no RSVP yet")
            now = "on now" if session.state == SessionState.OPEN else ts(session.starts_at, "R")
            place = "online" if session.link and not session.room_channel_id else where(session)
            value = f"{ts(session.starts_at)} ({now})\n{place} · {places(session)}\nYou: **{mine}**"
        embed.add_field(name=name[:200], value=value[:400], inline=False)
    if page.pages > 1:
        embed.set_footer(text=f"Page {page.page} of {page.pages}. Previous and Next turn the pages.")
    return embed


def series_embed(series: Sequence[SeriesInfo], title: str = "Series") -> discord.Embed:
    embed = discord.Embed(title=title, colour=CWTCH_COLOUR)
    if not series:
        embed.description = "No series yet. A facilitator can create one with `/series create`."
    for info in series[:25]:
        upcoming = ", ".join(ts(start, "f") for start in info.next_starts[:3]) or "none planned"
        capacity = f" · {info.capacity} places" if info.capacity else ""
        embed.add_field(
            name=f"{info.title} · {info.cohort_name} ({info.state})"[:256],
            value=f"{info.rule}, {info.duration_minutes} minutes{capacity}\nNext: {upcoming}"[:1024],
            inline=False,
        )
    return embed


def attendance_embed(sheet: AttendanceSheet) -> discord.Embed:
    session = sheet.session
    embed = discord.Embed(
        title=f"Attendance: {session.title} · {ts(session.starts_at, 'f')}"[:256], colour=CWTCH_COLOUR
    )
    present = "\n".join(f"<@{user}> ({source})" for user, source in sheet.present) or "nobody yet"
    missing = "\n".join(f"<@{user}>" for user in sheet.absent_going) or "nobody"
    embed.add_field(name=f"Present ({len(sheet.present)})", value=present[:1024], inline=False)
    embed.add_field(name="Said they'd come, not seen", value=missing[:1024], inline=False)
    embed.set_footer(text="Use the menus below to correct it.")
    return embed


def attendance_report_embed(report: AttendanceReport, waiting: str | None) -> discord.Embed:
    """Sessions, RSVPs, attendance, waitlist and no-shows, added up from whole release blocks."""
    period, tally = report.period, report.total.tally
    lines = [
        f"{period.start:%-d %b %Y} to {period.end:%-d %b %Y}: {tally.sessions} "
        f"session{'' if tally.sessions == 1 else 's'} counted"
    ]
    if waiting:
        lines.append(waiting)
    embed = discord.Embed(
        title=f"Attendance: {period.cohort or 'All cohorts'}"[:256], description="\n".join(lines), colour=CWTCH_COLOUR
    )
    for name, value in (
        ("RSVPs (going)", tally.rsvps),
        ("Attended", tally.attendees),
        ("Waitlisted", tally.waitlisted),
        ("No-shows", tally.no_shows),
    ):
        embed.add_field(name=name, value=str(value))
    embed.set_footer(
        text=f"Counts add up whole groups of sessions with at least {report.min_group} people, so no one can be "
        "picked out. Attended counts attendances: one person at three sessions counts three times."
    )
    return embed
