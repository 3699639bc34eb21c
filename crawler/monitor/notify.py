"""Sending alerts through Apprise (email, Telegram, Slack, webhooks... one URL each).

Secrets never live in the saved URL: write ``${NAME}`` where a password or token goes and
it is read from the environment at sending time (``mailtos://alerts:${SMTP_PASSWORD}@...``).
A URL with a literal password is refused when a watchlist is saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import warnings
from collections.abc import Mapping
from functools import cache
from types import ModuleType
from urllib.parse import urlsplit

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class NotifyError(ValueError):
    """A notification URL is unusable; the message is one line and never shows a secret."""


@cache
def load_apprise() -> ModuleType:
    """Apprise, imported without the DeprecationWarning its optional PGP support raises on
    Python 3.11-3.12 (it imports ``imghdr`` lazily; imported here once, silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with contextlib.suppress(ImportError):
            import imghdr  # noqa: F401
        import apprise
    return apprise


def target_id(url: str) -> str:
    """Stable id of a saved target URL (as saved, before ``${NAME}`` expansion)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def expand(url: str, environ: Mapping[str, str]) -> str:
    """``url`` with each ``${NAME}`` replaced by the environment's value."""
    missing = [name for name in ENV_REF.findall(url) if name not in environ]
    if missing:
        raise NotifyError(f"environment variable {missing[0]} is not set (a notification URL needs it)")
    return ENV_REF.sub(lambda m: environ[m.group(1)], url)


def masked(url: str) -> str:
    """The URL as safe to print: Apprise's privacy form, or only its scheme if unknown."""
    if ENV_REF.search(url):
        return url  # secrets are ${NAME} references, nothing to hide
    server = load_apprise().Apprise.instantiate(url, suppress_exceptions=True)
    return server.url(privacy=True) if server else f"{urlsplit(url).scheme}://…"


def check_target(url: str) -> None:
    """Refuse a URL Apprise does not know, or one with a literal password."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password and not ENV_REF.fullmatch(password):
        raise NotifyError("notification URL has a literal password: write ${NAME} in its place "
                          "and set NAME in the environment")  # fmt: skip
    probe = ENV_REF.sub("placeholder", url)
    if load_apprise().Apprise.instantiate(probe, suppress_exceptions=True) is None:
        scheme = urlsplit(url).scheme or url[:20]
        raise NotifyError(f"invalid notification URL ({scheme}://…): Apprise does not recognise it "
                          "(see https://github.com/caronc/apprise/wiki)")  # fmt: skip


def send(url: str, title: str, body: str, environ: Mapping[str, str]) -> str | None:
    """Send one message to one target; None when sent, else the reason it failed (one line)."""
    apprise = load_apprise()
    try:
        server = apprise.Apprise()
        if not server.add(expand(url, environ)):
            return "invalid notification URL"
        with apprise.LogCapture(level=apprise.logging.WARNING, fmt="%(message)s") as log:
            ok = server.notify(title=title, body=body)
            captured = log.getvalue()
    except NotifyError as exc:
        return str(exc)
    if ok:
        return None
    lines = [" ".join(line.split()) for line in captured.splitlines() if line.strip()]
    detail = "; ".join(lines[-2:]) if lines else "no detail from Apprise"
    return f"sending failed: {_scrub(detail, url, environ)}"


def _scrub(text: str, url: str, environ: Mapping[str, str]) -> str:
    for name in ENV_REF.findall(url):
        if environ.get(name):
            text = text.replace(environ[name], "***")
    return text
