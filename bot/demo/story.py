"""The scripted story of ``cwtch demo``: a care organisation sets Cwtch up, runs a peer-support session and
reads the feedback, every step done as a person would do it in Discord."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo.render import JSON, discord_time, message_lines
from bot.demo.stage import DemoError, Person, Show, Stage, and_list, visible_text

ZONE = ZoneInfo("Europe/London")
DOM = "Domiciliary care managers"
HOME = "Care home managers"
LEAD_TIME = timedelta(minutes=15)  # the session is set a little ahead, then started early by the facilitator
SURVEY_OPEN = timedelta(days=7)  # how long a survey takes answers (the bot is configured with it)
MIN_GROUP = 5  # answers are added up only in groups of at least this many people (likewise)
CHART = "feedback-chart.png"  # the files the feedback report comes with
TABLE = "feedback.csv"
# Each answering attendee's survey answers (5 = Strongly agree ... 1 = Strongly disagree) and comment; at least
# MIN_GROUP of them, or the report would rightly have nothing to show.
ANSWERS: tuple[tuple[str, str, str, str], ...] = (
    ("5", "4", "4", "It helped to hear that others juggle the same rota gaps."),
    ("4", "4", "2", ""),
    ("5", "5", "4", ""),
    ("4", "4", "4", "Good to put faces to names."),
    ("3", "4", "5", ""),
    ("5", "4", "3", ""),
)
AGREEMENT = {"5": "Strongly agree", "4": "Agree", "3": "Neither", "2": "Disagree", "1": "Strongly disagree"}
RESOURCE = {
    "title": "Five steps to mental wellbeing",
    "url": "https://www.nhs.uk/mental-health/self-help/guides-tools-and-activities/five-steps-to-mental-wellbeing/",
    "summary": "The NHS guide to five small habits that lift wellbeing: connect, be active, keep learning, give, "
    "and notice the present. A gentle reset after a week of covering rotas.",
    "tags": "Mental health, Stress and burnout",
}
SEARCH_WORD = "rotas"
NUMBERS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")


@dataclass(frozen=True)
class Report:
    """What the coordinator received: the report's text and its two files."""

    text: str
    chart: bytes
    table: bytes


def first_start(now: datetime) -> datetime:
    """The domiciliary session's start: a quarter of an hour from now, on a five-minute mark, in London."""
    local = (now + LEAD_TIME).astimezone(ZONE)
    rounded = local.replace(second=0, microsecond=0) + timedelta(minutes=(5 - local.minute % 5) % 5)
    return rounded.astimezone(UTC).astimezone(ZONE)  # a wall-clock time that exists, even as the clocks change


def second_tuesday_next_month(now: datetime) -> date:
    local = now.astimezone(ZONE).date()
    first = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


async def play(stage: Stage) -> Report:
    """The whole story; raises :class:`DemoError` when Cwtch does not do what a step expects."""
    server = stage.server
    await set_up(stage)
    announcement = await schedule(stage, first_start(stage.now()))
    await join_cohorts(stage)
    attendees = await rsvp(stage, announcement)
    occurrence, ended = await run_session(stage, attendees)
    await answer_survey(stage, attendees[: len(ANSWERS)], occurrence)
    await share_resource(stage)
    await close_survey(stage, ended)
    report = await read_report(stage)
    stage.heading("The end")
    stage.say(
        f"{server.name} set Cwtch up, ran a session for {len(attendees)} managers and heard how it went from "
        f"{len(ANSWERS)} of them,"
    )
    stage.say("without anyone learning who said what. Every step above was a slash command, a button, a form or")
    stage.say("a voice channel, exactly as in Discord.")
    return report


async def set_up(stage: Stage) -> None:
    server = stage.server
    stage.heading(f"{server.admin.name}, an admin of {server.name}, sets Cwtch up")
    await stage.slash(
        server.admin,
        "setup roles",
        {"facilitator": server.facilitator_role, "coordinator": server.coordinator_role},
        expect="Roles saved",
    )
    await stage.slash(
        server.admin,
        "setup channels",
        {
            "announcements": server.announcements,
            "resources": server.resources,
            "facilitators": server.facilitators_channel,
        },
        expect="Channels saved",
    )

    stage.heading(f"{server.facilitator.name}, the facilitator, creates the two seed cohorts")
    await stage.slash(
        server.facilitator,
        "cohort create",
        {
            "name": DOM,
            "description": "Fortnightly peer support for managers of home care services",
            "channel": server.dom_channel,
            "role": server.dom_role,
        },
        expect=f"Cohort created: {DOM}",
    )
    await stage.slash(
        server.facilitator,
        "cohort create",
        {
            "name": HOME,
            "description": "Peer support every other month for care home managers",
            "channel": server.home_channel,
            "role": server.home_role,
            "timezone": "Europe/London",
        },
        expect=f"Cohort created: {HOME}",
    )


async def schedule(stage: Stage, starts: datetime) -> JSON:
    """A series for each cohort; returns the announcement of the first domiciliary session."""
    server = stage.server
    stage.heading(f"{server.facilitator.name} schedules a series for each cohort")
    await stage.slash(
        server.facilitator,
        "series create",
        {
            "cohort": DOM,
            "title": "Peer support",
            "cadence": "fortnightly",
            "start": f"{starts:%Y-%m-%d %H:%M}",
            "duration": 90,
            "room": server.room,
        },
        expect="Series created",
    )
    await stage.slash(
        server.facilitator,
        "series create",
        {
            "cohort": HOME,
            "title": "Care home peer support",
            "cadence": "bimonthly",
            "start": f"{second_tuesday_next_month(starts):%Y-%m-%d} 14:00",
            "duration": 90,
            "room": server.room,
        },
        expect="every other month on the 2nd Tuesday",
    )
    announcement = await stage.until(
        lambda: next(iter(rsvp_messages(stage, server.dom_channel)), None),
        f"the announcement of the first session in #{stage.names.channel(server.dom_channel)}",
    )
    stage.say("Moments later, without anyone asking:")
    stage.news()
    events = stage.emu.scheduled_events(server.guild_id)
    now = stage.now()
    for event in sorted(events, key=lambda e: str(e["scheduled_start_time"])):
        when = datetime.fromisoformat(str(event["scheduled_start_time"]).replace("Z", "+00:00"))
        stage.say(f"The server's Events tab lists: {event['name']}, {discord_time(when, 'F', ZONE, now)}", 2)
    stage.note(
        f"The care home series starts next month; Cwtch announces each session a week ahead, "
        f"so #{stage.names.channel(server.home_channel)} stays quiet for now."
    )
    return dict(announcement)


def rsvp_messages(stage: Stage, channel_id: int) -> list[JSON]:
    return [m for m in stage.emu.messages(channel_id) if "cwtch:rsvp:" in str(m.get("components"))]


async def join_cohorts(stage: Stage) -> None:
    server = stage.server
    stage.heading("Managers join their cohorts")
    first, *others = server.dom_managers
    await stage.slash(first, "cohort join", {"name": DOM}, expect=f"Welcome to {DOM}")
    for person in others:
        await stage.slash(person, "cohort join", {"name": DOM}, expect=f"Welcome to {DOM}", show="silent")
    for person in server.home_managers:
        await stage.slash(person, "cohort join", {"name": HOME}, expect=f"Welcome to {HOME}", show="silent")
    stage.say(f"{and_list([p.name for p in others])} join {DOM} the same way;")
    stage.say(f"{and_list([p.name for p in server.home_managers])} join {HOME}. Each gets the cohort's role.")


async def rsvp(stage: Stage, announcement: JSON) -> list[Person]:
    """Everyone but the last domiciliary manager says they'll come; returns those who will."""
    server = stage.server
    stage.heading(f"Members RSVP with the announcement's buttons in #{stage.names.channel(server.dom_channel)}")
    occurrence = next(
        c.split(":")[2] for c in _custom_ids(announcement) if c.startswith("cwtch:rsvp:") and c.endswith(":yes")
    )
    *coming, away = server.dom_managers
    for index, person in enumerate(coming):
        show: Show = "full" if index == 0 else "silent"
        result = await stage.press(
            person, announcement, f"cwtch:rsvp:{occurrence}:yes", expect="ground rules", show=show
        )
        rules = [c for c in _custom_ids(result.message or {}) if c.startswith("cwtch:rules:")]
        if not rules or result.message is None:
            raise DemoError(f"{person.name} was not asked to accept the ground rules before a first RSVP")
        await stage.press(person, result.message, rules[0], expect="You're going", show=show)
    stage.say(
        f"{and_list([p.name for p in coming[1:]])} do the same: each presses [I'll be there], "
        "agrees to the ground rules, and is going."
    )
    await stage.press(away, announcement, f"cwtch:rsvp:{occurrence}:no", expect="change your mind", show="line")

    def counted() -> list[str] | None:  # the count follows the answers, at most once a second
        lines = message_lines(stage.emu.message(announcement["id"]) or announcement, stage.names)
        return lines if any(f"{len(coming)} going" in line for line in lines) else None

    stage.say("The announcement in the channel now reads:")
    stage.block(await stage.until(counted, f"the announcement to show {len(coming)} going"), 6)
    stage.news()
    await stage.slash(coming[0], "session list", {}, expect="you're going")
    return coming


async def run_session(stage: Stage, attendees: list[Person]) -> tuple[int, datetime]:
    """The facilitator opens the room early, people join the voice channel, then the session ends.

    Returns the session's occurrence ID and about when it ended (its survey closes a week after that)."""
    server = stage.server
    facilitator = server.facilitator
    stage.heading("The session: the room opens and attendance comes from voice")
    picked, label = await stage.choose(facilitator, "session start", "session", "peer", expect="Peer support")
    chosen = {"session": label}
    await stage.slash(facilitator, "session start", {"session": picked}, expect="is open", labels=chosen)
    stage.news()
    for person in attendees:
        await stage.emu.voice_join(server.guild_id, person.id, server.room)
    stage.say(f"{and_list([p.name for p in attendees])} join the voice channel #{stage.names.channel(server.room)}.")

    async def sheet_lists_everyone() -> bool:
        result = await stage.emu.slash(server.guild_id, facilitator.id, "session attendance", {"session": picked})
        return visible_text(result).count("(voice)") >= len(attendees)

    await stage.until_async(sheet_lists_everyone, "voice attendance for everyone in the room")
    await stage.slash(facilitator, "session attendance", {"session": picked}, expect="(voice)", labels=chosen)

    stage.heading("The session ends and the survey goes out to those who came")
    await stage.slash(facilitator, "session end", {"session": picked}, expect="has ended", labels=chosen)
    ended = stage.now()
    for person in attendees:
        await stage.emu.voice_leave(server.guild_id, person.id)
    await stage.until(
        lambda: all(survey_dm(stage, person) for person in attendees), "the survey reaching every attendee"
    )
    stage.news()
    away = server.dom_managers[-1]
    if survey_dm(stage, away) is not None:
        raise DemoError(f"{away.name} did not come, yet got the survey")
    stage.note(f"{away.name}, who couldn't make it, gets no survey: only people who attended are asked.")
    return int(picked), ended


def survey_dm(stage: Stage, person: Person) -> JSON | None:
    found = [m for m in stage.emu.dm_messages(person.id) if "cwtch:feedback:" in str(m.get("components"))]
    return found[-1] if found else None


async def answer_survey(stage: Stage, respondents: list[Person], occurrence: int) -> None:
    stage.heading(f"{NUMBERS[len(respondents)]} attendees answer the survey, privately")
    for index, (person, (supported, others, isolated, comment)) in enumerate(zip(respondents, ANSWERS, strict=True)):
        dm = survey_dm(stage, person)
        if dm is None:
            raise DemoError(f"{person.name} attended but has no survey to answer")
        show: Show = "full" if index == 0 else "silent"
        custom_id = f"cwtch:feedback:{occurrence}"
        opened = await stage.press(person, dm, custom_id, expect="How was the session?", show=show, where="in the DM")
        described = " / ".join(AGREEMENT[v] for v in (supported, others, isolated))
        if comment:
            described += f', with the comment "{comment}"'
        values: dict[str, Any] = {
            "supported": supported,
            "supported_others": others,
            "less_isolated": isolated,
            "comment": comment,
        }
        saved = await stage.fill_in(person, opened, values, described, expect="your answers are saved", show=show)
        if index > 0:
            stage.say(f"{person.name} presses [Give feedback] in the DM and answers {described}")
            stage.say(f"→ {stage.shown(saved)[0]}", 4)
    silent = [p.name for p in stage.server.dom_managers if p not in respondents and survey_dm(stage, p)]
    if silent:
        stage.say(f"{and_list(silent)} doesn't answer; that's fine, and Cwtch will send one gentle reminder.")
    stage.note("Answers are stored under a keyed pseudonym, never with the member's Discord ID.")


async def share_resource(stage: Stage) -> None:
    server = stage.server
    stage.heading("A wellbeing resource is shared, and found by a word in its summary")
    await stage.slash(server.facilitator, "resource add", dict(RESOURCE), expect=RESOURCE["title"])
    stage.news()
    reader = server.dom_managers[1]
    found = await stage.slash(reader, "resource search", {"query": SEARCH_WORD}, expect=RESOURCE["title"])
    opens = [c for c in _custom_ids(found.message or {}) if c.startswith("cwtch:res:open:")]
    if not opens or found.message is None:
        raise DemoError(f"the search for {SEARCH_WORD!r} offered no button to open {RESOURCE['title']!r}")
    await stage.press(reader, found.message, opens[0], expect=RESOURCE["url"])


async def close_survey(stage: Stage, ended: datetime) -> None:
    """A week goes by in a moment: the bot's clock moves past the survey's close, and what fell due runs."""
    stage.heading("A week passes and the survey closes")
    stage.say(
        f"A week later the survey closes; answers are added up only in groups of at least {MIN_GROUP} people, "
        "so no one can be picked out."
    )
    # Halfway, as it would in a real week, the reminder goes; at the end the survey closes.
    await stage.pass_time(ended + SURVEY_OPEN / 2 + timedelta(minutes=1) - stage.now())
    await stage.pass_time(ended + SURVEY_OPEN + timedelta(minutes=1) - stage.now())
    stage.note("The demo moves Cwtch's clock on by a week; in that week Cwtch did this by itself:")
    if not stage.news():
        stage.say("Nothing.", 2)


async def read_report(stage: Stage) -> Report:
    server = stage.server
    stage.heading(f"{server.coordinator.name}, the coordinator, reads the feedback report")
    result = await stage.slash(server.coordinator, "report feedback", {"cohort": DOM}, expect="agreed (")
    files: dict[str, bytes] = {}
    for attachment in (result.message or {}).get("attachments") or []:
        stored = stage.emu.world.files.get(int(attachment["id"]))
        if stored is not None:
            files[str(attachment["filename"])] = stored.data
    if CHART not in files or TABLE not in files:
        raise DemoError(f"the report came without its chart and CSV (files: {sorted(files)})")
    stage.note(
        "Each figure comes with how many answered and a 95% interval; the chart shows them, and the CSV opens in "
        "a spreadsheet. The demo saves both for you."
    )
    return Report(visible_text(result), files[CHART], files[TABLE])


def _custom_ids(message: JSON) -> list[str]:
    found: list[str] = []

    def walk(items: list[JSON]) -> None:
        for item in items:
            if item.get("custom_id"):
                found.append(str(item["custom_id"]))
            walk(list(item.get("components") or []))

    walk(list(message.get("components") or []))
    return found
