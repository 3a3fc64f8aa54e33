"""``cwtch demo`` as a new user runs it: the whole story through the emulator (in this process, so the network
guard watches every socket), a week passing on the bot's clock so the survey closes and its answers are released,
its transcript, and the report's chart and CSV in the folder it names."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import cmd_demo
from bot.ui.reports import CSV_HEADER

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ATTENDEES = ["Megan", "Owain", "Siân", "Dafydd", "Rhian", "Gethin", "Elin"]


def chapter(transcript: str, title: str) -> str:
    """The text of the transcript's chapter whose heading contains ``title``."""
    start = transcript.index(title)
    following = transcript.find("\n── ", start)
    return transcript[start : following if following != -1 else None]


def test_the_demo_tells_the_whole_story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo out"
    code = cmd_demo(str(folder))
    printed = capsys.readouterr()
    assert code == 0, printed.err + printed.out[-4000:]
    out = printed.out

    # Discord's markup never reaches the reader: times are readable, mentions are names.
    assert not re.search(r"<t:\d+|<@!?&?\d+>|<#\d+>|\*\*", out)
    assert "Roles saved." in out and "Channels saved." in out
    assert "Cohort created: Domiciliary care managers" in out and "Cohort created: Care home managers" in out
    assert "every other month on the 2nd Tuesday at 14:00 (Europe/London)" in out

    announced = chapter(out, "schedules a series")
    assert "In the channel #dom-care, Cwtch posts:" in announced and "[I'll be there] [Can't make it]" in announced
    assert re.search(r"\w+day, \d+ \w+ \d{4} \d\d:\d\d \(in \d+ minutes\), 90 minutes", announced)

    rsvps = chapter(out, "Members RSVP")
    assert "Before your first RSVP, please read and accept the ground rules." in rsvps
    assert "Places: 7 going" in rsvps and "you're going" in rsvps

    session = chapter(out, "The session:")
    for name in ATTENDEES:
        assert f"@{name} (voice)" in session
    assert "Present (7)" in session

    survey = chapter(out, "the survey goes out")
    assert f"A direct message from Cwtch to {', '.join(ATTENDEES[:-1])} and {ATTENDEES[-1]}:" in survey
    assert "How was it?" in survey and "[Give feedback]" in survey
    assert "Huw, who couldn't make it, gets no survey" in survey

    answers = chapter(out, "answer the survey")
    assert "Form: How was the session?" in answers
    assert answers.count("Thank you, your answers are saved.") == 6

    resource = chapter(out, "wellbeing resource")
    search = resource[resource.index("/resource search") :]
    assert "Five steps to mental wellbeing" in search

    # Nothing from an open survey counts: the story lets a week pass, the survey closes, and its answers (six
    # people, so a whole group of at least five) are released.
    week = chapter(out, "the survey closes")
    assert "A week later the survey closes; answers are added up only in groups of at least 5 people" in week
    assert "A direct message from Cwtch to Elin:" in week and "A gentle reminder" in week
    assert out.index("the survey closes") < out.index("reads the feedback report")

    report = chapter(out, "reads the feedback report")
    assert "I felt emotionally supported in this session. 83% agreed (5 of 6; 95% interval 44–97%)" in report
    assert "I was able to support others in this session. 100% agreed (6 of 6; 95% interval 61–100%)" in report
    assert "I feel less isolated in my role. 67% agreed (4 of 6; 95% interval 30–90%)" in report
    assert "Response rate: 86%: 6 responses from 7 attendances" in report
    assert "No answers can be shown yet" not in report and "Not counted yet" not in report
    assert "[picture: feedback-chart.png]" in report and "[file: feedback.csv," in report

    # The files, in the folder the demo names at the end.
    assert f"are in {folder}:" in out
    chart = (folder / "feedback-chart.png").read_bytes()
    assert chart.startswith(PNG_SIGNATURE) and len(chart) > 1000
    assert chart[16:24] == (1080).to_bytes(4, "big") * 2  # IHDR: 1080 x 1080, for phones
    header, *rows = csv.reader(io.StringIO((folder / "feedback.csv").read_text(encoding="utf-8-sig")))
    assert header == list(CSV_HEADER)
    assert {row[1] for row in rows} == {"Domiciliary care managers"}
    period = rows[0][0]  # the whole period's rows come first, then the month's
    assert f"{period} · 1 session counted" in report
    whole = {row[2]: row[3:] for row in rows if row[0] == period}
    assert whole["I felt emotionally supported in this session."] == ["5", "6", "83", "44", "97"]
    assert whole["I was able to support others in this session."] == ["6", "6", "100", "61", "100"]
    assert whole["I feel less isolated in my role."] == ["4", "6", "67", "30", "90"]
    assert whole["Response rate (responses of attendances)"][:3] == ["6", "7", "86"]
    assert whole["Sessions counted"][0] == "1"
    transcript = (folder / "transcript.txt").read_text(encoding="utf-8")
    assert transcript.startswith("Cwtch demo\n") and transcript in out
    # The week passes on the bot's clock, not the reader's.
    took = re.search(r"The demo took (\d+) seconds", out)
    assert took is not None and int(took[1]) < 60


def test_the_demo_refuses_a_file_as_its_folder(tmp_path: Path) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--out", str(taken)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "is a file; give a folder" in done.stderr and "Traceback" not in done.stderr
    assert taken.read_text() == "mine"
