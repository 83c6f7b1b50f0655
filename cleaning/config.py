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


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Defaults, then the user's TOML file (if any), then explicit ``overrides``."""
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
        unknown = sorted(set(user) - set(cfg))
        if unknown:
            raise ConfigError(
                f"config file {p} has unknown table(s) {unknown}; known: {sorted(cfg)}"
            )
        cfg = _merge(cfg, user)
    if overrides:
        cfg = _merge(cfg, overrides)
    return cfg


def config_fingerprint(cfg: Config) -> str:
    """A short stable hash of the effective config, recorded in reports and state."""
    blob = json.dumps(cfg, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
