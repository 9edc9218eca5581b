"""nudgebot: daily gut-brain habit nudges on Telegram that adapt to check-in replies."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nudgebot")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
