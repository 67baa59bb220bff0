"""The view of the package's release history (`CHANGELOG.md`)."""

from __future__ import annotations

from ..changes import Change, Release, inline_code
from .views import ChangelogView, ChangeView, ReleaseView


def changelog_view(releases: tuple[Release, ...]) -> ChangelogView:
    return ChangelogView([_release_view(release) for release in releases])


def _release_view(release: Release) -> ReleaseView:
    kinds: dict[str, list[ChangeView]] = {"added": [], "changed": [], "removed": []}
    for change in release.changes:
        kinds[change.kind].append(_change_view(change))
    return ReleaseView(
        version=release.version,
        first=release.first,
        breaking=sum(change.breaking for change in release.changes),
        added=kinds["added"],
        changed=kinds["changed"],
        removed=kinds["removed"],
    )


def _change_view(change: Change) -> ChangeView:
    # The message is Markdown already (its values are inline code); kept to one line.
    return ChangeView(
        symbol=inline_code(change.symbol),
        message=" ".join(change.message.split()),
        location=inline_code(change.location),
        breaking=change.breaking,
    )
