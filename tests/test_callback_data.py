"""The callback-data format of check-in buttons."""

from __future__ import annotations

import pytest

from nudgebot.bot.callback_data import (
    MAX_CALLBACK_DATA_BYTES,
    CheckinPress,
    SafetyAnswer,
    decode_checkin,
    decode_safety,
    encode_checkin,
    encode_safety,
)
from nudgebot.content.limits import MAX_OPTION_ID_BYTES


@pytest.mark.parametrize("delivery_id", [0, 1, 35, 36, 123_456_789, 2**63 - 1])
def test_round_trip(delivery_id: int) -> None:
    """Encoding then decoding gives back the delivery and option."""
    data = encode_checkin(delivery_id, "done")

    assert decode_checkin(data) == CheckinPress(delivery_id, "done")


def test_largest_ids_fit_telegram_limit() -> None:
    """Even the largest delivery id with the longest option id fits in 64 bytes."""
    data = encode_checkin(2**62, "x" * MAX_OPTION_ID_BYTES)

    assert len(data.encode()) <= MAX_CALLBACK_DATA_BYTES


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "garbage",
        "c:1",
        "c::done",
        "c:1:",
        "c:1:done:extra",
        "c:-1:done",
        "c:1:DONE",
        "c:1:do ne",
        "x:1:done",
        "c:" + "z" * 14 + ":done",
        "c:" + "z" * 13 + ":done",  # 13 digits, but past the largest BIGINT
        "c:1y2p0ij32e8e8:done",  # 2**63: one past it
        "c:1:" + "a" * (MAX_OPTION_ID_BYTES + 1),
        "c:١:done",  # a non-ASCII digit
    ],
    ids=repr,
)
def test_anything_else_is_refused(data: str | None) -> None:
    """Data that is not exactly the format decodes to None, never to a press."""
    assert decode_checkin(data) is None


def test_a_delivery_id_past_bigint_cannot_be_encoded() -> None:
    """Delivery ids are BIGINT: a larger one is an error, not data no database can look up."""
    with pytest.raises(ValueError, match="out of range"):
        encode_checkin(2**63, "done")


def test_option_that_cannot_be_encoded_is_an_error() -> None:
    """An option id outside the allowed alphabet is refused at encoding time."""
    with pytest.raises(ValueError, match="cannot be encoded"):
        encode_checkin(1, "Did it")


def test_safety_buttons_round_trip_and_forged_data_is_refused() -> None:
    """A safety question's buttons decode to their kind and answer; anything else is None."""
    assert decode_safety(encode_safety("crisis", True)) == SafetyAnswer("crisis", True)
    assert decode_safety(encode_safety("red_flag", False)) == SafetyAnswer("red_flag", False)
    for forged in ("sf:crisis:maybe", "sf:other:help", "sf:crisis:help:x", "", None):
        assert decode_safety(forged) is None
    with pytest.raises(ValueError, match="no safety question"):
        encode_safety("other", True)
