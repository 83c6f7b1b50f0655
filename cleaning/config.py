"""Settings as data: every threshold, pattern and switch lives in commented TOML files.

The defaults are the files in ``cleaning/config/`` — one per stage, the file name is the
top-level key (``clean.toml`` → ``config["clean"]``). A user file passed with ``--config``
holds the same tables (``[clean]``, ``[language]``, ``[dedup]`` …) and overrides only the
keys it sets, like trafilatura's settings file.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

DEFAULTS_DIR = Path(__file__).parent / "config"

Config = dict[str, Any]


class ConfigError(ValueError):
    """The user's configuration file is missing or malformed."""


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def default_config() -> Config:
    """The shipped defaults, one table per stage file in ``cleaning/config/``."""
    cfg: Config = {}
    for path in sorted(DEFAULTS_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            cfg[path.stem] = tomllib.load(fh)
    return cfg


# Tables whose keys are the user's to choose (a new language's phrase list, a severity per
# expectation, a threshold per n-gram size). Everywhere else an unknown key is a typo and an
# error: a misspelled "batchsize" silently doing nothing is worse than a clear message.
OPEN_TABLES = (
    "clean.lang",
    "quality.paywall.phrases",
    "quality.consent_wall.phrases",
    "quality.top_ngram.max_fraction",
    "quality.dup_ngrams.max_fraction",
    "validation.severity",
    "validation.word_count",
)


def _unknown_keys(user: dict[str, Any], defaults: dict[str, Any], prefix: str = "") -> list[str]:
    unknown: list[str] = []
    for key, value in user.items():
        dotted = f"{prefix}{key}"
        if any(dotted == t or dotted.startswith(t + ".") for t in OPEN_TABLES):
            continue
        if key not in defaults:
            unknown.append(dotted)
        elif isinstance(value, dict) and isinstance(defaults[key], dict):
            unknown += _unknown_keys(value, defaults[key], dotted + ".")
    return unknown


def _check_pipeline(cfg: Config) -> None:
    pipe = cfg["pipeline"]
    for key in ("batch_size", "max_batches_in_flight", "max_input_bytes"):
        value = pipe.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"[pipeline] {key} must be a whole number >= 1, got {value!r}")
    if not isinstance(pipe.get("full_view"), bool):
        raise ConfigError(f"[pipeline] full_view must be true or false, got {pipe.get('full_view')!r}")


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Defaults, then the user's TOML file (if any), then explicit ``overrides``.

    Raises :class:`ConfigError` for a missing, unreadable or invalid file, an unknown table or
    key (outside the tables users extend, ``OPEN_TABLES``) and out-of-range pipeline settings.
    """
    cfg = default_config()
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file not found: {p}")
        try:
            with p.open("rb") as fh:
                user = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {p} is not valid TOML: {exc}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config file {p}: {exc}") from exc
        unknown = sorted(set(user) - set(cfg))
        if unknown:
            raise ConfigError(
                f"config file {p} has unknown table(s) {unknown}; known: {sorted(cfg)}"
            )
        typos = _unknown_keys(user, cfg)
        if typos:
            raise ConfigError(f"config file {p} has unknown setting(s) {typos}: misspelled? "
                              "(see cleaning/config/*.toml for every setting)")
        cfg = _merge(cfg, user)
    if overrides:
        cfg = _merge(cfg, overrides)
    _check_pipeline(cfg)
    return cfg


def config_fingerprint(cfg: Config) -> str:
    """A short stable hash of the effective config, recorded in reports and state."""
    blob = json.dumps(cfg, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
