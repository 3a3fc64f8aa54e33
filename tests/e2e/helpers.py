"""Small readers of what a user saw in an interaction response."""

from __future__ import annotations

from typing import Any


def visible_text(result: Any) -> str:
    """Content plus every embed's title, description, field names and values, footer: what a user reads."""
    message = result.message or {}
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        for field in embed.get("fields", []):
            parts += [field.get("name", ""), field.get("value", "")]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(part for part in parts if part)
