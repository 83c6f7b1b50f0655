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

import numpy as np

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
# Any Hangul, Kana or Han character (the union of the three above).
CJK_RE = re.compile(
    "[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
    "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]"
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


# Per-character classes for the Basic Multilingual Plane as bit flags, built once from the
# regexes above (so the definitions stay in one place): counting becomes one table lookup
# per character in numpy instead of four regex scans. LETTER_RE alone cost ~65 ns per
# character (~0.25 ms for a 500-word article); the table costs ~5 ms once per process.
_LETTER, _HANGUL, _HAN, _KANA = 1, 2, 4, 8
_BMP_CLASSES: np.ndarray | None = None
# Below this length the regexes are as cheap as the numpy call overhead.
_TABLE_MIN_CHARS = 64


def _bmp_classes() -> np.ndarray:
    global _BMP_CLASSES
    if _BMP_CLASSES is None:
        table = np.zeros(0x10000, dtype=np.uint8)
        every_char = "".join(map(chr, range(0x10000)))
        for flag, pattern in ((_LETTER, LETTER_RE), (_HANGUL, HANGUL_RE), (_HAN, HAN_RE), (_KANA, KANA_RE)):
            hits = [m.start() for m in pattern.finditer(every_char)]
            table[hits] |= flag
        _BMP_CLASSES = table
    return _BMP_CLASSES


def _count_scripts_regex(text: str) -> ScriptCounts:
    # Most text: no character at or above U+1100 (where Hangul starts) means no CJK at all.
    if not text or max(text) < "\u1100" or CJK_RE.search(text) is None:
        return ScriptCounts(letters=len(LETTER_RE.findall(text)), hangul=0, han=0, kana=0)
    return ScriptCounts(
        letters=len(LETTER_RE.findall(text)),
        hangul=len(HANGUL_RE.findall(text)),
        han=len(HAN_RE.findall(text)),
        kana=len(KANA_RE.findall(text)),
    )


def _class_codes(text: str) -> tuple[np.ndarray, str]:
    """(class flags of the BMP characters, the characters beyond the BMP, counted by regex)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if codes.size and int(codes.max()) >= 0x10000:
        astral = "".join(chr(c) for c in codes[codes >= 0x10000].tolist())
        codes = codes[codes < 0x10000]
    else:
        astral = ""
    return _bmp_classes()[codes], astral


def count_scripts(text: str) -> ScriptCounts:
    """Count letters and Hangul/Han/Kana characters: exactly what the regexes above match."""
    if len(text) < _TABLE_MIN_CHARS:
        return _count_scripts_regex(text)
    classes, astral = _class_codes(text)
    totals = np.bincount(classes, minlength=16)
    flags = np.arange(16)
    counts = [int(totals[(flags & flag) != 0].sum()) for flag in (_LETTER, _HANGUL, _HAN, _KANA)]
    result = ScriptCounts(*counts)
    if astral:
        extra = _count_scripts_regex(astral)
        result = ScriptCounts(result.letters + extra.letters, result.hangul + extra.hangul,
                              result.han + extra.han, result.kana + extra.kana)
    return result


def cjk_presence(text: str) -> tuple[bool, bool]:
    """(any Hangul, any Han or Kana) — what HANGUL_RE / UNSPACED_RE would find, in one pass.

    A regex scan costs ~8 ns per character even when it finds nothing, and curly quotes or
    dashes defeat a cheap ``max(text)`` shortcut, so the class table does it.
    """
    if len(text) < _TABLE_MIN_CHARS:
        return HANGUL_RE.search(text) is not None, UNSPACED_RE.search(text) is not None
    classes, astral = _class_codes(text)
    present = int(np.bitwise_or.reduce(classes)) if classes.size else 0
    hangul, unspaced = bool(present & _HANGUL), bool(present & (_HAN | _KANA))
    if astral:
        hangul = hangul or HANGUL_RE.search(astral) is not None
        unspaced = unspaced or UNSPACED_RE.search(astral) is not None
    return hangul, unspaced


def line_script_totals(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Letters, Hangul, Han and Kana per line of ``text.split("\\n")`` (four int arrays, one
    entry per line), from one pass over the text: the same numbers as ``count_scripts`` per line."""
    lines = text.split("\n")
    classes, astral = _class_codes(text) if len(text) >= _TABLE_MIN_CHARS else (None, "")
    if classes is None or astral:  # short text, or characters beyond the BMP: regexes per line
        rows = [_count_scripts_regex(line) for line in lines]
        return tuple(np.array([getattr(r, f) for r in rows], dtype=np.int64)  # type: ignore[return-value]
                     for f in ("letters", "hangul", "han", "kana"))
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    ends = np.cumsum(lengths + 1) - 1  # index of each line's "\n" (or the end of the text)
    starts = ends - lengths
    totals = []
    no_cjk = not classes.size or int(classes.max()) <= _LETTER
    for flag in (_LETTER, _HANGUL, _HAN, _KANA):
        if flag != _LETTER and no_cjk:
            totals.append(np.zeros(len(lines), dtype=np.int64))
            continue
        running = np.concatenate(([0], np.cumsum((classes & flag) != 0)))
        totals.append(running[ends] - running[starts])
    return tuple(totals)  # type: ignore[return-value]


def script_word_count(text: str, unspaced_chars_per_word: float) -> int:
    """Words in ``text``, counting Chinese/Japanese characters as ``1/unspaced_chars_per_word`` words.

    Whitespace tokens are words in space-separated scripts, Korean included (Korean separates
    eojeol with spaces). Chinese and Japanese do not separate words, so a token's Han/Kana
    characters count as ``n / unspaced_chars_per_word`` words (at least one per token).
    """
    tokens = text.split()
    if not text or max(text) < "\u3040" or UNSPACED_RE.search(text) is None:  # no Chinese/Japanese
        return len(tokens)
    words = 0.0
    for token in tokens:
        unspaced = len(UNSPACED_RE.findall(token))
        if unspaced:
            words += max(1.0, unspaced / unspaced_chars_per_word)
        else:
            words += 1
    return int(round(words))
