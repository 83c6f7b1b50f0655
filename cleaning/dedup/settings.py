"""The ``[dedup]`` config table, validated once into a typed, frozen settings object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config import Config, ConfigError

KEEP_CRITERIA = ("earliest_published", "longest_text", "most_metadata", "stable_id")
BACKENDS = ("sqlite", "redis", "memory", "shards")


class DedupConfigError(ConfigError):
    """The ``[dedup]`` settings are inconsistent (named key and allowed values in the message)."""


@dataclass(frozen=True, slots=True)
class DedupSettings:
    char_ngram: int
    feature_sample: int
    minhash_sample: int
    minhash_char_ngram: int
    minhash_cjk_char_ngram: int
    cjk_char_ngram: int
    cjk_min_share: float
    num_perm: int
    seed: int
    lsh_bands: int
    lsh_rows: int
    max_bucket: int
    verify_jaccard: float
    verify_containment: float
    min_shingles: int
    common_min_docs: int
    common_min_share: float
    copy_jaccard: float
    block_min_stories: int
    block_min_features: int
    block_member_share: float
    window_days: int
    keep_policy: tuple[str, ...]
    backend: str
    sqlite_file: str
    redis_url: str
    redis_prefix: str

    def sketch_params(self) -> dict[str, Any]:
        """What a signature depends on: persisted with an index and checked when it is reopened."""
        return {
            "char_ngram": self.char_ngram,
            "feature_sample": self.feature_sample,
            "minhash_sample": self.minhash_sample,
            "minhash_char_ngram": self.minhash_char_ngram,
            "minhash_cjk_char_ngram": self.minhash_cjk_char_ngram,
            "cjk_char_ngram": self.cjk_char_ngram,
            "cjk_min_share": self.cjk_min_share,
            "num_perm": self.num_perm,
            "seed": self.seed,
            "lsh_bands": self.lsh_bands,
            "lsh_rows": self.lsh_rows,
            "min_shingles": self.min_shingles,
        }

    @property
    def version(self) -> str:
        """Short fingerprint of everything a verdict depends on (features, thresholds), recorded
        with every duplicate so a row can be re-checked under the settings that made it."""
        import hashlib
        import json

        verdict = {**self.sketch_params(), "verify_jaccard": self.verify_jaccard,
                   "verify_containment": self.verify_containment, "common_min_docs": self.common_min_docs,
                   "common_min_share": self.common_min_share,
                   "copy_jaccard": self.copy_jaccard}
        if self.block_min_stories:
            verdict["block_min_stories"] = self.block_min_stories
            verdict["block_min_features"] = self.block_min_features
            verdict["block_member_share"] = self.block_member_share
        if self.window_days:  # only when set, so the version of every earlier setting stays
            verdict["window_days"] = self.window_days
        return "dedup-" + hashlib.sha256(json.dumps(verdict, sort_keys=True).encode()).hexdigest()[:12]


def _int(table: dict[str, Any], key: str, lo: int) -> int:
    value = table.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < lo:
        raise DedupConfigError(f"[dedup] {key} must be an integer >= {lo}, got {value!r}")
    return value


def _share(table: dict[str, Any], key: str) -> float:
    value = table.get(key)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise DedupConfigError(f"[dedup] {key} must be a number in [0, 1], got {value!r}")
    return float(value)


def dedup_settings(config: Config) -> DedupSettings:
    """Read and check ``config["dedup"]``; raise DedupConfigError naming the bad key."""
    table = config.get("dedup")
    if not isinstance(table, dict):
        raise DedupConfigError("config has no [dedup] table (cleaning/config/dedup.toml missing?)")
    index = table.get("index", {})
    num_perm = _int(table, "num_perm", 16)
    bands, rows = _int(table, "lsh_bands", 1), _int(table, "lsh_rows", 1)
    if bands * rows > num_perm:
        raise DedupConfigError(
            f"[dedup] lsh_bands * lsh_rows = {bands * rows} exceeds num_perm = {num_perm}"
        )
    policy = table.get("keep_policy")
    if not isinstance(policy, list) or not policy:
        raise DedupConfigError(f"[dedup] keep_policy must be a non-empty list, got {policy!r}")
    unknown = [c for c in policy if c not in KEEP_CRITERIA]
    if unknown:
        raise DedupConfigError(
            f"[dedup] keep_policy has unknown criteria {unknown}; known: {list(KEEP_CRITERIA)}"
        )
    if len(set(policy)) != len(policy):
        raise DedupConfigError(f"[dedup] keep_policy lists a criterion twice: {policy}")
    if "stable_id" not in policy:
        policy = [*policy, "stable_id"]  # a total order, so the choice is always deterministic
    backend = index.get("backend", "sqlite")
    if backend not in BACKENDS:
        raise DedupConfigError(f"[dedup.index] backend must be one of {list(BACKENDS)}, got {backend!r}")
    sample = _int(table, "feature_sample", 1)
    mh_sample = _int(table, "minhash_sample", 1)
    for key, value in (("feature_sample", sample), ("minhash_sample", mh_sample)):
        if value & (value - 1):
            raise DedupConfigError(f"[dedup] {key} must be a power of two (1, 2, 4, 8 ...), got {value}")
    return DedupSettings(
        char_ngram=_int(table, "char_ngram", 1),
        feature_sample=sample,
        minhash_sample=mh_sample,
        minhash_char_ngram=_int(table, "minhash_char_ngram", 1),
        minhash_cjk_char_ngram=_int(table, "minhash_cjk_char_ngram", 1),
        cjk_char_ngram=_int(table, "cjk_char_ngram", 1),
        cjk_min_share=_share(table, "cjk_min_share"),
        num_perm=num_perm,
        seed=_int(table, "seed", 0),
        lsh_bands=bands,
        lsh_rows=rows,
        max_bucket=_int(table, "max_bucket", 2),
        verify_jaccard=_share(table, "verify_jaccard"),
        verify_containment=_share(table, "verify_containment"),
        min_shingles=_int(table, "min_shingles", 1),
        common_min_docs=_int(table, "common_min_docs", 2),
        common_min_share=_share(table, "common_min_share"),
        copy_jaccard=_share(table, "copy_jaccard"),
        block_min_stories=_int(table, "block_min_stories", 0),
        block_min_features=_int(table, "block_min_features", 1),
        block_member_share=_share(table, "block_member_share"),
        window_days=_int(table, "window_days", 0),
        keep_policy=tuple(policy),
        backend=backend,
        sqlite_file=str(index.get("sqlite_file", "dedup_index.sqlite3")),
        redis_url=str(index.get("redis_url", "redis://127.0.0.1:6379/0")),
        redis_prefix=str(index.get("redis_prefix", "newsclean:dedup")),
    )
