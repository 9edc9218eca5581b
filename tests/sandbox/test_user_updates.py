"""Subscriber updates beyond plain text: stickers, photos, replies and edits."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from telegram import Update

from tests.sandbox.png_images import png_bytes
from tests.sandbox.sandbox_clients import BotApiClient, ControlClient
from tests.sandbox.test_spec_conformance import API_JSON, _Checker


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """The official Bot API reference, or a skip when this checkout has no ../shared beside it."""
    if not API_JSON.is_file():
        pytest.skip(f"the Bot API reference is not at {API_JSON}")
    loaded: dict[str, Any] = json.loads(API_JSON.read_text(encoding="utf-8"))
    return loaded


async def post(http: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A control request that must succeed, and its JSON answer."""
    response = await http.post(path, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def pending(bot: BotApiClient) -> list[dict[str, Any]]:
    """Every update waiting for the bot, as getUpdates returns them."""
    updates: list[dict[str, Any]] = await bot.result("getUpdates")
    return updates


async def test_sticker_arrives_as_a_regular_sticker_message(
    http: httpx.AsyncClient, bot: BotApiClient
) -> None:
    """A sticker is a message with a static regular Sticker showing the emoji and no text."""
    sent = await post(http, "/sandbox/updates/message", {"user_id": 5, "sticker": "👍"})

    (update,) = await pending(bot)
    message = update["message"]
    assert update["update_id"] == sent["update_id"]
    assert message["message_id"] == sent["message_id"]
    assert "text" not in message
    assert message["sticker"] | {"file_id": "?", "file_unique_id": "?"} == {
        "file_id": "?",
        "file_unique_id": "?",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    parsed = Update.de_json(update)
    assert parsed.message is not None
    assert parsed.message.sticker is not None
    assert parsed.message.sticker.emoji == "👍"
    assert parsed.message.sticker.type == "regular"


async def test_the_same_emoji_sends_the_same_sticker_file(
    http: httpx.AsyncClient, bot: BotApiClient
) -> None:
    """Sending one emoji twice sends one sticker file; another emoji is another file."""
    for emoji in ("🎉", "🎉", "🙂"):
        await post(http, "/sandbox/updates/message", {"user_id": 5, "sticker": emoji})

    first, again, other = [u["message"]["sticker"] for u in await pending(bot)]

    assert again["file_unique_id"] == first["file_unique_id"]
    assert other["file_unique_id"] != first["file_unique_id"]


async def test_photo_arrives_in_several_sizes_with_its_caption(
    http: httpx.AsyncClient, bot: BotApiClient
) -> None:
    """A photo is an array of PhotoSize, smallest first, each its own file, plus the caption."""
    await post(
        http, "/sandbox/updates/message", {"user_id": 5, "photo": True, "caption": "my lunch"}
    )

    (update,) = await pending(bot)
    message = update["message"]
    sizes = message["photo"]
    assert message["caption"] == "my lunch"
    assert "text" not in message
    assert [(s["width"], s["height"]) for s in sizes] == sorted(
        (s["width"], s["height"]) for s in sizes
    )
    assert len({s["file_unique_id"] for s in sizes}) == len(sizes) > 1
    parsed = Update.de_json(update)
    assert parsed.message is not None
    assert parsed.message.caption == "my lunch"
    assert parsed.message.photo[-1].width == sizes[-1]["width"]


async def test_photo_without_caption_has_no_caption_field(
    http: httpx.AsyncClient, bot: BotApiClient
) -> None:
    """A photo sent without a caption carries neither caption nor caption_entities."""
    await post(http, "/sandbox/updates/message", {"user_id": 5, "photo": True})

    (update,) = await pending(bot)

    assert "caption" not in update["message"]
    assert "caption_entities" not in update["message"]
    assert Update.de_json(update).effective_message.caption is None  # type: ignore[union-attr]


async def test_photos_get_file_ids_no_upload_can_reuse(
    http: httpx.AsyncClient, bot: BotApiClient
) -> None:
    """Ids of a subscriber's photo never collide with ids of files the bot uploads."""
    await post(http, "/sandbox/updates/message", {"user_id": 5, "photo": True})
    upload = await bot.call(
        "sendPhoto",
        {"chat_id": 5},
        encoding="multipart",
        files={"photo": ("c.png", png_bytes(4, 3), "image/png")},
    )

    (update,) = await pending(bot)
    theirs = {s["file_id"] for s in update["message"]["photo"]}
    ours = {s["file_id"] for s in upload.json()["result"]["photo"]}
    assert theirs.isdisjoint(ours)


async def test_reply_to_a_bot_message_embeds_that_message(
    http: httpx.AsyncClient, bot: BotApiClient
) -> None:
    """A reply carries the bot's original message with its id, sender, chat, date and text."""
    original = await bot.result("sendMessage", chat_id=5, text="How was your week?")

    await post(
        http,
        "/sandbox/updates/message",
        {"user_id": 5, "text": "Great", "reply_to_message_id": original["message_id"]},
    )

    (update,) = await pending(bot)
    replied = update["message"]["reply_to_message"]
    assert {k: replied[k] for k in ("message_id", "from", "chat", "date", "text")} == {
        k: original[k] for k in ("message_id", "from", "chat", "date", "text")
    }
    parsed = Update.de_json(update)
    assert parsed.message is not None
    assert parsed.message.reply_to_message is not None
    assert parsed.message.reply_to_message.text == "How was your week?"
    assert parsed.message.reply_to_message.from_user is not None
    assert parsed.message.reply_to_message.from_user.is_bot


async def test_sticker_can_reply_to_the_subscribers_own_photo(
    http: httpx.AsyncClient, bot: BotApiClient
) -> None:
    """A sticker may reply to the subscriber's own photo, which is embedded with its caption."""
    photo = await post(
        http, "/sandbox/updates/message", {"user_id": 5, "photo": True, "caption": "before"}
    )

    await post(
        http,
        "/sandbox/updates/message",
        {"user_id": 5, "sticker": "😋", "reply_to_message_id": photo["message_id"]},
    )

    _, update = await pending(bot)
    replied = update["message"]["reply_to_message"]
    assert replied["message_id"] == photo["message_id"]
    assert replied["caption"] == "before"
    assert replied["from"]["is_bot"] is False
    parsed = Update.de_json(update)
    assert parsed.message is not None
    assert parsed.message.reply_to_message is not None
    assert parsed.message.reply_to_message.caption == "before"


async def test_embedded_original_leaves_out_its_own_reply(
    http: httpx.AsyncClient, bot: BotApiClient
) -> None:
    """Replying to a reply embeds the original one level deep, as Telegram does."""
    first = await post(http, "/sandbox/updates/message", {"user_id": 5, "text": "one"})
    second = await post(
        http,
        "/sandbox/updates/message",
        {"user_id": 5, "text": "two", "reply_to_message_id": first["message_id"]},
    )

    await post(
        http,
        "/sandbox/updates/message",
        {"user_id": 5, "text": "three", "reply_to_message_id": second["message_id"]},
    )

    *_, update = await pending(bot)
    replied = update["message"]["reply_to_message"]
    assert replied["text"] == "two"
    assert "reply_to_message" not in replied


async def test_reply_to_a_message_not_in_that_chat_is_not_found(
    http: httpx.AsyncClient, bot: BotApiClient
) -> None:
    """A reply to a message missing from the subscriber's chat gets a 404 and queues nothing."""
    await bot.result("sendMessage", chat_id=6, text="someone else's")

    response = await http.post(
        "/sandbox/updates/message", json={"user_id": 5, "text": "hm", "reply_to_message_id": 1}
    )

    assert response.status_code == 404
    assert "no message 1" in response.json()["error"]
    assert await pending(bot) == []


async def test_edit_sends_an_edited_message_with_the_new_text(
    http: httpx.AsyncClient, bot: BotApiClient
) -> None:
    """Editing a sent text queues an edited_message with the same id, new text and edit_date."""
    sent = await post(http, "/sandbox/updates/message", {"user_id": 5, "text": "helo"})

    edit = await post(
        http,
        "/sandbox/updates/edit",
        {"user_id": 5, "message_id": sent["message_id"], "text": "/help"},
    )

    original, update = await pending(bot)
    edited = update["edited_message"]
    assert edit == {"update_id": update["update_id"], "message_id": sent["message_id"]}
    assert edited["message_id"] == sent["message_id"]
    assert edited["text"] == "/help"
    assert edited["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    assert edited["edit_date"] >= original["message"]["date"]
    parsed = Update.de_json(update)
    assert parsed.edited_message is not None
    assert parsed.edited_message.text == "/help"
    assert parsed.edited_message.edit_date is not None
    assert parsed.effective_message is parsed.edited_message


async def test_edited_reply_still_carries_its_original(
    http: httpx.AsyncClient, bot: BotApiClient
) -> None:
    """An edited reply keeps pointing at the message it replied to."""
    original = await bot.result("sendMessage", chat_id=5, text="Rate it 1-5")
    sent = await post(
        http,
        "/sandbox/updates/message",
        {"user_id": 5, "text": "4", "reply_to_message_id": original["message_id"]},
    )

    await post(
        http,
        "/sandbox/updates/edit",
        {"user_id": 5, "message_id": sent["message_id"], "text": "5"},
    )

    _, update = await pending(bot)
    assert update["edited_message"]["reply_to_message"]["text"] == "Rate it 1-5"


@pytest.mark.parametrize(
    "whose",
    ["missing", "bots", "other users"],
)
async def test_edit_of_a_message_the_user_did_not_send_is_not_found(
    http: httpx.AsyncClient, bot: BotApiClient, whose: str
) -> None:
    """Only the user's own messages in their chat can be edited; anything else is a 404."""
    await bot.result("sendMessage", chat_id=5, text="from the bot")
    for text in ("one", "two"):
        await post(http, "/sandbox/updates/message", {"user_id": 6, "text": text})
    # Chat 5 holds only the bot's message 1; message 2 exists only in user 6's chat.
    message_id = {"missing": 9, "bots": 1, "other users": 2}[whose]

    response = await http.post(
        "/sandbox/updates/edit", json={"user_id": 5, "message_id": message_id, "text": "x"}
    )

    assert response.status_code == 404
    assert f"no message {message_id} from user 5" in response.json()["error"]
    assert [u for u in await pending(bot) if "edited_message" in u] == []


@pytest.mark.parametrize(
    ("first", "edit", "problem"),
    [
        ({"sticker": "👍"}, {"text": "x"}, "no text to edit"),
        ({"photo": True, "caption": "c"}, {"text": "x"}, "no text to edit"),
        ({"text": "same"}, {"text": "same"}, "already has that text"),
        ({"text": "hi"}, {"text": " "}, "text must not be empty"),
        ({"text": "hi"}, {}, "text must be a string"),
        ({"text": "hi"}, {"text": "x", "message_id": "1"}, "message_id must be an integer"),
    ],
)
async def test_bad_edits_are_refused_with_a_reason(
    http: httpx.AsyncClient,
    bot: BotApiClient,
    first: dict[str, Any],
    edit: dict[str, Any],
    problem: str,
) -> None:
    """An edit that a client could not make gets a 400 saying why, and queues nothing."""
    sent = await post(http, "/sandbox/updates/message", {"user_id": 5, **first})

    response = await http.post(
        "/sandbox/updates/edit",
        json={"user_id": 5, "message_id": sent["message_id"], **edit},
    )

    assert response.status_code == 400
    assert problem in response.json()["error"]
    assert len(await pending(bot)) == 1


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({}, "exactly one of text, sticker or photo"),
        (
            {"text": "hi", "sticker": "👍"},
            "exactly one of text, sticker or photo (got text and sticker)",
        ),
        ({"sticker": "👍", "photo": True}, "(got sticker and photo)"),
        ({"photo": False}, "photo must be true"),
        ({"photo": "yes"}, "photo must be true"),
        ({"sticker": ""}, "sticker must be an emoji"),
        ({"sticker": 5}, "sticker must be a string"),
        ({"text": "hi", "caption": "c"}, "caption goes only with photo"),
        ({"sticker": "👍", "caption": "c"}, "caption goes only with photo"),
        ({"photo": True, "caption": 3}, "caption must be a string"),
        ({"photo": True, "caption": "x" * 1025}, "caption must be at most 1024 characters"),
        ({"text": "hi", "reply_to_message_id": "1"}, "reply_to_message_id must be an integer"),
        ({"text": "hi", "reply_to_message_id": 0}, "reply_to_message_id must be positive"),
    ],
)
async def test_bad_message_bodies_are_refused_with_a_reason(
    http: httpx.AsyncClient, bot: BotApiClient, body: dict[str, Any], problem: str
) -> None:
    """A message body that is not exactly one valid text, sticker or photo gets a clear 400."""
    response = await http.post("/sandbox/updates/message", json={"user_id": 5, **body})

    assert response.status_code == 400
    assert problem in response.json()["error"]
    assert await pending(bot) == []


async def test_new_updates_fit_the_reference(
    reference: dict[str, Any], http: httpx.AsyncClient, bot: BotApiClient, control: ControlClient
) -> None:
    """Sticker, photo, reply and edit updates use only documented fields, required ones present."""
    checker = _Checker(reference)
    original = await bot.result("sendMessage", chat_id=5, text="<b>Tip</b>", parse_mode="HTML")
    sent = await control.say(5, "/start", reply_to_message_id=original["message_id"])
    await post(http, "/sandbox/updates/message", {"user_id": 5, "sticker": "👍"})
    await post(
        http, "/sandbox/updates/message", {"user_id": 5, "photo": True, "caption": "/note lunch"}
    )
    await post(
        http,
        "/sandbox/updates/edit",
        {"user_id": 5, "message_id": sent["message_id"], "text": "hi"},
    )

    updates = await pending(bot)

    assert [next(k for k in u if k != "update_id") for u in updates] == [
        "message",
        "message",
        "message",
        "edited_message",
    ]
    assert checker.problems(updates, ["Array of Update"], "updates") == []
    assert checker.seen >= {"Update", "Message", "Sticker", "PhotoSize", "MessageEntity"}
