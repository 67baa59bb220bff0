"""Logging: the package logger, the environment switch, and secrets redacted everywhere."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
import rt_pkg
from rt_pkg import _logging
from rt_pkg._auth import BearerToken, ClientCredentials, ImplicitGrant
from rt_pkg._constants import LOG_ENV_VAR, PACKAGE_NAME
from rt_pkg._exceptions import APIError, AuthenticationError
from rt_pkg._logging import redact_headers, redact_text, redact_url

MakeApi = Callable[..., Any]
SECRET = "client-secret-Zq81xv"
TOKEN = "access-token-Yp27wu"


def test_the_logger_and_variable_are_named_after_the_package() -> None:
    assert _logging.logger.name == PACKAGE_NAME == rt_pkg.__name__
    assert f"{PACKAGE_NAME.upper()}_LOG" == LOG_ENV_VAR


# -- the helpers -----------------------------------------------------------------------------------


def test_redact_headers() -> None:
    headers = httpx.Headers(
        {"Authorization": "Bearer x", "Cookie": "a=b", "set-cookie": "c=d", "X-Request-Id": "r"}
    )
    assert redact_headers(headers) == {
        "authorization": "REDACTED",
        "cookie": "REDACTED",
        "set-cookie": "REDACTED",
        "x-request-id": "r",
    }
    assert redact_headers({"Proxy-Authorization": "p", "Accept": "*/*"}) == {
        "Proxy-Authorization": "REDACTED",
        "Accept": "*/*",
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.test/v2/jobs?page[limit]=5", "https://api.test/v2/jobs?page[limit]=5"),
        (
            "https://api.test/x?client_secret=s&access_token=t&id=1",
            "https://api.test/x?client_secret=REDACTED&access_token=REDACTED&id=1",
        ),
        (
            "https://b.s3.amazonaws.com/f.csv?X-Amz-Credential=c&X-Amz-Signature=s&X-Amz-Expires=60",
            "https://b.s3.amazonaws.com/f.csv?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED"
            "&X-Amz-Expires=60",
        ),
        ("https://acct.blob.test/f?sv=1&sig=abc", "https://acct.blob.test/f?sv=1&sig=REDACTED"),
        ("https://user:pass@api.test/", "https://user:REDACTED@api.test/"),
        ("https://api.test/x?flag", "https://api.test/x?flag"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
        ("headers={'authorization': 'Bearer abc123'}", "abc123"),
        ("client_secret=hunter2&grant_type=client_credentials", "hunter2"),
        ('{"access_token": "tok123", "expires_in": 3600}', "tok123"),
        ("[(b'set-cookie', b'session=xyz; HttpOnly')]", "session=xyz"),
        ("cookie: a=1; b=2", "a=1"),
        ("password = 'p4ss'", "p4ss"),
    ],
)
def test_redact_text(text: str, secret: str) -> None:
    redacted = redact_text(text)
    assert secret not in redacted
    assert "REDACTED" in redacted


def test_redact_text_leaves_ordinary_text_alone() -> None:
    text = (
        "Retrying GET https://api.test/v2/jobs?page[limit]=5 in 0.50 s after 503 "
        "(grant_type=implicit)"
    )
    assert redact_text(text) == text


def test_the_filter_rewrites_records_of_the_package_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger=PACKAGE_NAME):
        _logging.logger.debug("sent %s", {"Authorization": f"Bearer {TOKEN}"})
    assert TOKEN not in caplog.text
    assert "REDACTED" in caplog.text


# -- no secret anywhere ----------------------------------------------------------------------------


def test_reprs_never_show_secrets() -> None:
    for auth in (ClientCredentials("cid", SECRET), BearerToken(TOKEN), ImplicitGrant("cid")):
        for text in (repr(auth), str(auth), repr(vars(auth))):
            assert SECRET not in text
            assert TOKEN not in text
    assert (
        repr(ClientCredentials("cid", SECRET))
        == "ClientCredentials(client_id='cid', client_secret=REDACTED)"
    )


def everything_said(caplog: pytest.LogCaptureFixture, *objects: object) -> str:
    """The log output, plus str/repr/traceback of each object (exceptions with their chain)."""
    parts = [caplog.text, *(r.getMessage() for r in caplog.records)]
    for obj in objects:
        parts += [str(obj), repr(obj)]
        if isinstance(obj, BaseException):
            parts.append("".join(traceback.format_exception(obj)))
    return "\n".join(parts)


def test_no_secret_reaches_logs_reprs_or_errors(
    make_api: MakeApi, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: the package's, httpx's, httpcore's
    issued = iter([f"{TOKEN}-1", f"{TOKEN}-2"])
    router.post("/oauth/access_token").mock(
        side_effect=lambda request: httpx.Response(
            200,
            json={"access_token": next(issued), "expires_in": 3600},
            headers={"Set-Cookie": f"session={TOKEN}"},
        )
    )
    router.get("/v2/jobs").mock(
        side_effect=[
            httpx.Response(503),  # a retry, logged
            httpx.Response(401),  # a renewal and replay, logged
            httpx.Response(200, json={}),
            httpx.Response(403, json={"errors": [{"status": 403, "title": "Forbidden"}]}),
        ]
    )
    auth = ClientCredentials("cid", SECRET)
    api = make_api(auth=auth)
    api.request("GET", "/v2/jobs", params={"client_secret": SECRET})
    with pytest.raises(APIError) as caught:
        api.request("GET", "/v2/jobs", options={"extra_query": {"token": TOKEN}})
    said = everything_said(caplog, caught.value, api.client, auth)
    assert "Retrying GET" in said and "renewing it" in said and "Request: GET" in said
    assert SECRET not in said
    assert TOKEN not in said


def test_a_failed_token_request_says_no_secret(
    make_api: MakeApi, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    router.post("/oauth/access_token").respond(
        401, json={"errors": [{"status": 401, "title": "Unauthorized", "detail": "invalid client"}]}
    )
    api = make_api(auth=ClientCredentials("cid", SECRET))
    with pytest.raises(AuthenticationError) as caught:
        api.request("GET", "/v2/jobs")
    assert SECRET not in everything_said(caplog, caught.value)


def test_real_http_logs_of_httpx_and_httpcore_are_redacted(
    make_api: MakeApi, local_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api = make_api(base_url=local_server.base_url, auth=ClientCredentials("cid", SECRET))
    api.request("GET", "/ok", params={"client_secret": SECRET, "X-Amz-Signature": TOKEN})
    loggers = {record.name.split(".")[0] for record in caplog.records}
    assert {"httpx", "httpcore", PACKAGE_NAME} <= loggers  # the test saw all three speak
    said = everything_said(caplog)
    for secret in (SECRET, TOKEN, local_server.token, local_server.cookie):
        assert secret not in said


# -- the environment switch ------------------------------------------------------------------------

SCRIPT = textwrap.dedent(
    """
    import httpx, importlib
    package = importlib.import_module({package!r})
    base = importlib.import_module({package!r} + "._base_client")
    auth = importlib.import_module({package!r} + "._auth")

    statuses = iter({statuses!r})

    def handler(request):
        if request.url.path == "/oauth/access_token":
            return httpx.Response(200, json={{"access_token": {token!r}, "expires_in": 3600}})
        return httpx.Response(next(statuses), json={{}})

    client = base.SyncAPIClient(
        base_url="https://api.test",
        auth=auth.ClientCredentials("cid", {secret!r}),
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        _sleep=lambda seconds: None,
    )
    client.request("GET", "/v2/jobs")
    print("done")
    """
)


def run_script(
    env_value: str | None, statuses: tuple[int, ...] = (200,)
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != LOG_ENV_VAR}
    if env_value is not None:
        env[LOG_ENV_VAR] = env_value
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    code = SCRIPT.format(package=PACKAGE_NAME, token=TOKEN, secret=SECRET, statuses=statuses)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_the_environment_variable_turns_on_debug_logging_to_stderr() -> None:
    result = run_script("debug")
    assert result.stdout.strip() == "done"
    assert f"DEBUG {PACKAGE_NAME}: Request: GET https://api.test/v2/jobs" in result.stderr
    assert "Requesting an access token (grant_type=client_credentials)" in result.stderr
    assert "'authorization': 'REDACTED'" in result.stderr
    assert SECRET not in result.stderr
    assert TOKEN not in result.stderr


@pytest.mark.parametrize("value", [None, "", "verbose"])
def test_without_the_variable_nothing_is_logged(value: str | None) -> None:
    assert run_script(value).stderr == ""


def test_setup_logging_ignores_unknown_levels() -> None:
    before = list(_logging.logger.handlers)
    _logging.setup_logging({LOG_ENV_VAR: "loud"})
    assert _logging.logger.handlers == before


def test_info_shows_retries_but_not_requests() -> None:
    result = run_script("info", statuses=(503, 200))
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert f"INFO {PACKAGE_NAME}: Retrying GET https://api.test/v2/jobs in " in lines[0]
    assert "after 503 Service Unavailable" in lines[0]
