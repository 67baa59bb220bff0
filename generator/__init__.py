"""jobgen: a build step that turns Elastic Path job API specs into one typed Python client package."""

__version__ = "0.1.0"
