"""Rebuild the dedup index of an output folder from its committed corpus parts.

The index is derived data: every kept document's text is in the committed parts, and its
signature is a pure function of that text and the ``[dedup]`` settings (the same text was
signed when it was kept: cleaning, site templates included, happened before). So a lost or
damaged index (a Redis restart without persistence, a deleted file, changed sketch settings)
is rebuilt exactly, run by run, and its count recorded for the start-up check.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..config import Config
from ..document import Document
from ..state import StateStore, iter_part_lines
from .index import drop_index, open_index, record_index_count
from .signature import compute_signatures

_BATCH = 500


def _doc(rec: dict) -> Document:
    return Document(id=rec["id"], source=rec["source"], text=rec["text"], url=rec.get("url"), title=rec.get("title"),
                    published=rec.get("published"), author=rec.get("author"), sitename=rec.get("sitename"))


def rebuild_index(config: Config, out_dir: Path, state_dir: Path | None = None) -> dict[str, int]:
    """Drop this output folder's index and add every kept document again (under the state
    lock, after the usual recovery). Returns documents and runs indexed."""
    out_dir = Path(out_dir)
    state = Path(state_dir) if state_dir else out_dir / "state"
    store = StateStore(state, out_dir)
    try:
        with store.locked():
            store.bind_out_dir()
            store.recover()
            visible = store.visible_seqs()
            names = {r["seq"]: r["name"] for r in store.runs()}
            parts = sorted(((seq, f"corpus/{file}") for kind, file, seq, _ in store.committed_parts() if kind == "corpus"))
            drop_index(config, state)
            index = open_index(config, state)
            n_docs = 0
            try:
                for seq, rel in parts:
                    batch: list[Document] = []
                    sigs = []
                    for line in iter_part_lines(out_dir, [(rel, seq)], visible):
                        batch.append(_doc(json.loads(line)))
                        if len(batch) >= _BATCH:
                            sigs += compute_signatures(batch, config)
                            batch = []
                    sigs += compute_signatures(batch, config)
                    index.add(sigs, run_id=names.get(seq, f"run-{seq:06d}"))
                    n_docs += len(sigs)
                record_index_count(index, state)
            finally:
                index.close()
    finally:
        store.close()
    return {"documents": n_docs, "runs": len(parts)}
