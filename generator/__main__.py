"""`python -m generator` works like `jobgen`."""

from .cli import main

if __name__ == "__main__":
    main()
