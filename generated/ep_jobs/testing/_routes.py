"""Routing: which origin, API and job operation a request is for, from the profiles' endpoints."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, cast

import httpx

from .._job_model import Endpoint
from .._job_vocabulary import OPERATION_ROLES
from ._api import SimulatedApi

Operation = Literal["create", "list", "get", "cancel", "errors", "file", "download", "token"]
#: The roles the fake serves (of the vocabulary's `OPERATION_ROLES`; `logs` is not simulated yet).
JOB_OPERATIONS: Final[tuple[Operation, ...]] = cast(
    "tuple[Operation, ...]", tuple(role for role in OPERATION_ROLES if role != "logs")
)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """A request the fake received: `host` is `"api"`, `"storage"` or `"other"`; `api` and
    `operation` say which endpoint it matched (None if none)."""

    method: str
    url: str
    host: Literal["api", "storage", "other"]
    api: str | None
    operation: Operation | None
    headers: httpx.Headers
    content: bytes

    @property
    def path(self) -> str:
        return httpx.URL(self.url).path

    @property
    def authorization(self) -> str | None:
        return cast("str | None", self.headers.get("authorization"))

    def json(self) -> Any:
        return json.loads(self.content) if self.content else None


@dataclass(frozen=True, slots=True)
class Target:
    """Where a request goes: which host, job family (`api`) and operation, the path parameters,
    and the endpoint it matched."""

    host: Literal["api", "storage", "other"]
    path: str
    api: str | None = None
    operation: Operation | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    allowed: tuple[str, ...] = ()  # methods the path takes, when the request's is not one
    endpoint: Endpoint | None = None


@dataclass(frozen=True, slots=True)
class Route:
    api: str
    operation: Operation
    method: str
    pattern: re.Pattern[str]
    names: tuple[str, ...]
    endpoint: Endpoint


class Router:
    """Finds what a request is for: the storage origin serves downloads; on the API origin, the
    token endpoint and the endpoints of every profile, in profile order."""

    def __init__(self, apis: Mapping[str, SimulatedApi]) -> None:
        self._routes: list[Route] = []
        for spec in apis.values():
            profile = spec.profile
            cancel = profile.cancel_rule
            for operation in JOB_OPERATIONS:
                if operation == "create":  # every creator, in whichever API's paths it is
                    endpoints = list(profile.creators.values())
                elif operation == "cancel":
                    endpoints = [cancel.endpoint] if cancel is not None else []
                else:
                    found = cast(Endpoint | None, getattr(profile, operation))
                    endpoints = [found] if found is not None else []
                for endpoint in endpoints:
                    pattern, names = _compile(endpoint.path)
                    self._routes.append(
                        Route(
                            profile.name,
                            operation,
                            endpoint.method.upper(),
                            pattern,
                            names,
                            endpoint,
                        )
                    )

    def route(self, request: httpx.Request, api_url: str, storage_url: str) -> Target:
        """Where `request` goes, with the API served at `api_url` and files at `storage_url`."""
        origin = _origin(request.url)
        for host, base in (("api", api_url), ("storage", storage_url)):
            base_url = httpx.URL(base)
            prefix = base_url.path.rstrip("/")
            path = request.url.path
            if origin != _origin(base_url) or not (path + "/").startswith(prefix + "/"):
                continue
            path = path[len(prefix) :] or "/"
            if host == "storage":
                return Target("storage", path, operation="download")
            if path == "/oauth/access_token":
                return Target("api", path, operation="token")
            allowed: list[str] = []
            for route in self._routes:
                match = route.pattern.fullmatch(path)
                if match is None:
                    continue
                if route.method != request.method:
                    allowed.append(route.method)
                    continue
                params = {name: match[f"p{i}"] for i, name in enumerate(route.names)}
                return Target(
                    "api", path, route.api, route.operation, params, endpoint=route.endpoint
                )
            owner = next(
                (route.api for route in self._routes if route.pattern.fullmatch(path)), None
            )
            return Target("api", path, owner, allowed=tuple(sorted(set(allowed))))
        return Target("other", request.url.path)


def _compile(path: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    names: list[str] = []
    regex = ""
    for part in re.split(r"(\{[^{}/]+\})", path):
        if part.startswith("{") and part.endswith("}"):
            regex += f"(?P<p{len(names)}>[^/]+)"
            names.append(part[1:-1])
        else:
            regex += re.escape(part)
    return re.compile(regex), tuple(names)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default_port = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default_port
