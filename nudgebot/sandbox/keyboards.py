"""Reply markup as Telegram checks it: inline keyboards, reply keyboards, removal, force reply."""

from __future__ import annotations

from typing import Any

from nudgebot.sandbox.errors import BotApiError, bad_request

# An inline button carries its label plus exactly one of these actions.
_INLINE_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_BUTTON_STYLES = frozenset({"danger", "success", "primary"})
MAX_CALLBACK_DATA_BYTES = 64


def check_reply_markup(markup: dict[str, Any], *, inline_only: bool = False) -> None:
    """Refuse markup Telegram would refuse, with Telegram's wording."""
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif inline_only:
        raise bad_request("inline keyboard expected")
    elif "keyboard" in markup:
        _check_reply_keyboard(markup["keyboard"])
    elif markup.get("remove_keyboard") is not True and markup.get("force_reply") is not True:
        raise _unparsable()


def inline_keyboard(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The markup as a `Message` shows it: Telegram echoes inline keyboards only."""
    if markup is not None and "inline_keyboard" in markup:
        return markup
    return None


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _unparsable()
    for row in rows:
        for button in row:
            _check_inline_button(button)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _unparsable()
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = _INLINE_ACTIONS.intersection(button)
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one action field must be set, "
            f"got {', '.join(sorted(actions))}"
        )
    if "style" in button and button["style"] not in _BUTTON_STYLES:
        raise bad_request("can't parse inline keyboard button: unsupported style")
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not (isinstance(button["url"], str) and button["url"]):
        raise bad_request("BUTTON_URL_INVALID")


def _check_reply_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _unparsable()
    for row in rows:
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text.strip():
                raise bad_request("can't parse keyboard button: Text must be non-empty")


def _unparsable() -> BotApiError:
    return bad_request("can't parse reply keyboard markup JSON object")
