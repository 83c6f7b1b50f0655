"""The state store under hostile names and a full disk: the real error, never a masked one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cleaning.ingest import RawItem
from cleaning.output import dumps
from cleaning.state import ProcessedInput, StateStore


def item(i: int, source: str, url: str | None = None) -> RawItem:
    return RawItem(id=f"{i:016x}", source=source, kind="text", content="x", url=url)


def test_sources_and_urls_with_lone_surrogates_are_stored(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state", tmp_path)
    items = [item(1, "in/bad\udcff.txt"), item(2, "in/a.jsonl:3", url="https://news.example/\ud800")]
    split = store.split_new(items)
    assert len(split.items) == 2
    store.commit_run(1, "run-000001", {}, [ProcessedInput(i.id, i.source, "rejected") for i in items],
                     split.keys, {}, [], {}, index_pending=False)
    assert store.split_new(items).skipped == 2
    store.close()


def test_a_full_disk_is_reported_as_itself(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state", tmp_path)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 2}")  # what a full disk looks like to SQLite
    processed = [ProcessedInput(f"{i:016x}", f"in/{i:06d}-" + "x" * 200 + ".txt", "kept") for i in range(5000)]
    with pytest.raises(sqlite3.OperationalError, match="full"):
        store.commit_run(1, "run-000001", {}, processed, {}, {}, [], {}, index_pending=False)
    assert store.runs() == [], "nothing of the failed commit is kept"
    store.close()


def test_output_lines_never_hold_a_lone_surrogate() -> None:
    line = dumps({"title": "Kia \ud83d plant", "text": "정상 텍스트"})
    line.encode("utf-8")
    assert "정상 텍스트" in line and "\ufffd" in line
