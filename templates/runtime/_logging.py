"""The package logger, its environment switch, and redaction of secrets.

Every log line of the package goes through `logger`, which carries a `RedactingFilter`: even a
message that should never have held a secret leaves with the secret replaced. The first line of
defence is not to log secrets at all: headers and URLs are logged only through `redact_headers` and
`redact_url`, and request and response bodies (where client secrets and access tokens travel) are
never logged.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import urllib.parse
from collections.abc import Mapping
from typing import Final

import httpx

from ._constants import LOG_ENV_VAR, PACKAGE_NAME

__all__ = [
    "CREDENTIAL_HEADERS",
    "REDACTED",
    "RedactingFilter",
    "logger",
    "redact_headers",
    "redact_text",
    "redact_url",
    "setup_logging",
]

REDACTED: Final = "REDACTED"

#: Request headers that carry credentials: never logged, and never sent unauthenticated.
CREDENTIAL_HEADERS: Final = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-api-key", "x-amz-security-token"}
)
_SENSITIVE_HEADERS: Final = CREDENTIAL_HEADERS | {"set-cookie"}

# Query parameter names that carry credentials: OAuth fields, API keys, and the signatures and
# credentials of pre-signed download URLs (S3 `X-Amz-Signature`, Azure SAS `sig`).
_SENSITIVE_QUERY: Final = re.compile(
    r"secret|token|password|passwd|signature|credential|api[-_]?key|^key$|^sig$|^code$",
    re.IGNORECASE,
)

# What the filter rewrites in a finished log message: header lines (also as httpcore logs them,
# `(b'set-cookie', b'...')`), bearer tokens, and `name=value` / `"name": "value"` pairs whose name
# says they are secret (query strings included).
_TEXT_PATTERNS: Final = (
    (
        re.compile(
            r"""(?i)(b?['"](?:(?:proxy-)?authorization|cookie|set-cookie|x-api-key)['"],\s*b?['"])"""
            r"""[^'"]*"""
        ),
        rf"\1{REDACTED}",
    ),
    (
        re.compile(
            r"""(?i)\b((?:proxy-)?authorization|cookie|set-cookie|x-api-key)(["']?\s*[:=]\s*["']?)"""
            r"""[^"'\n,}]+"""
        ),
        rf"\1\2{REDACTED}",
    ),
    (re.compile(r"(?i)\bbearer\s+(?!REDACTED\b)[A-Za-z0-9\-._~+/]+=*"), f"Bearer {REDACTED}"),
    (
        re.compile(
            r"""(?i)(["']?\b[\w-]*(?:secret|token|password|passwd|signature|credential)[\w-]*["']?"""
            r"""\s*[:=]\s*["']?)(?!REDACTED\b)[^"'&\s,;}]+"""
        ),
        rf"\1{REDACTED}",
    ),
)

#: The package logger: `logging.getLogger("<package>")`.
logger: Final = logging.getLogger(PACKAGE_NAME)


def redact_headers(headers: Mapping[str, str] | httpx.Headers) -> dict[str, str]:
    """Headers fit for a log line: credentials and cookies replaced by `REDACTED`."""
    items = headers.multi_items() if isinstance(headers, httpx.Headers) else headers.items()
    return {
        name: REDACTED if name.lower() in _SENSITIVE_HEADERS else value for name, value in items
    }


def redact_url(url: str | httpx.URL) -> str:
    """A URL fit for a log line or an error message: no password, no secret query values."""
    parts = urllib.parse.urlsplit(str(url))
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{REDACTED}@{host}" if ":" in userinfo else f"{user}@{host}"
    query = "&".join(_redact_pair(pair) for pair in parts.query.split("&")) if parts.query else ""
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _redact_pair(pair: str) -> str:
    name, sep, _ = pair.partition("=")
    if sep and _SENSITIVE_QUERY.search(urllib.parse.unquote_plus(name)):
        return f"{name}={REDACTED}"
    return pair


def redact_text(text: str) -> str:
    """Free text with anything that looks like a credential replaced by `REDACTED`."""
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message through `redact_text` (and never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_FILTER: Final = RedactingFilter()
logger.addFilter(_FILTER)

# httpx logs each request URL at INFO (with its query: pre-signed download links carry credentials
# there) and httpcore logs response headers at DEBUG. A logger's filters only see records logged on
# that very logger, so the filter goes on each of them; it rewrites, it never drops a record.
_HTTP_LOGGERS: Final = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
for _name in _HTTP_LOGGERS:
    logging.getLogger(_name).addFilter(_FILTER)

_LEVELS: Final = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
_env_handler: logging.Handler | None = None


def setup_logging(environ: Mapping[str, str] | None = None) -> None:
    """Honour `<PACKAGE>_LOG=debug|info|warning|error`: log the package to stderr at that level.

    Called whenever a client is created; does nothing when the variable is unset or unknown, and
    adds at most one handler however often it is called.
    """
    global _env_handler
    value = (os.environ if environ is None else environ).get(LOG_ENV_VAR, "")
    level = _LEVELS.get(value.strip().lower())
    if level is None:
        return
    if _env_handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(_FILTER)
        logger.addHandler(handler)
        _env_handler = handler
    logger.setLevel(level)
