"""The Bot API methods the sandbox emulates, and their parameters, as data.

Each parameter is spelt exactly as the official reference spells it (name, `types`,
`required`), so `tests/sandbox/test_spec_conformance.py` can hold this table
against `api.json`. Only parameters the sandbox reads or deliberately accepts are
listed; Telegram ignores unknown parameters and so does the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParamSpec:
    """One documented parameter of a Bot API method."""

    name: str
    types: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class MethodSpec:
    """One Bot API method: its parameters and whether flood control counts it."""

    name: str
    params: tuple[ParamSpec, ...] = ()
    flood_limited: bool = False

    def param(self, name: str) -> ParamSpec | None:
        """The declared parameter called `name`, if any."""
        return next((p for p in self.params if p.name == name), None)


_CHAT_ID = ("Integer", "String")
_ANY_MARKUP = ("InlineKeyboardMarkup", "ReplyKeyboardMarkup", "ReplyKeyboardRemove", "ForceReply")

_SEND_OPTIONS = (
    ParamSpec("disable_notification", ("Boolean",)),
    ParamSpec("protect_content", ("Boolean",)),
    ParamSpec("allow_paid_broadcast", ("Boolean",)),
    ParamSpec("reply_parameters", ("ReplyParameters",)),
    ParamSpec("reply_markup", _ANY_MARKUP),
)

_COMMAND_TARGET = (
    ParamSpec("scope", ("BotCommandScope",)),
    ParamSpec("language_code", ("String",)),
)

_CAPTION = (
    ParamSpec("caption", ("String",)),
    ParamSpec("parse_mode", ("String",)),
    ParamSpec("caption_entities", ("Array of MessageEntity",)),
)

_SPECS = (
    MethodSpec("getMe"),
    MethodSpec("logOut"),
    MethodSpec("close"),
    MethodSpec("deleteWebhook", (ParamSpec("drop_pending_updates", ("Boolean",)),)),
    MethodSpec("getWebhookInfo"),
    MethodSpec(
        "getUpdates",
        (
            ParamSpec("offset", ("Integer",)),
            ParamSpec("limit", ("Integer",)),
            ParamSpec("timeout", ("Integer",)),
            ParamSpec("allowed_updates", ("Array of String",)),
        ),
    ),
    MethodSpec(
        "sendMessage",
        (
            ParamSpec("chat_id", _CHAT_ID, required=True),
            ParamSpec("text", ("String",), required=True),
            ParamSpec("parse_mode", ("String",)),
            ParamSpec("entities", ("Array of MessageEntity",)),
            ParamSpec("link_preview_options", ("LinkPreviewOptions",)),
            *_SEND_OPTIONS,
        ),
        flood_limited=True,
    ),
    MethodSpec(
        "editMessageText",
        (
            ParamSpec("chat_id", _CHAT_ID),
            ParamSpec("message_id", ("Integer",)),
            ParamSpec("text", ("String",)),
            ParamSpec("parse_mode", ("String",)),
            ParamSpec("entities", ("Array of MessageEntity",)),
            ParamSpec("link_preview_options", ("LinkPreviewOptions",)),
            ParamSpec("reply_markup", ("InlineKeyboardMarkup",)),
        ),
        flood_limited=True,
    ),
    MethodSpec(
        "editMessageReplyMarkup",
        (
            ParamSpec("chat_id", _CHAT_ID),
            ParamSpec("message_id", ("Integer",)),
            ParamSpec("reply_markup", ("InlineKeyboardMarkup",)),
        ),
        flood_limited=True,
    ),
    MethodSpec(
        "answerCallbackQuery",
        (
            ParamSpec("callback_query_id", ("String",), required=True),
            ParamSpec("text", ("String",)),
            ParamSpec("show_alert", ("Boolean",)),
            ParamSpec("url", ("String",)),
            ParamSpec("cache_time", ("Integer",)),
        ),
    ),
    MethodSpec(
        "setMyCommands",
        (ParamSpec("commands", ("Array of BotCommand",), required=True), *_COMMAND_TARGET),
    ),
    MethodSpec("getMyCommands", _COMMAND_TARGET),
    MethodSpec("deleteMyCommands", _COMMAND_TARGET),
    MethodSpec(
        "sendPhoto",
        (
            ParamSpec("chat_id", _CHAT_ID, required=True),
            ParamSpec("photo", ("InputFile", "String"), required=True),
            *_CAPTION,
            ParamSpec("has_spoiler", ("Boolean",)),
            *_SEND_OPTIONS,
        ),
        flood_limited=True,
    ),
    MethodSpec(
        "sendDocument",
        (
            ParamSpec("chat_id", _CHAT_ID, required=True),
            ParamSpec("document", ("InputFile", "String"), required=True),
            *_CAPTION,
            ParamSpec("disable_content_type_detection", ("Boolean",)),
            *_SEND_OPTIONS,
        ),
        flood_limited=True,
    ),
    MethodSpec(
        "sendChatAction",
        (
            ParamSpec("chat_id", _CHAT_ID, required=True),
            ParamSpec("action", ("String",), required=True),
        ),
    ),
    MethodSpec(
        "deleteMessage",
        (
            ParamSpec("chat_id", _CHAT_ID, required=True),
            ParamSpec("message_id", ("Integer",), required=True),
        ),
    ),
)

METHODS: dict[str, MethodSpec] = {spec.name: spec for spec in _SPECS}

# Telegram treats method names case-insensitively ("sendmessage" works too).
_BY_LOWER_NAME = {name.lower(): spec for name, spec in METHODS.items()}


def find_method(name: str) -> MethodSpec | None:
    """The emulated method called `name` (any letter case), or None."""
    return _BY_LOWER_NAME.get(name.lower())
