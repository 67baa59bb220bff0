"""jobgen: a build step that turns Elastic Path job API specs into one typed Python client package."""

from pathlib import Path as _Path

from .inputs import source_digest as _source_digest

__version__ = "0.1.0"

# The generator's sources as this process loaded them. The result cache stores a result only while
# they are still what is on disk: a long-lived process (a test session, an editor) may be running
# older code than the files it would fingerprint, and must not store its output under their key.
LOADED_SOURCES = _source_digest(_Path(__file__).resolve().parent)
