"""Unicode script counting shared by language identification and the quality filters.

Why a module of its own: statistical language detectors confuse the CJK languages (langdetect
labels most Traditional Chinese news as Korean), and word-based quality rules written for
space-separated languages call every Chinese or Japanese article "too short". Both problems are
solved by looking at the characters' scripts first, which is cheap and unambiguous:
Hangul is only Korean, Kana only Japanese, Han without Kana or Hangul is Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Hangul syllables and jamo (including compatibility and extended blocks).
HANGUL_RE = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
# Hiragana, Katakana (with the prolonged sound mark), Katakana extensions and half-width Katakana.
KANA_RE = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
# CJK unified ideographs (basic, extension A, compatibility, supplementary planes B-F).
HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
# Characters written without spaces between words: one whitespace token can be a whole clause.
UNSPACED_RE = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002ffff]"
)
# Any letter in any script (``\w`` minus digits and underscore).
LETTER_RE = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class ScriptCounts:
    """How many letters a text has, and how many of them are Hangul, Han and Kana."""

    letters: int
    hangul: int
    han: int
    kana: int

    @property
    def cjk(self) -> int:
        return self.hangul + self.han + self.kana

    @property
    def cjk_share(self) -> float:
        """Share of all letters that are Hangul, Han or Kana (0 when there are no letters)."""
        return self.cjk / self.letters if self.letters else 0.0

    def share_of_cjk(self, count: int) -> float:
        return count / self.cjk if self.cjk else 0.0


def count_scripts(text: str) -> ScriptCounts:
    """Count letters per script with compiled regexes (C speed, no per-character Python loop)."""
    return ScriptCounts(
        letters=len(LETTER_RE.findall(text)),
        hangul=len(HANGUL_RE.findall(text)),
        han=len(HAN_RE.findall(text)),
        kana=len(KANA_RE.findall(text)),
    )


def script_word_count(text: str, unspaced_chars_per_word: float) -> int:
    """Words in ``text``, counting Chinese/Japanese characters as ``1/unspaced_chars_per_word`` words.

    Whitespace tokens are words in space-separated scripts, Korean included (Korean separates
    eojeol with spaces). Chinese and Japanese do not separate words, so a token's Han/Kana
    characters count as ``n / unspaced_chars_per_word`` words (at least one per token).
    """
    tokens = text.split()
    if UNSPACED_RE.search(text) is None:  # fast path: no Chinese/Japanese at all
        return len(tokens)
    words = 0.0
    for token in tokens:
        unspaced = len(UNSPACED_RE.findall(token))
        if unspaced:
            words += max(1.0, unspaced / unspaced_chars_per_word)
        else:
            words += 1
    return int(round(words))
