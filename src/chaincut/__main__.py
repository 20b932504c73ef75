"""``python -m chaincut``: the same as the ``chaincut`` command."""

import sys

from chaincut.cli import main

sys.exit(main())
