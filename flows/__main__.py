"""``python -m flows run ...`` is the same as ``newsclean run ...``."""

from flows.cli import console_main

console_main()
