"""Every default of the runtime in one place; each one can be overridden per client and per call."""

from __future__ import annotations

from typing import Final

import httpx

from ._version import __version__

#: The top-level package this runtime was copied into (`ep_jobs`, ...): names the logger, the
#: logging environment variable and the User-Agent, so the same file works under any package name.
PACKAGE_NAME: Final = __name__.split(".")[0]

#: Setting this environment variable to `debug` (or `info`) logs the package's requests to stderr.
LOG_ENV_VAR: Final = f"{PACKAGE_NAME.upper()}_LOG"

USER_AGENT: Final = f"{PACKAGE_NAME}/{__version__} httpx/{httpx.__version__}"

# -- timeouts and retries --------------------------------------------------------------------------

#: 60 s to read or write, but only 5 s to connect: an unreachable host fails fast and is retried.
DEFAULT_TIMEOUT: Final = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES: Final = 2

#: Backoff before retry n (0-based): `min(INITIAL_RETRY_DELAY * 2**n, MAX_RETRY_DELAY)`, scaled by a
#: random factor in `(1 - RETRY_JITTER, 1]` so that many clients do not retry in step.
INITIAL_RETRY_DELAY: Final = 0.5
MAX_RETRY_DELAY: Final = 8.0
RETRY_JITTER: Final = 0.25

#: A server's `Retry-After` / `retry-after-ms` is honoured up to this many seconds; a longer (or
#: unparseable) one falls back to the backoff above rather than stalling the caller.
MAX_RETRY_AFTER: Final = 60.0

# -- authentication --------------------------------------------------------------------------------

TOKEN_PATH: Final = "/oauth/access_token"

#: A cached access token is replaced this many seconds before it expires (capped at half its
#: lifetime), so a request never leaves with a token that expires on the way.
TOKEN_REFRESH_LEEWAY: Final = 60.0

REQUEST_ID_HEADER: Final = "x-request-id"

# -- job polling (used by `_jobs.py`) --------------------------------------------------------------

#: Poll delay n: `min(DEFAULT_POLL_INITIAL_DELAY * DEFAULT_POLL_MULTIPLIER**n,
#: DEFAULT_POLL_MAX_DELAY)`, scaled by a random factor in `(1 - DEFAULT_POLL_JITTER, 1]`.
DEFAULT_POLL_INITIAL_DELAY: Final = 1.0
DEFAULT_POLL_MULTIPLIER: Final = 1.5
DEFAULT_POLL_MAX_DELAY: Final = 30.0
DEFAULT_POLL_JITTER: Final = 0.25
#: How long (seconds) `wait`/`watch` go on polling a job whose status word no profile maps before
#: raising `JobStatusUnknownError`: long enough for a short-lived state the profile missed, short
#: enough that a failure spelled in an unexpected word never means waiting forever.
DEFAULT_UNKNOWN_STATUS_LIMIT: Final = 300.0
