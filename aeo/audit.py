"""`python -m aeo.audit URL [options]`: the same as `aeo audit URL`."""

import sys

from aeo.cli import main

if __name__ == "__main__":
    sys.exit(main(["audit", *sys.argv[1:]]))
