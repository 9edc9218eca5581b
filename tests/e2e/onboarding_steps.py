"""Going through /start's questions in the sandbox, as a subscriber would, for any e2e test."""

from __future__ import annotations

from typing import Any

from tests.e2e.sandbox_client import SandboxClient, button_data, wait_until

ACCEPT = "o:yes"
DECLINE = "o:no"
SKIP = "!skip"
STEPS = ("tz", "tm", "tp", "wb", "ln")


def step_of(message: dict[str, Any]) -> str | None:
    """The onboarding question a message's buttons answer ("tz", "tm", ...), if any."""
    for data in button_data(message):
        parts = data.split(":", 3)
        if len(parts) == 4 and parts[0] == "o":
            return parts[2]
    return None


def data_for(message: dict[str, Any], value: str) -> str:
    """The callback data of the button of `message` that carries `value`."""
    matching = [d for d in button_data(message) if d.split(":", 3)[-1] == value]
    assert matching, f"no button with value {value!r} in {button_data(message)}"
    return matching[0]


async def latest(client: SandboxClient, user_id: int) -> dict[str, Any]:
    """The bot's newest message in the chat."""
    messages = await client.wait_for_messages(user_id, 1)
    return messages[-1]


def current_question(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest message with onboarding buttons (later replies to typing have none)."""
    asking = [m for m in messages if step_of(m) is not None]
    return asking[-1] if asking else None


async def wait_for_step(client: SandboxClient, user_id: int, step: str) -> dict[str, Any]:
    """The newest question once it is question `step`."""

    def asks(messages: list[dict[str, Any]]) -> bool:
        question = current_question(messages)
        return question is not None and step_of(question) == step

    messages = await wait_until(lambda: client.messages(user_id), asks)
    question = current_question(messages)
    assert question is not None
    return question


async def choose(client: SandboxClient, user_id: int, step: str, value: str) -> None:
    """Wait for question `step` and press the button carrying `value` (or SKIP)."""
    message = await wait_for_step(client, user_id, step)
    await client.press(user_id, message["message_id"], data_for(message, value))


async def accept_note(
    client: SandboxClient, user_id: int, first_name: str = "Ada", language_code: str = "en"
) -> dict[str, Any]:
    """Send /start in a new chat, accept the note, and return the first question's message."""
    await client.say(user_id, "/start", first_name=first_name, language_code=language_code)
    [note] = await client.wait_for_messages(user_id, 1)
    await client.press(user_id, note["message_id"], ACCEPT)
    return await wait_for_step(client, user_id, STEPS[0])


async def skip_questions(client: SandboxClient, user_id: int) -> dict[str, Any]:
    """Skip every question (keeping the defaults) and return the first tip once it arrives."""
    for step in STEPS:
        await choose(client, user_id, step, SKIP)
    messages = await wait_until(
        lambda: client.messages(user_id),
        lambda m: any(d.startswith("c:") for d in button_data(m[-1])),
    )
    return messages[-1]


async def subscribe(
    client: SandboxClient, user_id: int, first_name: str = "Ada", language_code: str = "en"
) -> dict[str, Any]:
    """Start a new chat, accept the note, skip every question, and return the first tip."""
    await accept_note(client, user_id, first_name, language_code)
    return await skip_questions(client, user_id)
