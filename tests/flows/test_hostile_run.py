"""One bad input never stops a run: a folder of hostile inputs beside good ones is committed,
each bad input rejected with its reason, and a re-run has nothing left to do."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from flows.pipeline import newsclean_flow

ROOT = Path(__file__).resolve().parents[2]


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_hostile_inputs_are_rejected_and_the_good_ones_committed(prefect_harness, tmp_path: Path) -> None:
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(seeds[0].read_text(encoding="utf-8"), encoding="utf-8")
    with open(os.path.join(os.fsencode(d), b"bad\xff.txt"), "wb") as fh:  # item 1
        fh.write(seeds[1].read_bytes())
    story = seeds[2].read_text(encoding="utf-8")
    (d / "feed.jsonl").write_text(  # item 2, item 4
        json.dumps({"text": story})[:-1] + ', "url": "https://news.example/\\ud800"}\n'
        + json.dumps({"text": story})[:-1] + ', "title": "Kia \\udc80"}\n'
        + "[" * 100_000 + "\n"
        + json.dumps({"text": seeds[3].read_text(encoding="utf-8"), "url": "https://news.example/ok"}) + "\n",
        encoding="utf-8")
    (d / "undefined.html").write_bytes(  # item 3
        b'<html><head><meta charset="undefined"></head><body><p>' + story.encode() + b"</p></body></html>")
    with (d / "sparse.txt").open("wb") as fh:  # item 5
        fh.truncate(30 * 2**30)
    with gzip.open(d / "zeros.jsonl.gz", "wb", compresslevel=1) as fh:
        for _ in range(80):
            fh.write(bytes(1 << 20))

    (d / "gone.txt").symlink_to(tmp_path / "nowhere.txt")  # item 15
    os.mkfifo(d / "pipe.jsonl")

    out = tmp_path / "out"
    report = newsclean_flow(inputs=[str(d)], out=str(out))
    # good.txt, the last feed line, and the page declaring "undefined" (read as the UTF-8 it is)
    assert report["counts"]["accounting_ok"] and report["counts"]["kept"] == 3
    assert report["ingest"]["broken_links_skipped"] == 1 and report["ingest"]["special_files_skipped"] == 1
    reasons = sorted(r["reason"] for r in rows(out / "rejected.jsonl"))
    assert reasons == sorted(["ingest.bad_name", "ingest.bad_field", "ingest.bad_field", "ingest.too_deep",
                              "ingest.too_large", "ingest.decompression_limit"])
    again = newsclean_flow(inputs=[str(d)], out=str(out))
    assert again["run"]["nothing_to_do"]
