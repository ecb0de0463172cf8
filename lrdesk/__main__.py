"""Allow ``python -m lrdesk``."""

import sys

from lrdesk.cli import main

sys.exit(main())
