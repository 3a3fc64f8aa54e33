"""A local Discord API emulator (REST + gateway on 127.0.0.1) for end-to-end tests of the real client.

Imports nothing from the rest of ``bot``: only the standard library and aiohttp.
"""

from .emulator import Emulator
from .interactions import InteractionResult
from .rest import Fault, Faults, RecordedRequest, UploadedFile
from .state import DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, P
from .validation import ApiError

__all__ = [
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "ApiError",
    "Emulator",
    "Fault",
    "Faults",
    "InteractionResult",
    "P",
    "RecordedRequest",
    "UploadedFile",
]
