"""``python -m autograd_core train ...``: the demo (see autograd_core/cli.py)."""

import sys

from .cli import main

sys.exit(main())
