"""``python -m bookbuild html|pdf``: see :mod:`bookbuild.build`."""

import sys

from .build import main

sys.exit(main())
