"""``python -m measure``: the build benchmark, see :mod:`measure.bench`."""

import sys

from .bench import main

sys.exit(main())
