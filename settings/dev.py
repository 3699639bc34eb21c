"""Development settings: the base catalogue, verbose enough to follow a crawl."""

from settings.base import *  # noqa: F403

LOG_LEVEL = "INFO"
