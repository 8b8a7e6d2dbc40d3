"""``python -m salescore``: the same command line as the ``salescore`` script."""

import sys

from .cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
