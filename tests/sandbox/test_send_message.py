"""sendMessage and the media sends: Telegram's text, HTML, keyboard and block rules."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.png_images import png_bytes
from tests.sandbox.sandbox_clients import BotApiClient, ControlClient


async def test_html_message_is_stored_as_text_and_entities(
    bot: BotApiClient, control: ControlClient
) -> None:
    """An HTML message is answered and listed as plain text plus entities."""
    message = await bot.result(
        "sendMessage", chat_id=5, text="<b>Sip</b> water 💧 <i>now</i>", parse_mode="HTML"
    )

    assert message["text"] == "Sip water 💧 now"
    assert message["entities"] == [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "italic", "offset": 13, "length": 3},
    ]
    assert message["from"]["is_bot"] is True
    assert message["chat"] == {"id": 5, "type": "private", "first_name": "User 5"}
    (listed,) = await control.messages(5)
    assert (listed["text"], listed["parse_mode"], listed["edited"]) == (
        "Sip water 💧 now",
        "HTML",
        False,
    )


@pytest.mark.parametrize(
    "markup",
    ["<p>x</p>", "<b>x", "<b><i>x</b></i>", "1 < 2", "salt & pepper", "<code><b>x</b></code>"],
)
async def test_invalid_html_is_refused_and_nothing_is_sent(
    bot: BotApiClient, control: ControlClient, markup: str
) -> None:
    """Invalid HTML is a 400 'can't parse entities ... at byte offset N' and sends nothing."""
    status, description = await bot.refusal(
        "sendMessage", chat_id=5, text=markup, parse_mode="HTML"
    )

    assert status == 400
    assert description.startswith("Bad Request: can't parse entities: ")
    assert " at byte offset " in description
    assert await control.messages(5) == []


async def test_length_limit_counts_text_after_parsing(bot: BotApiClient) -> None:
    """4096 characters of visible text pass however long the markup; 4097 do not."""
    fits = "<b>" + "a" * 4096 + "</b>"
    too_long = "a" * 4097

    message = await bot.result("sendMessage", chat_id=5, text=fits, parse_mode="HTML")
    status, description = await bot.refusal("sendMessage", chat_id=5, text=too_long)

    assert len(message["text"]) == 4096
    assert (status, description) == (400, "Bad Request: message is too long")


@pytest.mark.parametrize("text", ["", "   \n ", "<b></b>"])
async def test_empty_text_is_refused(bot: BotApiClient, text: str) -> None:
    """A text that is empty after parsing and trimming is refused."""
    status, description = await bot.refusal("sendMessage", chat_id=5, text=text, parse_mode="HTML")

    assert (status, description) == (400, "Bad Request: message text is empty")


async def test_surrounding_whitespace_is_trimmed(bot: BotApiClient) -> None:
    """Telegram trims leading and trailing whitespace and shifts entities to match."""
    message = await bot.result("sendMessage", chat_id=5, text="\n  <b>hi</b>\n", parse_mode="HTML")

    assert message["text"] == "hi"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 2}]


async def test_markdown_is_passed_through_as_plain_text(bot: BotApiClient) -> None:
    """MarkdownV2 is not emulated: the text is kept verbatim without entities."""
    message = await bot.result("sendMessage", chat_id=5, text="*bold*", parse_mode="MarkdownV2")

    assert message["text"] == "*bold*"
    assert "entities" not in message


async def test_unknown_parse_mode_is_refused(bot: BotApiClient) -> None:
    """A parse mode Telegram does not know is refused."""
    status, description = await bot.refusal(
        "sendMessage", chat_id=5, text="x", parse_mode="BBCode"
    )

    assert (status, description) == (400, "Bad Request: unsupported parse_mode")


async def test_inline_keyboard_is_kept_on_the_message(
    bot: BotApiClient, control: ControlClient
) -> None:
    """An inline keyboard comes back on the Message and in the chat listing as sent."""
    keyboard = {
        "inline_keyboard": [
            [{"text": "Did it", "callback_data": "did"}, {"text": "Later", "callback_data": "l"}],
            [{"text": "Why?", "url": "https://example.org"}],
        ]
    }

    message = await bot.result("sendMessage", chat_id=5, text="Tip", reply_markup=keyboard)

    assert message["reply_markup"] == keyboard
    assert (await control.messages(5))[0]["reply_markup"] == keyboard


async def test_reply_keyboard_is_listed_but_not_echoed(
    bot: BotApiClient, control: ControlClient
) -> None:
    """A reply keyboard is accepted; like Telegram, the returned Message omits it."""
    keyboard = {"keyboard": [[{"text": "1"}, {"text": "2"}]], "one_time_keyboard": True}

    message = await bot.result("sendMessage", chat_id=5, text="Mood?", reply_markup=keyboard)

    assert "reply_markup" not in message
    assert (await control.messages(5))[0]["reply_markup"] == keyboard


@pytest.mark.parametrize(
    ("data", "accepted"),
    [
        ("x", True),
        ("a" * 64, True),
        ("é" * 32, True),  # 64 bytes in UTF-8
        ("a" * 65, False),
        ("é" * 33, False),  # 66 bytes although only 33 characters
        ("日" * 22, False),  # 66 bytes
        ("", False),
    ],
)
async def test_callback_data_is_one_to_64_bytes(
    bot: BotApiClient, data: str, accepted: bool
) -> None:
    """callback_data is measured in UTF-8 bytes: 1 to 64, else BUTTON_DATA_INVALID."""
    keyboard = {"inline_keyboard": [[{"text": "Go", "callback_data": data}]]}

    response = await bot.call("sendMessage", {"chat_id": 5, "text": "t", "reply_markup": keyboard})

    if accepted:
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert response.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"


@pytest.mark.parametrize(
    "button",
    [
        {"text": "No action"},
        {"text": "", "callback_data": "x"},
        {"text": "Two", "callback_data": "x", "url": "https://example.org"},
    ],
)
async def test_inline_buttons_need_text_and_exactly_one_action(
    bot: BotApiClient, control: ControlClient, button: dict[str, str]
) -> None:
    """Each inline button needs non-empty text and exactly one action field."""
    keyboard = {"inline_keyboard": [[button]]}

    status, description = await bot.refusal(
        "sendMessage", chat_id=5, text="t", reply_markup=keyboard
    )

    assert status == 400
    assert description.startswith("Bad Request: can't parse inline keyboard button")
    assert await control.messages(5) == []


async def test_blocked_user_gets_nothing_and_bot_gets_403(
    bot: BotApiClient, control: ControlClient
) -> None:
    """After a subscriber blocks the bot, sends to them are 403 until they unblock."""
    await control.http.post("/sandbox/users/5/block")

    status, description = await bot.refusal("sendMessage", chat_id=5, text="hello?")
    await control.http.post("/sandbox/users/5/unblock")
    after_unblock = await bot.call("sendMessage", {"chat_id": 5, "text": "welcome back"})

    assert (status, description) == (403, "Forbidden: bot was blocked by the user")
    assert after_unblock.status_code == 200
    assert [m["text"] for m in await control.messages(5)] == ["welcome back"]


async def test_writing_to_the_bot_unblocks_it(bot: BotApiClient, control: ControlClient) -> None:
    """A subscriber who writes to a bot they blocked has unblocked it, as in Telegram."""
    await control.http.post("/sandbox/users/5/block")

    await control.say(5, "/start")

    assert (await bot.call("sendMessage", {"chat_id": 5, "text": "hi"})).status_code == 200


async def test_photo_upload_reads_png_size_and_keeps_the_bytes(
    bot: BotApiClient, control: ControlClient
) -> None:
    """An uploaded PNG becomes a PhotoSize with its real size, and its bytes can be fetched."""
    image = png_bytes(80, 60)
    files = {"photo": ("chart.png", image, "image/png")}

    response = await bot.call(
        "sendPhoto",
        {"chat_id": 5, "caption": "<b>Your week</b>", "parse_mode": "HTML"},
        encoding="multipart",
        files=files,
    )

    message = response.json()["result"]
    (photo,) = message["photo"]
    assert (photo["width"], photo["height"], photo["file_size"]) == (80, 60, len(image))
    assert message["caption"] == "Your week"
    assert message["caption_entities"] == [{"type": "bold", "offset": 0, "length": 9}]
    fetched = await control.http.get(f"/sandbox/files/{photo['file_id']}")
    assert fetched.content == image


async def test_photo_that_is_not_an_image_is_refused(bot: BotApiClient) -> None:
    """Bytes that are not an image are refused like Telegram's IMAGE_PROCESS_FAILED."""
    files = {"photo": ("x.png", b"not an image", "image/png")}

    response = await bot.call("sendPhoto", {"chat_id": 5}, encoding="multipart", files=files)

    assert response.status_code == 400
    assert response.json()["description"] == "Bad Request: IMAGE_PROCESS_FAILED"


async def test_photo_can_be_resent_by_file_id(bot: BotApiClient) -> None:
    """A file_id from an earlier upload can be sent again without uploading."""
    files = {"photo": ("a.png", png_bytes(4, 4), "image/png")}
    first = await bot.call("sendPhoto", {"chat_id": 5}, encoding="multipart", files=files)
    file_id = first.json()["result"]["photo"][0]["file_id"]

    again = await bot.result("sendPhoto", chat_id=6, photo=file_id)
    unknown = await bot.refusal("sendPhoto", chat_id=6, photo="https://example.org/cat.png")

    assert again["photo"][0]["file_id"] == file_id
    assert unknown == (400, "Bad Request: wrong file identifier/HTTP URL specified")


async def test_document_upload_keeps_name_type_and_bytes(
    bot: BotApiClient, control: ControlClient
) -> None:
    """An uploaded document keeps its file name and MIME type; its bytes can be fetched."""
    content = b"date,mood\n2026-01-01,4\n"
    files = {"document": ("export.csv", content, "text/csv")}

    response = await bot.call("sendDocument", {"chat_id": 5}, encoding="multipart", files=files)

    document = response.json()["result"]["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == (
        "export.csv",
        "text/csv",
        len(content),
    )
    fetched = await control.http.get(f"/sandbox/files/{document['file_id']}")
    assert fetched.content == content


async def test_caption_over_1024_characters_is_refused(bot: BotApiClient) -> None:
    """A caption longer than 1024 characters after parsing is refused."""
    files = {"photo": ("a.png", png_bytes(4, 4), "image/png")}

    response = await bot.call(
        "sendPhoto", {"chat_id": 5, "caption": "c" * 1025}, encoding="multipart", files=files
    )

    assert response.status_code == 400
    assert response.json()["description"] == "Bad Request: message caption is too long"


async def test_unknown_file_id_is_not_served(http: httpx.AsyncClient) -> None:
    """Fetching a file the sandbox does not have is a JSON 404."""
    response = await http.get("/sandbox/files/photo-999")

    assert response.status_code == 404
    assert "error" in response.json()
