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


# Settings whose default does not show every type they accept.
_UNION_SETTINGS = {
    "language.keep": ('"all" or a list of language codes', lambda v: v == "all" or _is_list_of(v, str)),
}

# Open tables whose keys are the user's and whose values have one fixed form.
_OPEN_TABLE_VALUES = {
    "validation.severity": ('"critical" or "warning"', lambda v: v in ("critical", "warning")),
}


def _is_list_of(value: Any, kind: type) -> bool:
    return isinstance(value, list) and all(isinstance(x, kind) and not isinstance(x, bool) for x in value)


def _kind(default: Any) -> tuple[str, Any]:
    """What a setting must be, judged by its default: (description, check)."""
    if isinstance(default, bool):
        return "true or false", lambda v: isinstance(v, bool)
    if isinstance(default, int):
        return "a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool)
    if isinstance(default, float):
        return "a number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if isinstance(default, str):
        return "a string", lambda v: isinstance(v, str)
    if isinstance(default, list):
        kinds = {type(x) for x in default} or {str}
        if kinds == {str}:
            return "a list of strings", lambda v: _is_list_of(v, str)
        return "a list", lambda v: isinstance(v, list)
    if isinstance(default, dict) and set(default) == {"$config"}:
        # {"$config": "quality.too_short.min_words"}: a reference, or a number of one's own.
        return ("a number or {\"$config\" = \"setting\"}",
                lambda v: (isinstance(v, (int, float)) and not isinstance(v, bool))
                or (isinstance(v, dict) and set(v) == {"$config"} and isinstance(v["$config"], str)))
    if isinstance(default, dict):
        return "a table", lambda v: isinstance(v, dict)
    return type(default).__name__, lambda v: isinstance(v, type(default))


def _describe(value: Any) -> str:
    names = {bool: "true/false", int: "whole number", float: "number", str: "string", list: "list", dict: "table"}
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    shown = repr(value) if not isinstance(value, str) else '"' + value.replace('"', '\\"') + '"'
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{shown} ({names.get(type(value), type(value).__name__)})"


def _setting_name(prefix: str, key: str) -> str:
    """(``quality.too_short.``, ``min_words``) → ``[quality.too_short] min_words``, as a TOML file spells it."""
    shown = f'"{key}"' if "." in key or " " in key else key
    table = prefix.rstrip(".")
    return f"[{table}] {shown}" if table else shown


def _type_errors(user: dict[str, Any], defaults: dict[str, Any], prefix: str = "") -> list[str]:
    """Every user setting checked against the type of its default (or, for a key of an open
    table such as a new language, against its siblings'), so "fifty" for a number is caught
    when the config loads, with the setting's name, not deep inside a stage."""
    errors: list[str] = []
    for key, value in user.items():
        dotted = f"{prefix}{key}"
        if dotted in _UNION_SETTINGS:
            expected, ok = _UNION_SETTINGS[dotted]
        elif key in defaults:
            default = defaults[key]
            if isinstance(default, dict) and set(default) != {"$config"}:
                if not isinstance(value, dict):
                    errors.append(f"{_setting_name(prefix, key)} must be a table, got {_describe(value)}")
                else:
                    errors += _type_errors(value, default, dotted + ".")
                continue
            expected, ok = _kind(default)
        elif prefix.rstrip(".") in _OPEN_TABLE_VALUES:
            expected, ok = _OPEN_TABLE_VALUES[prefix.rstrip(".")]
        else:
            # A key of an open table (a new language, an n-gram size): like its siblings.
            siblings = [v for v in defaults.values()]
            if not siblings:
                continue
            if all(isinstance(s, dict) for s in siblings):
                if not isinstance(value, dict):
                    errors.append(f"{_setting_name(prefix, key)} must be a table, got {_describe(value)}")
                    continue
                template: dict[str, Any] = {}
                for s in siblings:
                    for k, v in s.items():
                        template.setdefault(k, v)
                errors += _type_errors({k: v for k, v in value.items() if k in template}, template, dotted + ".")
                continue
            kinds = {_kind(s)[0] for s in siblings}
            if len(kinds) != 1:
                continue
            expected, ok = _kind(siblings[0])
        if not ok(value):
            errors.append(f"{_setting_name(prefix, key)} must be {expected}, got {_describe(value)}")
    return errors


def _check_pipeline(cfg: Config) -> None:
    pipe = cfg["pipeline"]
    for key in ("batch_size", "max_batches_in_flight", "max_input_bytes", "max_line_bytes", "max_decompressed_bytes",
                "max_compression_ratio"):
        value = pipe.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"[pipeline] {key} must be a whole number >= 1, got {value!r}")
    for key in ("process_pool_min_bytes", "batch_max_bytes"):
        value = pipe.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"[pipeline] {key} must be a whole number >= 0, got {value!r}")
    timeout = pipe.get("doc_timeout_seconds")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
        raise ConfigError(f"[pipeline] doc_timeout_seconds must be a number >= 0 (0: no limit), got {timeout!r}")
    if not isinstance(pipe.get("full_view"), bool):
        raise ConfigError(f"[pipeline] full_view must be true or false, got {pipe.get('full_view')!r}")


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Defaults, then the user's TOML file (if any), then explicit ``overrides``.

    Raises :class:`ConfigError` for a missing, unreadable or invalid file, an unknown table or
    key (outside the tables users extend, ``OPEN_TABLES``), a setting of the wrong type (judged
    by its default's type), and out-of-range pipeline or language settings.
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
        errors = _type_errors(user, cfg)
        if errors:
            raise ConfigError(f"config file {p}: " + "; ".join(errors))
        cfg = _merge(cfg, user)
    if overrides:
        errors = _type_errors(overrides, cfg)
        if errors:
            raise ConfigError("config overrides: " + "; ".join(errors))
        cfg = _merge(cfg, overrides)
    _check_pipeline(cfg)
    _check_values(cfg, f"config file {path}: " if path is not None else "")
    return cfg


def _check_values(cfg: Config, where: str) -> None:
    """Value checks that the stages own, run here so a bad value stops the run before any work."""
    from .language import kept_languages

    try:
        kept_languages(cfg)
    except ValueError as exc:
        raise ConfigError(f"{where}{exc}") from exc


def config_fingerprint(cfg: Config) -> str:
    """A short stable hash of the effective config, recorded in reports and state."""
    blob = json.dumps(cfg, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
