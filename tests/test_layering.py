"""The layering of DESIGN.md, checked on the imports of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nudgebot"

# Which of our packages each place may import (besides itself). app and cli may import anything.
ALLOWED: dict[str, set[str]] = {
    "config": set(),
    "log": set(),
    "telegram_format": set(),
    "content": {"config", "telegram_format"},
    "scheduling": set(),
    "adaptation": {"content", "scheduling"},
    "db": {"config"},
    "delivery": {"db", "scheduling", "adaptation", "content"},
    "services": {"db", "content", "scheduling", "adaptation", "delivery"},
    "bot": {"services", "content"},
    # The sandbox shares only Telegram's own formatting rules, never the bot's code.
    "sandbox": {"telegram_format"},
    # The bot it evaluates comes from the composition root (cli), as a factory.
    "simulation": {"adaptation", "services", "content"},
}


def place_of(path: Path) -> str:
    """The layer a module belongs to: its top folder or module name under nudgebot/."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def our_imports(path: Path) -> set[str]:
    """The top-level nudgebot places a module imports."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name.split(".")[1] for name in names if name.startswith("nudgebot.") and "." in name}


MODULES = sorted(
    path
    for path in PACKAGE.rglob("*.py")
    if place_of(path) in ALLOWED and not path.is_relative_to(PACKAGE / "_bundled")
)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_what_its_layer_may(path: Path) -> None:
    """Arrows point one way: a module imports only the layers DESIGN.md allows it."""
    place = place_of(path)

    forbidden = our_imports(path) - ALLOWED[place] - {place}

    assert forbidden == set(), f"{place} must not import {sorted(forbidden)}"


def test_scheduling_does_no_io() -> None:
    """Time arithmetic imports no I/O library, so it stays pure and clock-free."""
    io_modules = {"sqlalchemy", "telegram", "httpx", "yaml", "os", "socket", "asyncio", "time"}
    for path in (PACKAGE / "scheduling").rglob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        } | {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert not imported & io_modules, f"{path.name} imports {imported & io_modules}"


def test_sandbox_does_not_import_python_telegram_bot() -> None:
    """The sandbox emulates Telegram independently of the client library it serves."""
    for path in (PACKAGE / "sandbox").rglob("*.py"):
        text = path.read_text()
        assert "import telegram" not in text
        assert "from telegram" not in text, path.name
