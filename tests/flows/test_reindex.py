"""A lost dedup index is noticed at start and rebuilt from the committed parts by `newsclean reindex`."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from cleaning.dedup import IndexLostError
from flows.cli import main as cli_main
from flows.pipeline import newsclean_flow


def test_lost_redis_data_stops_the_run_and_reindex_restores_it(prefect_harness, redis_url: str, seeds_dir: Path, tmp_path: Path,
                                                               capsys) -> None:
    import redis

    url = redis_url
    client = redis.Redis.from_url(url)
    prefix = f"newsclean-reindextest:{uuid.uuid4().hex[:8]}"
    cfg = tmp_path / "redis.toml"
    cfg.write_text(f'[dedup.index]\nbackend = "redis"\nredis_url = "{url}"\nredis_prefix = "{prefix}"\n', encoding="utf-8")
    inputs, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(seeds_dir, inputs)
    try:
        first = newsclean_flow(inputs=[str(inputs)], out=str(out), config_path=str(cfg))
        kept = first["counts"]["kept"]
        for key in client.scan_iter(match=f"{prefix}*"):  # Redis restarted without its data
            client.delete(key)
        seed = sorted(inputs.glob("*.txt"))[1]
        (inputs / "copy.txt").write_text(seed.read_text(encoding="utf-8") + "\nRead more: other news\n", encoding="utf-8")
        with pytest.raises(IndexLostError, match="newsclean reindex"):
            newsclean_flow(inputs=[str(inputs)], out=str(out), config_path=str(cfg))

        assert cli_main(["reindex", "--out", str(out), "--config", str(cfg)]) == 0
        assert f"{kept} documents" in capsys.readouterr().out
        again = newsclean_flow(inputs=[str(inputs)], out=str(out), config_path=str(cfg))
        assert again["counts"]["duplicates"] == 1  # the copy is caught against the rebuilt index
    finally:
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)


def test_reindex_with_a_missing_corpus_part_is_one_line(prefect_harness, seeds_dir: Path, tmp_path: Path,
                                                        capsys) -> None:
    from flows.cli import main

    out = tmp_path / "out"
    newsclean_flow(inputs=[str(seeds_dir)], out=str(out))
    for part in (out / "corpus").glob("part-*.jsonl"):
        part.unlink()
    assert main(["reindex", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No such file" in err[0] and "the index was not rebuilt" in err[0]
