"""The content library: typed tips, topics, check-ins and UI strings loaded from YAML."""

from nudgebot.content.library import ContentLibrary
from nudgebot.content.loading import load_library
from nudgebot.content.localized import language_of
from nudgebot.content.problems import ContentError, Problem
from nudgebot.content.rendering import Button, RenderedTip, render_tip
from nudgebot.content.schema import Outcome, Tip, Topic
from nudgebot.content.store import ContentStore
from nudgebot.content.ui_keys import UiKey

__all__ = [
    "Button",
    "ContentError",
    "ContentLibrary",
    "ContentStore",
    "Outcome",
    "Problem",
    "RenderedTip",
    "Tip",
    "Topic",
    "UiKey",
    "language_of",
    "load_library",
    "render_tip",
]
