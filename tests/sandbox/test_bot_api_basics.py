"""The Bot API's envelope, tokens, method names, parameter encodings and simple methods."""

from __future__ import annotations

import json

from tests.sandbox.png_images import png_bytes
from tests.sandbox.sandbox_clients import BotApiClient, ControlClient


async def test_get_me_describes_the_bot(bot: BotApiClient) -> None:
    """getMe returns a bot User whose id is the token's number."""
    me = await bot.result("getMe")

    assert me["id"] == 123
    assert me["is_bot"] is True
    assert me["first_name"]
    assert me["username"].endswith("bot")
    assert {"can_join_groups", "can_read_all_group_messages", "supports_inline_queries"} <= set(me)


async def test_malformed_token_is_unauthorized(bot: BotApiClient) -> None:
    """A token not shaped like <digits>:<letters> is refused with 401 Unauthorized."""
    response = await bot.call("getMe", token="not-a-token")

    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_not_found(bot: BotApiClient) -> None:
    """A method the API does not have is a 404 'method not found'."""
    status, description = await bot.refusal("sendHologram", chat_id=1)

    assert (status, description) == (404, "Not Found: method not found")


async def test_method_names_ignore_letter_case(bot: BotApiClient) -> None:
    """Telegram accepts method names in any letter case."""
    me = await bot.result("GETME")

    assert me["id"] == 123


async def test_missing_required_parameter_is_a_bad_request(bot: BotApiClient) -> None:
    """Leaving out a required parameter is refused with 400 naming it."""
    status, description = await bot.refusal("deleteMessage", chat_id=5)

    assert status == 400
    assert description.startswith("Bad Request: ")
    assert "message_id" in description


async def test_wrongly_typed_parameter_is_a_bad_request(bot: BotApiClient) -> None:
    """A value that is not of the parameter's declared type is refused with 400."""
    status, description = await bot.refusal("getUpdates", timeout="soon")

    assert status == 400
    assert "timeout" in description


async def test_form_body_with_json_fields_is_decoded_by_type(
    bot: BotApiClient, control: ControlClient
) -> None:
    """Form fields are decoded by declared type: integers, booleans, and JSON objects."""
    keyboard = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    params = {"chat_id": 5, "text": "hi", "disable_notification": True, "reply_markup": keyboard}

    response = await bot.call("sendMessage", params, encoding="form")

    assert response.status_code == 200, response.text
    (message,) = await control.messages(5)
    assert message["reply_markup"] == keyboard
    (call,) = await control.calls()
    assert call["params"]["chat_id"] == 5
    assert call["params"]["disable_notification"] is True


async def test_query_string_parameters_are_accepted(bot: BotApiClient) -> None:
    """Parameters may come in a GET query string."""
    response = await bot.call(
        "sendMessage", {"chat_id": 6, "text": "from a GET"}, encoding="query"
    )

    assert response.status_code == 200, response.text
    assert response.json()["result"]["text"] == "from a GET"


async def test_multipart_upload_is_accepted(bot: BotApiClient) -> None:
    """A multipart body carries both form fields and the uploaded file."""
    files = {"photo": ("chart.png", png_bytes(8, 4), "image/png")}

    response = await bot.call(
        "sendPhoto", {"chat_id": 5, "caption": "Week"}, encoding="multipart", files=files
    )

    assert response.status_code == 200, response.text
    assert response.json()["result"]["caption"] == "Week"


async def test_malformed_json_body_is_a_bad_request(bot: BotApiClient) -> None:
    """A JSON body that does not parse is refused with 400."""
    response = await bot.http.post(
        "/bot123:abc/sendMessage",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["ok"] is False


async def test_empty_post_calls_a_method_without_parameters(bot: BotApiClient) -> None:
    """A method without parameters works as an empty POST, the way PTB sends it."""
    response = await bot.http.post("/bot123:abc/getWebhookInfo")

    assert response.status_code == 200
    info = response.json()["result"]
    assert info == {"url": "", "has_custom_certificate": False, "pending_update_count": 0}


async def test_log_out_close_and_delete_webhook_succeed(bot: BotApiClient) -> None:
    """logOut, close and deleteWebhook answer True."""
    assert await bot.result("logOut") is True
    assert await bot.result("close") is True
    assert await bot.result("deleteWebhook", drop_pending_updates=False) is True


async def test_delete_webhook_can_drop_pending_updates(
    bot: BotApiClient, control: ControlClient
) -> None:
    """deleteWebhook with drop_pending_updates forgets the queued updates."""
    await control.say(5, "hello")

    await bot.result("deleteWebhook", drop_pending_updates=True)

    assert await bot.result("getUpdates") == []


async def test_commands_are_kept_per_scope_and_language(bot: BotApiClient) -> None:
    """setMyCommands stores a list per scope and language; getMyCommands reads that list."""
    english = [{"command": "start", "description": "Start"}]
    german = [{"command": "start", "description": "Los geht's"}]
    chat_scope = {"type": "chat", "chat_id": 5}

    await bot.result("setMyCommands", commands=english)
    await bot.result("setMyCommands", commands=german, language_code="de")
    await bot.result("setMyCommands", commands=german, scope=chat_scope)

    assert await bot.result("getMyCommands") == english
    assert await bot.result("getMyCommands", language_code="de") == german
    assert await bot.result("getMyCommands", scope=chat_scope) == german
    assert await bot.result("getMyCommands", language_code="fr") == []


async def test_delete_my_commands_forgets_that_list_only(bot: BotApiClient) -> None:
    """deleteMyCommands removes the list of one scope and language."""
    commands = [{"command": "help", "description": "Help"}]
    await bot.result("setMyCommands", commands=commands)
    await bot.result("setMyCommands", commands=commands, language_code="de")

    await bot.result("deleteMyCommands", language_code="de")

    assert await bot.result("getMyCommands", language_code="de") == []
    assert await bot.result("getMyCommands") == commands


async def test_invalid_command_is_refused(bot: BotApiClient) -> None:
    """Command names are 1-32 lowercase letters, digits or underscores."""
    status, description = await bot.refusal(
        "setMyCommands", commands=[{"command": "Start Now", "description": "x"}]
    )

    assert (status, description) == (400, "Bad Request: BOT_COMMAND_INVALID")


async def test_chat_action_needs_a_known_action(bot: BotApiClient) -> None:
    """sendChatAction accepts Telegram's actions and refuses others."""
    assert await bot.result("sendChatAction", chat_id=5, action="typing") is True

    status, _ = await bot.refusal("sendChatAction", chat_id=5, action="dancing")

    assert status == 400


async def test_delete_message_removes_it(bot: BotApiClient, control: ControlClient) -> None:
    """deleteMessage removes the message; deleting it again is refused."""
    sent = await bot.result("sendMessage", chat_id=5, text="oops")

    assert await bot.result("deleteMessage", chat_id=5, message_id=sent["message_id"]) is True
    status, description = await bot.refusal(
        "deleteMessage", chat_id=5, message_id=sent["message_id"]
    )

    assert await control.messages(5) == []
    assert (status, description) == (400, "Bad Request: message to delete not found")


async def test_group_chat_ids_are_not_found(bot: BotApiClient) -> None:
    """Only private chats exist: a negative chat id is 'chat not found'."""
    status, description = await bot.refusal("sendMessage", chat_id=-100, text="hi")

    assert (status, description) == (400, "Bad Request: chat not found")


async def test_responses_are_json_with_matching_status(bot: BotApiClient) -> None:
    """Every answer is a JSON envelope whose error_code equals the HTTP status."""
    response = await bot.call("sendMessage", {"chat_id": 5, "text": ""})

    assert response.headers["content-type"].startswith("application/json")
    body = json.loads(response.content)
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }


async def test_attach_uri_points_at_a_multipart_part(bot: BotApiClient) -> None:
    """A file parameter may name another multipart part with attach://<name>."""
    files = {"report": ("report.txt", b"hello", "text/plain")}

    response = await bot.call(
        "sendDocument",
        {"chat_id": 5, "document": "attach://report"},
        encoding="multipart",
        files=files,
    )

    assert response.status_code == 200, response.text
    assert response.json()["result"]["document"]["file_name"] == "report.txt"
