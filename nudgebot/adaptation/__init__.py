"""Choosing the next tip for a subscriber."""

from nudgebot.adaptation.selection import TipChoice, choose_tip

__all__ = ["TipChoice", "choose_tip"]
