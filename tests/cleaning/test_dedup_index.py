"""The persistent dedup index: incremental runs against sqlite and redis, config mismatch errors."""

from __future__ import annotations

import os
import uuid

import numpy as np
import pytest
from test_dedup_fixtures import KO_HYUNDAI, KO_HYUNDAI_COPY, seed_copies, seed_docs

from cleaning.config import load_config
from cleaning.dedup import (
    IndexMismatchError,
    MemoryIndex,
    RedisIndex,
    SqliteIndex,
    compute_signatures,
    open_index,
    resolve_duplicates,
)
from cleaning.document import Document

REDIS_URL = os.environ.get("NEWSCLEAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _first_run_docs() -> list[Document]:
    return seed_docs() + [Document("ko-hyundai", "ko/1.txt", KO_HYUNDAI)]


def _second_run_docs() -> tuple[list[Document], dict[str, str]]:
    """Copies of first-run documents (expected: duplicates of those ids) and one new story."""
    copies = {cid: orig for cid, (orig, _) in seed_copies().items()}
    docs = [doc for _, doc in seed_copies().values()]
    docs.append(Document("ko-hyundai-copy", "ko/2.txt", KO_HYUNDAI_COPY))
    copies["ko-hyundai-copy"] = "ko-hyundai"
    exact = seed_docs()[3]
    docs.append(Document("exact-003", "mirror/003.txt", exact.text))
    copies["exact-003"] = exact.id
    docs.append(Document("new-story", "wire/new.txt", (
        "Seoul's financial regulator fined three local banks a combined 12 billion won on Thursday "
        "for failing to check whether elderly customers understood the risks of equity-linked "
        "securities sold to them in 2023. The Financial Services Commission said the banks had "
        "used scripts that rushed customers through the disclosure, and ordered them to repay "
        "part of the losses.\n\nThe banks said they would accept the decision and review their "
        "sales practices. Consumer groups called the fines too small compared with the fees the "
        "products earned.")))
    return docs, copies


def _incremental_round_trip(config, index_factory) -> None:
    """Run 1 keeps originals into the index; run 2's copies point at run-1 ids."""
    index = index_factory()
    try:
        first = compute_signatures(_first_run_docs(), config)
        out1 = resolve_duplicates(first, config, index)
        assert not out1.duplicates and len(out1.clusters) == 5
        index.add([s for s in first if s.id in out1.clusters], run_id="2024-11-22")
        assert len(index) == 5
    finally:
        index.close()

    index = index_factory()  # reopened: what run 2 sees is what was persisted
    try:
        docs, expected = _second_run_docs()
        second = compute_signatures(docs, config)
        before = len(index)
        out2 = resolve_duplicates(second, config, index)
        assert len(index) == before  # resolve never writes the index
        by_id = {d.id: d for d in out2.duplicates}
        assert {cid: by_id[cid].duplicate_of for cid in expected} == expected
        assert all(by_id[cid].reason == "already in corpus (run 2024-11-22)" for cid in expected)
        assert by_id["exact-003"].method == "exact" and by_id["copy-000-abridged"].method == "near"
        assert list(out2.clusters) == ["new-story"] and out2.clusters["new-story"] == ("new-story", 1)
        assert out2.stats["duplicates_of_earlier_runs"] == len(expected)
        index.add([s for s in second if s.id in out2.clusters])  # default run id: ordinal
        assert len(index) == 6
    finally:
        index.close()


def test_sqlite_index_second_run_points_copies_at_first_run_ids(tmp_path):
    config = load_config()
    _incremental_round_trip(config, lambda: open_index(config, tmp_path))
    assert (tmp_path / "dedup_index.sqlite3").is_file()
    with open_index(config, tmp_path) as index:
        assert isinstance(index, SqliteIndex) and len(index) == 6
        # The third run's copy of the second run's new story names run "2" (the ordinal).
        again = compute_signatures([Document("new-story-mirror", "m", _second_run_docs()[0][-1].text + " ")], config)
        (dup,) = resolve_duplicates(again, config, index).duplicates
        assert dup.duplicate_of == "new-story" and dup.reason == "already in corpus (run 2)"


def test_reopening_with_another_num_perm_is_a_clear_error(tmp_path):
    config = load_config()
    with open_index(config, tmp_path) as index:
        index.add(compute_signatures(seed_docs()[:1], config), run_id="r1")
    changed = load_config(overrides={"dedup": {"num_perm": 64, "lsh_bands": 21}})
    with pytest.raises(IndexMismatchError, match=r"num_perm: index has 128, config has 64"):
        open_index(changed, tmp_path)
    with pytest.raises(IndexMismatchError, match=r"char_ngram"):
        open_index(load_config(overrides={"dedup": {"char_ngram": 7}}), tmp_path)


def test_signatures_from_another_config_are_refused(tmp_path):
    config = load_config()
    small = load_config(overrides={"dedup": {"num_perm": 64, "lsh_bands": 21}})
    sigs = compute_signatures(seed_docs(), small)
    with pytest.raises(ValueError, match="num_perm"):
        resolve_duplicates(sigs, config, None)


def test_memory_index_without_state_dir_round_trip():
    config = load_config()
    shared = open_index(config, None)
    assert isinstance(shared, MemoryIndex)
    _incremental_round_trip(config, lambda: shared)


def _redis_or_skip():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL)
        client.ping()
        return client
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but redis at {REDIS_URL} is unreachable: {exc}")
        pytest.skip(f"redis at {REDIS_URL} unreachable: {exc}")


@pytest.fixture
def redis_config():
    client = _redis_or_skip()
    prefix = f"newsclean-test:{uuid.uuid4().hex[:12]}"
    config = load_config(overrides={"dedup": {"index": {"backend": "redis", "redis_url": REDIS_URL,
                                                         "redis_prefix": prefix}}})
    yield config
    for key in client.scan_iter(match=f"{prefix}*"):  # only this test's keys
        client.delete(key)
    client.close()


def test_redis_index_second_run_points_copies_at_first_run_ids(redis_config, tmp_path):
    index = open_index(redis_config, tmp_path)
    assert isinstance(index, RedisIndex)
    index.close()
    _incremental_round_trip(redis_config, lambda: open_index(redis_config, tmp_path))


def test_redis_index_refuses_another_config(redis_config):
    with open_index(redis_config, None) as index:
        index.add(compute_signatures(seed_docs()[:1], redis_config), run_id="r1")
    changed = load_config(overrides={"dedup": {"seed": 2, "index": redis_config["dedup"]["index"]}})
    with pytest.raises(IndexMismatchError, match="seed: index has 1, config has 2"):
        open_index(changed, None)


def test_redis_batched_candidates_equal_datasketch_query(redis_config):
    """The pipelined band lookup must find what MinHashLSH.query finds, document by document."""
    originals = compute_signatures(seed_docs(), redis_config)
    copies = compute_signatures([doc for _, doc in seed_copies().values()], redis_config)
    with open_index(redis_config, None) as index:
        index.add(originals, run_id="r1")
        batched = {s.id for s in index.candidates(np.stack([c.minhash for c in copies]))}
        one_by_one = {k for c in copies for k in index._lsh.query(index._lean(c.minhash))}
    assert batched == one_by_one
    assert batched == {orig for orig, _ in seed_copies().values()}


def test_redis_add_interrupted_before_its_buckets_is_completed_by_a_replay(redis_config, monkeypatch):
    """An add killed part-way must leave nothing that a replay skips: the LSH buckets are written
    first, the signatures (which mark a document as indexed) last, in one MULTI/EXEC."""
    originals = compute_signatures(seed_docs(), redis_config)
    copies = compute_signatures([doc for _, doc in seed_copies().values()], redis_config)
    with open_index(redis_config, None) as index:
        real = type(index._lsh).insertion_session

        def dies(self, *a, **k):
            raise ConnectionError("redis went away mid-add")

        monkeypatch.setattr(type(index._lsh), "insertion_session", dies)
        with pytest.raises(ConnectionError):
            index.add(originals, run_id="r1")
        monkeypatch.setattr(type(index._lsh), "insertion_session", real)
        index.add(originals, run_id="r1")  # the replay of the pending add
        found = {s.id for s in index.candidates(np.stack([c.minhash for c in copies]))}
    assert found == {orig for orig, _ in seed_copies().values()}


def test_an_index_that_lost_documents_is_refused_with_the_way_out(tmp_path, redis_config):
    from cleaning.dedup import IndexLostError, record_index_count

    for config in (load_config(), redis_config):
        state = tmp_path / config["dedup"]["index"].get("backend", "sqlite")
        state.mkdir()
        with open_index(config, state) as index:
            index.add(compute_signatures(seed_docs(), config), run_id="r1")
            record_index_count(index, state)
        with open_index(config, state) as index:  # intact: opens
            assert len(index) == len(seed_docs())
        from cleaning.dedup.index import drop_index

        count = (state / "dedup_index_count.json").read_text()
        drop_index(config, state)  # what a Redis restart without persistence does to the data
        (state / "dedup_index_count.json").write_text(count)
        with pytest.raises(IndexLostError, match=r"holds 0 documents, but 4 were recorded.*newsclean reindex"):
            open_index(config, state)


def test_shards_index_second_run_points_copies_at_first_run_ids(tmp_path):
    """backend = "shards" (cleaning/dedup/shard_index.py): the same round trip, a replayed add
    is a no-op, and an add that crashed before its commit leaves nothing visible."""
    config = load_config(overrides={"dedup": {"index": {"backend": "shards"}}})
    _incremental_round_trip(config, lambda: open_index(config, tmp_path))
    with open_index(config, tmp_path) as index:
        assert index.backend == "shards" and len(index) == 6 and index._runs_so_far() == 2
        index.add(compute_signatures(_first_run_docs(), config), run_id="2024-11-22")  # replay
        assert len(index) == 6
        (tmp_path / "dedup_shards" / "seg-000003").mkdir()  # an orphan of a crashed add
    with open_index(config, tmp_path) as index:
        assert len(index) == 6
        index.add(compute_signatures([Document("late", "l", KO_HYUNDAI + " Later.")], config), run_id="r3")
        assert len(index) == 7


@pytest.mark.parametrize("backend", ["memory", "sqlite", "shards", "redis"])
def test_add_stream_in_chunks_is_the_same_index_as_one_add(backend, tmp_path):
    """The flow adds a big run's kept signatures a chunk at a time (never all in memory): one run
    (counted once), and the index answers exactly as after one ``add`` of the whole list -
    exact lookups and band candidates of the copies, in Korean, English and the seed scripts.
    A chunk repeating an id of an earlier chunk adds it once; an empty stream adds no run."""
    overrides: dict = {"dedup": {"index": {"backend": backend}}}
    if backend == "redis":
        _redis_or_skip()
        overrides["dedup"]["index"].update({"redis_url": REDIS_URL})
    originals = _first_run_docs()
    copies, _ = _second_run_docs()
    answers = []
    for k, how in enumerate(("list", "stream")):
        if backend == "redis":
            overrides["dedup"]["index"]["redis_prefix"] = f"newsclean-test:{uuid.uuid4().hex[:12]}"
        config = load_config(overrides=overrides)
        sigs = compute_signatures(originals, config)
        state = tmp_path / how
        state.mkdir()
        index = open_index(config, state)
        assert index.backend == backend
        try:
            if how == "list":
                index.add(sigs, run_id="r1")
            else:
                assert index.add_stream([], run_id="r0") == 0 and index._runs_so_far() == 0
                chunks = [sigs[:2], [], sigs[2:4], [sigs[3], *sigs[4:]]]
                assert index.add_stream(chunks, run_id="r1") == len(sigs) + 1
            assert index._runs_so_far() == 1 and len(index) == len(sigs)
            copy_sigs = compute_signatures(copies, config)
            exact = index.lookup_exact([s.content_hash for s in copy_sigs])
            near = index.candidates(np.stack([s.minhash for s in copy_sigs]))
            answers.append(({h: (s.id, s.run) for h, s in exact.items()}, [(s.id, s.run) for s in near]))
        finally:
            index.close()
            if backend == "redis":
                import redis

                client = redis.Redis.from_url(REDIS_URL)
                for key in client.scan_iter(match=f"{overrides['dedup']['index']['redis_prefix']}*"):
                    client.delete(key)
                client.close()
    assert answers[0] == answers[1]
    assert answers[0][0] and len(answers[0][1]) >= 4  # the exact copy and the near copies are found
