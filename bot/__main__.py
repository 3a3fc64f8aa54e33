"""``python -m bot`` is the same as ``cwtch``."""

import sys

from bot.cli import main

sys.exit(main())
