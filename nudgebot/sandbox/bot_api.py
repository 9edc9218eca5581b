"""The emulated Bot API: method dispatch and the methods that do not touch messages."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from nudgebot.sandbox.api_call import ApiCall
from nudgebot.sandbox.errors import bad_request, forbidden
from nudgebot.sandbox.message_methods import MessageMethods
from nudgebot.sandbox.methods import MethodSpec
from nudgebot.sandbox.parameters import Params
from nudgebot.sandbox.state import SandboxState
from nudgebot.sandbox.users import bot_user

Handler = Callable[[ApiCall], Awaitable[Any]]

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_SCOPES_WITHOUT_CHAT = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
)
_SCOPES_WITH_CHAT = frozenset({"chat", "chat_administrators", "chat_member"})
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")
MAX_COMMANDS = 100
MAX_COMMAND_DESCRIPTION = 256


class BotApi:
    """Runs one decoded Bot API call against the sandbox state."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        messages = MessageMethods(state)
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._acknowledge,
            "close": self._acknowledge,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendChatAction": self._send_chat_action,
            "sendMessage": messages.send_message,
            "sendPhoto": messages.send_photo,
            "sendDocument": messages.send_document,
            "editMessageText": messages.edit_message_text,
            "editMessageReplyMarkup": messages.edit_message_reply_markup,
            "deleteMessage": messages.delete_message,
            "answerCallbackQuery": messages.answer_callback_query,
        }

    async def call(self, spec: MethodSpec, call: ApiCall) -> Any:
        """The method's result; a refusal is raised as `BotApiError`."""
        return await self._handlers[spec.name](call)

    async def _get_me(self, call: ApiCall) -> Any:
        return bot_user(call.bot_id, full=True)

    async def _acknowledge(self, _call: ApiCall) -> Any:
        return True

    async def _delete_webhook(self, call: ApiCall) -> Any:
        if call.params.boolean("drop_pending_updates"):
            self._state.updates.drop_pending()
        return True

    async def _get_webhook_info(self, _call: ApiCall) -> Any:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": self._state.updates.pending_count,
        }

    async def _get_updates(self, call: ApiCall) -> Any:
        params = call.params
        return await self._state.updates.poll(
            call.token,
            offset=params.integer("offset"),
            limit=params.integer("limit"),
            wait_seconds=params.integer("timeout"),
            allowed_updates=params.array("allowed_updates"),
            gone=call.gone,
        )

    async def _set_my_commands(self, call: ApiCall) -> Any:
        commands = [_checked_command(item) for item in call.params.array("commands") or []]
        if len(commands) > MAX_COMMANDS:
            raise bad_request("too many commands specified")
        key = self._commands_key(call.params)
        if commands:
            self._state.commands[key] = commands
        else:
            self._state.commands.pop(key, None)
        return True

    async def _get_my_commands(self, call: ApiCall) -> Any:
        return list(self._state.commands.get(self._commands_key(call.params), []))

    async def _delete_my_commands(self, call: ApiCall) -> Any:
        self._state.commands.pop(self._commands_key(call.params), None)
        return True

    async def _send_chat_action(self, call: ApiCall) -> Any:
        params = call.params
        chat_id = params.raw("chat_id")
        if not isinstance(chat_id, int) or chat_id <= 0:
            raise bad_request("chat not found")
        if self._state.users.has_blocked(chat_id):
            raise forbidden("bot was blocked by the user")
        if params.string("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.mapping("scope") or {"type": "default"}
        kind = scope.get("type")
        if kind in _SCOPES_WITH_CHAT:
            if "chat_id" not in scope:
                raise bad_request("chat_id is empty")
        elif kind not in _SCOPES_WITHOUT_CHAT:
            raise bad_request("can't parse BotCommandScope: unsupported type")
        language = params.string("language_code") or ""
        if language and not _LANGUAGE.fullmatch(language):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language


def _checked_command(item: Any) -> dict[str, Any]:
    command = item.get("command") if isinstance(item, dict) else None
    description = item.get("description") if isinstance(item, dict) else None
    if not isinstance(command, str) or not _COMMAND.fullmatch(command):
        raise bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not 1 <= len(description) <= MAX_COMMAND_DESCRIPTION:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return {"command": command, "description": description}
