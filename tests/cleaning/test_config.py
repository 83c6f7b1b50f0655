"""Config loading: every setting is type-checked when the file loads, named as the user wrote it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaning.config import ConfigError, load_config


def _load(tmp_path: Path, toml: str):
    path = tmp_path / "user.toml"
    path.write_text(toml, encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[quality.too_short]\nmin_words = "fifty"\n',
         '[quality.too_short] min_words must be a whole number, got "fifty" (string)'),
        ('[language]\nkeep = "en,de"\n', '[language] keep must be "all" or a list of language codes, got "en,de"'),
        ("[dedup]\nnum_perm = 1.5\n", "[dedup] num_perm must be a whole number, got 1.5 (number)"),
        ("[dedup]\nseed = true\n", "[dedup] seed must be a whole number, got true (true/false)"),
        ('[quality.too_short]\nenabled = "no"\n', '[quality.too_short] enabled must be true or false, got "no"'),
        ('[quality.unpunctuated_lines]\nmax_share = "0.5"\n', "[quality.unpunctuated_lines] max_share must be a number"),
        ('[clean]\nrules = "nav"\n', '[clean] rules must be a list of strings, got "nav"'),
        ("[quality]\ntoo_short = 50\n", "[quality] too_short must be a table, got 50 (whole number)"),
        # Open tables: a new language's lists and an n-gram size are checked like their siblings.
        ('[clean.lang.pl]\nnav_lines = "Czytaj także"\n', '[clean.lang.pl] nav_lines must be a list of strings'),
        ('[quality.top_ngram.max_fraction]\n5 = "a lot"\n', '[quality.top_ngram.max_fraction] 5 must be a number'),
        ('[validation.severity]\n"clean_corpus.word_count_in_bounds" = "fatal"\n',
         '[validation.severity] "clean_corpus.word_count_in_bounds" must be "critical" or "warning", got "fatal"'),
        ('[validation.word_count]\nmin = "ten"\n', "[validation.word_count] min must be a number or"),
        ('[language]\nkeep = ["en", "zh-tw"]\n', "language.keep has ['zh-tw']"),
    ],
)
def test_a_setting_of_the_wrong_type_is_named_when_the_config_loads(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, toml)
    assert message in str(err.value)
    assert str(tmp_path / "user.toml") in str(err.value), "the message names the file"


def test_every_wrong_setting_is_listed_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, '[dedup]\nnum_perm = "many"\nlsh_bands = 4.2\n')
    assert "num_perm" in str(err.value) and "lsh_bands" in str(err.value)


@pytest.mark.parametrize(
    "toml",
    [
        "[quality.unpunctuated_lines]\nmax_share = 1\n",  # a whole number where a fraction is expected is fine
        '[language]\nkeep = ["en", "ko", "und"]\n',
        '[language]\nkeep = "all"\n',
        "[validation.word_count]\nmin = 20\n",
        '[validation.word_count]\nmin = {"$config" = "quality.too_short.min_words"}\n',
        '[clean.lang.pl]\nnav_lines = ["Czytaj także", "Udostępnij"]\n',
        '[validation.severity]\n"clean_corpus.word_count_in_bounds" = "critical"\n',
    ],
)
def test_settings_of_the_right_type_load(tmp_path: Path, toml: str) -> None:
    _load(tmp_path, toml)
