"""The control API: call log, chat listing, reset, and clear refusals of bad requests."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.sandbox.png_images import png_bytes
from tests.sandbox.sandbox_clients import TOKEN, BotApiClient, ControlClient


async def test_calls_log_records_each_call_with_its_outcome(
    bot: BotApiClient, control: ControlClient
) -> None:
    """Every Bot API call is logged in order with decoded params, status and error text."""
    await bot.result("sendMessage", chat_id=5, text="hi")
    await bot.refusal("sendMessage", chat_id=5, text="")

    ok, refused = await control.calls()

    assert (ok["seq"], ok["method"], ok["status"], ok["description"]) == (
        1,
        "sendMessage",
        200,
        None,
    )
    assert ok["params"] == {"chat_id": 5, "text": "hi"}
    assert isinstance(ok["at"], float)
    assert (refused["seq"], refused["status"]) == (2, 400)
    assert refused["description"] == "Bad Request: message text is empty"


async def test_calls_since_returns_only_newer_calls(
    bot: BotApiClient, control: ControlClient
) -> None:
    """?since=N lists calls with seq above N."""
    for _ in range(3):
        await bot.result("getMe")

    newer = await control.calls(since=2)

    assert [call["seq"] for call in newer] == [3]


async def test_calls_log_summarises_uploads(bot: BotApiClient, control: ControlClient) -> None:
    """Uploaded files appear in the log as filename and size, never as bytes."""
    image = png_bytes(4, 4)

    await bot.call(
        "sendPhoto",
        {"chat_id": 5},
        encoding="multipart",
        files={"photo": ("p.png", image, "image/png")},
    )

    (call,) = await control.calls()
    assert call["params"]["photo"] == {"filename": "p.png", "size": len(image)}


async def test_chat_listing_shows_the_bots_messages_only(
    bot: BotApiClient, control: ControlClient
) -> None:
    """The listing holds the bot's messages, oldest first, in a stable shape."""
    await control.say(5, "hello bot")
    await bot.result("sendMessage", chat_id=5, text="first")
    await bot.result("sendMessage", chat_id=5, text="second")

    listing = await control.messages(5)

    assert [m["text"] for m in listing] == ["first", "second"]
    assert set(listing[0]) == {
        "message_id",
        "date",
        "text",
        "caption",
        "parse_mode",
        "entities",
        "reply_markup",
        "photo",
        "document",
        "edited",
        "edit_date",
    }


async def test_reset_forgets_everything_but_config(
    bot: BotApiClient, control: ControlClient
) -> None:
    """After a reset, chats, updates, calls and blocks are gone; config stays."""
    await control.configure(limits=True)
    await control.say(5, "hi")
    await bot.result("sendMessage", chat_id=5, text="hello")
    await control.http.post("/sandbox/users/6/block")

    response = await control.http.post("/sandbox/reset")

    assert response.status_code == 200
    assert await control.messages(5) == []
    assert await control.calls() == []
    assert await bot.result("getUpdates") == []
    assert (await bot.call("sendMessage", {"chat_id": 6, "text": "x"})).status_code == 200
    assert (await control.http.get("/sandbox/config")).json()["limits"] is True


async def test_update_ids_keep_growing_across_a_reset(
    bot: BotApiClient, control: ControlClient
) -> None:
    """A running bot's offset stays valid after a reset because update ids never repeat."""
    before = await control.say(5, "before")
    await bot.result("getUpdates", offset=before["update_id"] + 1)

    await control.http.post("/sandbox/reset")
    after = await control.say(5, "after")

    assert after["update_id"] > before["update_id"]
    updates = await bot.result("getUpdates", offset=before["update_id"] + 1)
    assert [u["message"]["text"] for u in updates] == ["after"]


@pytest.mark.parametrize(
    ("path", "body", "problem"),
    [
        ("/sandbox/updates/message", {"text": "hi"}, "user_id"),
        ("/sandbox/updates/message", {"user_id": "5", "text": "hi"}, "user_id"),
        ("/sandbox/updates/message", {"user_id": 5}, "text"),
        ("/sandbox/updates/message", {"user_id": 5, "text": ""}, "text"),
        ("/sandbox/updates/message", {"user_id": 5, "text": "x", "first_name": 3}, "first_name"),
        ("/sandbox/updates/callback", {"user_id": 5, "data": "x"}, "message_id"),
        ("/sandbox/updates/callback", {"user_id": 5, "message_id": 1}, "data"),
        ("/sandbox/config", {"error_rate": "high"}, "error_rate"),
    ],
)
async def test_bad_control_requests_are_refused_naming_the_field(
    http: httpx.AsyncClient, path: str, body: dict[str, object], problem: str
) -> None:
    """Missing or mistyped fields get a 400 whose error names the field."""
    response = await http.post(path, json=body)

    assert response.status_code == 400
    assert problem in response.json()["error"]


async def test_non_json_control_body_is_refused(http: httpx.AsyncClient) -> None:
    """A body that is not a JSON object gets a 400."""
    not_json = await http.post("/sandbox/updates/message", content=b"user_id=5")
    not_object = await http.post("/sandbox/updates/message", json=[1, 2])

    assert not_json.status_code == 400
    assert "JSON" in not_json.json()["error"]
    assert not_object.status_code == 400


async def test_bad_since_is_refused(http: httpx.AsyncClient) -> None:
    """since must be an integer."""
    response = await http.get("/sandbox/calls", params={"since": "yesterday"})

    assert response.status_code == 400
    assert "since" in response.json()["error"]


async def test_unknown_route_is_a_json_404(http: httpx.AsyncClient) -> None:
    """Paths outside both APIs get a JSON 404."""
    response = await http.get("/sandbox/nothing-here")

    assert response.status_code == 404
    assert response.json() == {"error": "no such route"}


async def test_the_token_never_reaches_the_log(
    bot: BotApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The server's logs name the method and status but never the token in the path."""
    caplog.set_level(logging.DEBUG)

    await bot.result("getMe")
    await bot.call("noSuchMethod")
    await bot.http.get(f"/bot{TOKEN}")

    # httpx logs the URL on the client side; only the server's own records matter here.
    server_lines = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("nudgebot", "tornado"))
    ]
    assert any("getMe" in line for line in server_lines)
    assert not [line for line in server_lines if TOKEN.split(":")[1] in line]
