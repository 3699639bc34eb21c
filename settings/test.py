"""Test settings: fast and deterministic against the local replica server."""

from settings.base import *  # noqa: F403

DOWNLOAD_DELAY = 0
DOWNLOAD_TIMEOUT = 10
RETRY_TIMES = 1
PROVNEWS_RETRY_BACKOFF = 0.05
LOG_LEVEL = "WARNING"
CONCURRENT_REQUESTS_PER_DOMAIN = 8
