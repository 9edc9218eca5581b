"""/export and /delete_me through the real bot, over HTTP, against the sandbox."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.app import NudgeBot
from nudgebot.bot.personal_data import DeletionChoice, encode_deletion_answer
from nudgebot.db import Base
from nudgebot.sandbox import SandboxServer
from tests.clock import ManualClock
from tests.e2e.onboarding_steps import (
    ACCEPT,
    SKIP,
    STEPS,
    accept_note,
    choose,
    skip_questions,
)
from tests.e2e.sandbox_client import SandboxClient, button_data, button_labels, wait_until

ADA = 1001
BEN = 1002


async def subscribe_and_answer(
    client: SandboxClient, user_id: int, language: str = "en"
) -> dict[str, Any]:
    """/start's setup in `language`, then "Did it" under the first tip; returns the answered tip.

    The setup happens in one message, edited step by step, so the chat holds that message and
    then the tip; every call it made (the answered "Did it" too) is logged before this returns.
    """
    await accept_note(client, user_id, language_code=language)
    for step in STEPS[:-1]:
        await choose(client, user_id, step, SKIP)
    await choose(client, user_id, "ln", language)
    _setup, tip = await client.wait_for_messages(user_id, 2)
    await client.press(user_id, tip["message_id"], button_data(tip)[0])
    messages = await wait_until(lambda: client.messages(user_id), lambda m: m[1]["edited"])
    return messages[1]


async def last_call(client: SandboxClient) -> int:
    """The sequence number of the latest Bot API call: what came before (the setup) is done."""
    return int((await client.calls())[-1]["seq"])


async def ask_to_delete(client: SandboxClient, user_id: int) -> dict[str, Any]:
    """/delete_me after the setup message and the tip; returns the question."""
    await client.say(user_id, "/delete_me")
    return (await client.wait_for_messages(user_id, 3))[2]


async def table_counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """How many rows each table holds, read straight from the database."""
    async with sessions() as session:
        return {
            table.name: await session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


async def rows_about_people(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Rows of `subscribers` and of every table keyed by subscriber (not the shared send clock)."""
    counts = await table_counts(sessions)
    return {
        table.name: counts[table.name]
        for table in Base.metadata.sorted_tables
        if table.name == "subscribers" or "subscriber_id" in table.c
    }


async def callback_answers(client: SandboxClient, since: int, count: int) -> list[str | None]:
    """The texts of the bot's answers to button presses after call `since`, once it gave `count`."""
    calls = await wait_until(
        lambda: client.calls(since),
        lambda calls: [c["method"] for c in calls].count("answerCallbackQuery") >= count,
    )
    return [c["params"].get("text") for c in calls if c["method"] == "answerCallbackQuery"]


async def download(sandbox: SandboxServer, file_id: str) -> bytes:
    """The bytes of a file the bot uploaded, as the sandbox keeps them."""
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        response = await http.get(f"/sandbox/files/{file_id}")
        response.raise_for_status()
        return response.content


async def test_export_sends_a_json_and_a_csv_holding_the_subscribers_answers(
    bot: NudgeBot, client: SandboxClient, sandbox: SandboxServer
) -> None:
    """/export sends two documents: JSON that parses with their answer, and a CSV that parses."""
    await subscribe_and_answer(client, ADA)

    await client.say(ADA, "/export")
    json_message, csv_message = (await client.wait_for_messages(ADA, 4))[2:]

    assert json_message["document"]["file_name"] == "nudgebot-export.json"
    assert json_message["caption"] == "Everything I store about you, as JSON."
    assert csv_message["document"]["file_name"] == "nudgebot-export.csv"
    assert csv_message["caption"] == "The same, as a spreadsheet (CSV)."
    document = json.loads(await download(sandbox, json_message["document"]["file_id"]))
    assert document["subscriber"]["chat_id"] == ADA
    [answer] = document["answers"]
    assert (answer["option_id"], answer["answer"], answer["current"]) == ("done", "Did it", True)
    [delivery] = document["deliveries"]
    assert (delivery["tip_id"], delivery["state"]) == (answer["tip_id"], "sent")
    raw = await download(sandbox, csv_message["document"]["file_id"])
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    [answer_row] = [row for row in table if row["record"] == "answer"]
    assert (answer_row["answer"], answer_row["title"]) == ("Did it", delivery["title"])


async def test_someone_unknown_is_told_nothing_is_stored(
    bot: NudgeBot, client: SandboxClient
) -> None:
    """/export and /delete_me from a stranger get a short answer, and no files or question."""
    await client.say(ADA, "/export")
    await client.say(ADA, "/delete_me")

    replies = await client.wait_for_messages(ADA, 2)

    assert [m["text"] for m in replies] == ["I have nothing stored about you."] * 2
    assert not any(m["document"] or m["reply_markup"] for m in replies)


async def test_confirmed_deletion_leaves_no_row_about_the_subscriber(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """ "Delete everything" deletes every row about them, says goodbye, and old buttons are gone."""
    tip = await subscribe_and_answer(client, ADA)
    await client.say(ADA, "/note phone stayed in the kitchen")
    await client.wait_for_messages(ADA, 3)
    before = await rows_about_people(sessions)
    await client.say(ADA, "/delete_me")
    question = (await client.wait_for_messages(ADA, 4))[3]
    delete, _keep = button_data(question)
    since = await last_call(client)

    await client.press(ADA, question["message_id"], delete)
    messages = await wait_until(lambda: client.messages(ADA), lambda m: m[3]["edited"])
    await client.press(ADA, tip["message_id"], button_data(tip)[1])
    answers = await callback_answers(client, since, 2)

    assert button_labels(question) == ["🗑 Delete everything", "Keep my data"]
    assert "<b>" not in question["text"]
    assert question["text"].startswith("Delete everything I store about you?")
    goodbye = messages[3]
    assert goodbye["text"].startswith("Done: everything I stored about you is deleted")
    assert "/start" in goodbye["text"]
    assert button_data(goodbye) == []
    assert set(before) >= {"subscribers", "deliveries", "answers", "notes", "topic_stats"}
    assert 0 not in before.values()
    assert set((await rows_about_people(sessions)).values()) == {0}
    assert answers == [None, "That tip is no longer available."]


async def test_keeping_the_data_deletes_nothing(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """ "Keep my data" closes the question and every row stays."""
    await subscribe_and_answer(client, ADA)
    before = await table_counts(sessions)
    question = await ask_to_delete(client, ADA)
    _delete, keep = button_data(question)

    await client.press(ADA, question["message_id"], keep)
    messages = await wait_until(lambda: client.messages(ADA), lambda m: m[2]["edited"])

    assert messages[2]["text"] == "Nothing was deleted: your data stays as it is."
    assert button_data(messages[2]) == []
    assert await table_counts(sessions) == before
    assert (await rows_about_people(sessions))["answers"] == 1


async def test_forged_foreign_and_stale_confirmations_delete_nothing(
    bot: NudgeBot,
    client: SandboxClient,
    clock: ManualClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Made-up data, another chat's button or an expired question: a short answer, no deletion."""
    await subscribe_and_answer(client, ADA)
    bens_tip = await subscribe_and_answer(client, BEN)
    question = await ask_to_delete(client, ADA)
    delete, _keep = button_data(question)
    before = await table_counts(sessions)
    # Well-formed and fresh, but not a button the bot ever showed.
    forged = encode_deletion_answer(DeletionChoice.DELETE, ADA, clock.now - timedelta(minutes=1))
    since = await last_call(client)

    await client.press(ADA, question["message_id"], "d:delete:everything")
    await client.press(ADA, question["message_id"], forged)
    await client.press(BEN, bens_tip["message_id"], delete)
    await callback_answers(client, since, 3)  # answered before the clock moves on
    clock.advance(timedelta(minutes=16))
    await client.press(ADA, question["message_id"], delete)
    answers = await callback_answers(client, since, 4)
    messages = await wait_until(lambda: client.messages(ADA), lambda m: not button_data(m[2]))

    assert answers == [
        "Sorry, I don't recognise that button.",
        "Sorry, I don't recognise that button.",
        "That button belongs to someone else's message.",
        "This question has expired, so nothing was deleted. Send /delete_me to ask again.",
    ]
    assert messages[2]["text"] == question["text"]  # the expired question only loses its buttons
    assert await table_counts(sessions) == before


async def test_a_second_press_after_deletion_spares_a_new_subscription(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Pressing "Delete everything" again, even after a fresh /start, deletes nothing more."""
    await subscribe_and_answer(client, ADA)
    question = await ask_to_delete(client, ADA)
    delete, _keep = button_data(question)
    await client.press(ADA, question["message_id"], delete)
    await wait_until(lambda: client.messages(ADA), lambda m: m[2]["edited"])
    since_deletion = await last_call(client)

    await client.press(ADA, question["message_id"], delete)
    [after_deletion] = await callback_answers(client, since_deletion, 1)
    await client.say(ADA, "/start", first_name="Ada", language_code="en")
    note = (await client.wait_for_messages(ADA, 4))[3]
    await client.press(ADA, note["message_id"], ACCEPT)
    await skip_questions(client, ADA)
    since_subscribing = await last_call(client)
    await client.press(ADA, question["message_id"], delete)
    [after_subscribing] = await callback_answers(client, since_subscribing, 1)

    assert [after_deletion, after_subscribing] == ["Sorry, I don't recognise that button."] * 2
    assert note["text"].startswith("Hi Ada!")  # a new subscriber, not a returning one
    people = await rows_about_people(sessions)
    assert (people["subscribers"], people["deliveries"]) == (1, 1)


async def test_deletion_speaks_the_subscribers_language(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A Spanish speaker is asked, and told goodbye, in Spanish."""
    await subscribe_and_answer(client, ADA, language="es")
    question = await ask_to_delete(client, ADA)

    await client.press(ADA, question["message_id"], button_data(question)[0])
    messages = await wait_until(lambda: client.messages(ADA), lambda m: m[2]["edited"])

    assert question["text"].startswith("¿Borro todo lo que guardo sobre ti?")
    assert button_labels(question) == ["🗑 Borrar todo", "Conservar mis datos"]
    assert messages[2]["text"].startswith("Hecho: he borrado todo")
    assert set((await rows_about_people(sessions)).values()) == {0}
