"""``python -m flows run ...`` is the same as ``newsclean run ...``."""

import sys

from flows.cli import main

sys.exit(main())
