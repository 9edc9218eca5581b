"""The sandbox against the official Bot API reference (../shared/telegram-bot-api/api.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nudgebot.sandbox.methods import METHODS
from tests.sandbox.png_images import png_bytes
from tests.sandbox.sandbox_clients import BotApiClient, ControlClient

API_JSON = Path(__file__).resolve().parents[2].parent / "shared/telegram-bot-api/api.json"
SCALARS = {
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "String": lambda v: isinstance(v, str),
    "Boolean": lambda v: isinstance(v, bool),
    "True": lambda v: v is True,
}
# Result types the scenario below must have produced and checked.
EXPECTED_TYPES = {
    "User",
    "Message",
    "Chat",
    "CallbackQuery",
    "Update",
    "MessageEntity",
    "PhotoSize",
    "Document",
    "BotCommand",
    "WebhookInfo",
    "InlineKeyboardMarkup",
    "InlineKeyboardButton",
}


@pytest.fixture(scope="module")
def api() -> dict[str, Any]:
    """The official reference, or a skip when this checkout has no ../shared beside it."""
    if not API_JSON.is_file():
        pytest.skip(f"the Bot API reference is not at {API_JSON}")
    reference: dict[str, Any] = json.loads(API_JSON.read_text(encoding="utf-8"))
    return reference


def test_every_emulated_method_exists_in_the_reference(api: dict[str, Any]) -> None:
    """Each method the sandbox emulates is a Bot API method of that exact name."""
    assert set(METHODS) <= set(api["methods"])


@pytest.mark.parametrize("method", sorted(METHODS))
def test_declared_parameters_match_the_reference(api: dict[str, Any], method: str) -> None:
    """Each declared parameter exists with the reference's types and required flag."""
    official = {field["name"]: field for field in api["methods"][method].get("fields", [])}

    for param in METHODS[method].params:
        assert param.name in official, f"{method}.{param.name} is not in the reference"
        field = official[param.name]
        assert list(param.types) == field["types"], f"{method}.{param.name} types"
        assert param.required == field["required"], f"{method}.{param.name} required"


def test_required_parameters_are_all_declared(api: dict[str, Any]) -> None:
    """No method silently ignores a parameter the reference requires."""
    for method, spec in METHODS.items():
        required = {f["name"] for f in api["methods"][method].get("fields", []) if f["required"]}
        declared = {p.name for p in spec.params}
        assert required <= declared, f"{method} misses {required - declared}"


class _Checker:
    """Walks a result against the reference's types, collecting problems."""

    def __init__(self, api: dict[str, Any]) -> None:
        self.types: dict[str, Any] = api["types"]
        self.seen: set[str] = set()

    def problems(self, value: Any, kinds: list[str], path: str) -> list[str]:
        found: list[str] = []
        for kind in kinds:
            found = self._as(value, kind, path)
            if not found:
                return []
        return found

    def _as(self, value: Any, kind: str, path: str) -> list[str]:
        if kind.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path}: expected {kind}"]
            item = kind.removeprefix("Array of ")
            return [
                p for i, v in enumerate(value) for p in self.problems(v, [item], f"{path}[{i}]")
            ]
        if kind in SCALARS:
            return [] if SCALARS[kind](value) else [f"{path}: expected {kind}, got {value!r}"]
        spec = self.types[kind]
        if spec.get("subtypes"):
            return self.problems(value, spec["subtypes"], path)
        if not isinstance(value, dict):
            return [f"{path}: expected a {kind} object"]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        found = [f"{path}.{name}: not a field of {kind}" for name in value if name not in fields]
        found += [
            f"{path}: {kind} lacks required {name}"
            for name, field in fields.items()
            if field["required"] and name not in value
        ]
        for name, field_value in value.items():
            if name in fields:
                found += self.problems(field_value, fields[name]["types"], f"{path}.{name}")
        if not found:
            self.seen.add(kind)
        return found


async def test_results_use_only_reference_fields_with_required_ones_present(
    api: dict[str, Any], bot: BotApiClient, control: ControlClient
) -> None:
    """Every result the sandbox returns fits its method's documented return type."""
    checker = _Checker(api)
    keyboard = {"inline_keyboard": [[{"text": "Did it", "callback_data": "did"}]]}
    results: list[tuple[str, Any]] = []

    async def record(method: str, **params: Any) -> Any:
        result = await bot.result(method, **params)
        results.append((method, result))
        return result

    await record("getMe")
    await record("getWebhookInfo")
    await record("deleteWebhook")
    sent = await record(
        "sendMessage",
        chat_id=5,
        text='<b>Tip</b> <a href="https://example.org">why</a> 🌱',
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    await record("editMessageText", chat_id=5, message_id=sent["message_id"], text="Done")
    await record(
        "editMessageReplyMarkup", chat_id=5, message_id=sent["message_id"], reply_markup=keyboard
    )
    photo = await bot.call(
        "sendPhoto",
        {"chat_id": 5, "caption": "<i>chart</i>", "parse_mode": "HTML"},
        encoding="multipart",
        files={"photo": ("c.png", png_bytes(4, 3), "image/png")},
    )
    results.append(("sendPhoto", photo.json()["result"]))
    document = await bot.call(
        "sendDocument",
        {"chat_id": 5},
        encoding="multipart",
        files={"document": ("d.csv", b"a,b\n", "text/csv")},
    )
    results.append(("sendDocument", document.json()["result"]))
    await record("setMyCommands", commands=[{"command": "start", "description": "Start"}])
    await record("getMyCommands")
    await record("sendChatAction", chat_id=5, action="typing")
    await control.say(5, "/start", first_name="Ada", language_code="en")
    query_id = (await control.press(5, sent["message_id"], "did")).json()["callback_query_id"]
    await record("getUpdates")
    await record("answerCallbackQuery", callback_query_id=query_id)
    await record("deleteMessage", chat_id=5, message_id=sent["message_id"])

    problems = [
        problem
        for method, result in results
        for problem in checker.problems(result, api["methods"][method]["returns"], method)
    ]
    assert problems == []
    assert checker.seen >= EXPECTED_TYPES
