"""Script counting: the table-driven counts must equal what the published regexes match."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cleaning.scripts import (
    HAN_RE,
    HANGUL_RE,
    KANA_RE,
    LETTER_RE,
    UNSPACED_RE,
    ScriptCounts,
    cjk_presence,
    count_scripts,
    line_script_totals,
)

FIXTURES = tomllib.loads((Path(__file__).parent / "fixtures" / "multilingual_news.toml").read_text("utf-8"))["doc"]
SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))

# Characters where "letter" is easy to get wrong: superscripts, fractions, Roman numerals and
# circled digits (numeric but not decimal), CJK number signs, underscore, combining marks,
# a Hangul syllable and the same syllable as two jamo, half-width Katakana, supplementary-plane Han and emoji, a lone surrogate.
AWKWARD = "x² ½ Ⅻ ① 〇 一二三 _ e\u0301 \uac00 \u1100\u1161 ｱｲｳ 𠀀𠀁 😀 \ud800 “quoted” — 9"


def regex_counts(text: str) -> ScriptCounts:
    return ScriptCounts(len(LETTER_RE.findall(text)), len(HANGUL_RE.findall(text)),
                        len(HAN_RE.findall(text)), len(KANA_RE.findall(text)))


def texts() -> list[str]:
    out = [d["text"] for d in FIXTURES] + [s.read_text("utf-8") for s in SEEDS]
    out += [AWKWARD, AWKWARD * 10, "short", "", "\n\n", FIXTURES[1]["text"] + AWKWARD * 3]
    return out + [t[:63] for t in out] + [t[:64] for t in out]


@pytest.mark.parametrize("index", range(len(texts())))
def test_count_scripts_equals_the_regexes(index):
    text = texts()[index]
    assert count_scripts(text) == regex_counts(text)


@pytest.mark.parametrize("index", range(len(texts())))
def test_line_totals_equal_counts_per_line(index):
    text = texts()[index]
    letters, hangul, han, kana = line_script_totals(text)
    got = [ScriptCounts(int(a), int(b), int(c), int(d)) for a, b, c, d in zip(letters, hangul, han, kana)]
    assert got == [regex_counts(line) for line in text.split("\n")]


@pytest.mark.parametrize("index", range(len(texts())))
def test_cjk_presence_equals_the_regexes(index):
    text = texts()[index]
    assert cjk_presence(text) == (HANGUL_RE.search(text) is not None, UNSPACED_RE.search(text) is not None)


def test_awkward_characters_are_counted_as_the_regexes_define_them():
    counts = count_scripts(AWKWARD * 10)
    assert counts.han == 50  # 一二三 and the two supplementary-plane ideographs, ten times
    assert counts.hangul == 30 and counts.kana == 30  # 가 + its two jamo; ｱｲｳ
