"""Cwtch: a Discord bot for peer support and a wellbeing community of practice for social care managers."""
