"""`python -m aeo`: the command line (aeo/cli.py)."""

import sys

from aeo.cli import main

sys.exit(main())
