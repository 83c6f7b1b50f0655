"""Helpers shared by the incremental-run and crash-recovery flow tests."""

from __future__ import annotations

import json
from pathlib import Path

OUTPUTS = ("corpus.jsonl", "rejected.jsonl", "duplicates.jsonl")

EXTRA_STORY = (
    "Hyundai Mobis will build a battery-system plant in Ulsan to supply the group's new dedicated EV factory, "
    "the parts maker said on Thursday. The facility, worth about 300 billion won, will assemble battery packs "
    "for 200,000 vehicles a year from 2026 and hire around 500 workers.\n\n"
    "The company said the location next to the assembly line would cut logistics costs and let it respond "
    "faster to changes in production plans. Construction is scheduled to begin in the second half of the year.\n"
)


def ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def all_ids(out: Path) -> dict[str, list[str]]:
    return {name: ids(out / name) for name in OUTPUTS}
