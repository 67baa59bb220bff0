"""jobgen."""
