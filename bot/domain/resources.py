"""Rules for the wellbeing resources and the community's forum: the tags a post may carry."""

from __future__ import annotations

# The themes of the health and well-being framework for the social care workforce, as forum tags (Discord allows
# 20 tags a forum, each at most 20 characters). A resource carries one to five of them.
THEMES: tuple[str, ...] = (
    "Leadership",
    "Team culture",
    "Mental health",
    "Physical health",
    "Stress and burnout",
    "Work-life balance",
    "Money worries",
    "Bereavement",
    "Peer support",
    "Learning",
    "Recognition",
    "Inclusion",
)
# The tag of the members' "what works" posts in the same forum.
WHAT_WORKS_TAG = "What works"
FORUM_TAGS: tuple[str, ...] = (*THEMES, WHAT_WORKS_TAG)
