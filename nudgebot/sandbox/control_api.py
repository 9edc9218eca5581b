"""The control API under `/sandbox/`: JSON over HTTP for tests, scripts and the chat client."""

from __future__ import annotations

import json
import time
from typing import Any

import tornado.web

from nudgebot.sandbox.formatted_text import MAX_CAPTION_LENGTH
from nudgebot.sandbox.state import SandboxState
from nudgebot.sandbox.subscriber_actions import ActionRefused, MessageNotFound, SubscriberActions
from nudgebot.telegram_format.utf16 import utf16_len


class ControlError(tornado.web.HTTPError):
    """A control request that cannot be served; answered as `{"error": ...}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status)
        self.message = message


class ControlHandler(tornado.web.RequestHandler):
    """Shared JSON plumbing for the control routes."""

    def initialize(self, state: SandboxState) -> None:
        self.state = state
        self.actions = SubscriberActions(state)

    def send_json(self, payload: Any, status: int = 200) -> None:
        """Answer with `payload` as JSON."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload))

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object (an empty body is an empty object)."""
        if not self.request.body.strip():
            return {}
        try:
            body = json.loads(self.request.body)
        except ValueError:
            raise ControlError(400, "request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ControlError(400, "request body must be a JSON object")
        return body

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = error.message if isinstance(error, ControlError) else self._reason
        self.send_json({"error": message}, status_code)


def _integer(body: dict[str, Any], name: str, *, positive: bool = True) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ControlError(400, f"{name} must be an integer")
    if positive and value <= 0:
        raise ControlError(400, f"{name} must be positive")
    return value


def _string(body: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ControlError(400, f"{name} must be a string")
    return value


def _given(body: dict[str, Any], name: str) -> bool:
    return body.get(name) is not None


_MESSAGE_KINDS = ("text", "sticker", "photo")


class MessageUpdateHandler(ControlHandler):
    """`POST /sandbox/updates/message`: a subscriber writes, sends a sticker or a photo."""

    def post(self) -> None:
        body = self.json_body()
        user_id = _integer(body, "user_id")
        kinds = [kind for kind in _MESSAGE_KINDS if _given(body, kind)]
        if len(kinds) != 1:
            got = f" (got {' and '.join(kinds)})" if kinds else ""
            raise ControlError(400, f"give exactly one of text, sticker or photo{got}")
        (kind,) = kinds
        if _given(body, "caption") and kind != "photo":
            raise ControlError(400, "caption goes only with photo")
        reply_to = (
            _integer(body, "reply_to_message_id") if _given(body, "reply_to_message_id") else None
        )
        sender: dict[str, Any] = {
            "now": time.time(),
            "first_name": _string(body, "first_name", required=False),
            "language_code": _string(body, "language_code", required=False),
            "reply_to": reply_to,
        }
        try:
            result = self._send(user_id, kind, body, sender)
        except MessageNotFound as error:
            raise ControlError(404, str(error)) from None
        self.send_json(result)

    def _send(
        self, user_id: int, kind: str, body: dict[str, Any], sender: dict[str, Any]
    ) -> dict[str, int]:
        if kind == "text":
            text = _string(body, "text")
            if not text or not text.strip():
                raise ControlError(400, "text must not be empty")
            return self.actions.send_text(user_id, text, **sender)
        if kind == "sticker":
            emoji = _string(body, "sticker")
            if not emoji or not emoji.strip():
                raise ControlError(400, "sticker must be an emoji, not empty")
            return self.actions.send_sticker(user_id, emoji, **sender)
        if body["photo"] is not True:
            raise ControlError(400, "photo must be true")
        caption = _string(body, "caption", required=False)
        if caption is not None and utf16_len(caption) > MAX_CAPTION_LENGTH:
            raise ControlError(400, f"caption must be at most {MAX_CAPTION_LENGTH} characters")
        return self.actions.send_photo(user_id, caption, **sender)


class EditUpdateHandler(ControlHandler):
    """`POST /sandbox/updates/edit`: a subscriber edits the text of one of their messages."""

    def post(self) -> None:
        body = self.json_body()
        user_id = _integer(body, "user_id")
        message_id = _integer(body, "message_id")
        text = _string(body, "text")
        if not text or not text.strip():
            raise ControlError(400, "text must not be empty")
        try:
            result = self.actions.edit_text(user_id, message_id, text, now=time.time())
        except MessageNotFound as error:
            raise ControlError(404, str(error)) from None
        except ActionRefused as error:
            raise ControlError(400, str(error)) from None
        self.send_json(result)


class CallbackUpdateHandler(ControlHandler):
    """`POST /sandbox/updates/callback`: a subscriber presses an inline button."""

    def post(self) -> None:
        body = self.json_body()
        user_id = _integer(body, "user_id")
        message_id = _integer(body, "message_id")
        data = _string(body, "data")
        assert data is not None
        result = self.actions.press_button(user_id, message_id, data)
        if result is None:
            raise ControlError(404, f"no bot message {message_id} in the chat with {user_id}")
        self.send_json(result)


class ChatMessagesHandler(ControlHandler):
    """`GET /sandbox/chats/{chat_id}/messages`: the bot's messages as they stand now."""

    def get(self, chat_id: str) -> None:
        messages = self.state.chats.bot_messages(int(chat_id))
        self.send_json([message.to_listing() for message in messages])


class CallsHandler(ControlHandler):
    """`GET /sandbox/calls?since=N`: Bot API calls answered after seq N."""

    def get(self) -> None:
        since = self.get_query_argument("since", "0")
        try:
            seq = int(since)
        except ValueError:
            raise ControlError(400, "since must be an integer") from None
        self.send_json([call.to_json() for call in self.state.calls.since(seq)])


class BlockHandler(ControlHandler):
    """`POST /sandbox/users/{user_id}/block` and `/unblock`."""

    def post(self, user_id: str, action: str) -> None:
        if action == "block":
            self.state.users.block(int(user_id))
        else:
            self.state.users.unblock(int(user_id))
        self.send_json({"user_id": int(user_id), "blocked": action == "block"})


class ConfigHandler(ControlHandler):
    """`GET` and `POST /sandbox/config`: flood limits and fault injection."""

    def get(self) -> None:
        self.send_json(self.state.config.to_json())

    def post(self) -> None:
        try:
            config = self.state.configure(self.json_body())
        except (ValueError, TypeError) as error:
            raise ControlError(400, str(error)) from None
        self.send_json(config.to_json())


class ResetHandler(ControlHandler):
    """`POST /sandbox/reset`: forget everything but the config and the bot's commands."""

    def post(self) -> None:
        self.state.reset()
        self.send_json({"reset": True})


class FileHandler(ControlHandler):
    """`GET /sandbox/files/{file_id}`: the raw bytes of an upload."""

    def get(self, file_id: str) -> None:
        stored = self.state.files.get(file_id)
        if stored is None:
            raise ControlError(404, f"no file {file_id}")
        self.set_header("Content-Type", stored.mime_type)
        self.finish(stored.body)


class NotFoundHandler(ControlHandler):
    """Any other path: a JSON 404."""

    def prepare(self) -> None:
        raise ControlError(404, "no such route")


def control_routes(state: SandboxState) -> list[tuple[str, type[ControlHandler], dict[str, Any]]]:
    """The control API's routes, bound to `state`."""
    deps = {"state": state}
    return [
        (r"/sandbox/updates/message", MessageUpdateHandler, deps),
        (r"/sandbox/updates/callback", CallbackUpdateHandler, deps),
        (r"/sandbox/updates/edit", EditUpdateHandler, deps),
        (r"/sandbox/chats/(-?\d+)/messages", ChatMessagesHandler, deps),
        (r"/sandbox/calls", CallsHandler, deps),
        (r"/sandbox/users/(\d+)/(block|unblock)", BlockHandler, deps),
        (r"/sandbox/config", ConfigHandler, deps),
        (r"/sandbox/reset", ResetHandler, deps),
        (r"/sandbox/files/([^/]+)", FileHandler, deps),
    ]
