"""Editing messages/ while the bot runs: good edits go live, bad ones never do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nudgebot.app import NudgeBot
from nudgebot.config import Settings
from tests.clock import ManualClock
from tests.conftest import MESSAGES_DIR
from tests.e2e import onboarding_steps
from tests.e2e.conftest import bot_settings
from tests.e2e.sandbox_client import SandboxClient, button_data, button_labels

ADMIN = 9001
USER = 1001


@pytest.fixture
def messages(tmp_path: Path) -> Path:
    """A copy of the shipped content the tests may edit."""
    folder = tmp_path / "messages"
    shutil.copytree(MESSAGES_DIR, folder)
    return folder


@pytest.fixture
def settings(messages: Path, database_url: str, tmp_path: Path) -> Settings:
    """The bot on the editable content, with one admin; tests trigger the file watch."""
    return bot_settings(
        database_url,
        tmp_path,
        NUDGEBOT_DEFAULT_TIMEZONE="UTC",
        NUDGEBOT_MESSAGES_DIR=str(messages),
        NUDGEBOT_ADMIN_IDS=str(ADMIN),
        NUDGEBOT_CONTENT_WATCH_SECONDS="0",
    )


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must be there) with `new` in a content file."""
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


async def test_a_valid_edit_goes_live(
    bot: NudgeBot, client: SandboxClient, messages: Path
) -> None:
    """A changed UI string is what the bot says after the next look at the files."""
    edit(messages / "ui.yaml", "I don't know that command.", "That command is new to me.")

    await bot.watch_content()
    await client.say(USER, "/dance")

    [reply] = await client.wait_for_messages(USER, 1)
    assert reply["text"].startswith("That command is new to me.")


async def test_a_broken_edit_keeps_the_old_library_and_tells_the_admins(
    bot: NudgeBot, client: SandboxClient, messages: Path
) -> None:
    """A reload that fails validation changes nothing for subscribers; admins get the report."""
    ui = messages / "ui.yaml"
    edit(ui, "I don't know that command.", "I don't know <that> command.")
    line = ui.read_text().splitlines().index("  unknown_command:") + 1

    await bot.watch_content()
    await client.say(USER, "/dance")

    [alert] = await client.wait_for_messages(ADMIN, 1)
    [reply] = await client.wait_for_messages(USER, 1)
    assert alert["text"].startswith("Content reload failed. The previous library stays live")
    assert "fixed (1):" in alert["text"]
    assert f"messages/ui.yaml:{line}:3: ui.unknown_command: Telegram would refuse" in alert["text"]
    assert reply["text"].startswith("I don't know that command.")


async def test_fixing_the_edit_tells_the_admins_it_is_live(
    bot: NudgeBot, client: SandboxClient, messages: Path
) -> None:
    """After a failed reload, the next good one is confirmed to the admins."""
    ui = messages / "ui.yaml"
    edit(ui, "I don't know that command.", "I don't know <that> command.")
    await bot.watch_content()
    edit(ui, "I don't know <that> command.", "I don't know that command, sorry.")

    await bot.watch_content()

    alerts = await client.wait_for_messages(ADMIN, 2)
    assert alerts[1]["text"].startswith("Content reloaded:")


def _references(tip_id: str) -> set[str]:
    """The YAML lines by which other tips point at `tip_id`."""
    return {f"prerequisite: {tip_id}", f"follow_up: {tip_id}"}


async def test_a_removed_tip_is_retired_and_never_sent_again(
    bot: NudgeBot, client: SandboxClient, messages: Path, clock: ManualClock
) -> None:
    """Deleting a tip from the YAML retires it: admins hear so, and it is not sent any more."""
    first_tip = await onboarding_steps.subscribe(client, USER)
    library = bot.content.library
    sent = next(
        tip_id
        for tip_id, tip in library.tips.items()
        if library.text(tip.title, "en") in first_tip["text"]
    )
    tip_file = next(
        path for path in (messages / "tips").glob("*.yaml") if f"id: {sent}\n" in path.read_text()
    )
    text = tip_file.read_text()
    start = text.index(f"  - id: {sent}\n")
    end = text.find("  - id: ", start + 1)
    tip_file.write_text(text[:start] + (text[end:] if end != -1 else ""))
    # Tips that named it as their prerequisite or follow-up stop doing so, as an admin would.
    for path in (messages / "tips").glob("*.yaml"):
        lines = path.read_text().splitlines(keepends=True)
        kept = [line for line in lines if line.strip() not in _references(sent)]
        path.write_text("".join(kept))

    await bot.watch_content()
    [alert] = await client.wait_for_messages(ADMIN, 1)

    assert f"Retired: {sent}." in alert["text"]
    assert sent not in bot.content.library.tips


async def test_admin_previews_a_tip_in_a_language(bot: NudgeBot, client: SandboxClient) -> None:
    """/preview shows an admin any tip with its buttons; pressing one records nothing."""
    await client.say(ADMIN, "/preview sleep-screens-off es")
    [preview] = await client.wait_for_messages(ADMIN, 1)

    await client.press(ADMIN, preview["message_id"], button_data(preview)[0])
    answer = await client.wait_for_call("answerCallbackQuery")

    assert "<b>" not in preview["text"]  # HTML was parsed, not shown
    assert "Hoy:" in preview["text"]
    assert button_labels(preview) == ["Hecho", "Luego", "No es para mí"]
    assert answer["params"]["text"] == "This is a preview: nothing was recorded."


async def test_preview_is_not_for_subscribers(bot: NudgeBot, client: SandboxClient) -> None:
    """For anyone not an admin, /preview is just an unknown command."""
    await client.say(USER, "/preview sleep-screens-off")

    [reply] = await client.wait_for_messages(USER, 1)

    assert reply["text"].startswith("I don't know that command.")


async def test_preview_of_an_unknown_tip_says_so(bot: NudgeBot, client: SandboxClient) -> None:
    """A mistyped tip id gets a clear answer."""
    await client.say(ADMIN, "/preview no-such-tip")

    [reply] = await client.wait_for_messages(ADMIN, 1)

    assert reply["text"] == "There is no tip with the id no-such-tip."
