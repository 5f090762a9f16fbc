import sys

from aeo.cli import main

sys.exit(main())
