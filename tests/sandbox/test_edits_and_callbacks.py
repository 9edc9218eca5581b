"""Editing messages and answering button presses, with Telegram's refusals."""

from __future__ import annotations

from typing import Any

from tests.sandbox.sandbox_clients import BotApiClient, ControlClient

KEYBOARD = {"inline_keyboard": [[{"text": "Did it", "callback_data": "did"}]]}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


async def _tip(bot: BotApiClient) -> dict[str, Any]:
    result: dict[str, Any] = await bot.result(
        "sendMessage", chat_id=5, text="<b>Tip</b>", parse_mode="HTML", reply_markup=KEYBOARD
    )
    return result


async def test_edit_replaces_text_and_marks_the_message_edited(
    bot: BotApiClient, control: ControlClient
) -> None:
    """editMessageText changes the text, sets edit_date, and the listing shows it edited."""
    sent = await _tip(bot)

    edited = await bot.result(
        "editMessageText",
        chat_id=5,
        message_id=sent["message_id"],
        text="Tip <i>done</i>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )

    assert edited["text"] == "Tip done"
    assert isinstance(edited["edit_date"], int)
    (listed,) = await control.messages(5)
    assert (listed["text"], listed["edited"], listed["reply_markup"]) == (
        "Tip done",
        True,
        KEYBOARD,
    )


async def test_edit_without_markup_removes_the_keyboard(
    bot: BotApiClient, control: ControlClient
) -> None:
    """Like Telegram, editing text without reply_markup drops the inline keyboard."""
    sent = await _tip(bot)

    edited = await bot.result(
        "editMessageText", chat_id=5, message_id=sent["message_id"], text="Thanks!"
    )

    assert "reply_markup" not in edited
    assert (await control.messages(5))[0]["reply_markup"] is None


async def test_identical_edit_is_not_modified(bot: BotApiClient) -> None:
    """An edit with the same text, entities and markup is refused as 'not modified'."""
    sent = await _tip(bot)

    status, description = await bot.refusal(
        "editMessageText",
        chat_id=5,
        message_id=sent["message_id"],
        text="<b>Tip</b>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )

    assert (status, description) == (400, NOT_MODIFIED)


async def test_same_text_with_other_entities_is_a_change(bot: BotApiClient) -> None:
    """Changing only the formatting counts as a modification."""
    sent = await _tip(bot)

    edited = await bot.result(
        "editMessageText",
        chat_id=5,
        message_id=sent["message_id"],
        text="Tip",
        reply_markup=KEYBOARD,
    )

    assert "entities" not in edited


async def test_editing_an_unknown_message_is_not_found(bot: BotApiClient) -> None:
    """Editing a message that is not in the chat is refused."""
    status, description = await bot.refusal("editMessageText", chat_id=5, message_id=42, text="x")

    assert (status, description) == (400, "Bad Request: message to edit not found")


async def test_editing_a_subscribers_message_is_not_found(
    bot: BotApiClient, control: ControlClient
) -> None:
    """The bot can only edit its own messages."""
    theirs = await control.say(5, "mine")

    status, description = await bot.refusal(
        "editMessageText", chat_id=5, message_id=theirs["message_id"], text="x"
    )

    assert (status, description) == (400, "Bad Request: message to edit not found")


async def test_reply_markup_edit_replaces_and_detects_no_change(
    bot: BotApiClient, control: ControlClient
) -> None:
    """editMessageReplyMarkup swaps the keyboard; the same keyboard again is 'not modified'."""
    sent = await _tip(bot)
    other = {"inline_keyboard": [[{"text": "Undo", "callback_data": "undo"}]]}

    edited = await bot.result(
        "editMessageReplyMarkup", chat_id=5, message_id=sent["message_id"], reply_markup=other
    )
    again = await bot.refusal(
        "editMessageReplyMarkup", chat_id=5, message_id=sent["message_id"], reply_markup=other
    )

    assert edited["reply_markup"] == other
    assert again == (400, NOT_MODIFIED)
    assert (await control.messages(5))[0]["reply_markup"] == other


async def test_press_queues_a_callback_query_with_the_current_message(
    bot: BotApiClient, control: ControlClient
) -> None:
    """A press becomes a callback_query update carrying the message as it stands now."""
    sent = await _tip(bot)
    await bot.result(
        "editMessageText",
        chat_id=5,
        message_id=sent["message_id"],
        text="Edited tip",
        reply_markup=KEYBOARD,
    )

    response = await control.press(5, sent["message_id"], "did")
    (update,) = await bot.result("getUpdates")

    query = update["callback_query"]
    assert response.json() == {"update_id": update["update_id"], "callback_query_id": query["id"]}
    assert query["data"] == "did"
    assert query["from"]["id"] == 5
    assert query["message"]["text"] == "Edited tip"
    assert query["chat_instance"]


async def test_press_may_carry_data_no_button_has(
    bot: BotApiClient, control: ControlClient
) -> None:
    """The control API forwards forged callback data as given, for testing refusals."""
    sent = await _tip(bot)

    response = await control.press(5, sent["message_id"], "forged:999")

    assert response.status_code == 200
    (update,) = await bot.result("getUpdates")
    assert update["callback_query"]["data"] == "forged:999"


async def test_press_on_a_missing_message_is_404(control: ControlClient) -> None:
    """Pressing a button of a message that is not in the chat is a JSON 404."""
    response = await control.press(5, 77, "did")

    assert response.status_code == 404
    assert "error" in response.json()


async def test_a_callback_query_can_be_answered_once(
    bot: BotApiClient, control: ControlClient
) -> None:
    """answerCallbackQuery works once; a second answer is 'query is too old'."""
    sent = await _tip(bot)
    pressed = await control.press(5, sent["message_id"], "did")
    query_id = pressed.json()["callback_query_id"]

    first = await bot.result("answerCallbackQuery", callback_query_id=query_id, text="Noted")
    second = await bot.refusal("answerCallbackQuery", callback_query_id=query_id)

    assert first is True
    assert second == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )


async def test_unknown_callback_query_is_too_old(bot: BotApiClient) -> None:
    """Answering an id that was never issued is refused the same way."""
    status, description = await bot.refusal("answerCallbackQuery", callback_query_id="nope")

    assert status == 400
    assert "query ID is invalid" in description


async def test_callback_answer_text_is_at_most_200_characters(
    bot: BotApiClient, control: ControlClient
) -> None:
    """An answer longer than 200 characters is refused and the query stays unanswered."""
    sent = await _tip(bot)
    query_id = (await control.press(5, sent["message_id"], "did")).json()["callback_query_id"]

    status, _ = await bot.refusal(
        "answerCallbackQuery", callback_query_id=query_id, text="x" * 201
    )
    retry = await bot.result("answerCallbackQuery", callback_query_id=query_id, text="x" * 200)

    assert status == 400
    assert retry is True
