"""The simulation's Telegram: the outbox sends here, and the run loop reads each chat's inbox.

It matches `nudgebot.delivery.transport.OutboxSender` structurally (the simulation may not import
the delivery layer). Sending only records: a few appends, so the bot's cost is what a run
measures, not this fake's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nudgebot.content.rendering import RenderedNotice, RenderedTip, RenderedWellbeing


@dataclass
class Inbox:
    """What the chats received since the last drain, in sending order per kind."""

    # (chat id, delivery id, tip id)
    tips: list[tuple[int, int, str]] = field(default_factory=list)
    # (chat id, delivery id)
    wellbeing: list[tuple[int, int]] = field(default_factory=list)
    # (chat id, delivery id, notice kind)
    notices: list[tuple[int, int, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.tips or self.wellbeing or self.notices)


class SimulatedTelegram:
    """An OutboxSender that records what each chat received and returns fresh message ids."""

    def __init__(self) -> None:
        self._inbox = Inbox()
        self._last_message_id = 0

    async def send_tip(self, chat_id: int, delivery_id: int, tip: RenderedTip) -> int:
        """Record the tip for the chat's person to react to."""
        self._inbox.tips.append((chat_id, delivery_id, tip.tip_id))
        return self._next_message_id()

    async def send_wellbeing(
        self,
        chat_id: int,
        delivery_id: int,
        checkin: RenderedWellbeing,  # noqa: ARG002 - the person answers every question anyway
    ) -> int:
        """Record the wellbeing check-in for the chat's person to answer."""
        self._inbox.wellbeing.append((chat_id, delivery_id))
        return self._next_message_id()

    async def send_notice(self, chat_id: int, delivery_id: int, notice: RenderedNotice) -> int:
        """Record a notice ("dormant", "resume", ...) by its kind."""
        self._inbox.notices.append((chat_id, delivery_id, notice.kind))
        return self._next_message_id()

    def drain(self) -> Inbox:
        """Everything received since the last drain; the inbox starts empty again."""
        inbox, self._inbox = self._inbox, Inbox()
        return inbox

    def _next_message_id(self) -> int:
        self._last_message_id += 1
        return self._last_message_id
