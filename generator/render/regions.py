"""The package's regions: one base URL per region that the specs' `servers` name."""

from __future__ import annotations

from collections.abc import Iterable

from .. import ir


def choose_regions(apis: Iterable[ir.Api]) -> list[tuple[str, str]]:
    """One URL per region: the one most specs agree on; ties go to the first spec that names it."""
    votes: dict[str, dict[str, int]] = {}
    first_seen: dict[tuple[str, str], int] = {}
    counter = 0
    for api in apis:
        for server in api.servers:
            votes.setdefault(server.region, {}).setdefault(server.url, 0)
            votes[server.region][server.url] += 1
            first_seen.setdefault((server.region, server.url), counter)
            counter += 1
    result: list[tuple[str, str]] = []
    for region, urls in votes.items():
        url = min(urls, key=lambda u: (-urls[u], first_seen[(region, u)]))
        result.append((region, url))
    return result
