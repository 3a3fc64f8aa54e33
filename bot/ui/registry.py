"""Every persistent button, picker and form Cwtch sends: registered with the client at start, so each keeps
working for any number of members at once and after a restart."""

from __future__ import annotations

from typing import Any

import discord

from bot.ui.alert_items import TakeAlertButton
from bot.ui.attendance import AttendancePicker
from bot.ui.community_items import WhatWorksButton, WhatWorksModal
from bot.ui.feedback import FeedbackButton, FeedbackModal
from bot.ui.language import LanguageButton
from bot.ui.persistent import PersistentForm
from bot.ui.privacy import EraseButton
from bot.ui.resource_items import RESOURCE_ITEMS, DeclineModal
from bot.ui.series_items import StopSeriesButton
from bot.ui.session_items import CheckInButton, GroundRulesButton, JoinCohortButton, RsvpButton
from bot.ui.session_list import SessionPageButton, SessionPicker
from bot.ui.support import EditSignpostingButton, SignpostingModal

DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    RsvpButton,
    GroundRulesButton,
    CheckInButton,
    JoinCohortButton,
    SessionPageButton,
    SessionPicker,
    AttendancePicker,
    FeedbackButton,
    EditSignpostingButton,
    EraseButton,
    WhatWorksButton,
    *RESOURCE_ITEMS,
    TakeAlertButton,
    StopSeriesButton,
    LanguageButton,
)

FORMS: tuple[type[PersistentForm], ...] = (FeedbackModal, WhatWorksModal, SignpostingModal, DeclineModal)
