"""Whatever people send, the bot stays up and the database stays consistent.

Hypothesis throws random sequences of messages, commands (with good and bad arguments), replies,
edited messages, stickers, photos and button presses (real buttons, stale ones, other people's
and forged data) from a few people at the real bot through the sandbox. After each sequence: no handler failed, the bot still
answers, and the rows in the database agree with each other.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.app import NudgeBot
from tests.e2e.sandbox_client import SandboxClient, button_data

PEOPLE = (4101, 4102, 4103)
# Someone who only ever asks for /help: their answer shows every earlier update was handled
# (the bot handles updates one at a time, in order).
WITNESS = 4199
COMMANDS = (
    "/start", "/stop", "/help", "/pause", "/resume", "/note", "/progress", "/settings",
    "/time", "/timezone", "/topics", "/language", "/export", "/delete_me", "/preview",
    "/nonsense",
)  # fmt: skip
ARGUMENTS = ("", "3", "-1", "0", "999", "abc", "07:30", "25:99", "Madrid", "Atlantis", "12")
PREFIXES = ("c:", "o:", "s:", "d:", "preview", "", "c:zz:", "o:yes", "o:no")


@dataclass(frozen=True)
class Say:
    """A person writes something."""

    person: int
    text: str


@dataclass(frozen=True)
class Reply:
    """A person replies to one of the bot's messages (picked by index)."""

    person: int
    message_pick: int
    text: str


@dataclass(frozen=True)
class Edit:
    """A person edits one of their own earlier messages (picked by index)."""

    person: int
    message_pick: int
    text: str


@dataclass(frozen=True)
class Media:
    """A person sends a sticker, or a photo with or without a caption."""

    person: int
    sticker: str | None
    caption: str | None


@dataclass(frozen=True)
class Press:
    """A person presses a button: one of a message's own (by index) or forged data."""

    person: int
    message_pick: int
    button_pick: int | None
    forged: str


def _words() -> st.SearchStrategy[str]:
    commands = st.builds(
        lambda c, a: f"{c} {a}".strip(), st.sampled_from(COMMANDS), st.sampled_from(ARGUMENTS)
    )
    free = st.text(min_size=1, max_size=60).filter(lambda t: bool(t.strip()))
    return st.one_of(commands, free, st.sampled_from(("yes", "Madrid", "08:15", "later")))


PICK = st.integers(min_value=0, max_value=50)
ACTIONS = st.lists(
    st.one_of(
        st.builds(Say, st.sampled_from(PEOPLE), _words()),
        st.builds(Reply, st.sampled_from(PEOPLE), PICK, _words()),
        st.builds(Edit, st.sampled_from(PEOPLE), PICK, _words()),
        st.builds(
            Media,
            st.sampled_from(PEOPLE),
            st.one_of(st.none(), st.sampled_from(("👍", "🙂", "🍎"))),
            st.one_of(st.none(), _words()),
        ),
        st.builds(
            Press,
            st.sampled_from(PEOPLE),
            PICK,
            st.one_of(st.none(), st.integers(min_value=0, max_value=20)),
            st.builds(lambda p, rest: p + rest, st.sampled_from(PREFIXES), st.text(max_size=30)),
        ),
    ),
    min_size=5,
    max_size=40,
)


Action = Say | Reply | Edit | Media | Press


async def perform(client: SandboxClient, action: Action, sent: dict[int, list[int]]) -> None:
    """Send one action through the sandbox, as the person would; `sent` keeps their texts."""
    person = action.person
    # The sandbox may refuse an action itself (Telegram would not deliver it either): a reply
    # to a message that is gone, an edit that changes nothing, a press on a vanished message.
    with contextlib.suppress(httpx.HTTPStatusError):
        if isinstance(action, Say):
            said = await client.say(person, action.text, first_name="Pat", language_code="en")
            sent.setdefault(person, []).append(said["message_id"])
        elif isinstance(action, Media) and action.sticker is not None:
            await client.send_sticker(person, action.sticker)
        elif isinstance(action, Media):
            await client.send_photo(person, action.caption)
        elif isinstance(action, Edit) and sent.get(person):
            own = sent[person]
            await client.edit(person, own[action.message_pick % len(own)], action.text)
        elif isinstance(action, Reply | Press):
            await _on_a_bot_message(client, action)


async def _on_a_bot_message(client: SandboxClient, action: Reply | Press) -> None:
    messages = await client.messages(action.person)
    if not messages:
        return  # nothing on screen to press under
    message = messages[action.message_pick % len(messages)]
    if isinstance(action, Reply):
        await client.say(action.person, action.text, reply_to=message["message_id"])
        return
    buttons = button_data(message)
    if action.button_pick is not None and buttons:
        data = buttons[action.button_pick % len(buttons)]
    else:
        data = action.forged or "x"
    await client.press(action.person, message["message_id"], data[:64] or "x")


async def handled_everything(client: SandboxClient) -> None:
    """Return once the bot has answered the witness's /help, so every earlier update was done."""
    before = len(await client.messages(WITNESS))
    await client.say(WITNESS, "/help", first_name="Wit", language_code="en")
    await client.wait_for_messages(WITNESS, before + 1)


async def inconsistencies(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[Any]]:
    """Rows that contradict each other; every list must be empty."""
    checks = {
        "answers under another person's delivery": """
            SELECT a.id FROM answers a JOIN deliveries d ON d.id = a.delivery_id
            WHERE a.subscriber_id <> d.subscriber_id""",
        "tip outcome differs from the latest answer": """
            SELECT d.id FROM deliveries d
            WHERE d.kind = 'tip' AND d.outcome IS DISTINCT FROM (
                SELECT a.outcome FROM answers a WHERE a.delivery_id = d.id
                ORDER BY a.answered_at DESC, a.id DESC LIMIT 1)""",
        "negative bandit counts": """
            SELECT subscriber_id FROM topic_stats WHERE successes < -1e-9 OR failures < -1e-9""",
        "active without a next nudge": """
            SELECT id FROM subscribers WHERE status = 'active' AND next_due_at IS NULL""",
        "not receiving yet something is due": """
            SELECT id FROM subscribers
            WHERE status IN ('onboarding', 'stopped', 'blocked', 'dormant')
              AND next_due_at IS NOT NULL""",
        "a delivery left mid-send": """
            SELECT id FROM deliveries WHERE state = 'sending'""",
    }
    found: dict[str, list[Any]] = {}
    async with sessions() as session:
        for name, query in checks.items():
            rows = (await session.execute(text(query))).all()
            if rows:
                found[name] = [tuple(row) for row in rows]
    return found


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
async def test_random_updates_never_break_the_bot_or_the_data(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
    actions: list[Action],
) -> None:
    """Any mix of messages and presses leaves no failed handler, a bot that answers, sane rows."""
    caplog.set_level(logging.ERROR, logger="nudgebot")
    sent: dict[int, list[int]] = {}
    for action in actions:
        await perform(client, action, sent)

    await handled_everything(client)
    await bot.tick()

    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == []
    assert await inconsistencies(sessions) == {}
