"""The parts of a document around its operations and schemas: servers (each with a region), security
schemes, and webhooks (reported as skipped: they describe calls the API makes, not calls to it)."""

from __future__ import annotations

import re
from typing import Any

from .. import ir, naming
from ..diagnostics import Collector, join_pointer
from ..load import Document

# Words of a server's description that say nothing about where it is.
_NOT_A_REGION = frozenset({"production", "server", "servers", "api", "environment", "the", "url"})


def servers(data: Any) -> tuple[ir.Server, ...]:
    """The document's servers, variables replaced by their defaults, each named by its region."""
    result: list[ir.Server] = []
    regions = naming.Scope(sep="-")
    for server in data if isinstance(data, list) else []:
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        url = server["url"]
        for var, spec in (server.get("variables") or {}).items():
            if isinstance(spec, dict) and "default" in spec:
                url = url.replace("{" + var + "}", str(spec["default"]))
        about = str(server.get("description") or "")
        result.append(ir.Server(url.rstrip("/"), about, regions.claim(_region(about, url))))
    return tuple(result)


def _region(description: str, url: str) -> str:
    """A slug from the description's telling words (`EU West Production Server` -> `eu-west`), or
    else from the host's first label."""
    kept = [w.lower() for w in naming.words(description) if w.lower() not in _NOT_A_REGION]
    if kept:
        return "-".join(kept)
    host = re.sub(r"^[a-z]+://", "", url).split("/")[0].split(".")[0]
    return naming.snake(host, empty="default").replace("_", "-")


def auth_schemes(data: dict[str, Any]) -> tuple[str, ...]:
    """The names of the document's security schemes, sorted."""
    schemes = (data.get("components") or {}).get("securitySchemes") or {}
    return tuple(sorted(str(k) for k in schemes))


def skip_webhooks(doc: Document, report: Collector) -> None:
    hooks = doc.data.get("webhooks")
    if isinstance(hooks, dict):
        for hook in hooks:
            report.skip(
                "webhooks describe calls the API makes, not calls a client makes",
                doc.location(join_pointer("/webhooks", hook)),
                "webhook",
            )
