"""Dependencies point one way: cogs → ui → services → db → domain; the emulator stands alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# What each layer may NOT import (prefix match on the imported module name).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "bot/domain": (
        "discord",
        "sqlalchemy",
        "alembic",
        "aiohttp",
        "apscheduler",
        "bot.db",
        "bot.services",
        "bot.ui",
        "bot.scheduling",
        "bot.app",
        "bot.emulator",
        "cogs",
    ),
    "bot/db": ("discord", "bot.services", "bot.ui", "bot.scheduling", "bot.app", "bot.emulator", "cogs"),
    "bot/services": ("discord", "sqlalchemy", "aiohttp", "bot.ui", "bot.app", "bot.emulator", "cogs"),
    "bot/ui": ("sqlalchemy", "bot.db", "bot.app", "bot.emulator", "cogs"),
    "bot/i18n": ("discord", "sqlalchemy", "bot.db", "bot.services", "bot.ui", "bot.app", "bot.emulator", "cogs"),
    "cogs": ("sqlalchemy", "bot.db", "bot.app", "bot.emulator"),
    "bot/emulator": (
        "bot.domain",
        "bot.db",
        "bot.services",
        "bot.ui",
        "bot.scheduling",
        "bot.app",
        "bot.settings",
        "cogs",
        "discord",
        "sqlalchemy",
    ),
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def violations(layer: str) -> list[str]:
    problems = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for module in sorted(imports_of(path)):
            if any(module == banned or module.startswith(banned + ".") for banned in FORBIDDEN[layer]):
                problems.append(f"{path.relative_to(ROOT)} imports {module}")
    return problems


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    assert (ROOT / layer).is_dir()
    assert violations(layer) == []


def test_the_checker_catches_a_wrong_arrow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import discord\nfrom sqlalchemy import select\nfrom bot.db.models import Cohort\n")
    assert imports_of(bad) == {"discord", "sqlalchemy", "bot.db.models"}


def test_domain_never_reads_the_clock() -> None:
    for path in (ROOT / "bot/domain").rglob("*.py"):
        source = path.read_text()
        for call in ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time("):
            assert call not in source, f"{path.relative_to(ROOT)} reads the clock ({call})"


def test_no_settings_or_engine_built_at_import_time() -> None:
    for path in list((ROOT / "bot").rglob("*.py")) + list((ROOT / "cogs").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.Expr) and isinstance(
                getattr(node, "value", None), ast.Call
            ):
                name = ast.unparse(node.value.func)  # type: ignore[union-attr]
                assert name not in {"load_settings", "create_engine", "load_dotenv", "build_bot"}, (
                    f"{path.relative_to(ROOT)} calls {name} at import time"
                )
