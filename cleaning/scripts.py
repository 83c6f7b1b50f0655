"""Unicode script counting shared by language identification and the quality filters.

Why a module of its own: statistical language detectors confuse the CJK languages (langdetect
labels most Traditional Chinese news as Korean), and word-based quality rules written for
space-separated languages call every Chinese or Japanese article "too short". Both problems are
solved by looking at the characters' scripts first, which is cheap and unambiguous:
Hangul is only Korean, Kana only Japanese, Han without Kana or Hangul is Chinese.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

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


# Every ASCII byte that is not a letter: deleting them from ASCII text leaves its letters.
_ASCII_NON_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha())


def count_scripts(text: str) -> ScriptCounts:
    """Count letters and Hangul/Han/Kana characters: exactly what the regexes above match."""
    if text.isascii():  # letters are A-Z and a-z, counted in C; no CJK
        return ScriptCounts(len(text.encode("ascii").translate(None, _ASCII_NON_LETTERS)), 0, 0, 0)
    if len(text) < _TABLE_MIN_CHARS:
        return _count_scripts_regex(text)
    classes, astral = _class_codes(text)
    # 16 totals summed per flag in Python: twelve small numpy calls cost more than the count.
    totals = np.bincount(classes, minlength=16).tolist()
    counts = [sum(n for code, n in enumerate(totals) if code & flag) for flag in (_LETTER, _HANGUL, _HAN, _KANA)]
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


def line_script_totals(text: str, lines: list[str] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Letters, Hangul, Han and Kana per line of ``text.split("\\n")`` (four int arrays, one
    entry per line), from one pass over the text: the same numbers as ``count_scripts`` per line.
    ``lines`` is ``text.split("\\n")`` when the caller has it."""
    if lines is None:
        lines = text.split("\n")
    classes, astral = _class_codes(text) if len(text) >= _TABLE_MIN_CHARS else (None, "")
    if classes is None or astral:  # short text, or characters beyond the BMP: regexes per line
        rows = [_count_scripts_regex(line) for line in lines]
        return tuple(np.array([getattr(r, f) for r in rows], dtype=np.int64)  # type: ignore[return-value]
                     for f in ("letters", "hangul", "han", "kana"))
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    starts = np.cumsum(lengths + 1) - (lengths + 1)  # index of each line's first character
    no_cjk = not classes.size or int(classes.max()) <= _LETTER
    # np.add.reduceat sums from each start to the next; an empty line (start == next start, or
    # the end of the text) would get one character's value, so it is set to 0.
    starts = np.minimum(starts, max(classes.size - 1, 0))
    empty = lengths == 0
    totals = []
    for flag in (_LETTER, _HANGUL, _HAN, _KANA):
        if flag != _LETTER and no_cjk or not classes.size:
            totals.append(np.zeros(len(lines), dtype=np.int64))
            continue
        flagged = (classes & flag).astype(np.int64) if flag == _LETTER else ((classes & flag) != 0).astype(np.int64)
        counts = np.add.reduceat(flagged, starts)
        counts[empty] = 0
        totals.append(counts)
    return tuple(totals)  # type: ignore[return-value]


# Letters of the scripts written without spaces between words: Han, Kana, Thai, Lao, Myanmar, Khmer.
UNSPACED_WORD_RE = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff"
    "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002ffff]"
)


def word_weight(token: str, unspaced_chars_per_word: float) -> float:
    """How many words one whitespace token is: 1, or ``n / unspaced_chars_per_word`` (at least 1)
    for a token holding ``n`` letters of a script written without spaces."""
    unspaced = len(UNSPACED_WORD_RE.findall(token))
    return max(1.0, unspaced / unspaced_chars_per_word) if unspaced else 1.0


def script_word_count(text: str, unspaced_chars_per_word: float) -> int:
    """Words in ``text``, counting letters of unspaced scripts as ``1/unspaced_chars_per_word`` words.

    Whitespace tokens are words in space-separated scripts, Korean included (Korean separates
    eojeol with spaces). Chinese, Japanese, Thai, Lao, Khmer and Myanmar do not separate words,
    so a token's letters of those scripts count as ``n / unspaced_chars_per_word`` words (at
    least one per token). ``text_stats(text).words`` is the same number, vectorized.
    """
    tokens = text.split()
    if text.isascii() or max(text) < "\u0e00" or UNSPACED_WORD_RE.search(text) is None:
        return len(tokens)
    return int(round(sum(word_weight(token, unspaced_chars_per_word) for token in tokens)))


# ---- Text statistics by Unicode properties, for every script -----------------------------------
#
# What every text rule needs to know about a text without assuming English: letters by script,
# word counts per script (characters for scripts written without spaces), sentence ends and
# sentence starts of every script. One module, so the quality filters, the extractor and the
# language stage agree on what a word and a sentence are.

# Scripts by code point range (BMP; Han and other astral letters are handled by the regexes above).
# Order matters only for readability: ranges do not overlap.
_SCRIPT_RANGES: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = (
    ("latin", ((0x41, 0x5A), (0x61, 0x7A), (0xAA, 0xAA), (0xBA, 0xBA), (0xC0, 0x24F), (0x250, 0x2AF),
               (0x1D00, 0x1DBF), (0x1E00, 0x1EFF), (0x2C60, 0x2C7F), (0xA720, 0xA7FF), (0xAB30, 0xAB6F),
               (0xFB00, 0xFB06), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))),
    ("greek", ((0x370, 0x3FF), (0x1F00, 0x1FFF))),
    ("cyrillic", ((0x400, 0x52F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F))),
    ("armenian", ((0x530, 0x58F), (0xFB13, 0xFB17))),
    ("hebrew", ((0x590, 0x5FF), (0xFB1D, 0xFB4F))),
    ("arabic", ((0x600, 0x6FF), (0x750, 0x77F), (0x870, 0x8FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))),
    ("devanagari", ((0x900, 0x97F), (0xA8E0, 0xA8FF))),
    ("indic", ((0x980, 0xDFF),)),  # Bengali … Sinhala: spaced, with their own letters
    ("thai", ((0xE00, 0xE7F),)),
    ("lao", ((0xE80, 0xEFF),)),
    ("myanmar", ((0x1000, 0x109F),)),
    ("georgian", ((0x10A0, 0x10FF), (0x1C90, 0x1CBF), (0x2D00, 0x2D2F))),
    ("ethiopic", ((0x1200, 0x139F), (0x2D80, 0x2DDF), (0xAB00, 0xAB2F))),
    ("khmer", ((0x1780, 0x17FF), (0x19E0, 0x19FF))),
    ("hangul", ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF))),
    ("kana", ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F))),
    ("han", ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))),
)
SCRIPTS: tuple[str, ...] = ("other",) + tuple(name for name, _ in _SCRIPT_RANGES)
# Scripts written without spaces between words: a whitespace token there is a clause, so their
# letters are counted as 1/unspaced_chars_per_word words each.
UNSPACED_SCRIPTS = frozenset({"han", "kana", "thai", "lao", "myanmar", "khmer"})
# Scripts without letter case: any of their letters can start a sentence. (Georgian has capitals
# since Unicode 11, but running text is written in caseless Mkhedruli.)
CASELESS_SCRIPTS = frozenset({"arabic", "hebrew", "devanagari", "indic", "thai", "lao", "myanmar", "georgian",
                              "ethiopic", "khmer", "hangul", "kana", "han", "other"})
# Scripts that mark no sentence end at all (Thai and Lao separate sentences with a space).
NO_SENTENCE_MARK_SCRIPTS = frozenset({"thai", "lao"})

# Sentence-final punctuation of every script: Latin/Cyrillic/Greek . ! ? …, CJK 。！？｡,
# Arabic ؟ and ۔ (Urdu), Devanagari । ॥, Ethiopic ። ፧ ፨, Armenian ։, Myanmar ။, Tibetan །,
# Khmer ។, and the Greek question mark (U+037E; Greek text mostly writes it as ";", see below).
TERMINAL_PUNCTUATION = frozenset(".!?…。！？｡؟۔।॥።፧፨։။།។\u037e\u203c\u2047\u2048\u2049")
# Full-width stops are followed directly by the next sentence, without a space.
_UNSPACED_TERMINALS = frozenset("。！？｡")
# Closing quotes and brackets that may follow the full stop: `said.”`  `다.)`  `。」`  `».`
CLOSERS = "\"'”’»)]}」』）】〉》›"
# Opening quotes and brackets that may precede the first letter of a sentence.
OPENERS = "\"'“‘„«(‹[「『（【〈《¿¡—–-"

_SCRIPT_INDEX = {name: i for i, name in enumerate(SCRIPTS)}
_BMP_SCRIPTS: np.ndarray | None = None


def _bmp_scripts() -> np.ndarray:
    """Script index (into SCRIPTS) of every BMP code point that is a letter, else 0 ("other")."""
    global _BMP_SCRIPTS
    if _BMP_SCRIPTS is None:
        table = np.zeros(0x10000, dtype=np.uint8)
        for name, ranges in _SCRIPT_RANGES:
            for lo, hi in ranges:
                table[lo:hi + 1] = _SCRIPT_INDEX[name]
        _BMP_SCRIPTS = table
    return _BMP_SCRIPTS


def script_of(ch: str) -> str:
    """The script of one character by code point range ("other" outside the known ranges)."""
    code = ord(ch)
    if code >= 0x10000:
        return "han" if HAN_RE.match(ch) else "other"
    return SCRIPTS[int(_bmp_scripts()[code])]


@lru_cache(maxsize=4096)  # the line rules ask about the same line several times
def ends_sentence(line: str) -> bool:
    """True when the line ends with sentence punctuation of any script, closing quotes allowed.

    Greek writes its question mark as ";" (U+003B, the canonical form of U+037E): after a Greek
    letter it ends a sentence; after anything else (code, lists) it does not.
    """
    stripped = line.rstrip().rstrip(CLOSERS)
    if not stripped:
        return False
    last = stripped[-1]
    if last in TERMINAL_PUNCTUATION:
        return True
    return last == ";" and len(stripped) > 1 and script_of(stripped[-2]) == "greek"


def starts_sentence(ch: str) -> bool:
    """Whether a sentence can begin with ``ch``: a capital (or titlecase) letter, a digit, or
    any letter of a script without case (Chinese, Arabic, Hindi, Thai, Georgian …)."""
    if ch.isdigit() or ch.isupper() or ch.istitle():
        return True
    return ch.isalpha() and script_of(ch) in CASELESS_SCRIPTS


_TERMINALS_CLASS = "".join(sorted(TERMINAL_PUNCTUATION - {"\u037e"})).replace("\\", "")
# A sentence end inside a line: terminal punctuation (or a Greek ";"), closing quotes, spaces,
# opening quotes, then the first character of the next sentence (checked by starts_sentence).
_INNER_BOUNDARY = re.compile(
    "([" + re.escape(_TERMINALS_CLASS) + ";\u037e])[" + re.escape(CLOSERS) + r"]*(\s*)["
    + re.escape(OPENERS) + r"]*(\w)")


def sentence_boundaries(line: str) -> int:
    """How many sentence ends inside ``line`` are followed by the start of another sentence.

    ". The", ". Правительство", ". Η κυβέρνηση", "; Τι", "。下一句", "؟ وقال" all count;
    "e.g. the", "3.5 million" and "x = 1; y" do not.
    """
    n = 0
    for m in _INNER_BOUNDARY.finditer(line):
        mark, space, first = m.group(1), m.group(2), m.group(3)
        if not space and mark not in _UNSPACED_TERMINALS:
            continue
        if mark == ";" and not (m.start() > 0 and script_of(line[m.start() - 1]) == "greek"):
            continue
        if starts_sentence(first):
            n += 1
    return n


_NO_MARK_RE = re.compile("[\u0e00-\u0eff]")


def _no_mark_script_line(line: str, min_letters: int = 40) -> bool:
    """A line of Thai or Lao running text (these scripts mark no sentence end): mostly their
    letters, and long enough to hold a sentence."""
    if _NO_MARK_RE.search(line) is None:  # the usual case: no Thai or Lao at all
        return False
    letters = [c for c in line if c.isalpha()]
    if len(letters) < min_letters:
        return False
    scripts = Counter(script_of(c) for c in letters)
    name, count = scripts.most_common(1)[0]
    return name in NO_SENTENCE_MARK_SCRIPTS and count * 2 > len(letters)


# Running text ends a sentence at least this often (in words, script-aware). Sentences in
# news average 15-25 words and rarely pass 60; a line of 80+ words with a single full stop is
# a transcript or a keyword run that happens to end with one, not prose.
MAX_WORDS_PER_SENTENCE = 80


def is_prose_line(line: str) -> bool:
    """A line of running text: it ends a sentence, or it holds at least two sentence
    boundaries (extractors sometimes flatten a whole article into one unterminated line), or it
    is a long line of a script that marks no sentence end (Thai, Lao); and it has no more than
    ``MAX_WORDS_PER_SENTENCE`` words per sentence."""
    ends = ends_sentence(line)
    short = len(line) < 6 * MAX_WORDS_PER_SENTENCE  # too short to hold that many words
    if ends and short:  # the common case, decided without looking inside the line
        return True
    inner = sentence_boundaries(line)
    if not (ends or inner >= 2):
        return _no_mark_script_line(line)
    if short:
        return True
    return script_word_count(line, 1.5) <= MAX_WORDS_PER_SENTENCE * (inner + int(ends) or 1)


# Characters that make up much of a line of program code, markup or configuration.
_CODE_CHARS = frozenset("{}()[];=<>/\\*&|#$@`~^+:_")
_CODE_ENDS = ("{", "}", ";", "(", "[", ",", "=>", "->", "*/", ":")
_CODE_STARTS = ("}", ")", "]", "//", "#", "/*", "*", "<", "$", "@", "--")


def is_code_line(line: str) -> bool:
    """A line of program code, markup or configuration (``}``, ``fn main() {``, ``key: value``,
    ``<cfscript>``, ``SELECT * FROM t;``): content of a how-to article, but not prose and not a
    headline, so line-shape rules leave it out of their shares."""
    s = line.strip()
    if not s or ends_sentence(s) and s[-1] != ";":
        return False
    if s.startswith(_CODE_STARTS) or s.endswith(_CODE_ENDS):
        return True
    code = sum(map(s.count, _CODE_CHARS))  # one C scan per code character, not a Python step per character
    return code >= 2 and code >= 0.1 * len(s)


_BULLET_RE = re.compile(r"^(?:[•·▪►▶→»\-*–—]|\d{1,3}[.)])\s+")


def is_table_row(line: str) -> bool:
    """A table row as extraction writes it: cells separated by tabs ("Arsenal\t10\t7\t22")."""
    return "\t" in line.strip()


def is_bullet_line(line: str) -> bool:
    """A list item: a line starting with a bullet ("- ", "• ", "▶ ") or a number ("3. ", "12) ")."""
    return _BULLET_RE.match(line.strip()) is not None


# A whitespace token with no letter or digit ("-", "•", "|", "—").
_BARE_TOKEN = re.compile(r"(?<!\S)[^\w\s]+(?!\S)")


def content_words(line: str, unspaced_chars_per_word: float = 1.5) -> int:
    """Script-aware words of ``line`` that hold a letter or digit (a lone "-" or "•" is not one)."""
    words = script_word_count(line, unspaced_chars_per_word)
    return words - len(_BARE_TOKEN.findall(line)) if words else 0


# ---- logical lines: hard-wrapped paragraphs joined back ----------------------------------------

def _first_char(line: str) -> str:
    s = line.lstrip().lstrip(OPENERS).lstrip()
    return s[:1]


def _joins(prev: str, first: str, wrapped: bool, wrap_width: int) -> bool:
    """Whether the next line, starting with ``first`` (its ``_first_char``), continues the
    sentence of ``prev``, a line that does not end one (a line break inside a paragraph)."""
    if not first:
        return False
    if first.isalpha() and first.islower() and script_of(first) not in CASELESS_SCRIPTS:
        return True  # a lower-case letter never starts a line of its own in a cased script
    if not wrapped:
        return False
    # In hard-wrapped text a line of nearly full width that stops mid-sentence goes on.
    return len(prev.strip()) >= 0.6 * wrap_width and (first.isalnum() or first in OPENERS)


def logical_lines(lines: list[str]) -> list[str]:
    """Non-empty lines with hard-wrapped paragraphs joined back into one line each.

    Text extracted from pages with ``<br>``-wrapped or preformatted paragraphs arrives as lines
    of ~60-100 characters that break mid-sentence; judged line by line, every one of them looks
    like a headline. A break is joined when the next line starts with a lower-case letter (in a
    cased script, nothing else starts a line that way), or, in text that is hard-wrapped (most
    breaks after an unfinished sentence lead into a lower-case word), when the line is nearly
    full width and stops mid-sentence.
    """
    lines = [s for s in (ln.strip() for ln in lines) if s]
    if len(lines) < 2:
        return lines
    # Only a break after a line that does not end a sentence can be joined: each line's
    # ends_sentence and the next line's first character are looked up once, for those breaks.
    open_at = [i for i, ends in enumerate(map(ends_sentence, lines[:-1])) if not ends]
    firsts = [_first_char(lines[i + 1]) for i in open_at]
    open_breaks = len(open_at)
    lower_next = sum(1 for first in firsts if first and first.islower())
    if not lower_next and open_breaks < 2:  # every line ends a sentence (most cleaned articles)
        return lines
    widths = sorted(len(ln) for ln in lines)
    wrap_width = widths[int(0.9 * (len(widths) - 1))]
    # Hard-wrapped: most breaks after an unfinished sentence lead into a lower-case word, or (for
    # scripts without case) most lines are cut at nearly the same width, as a wrap cuts them,
    # and sentences end inside the lines as often as prose ends them (a list of headlines or a
    # table of even width has no full stops).
    near_full = sum(1 for w in widths if w >= 0.8 * wrap_width)
    wrapped = open_breaks >= 2 and (
        lower_next >= 0.4 * open_breaks
        or (wrap_width >= 15 and len(lines) >= 3 and near_full >= 0.6 * len(lines)
            and (3 * sum(ends_sentence(ln) + sentence_boundaries(ln) for ln in lines) >= len(lines)
                 or _no_mark_script_line(" ".join(lines)))))  # Thai, Lao: no marks to count
    joined = {i for i, first in zip(open_at, firsts) if _joins(lines[i], first, wrapped, wrap_width)}
    if not joined:
        return lines
    out = [lines[0]]
    for i in range(1, len(lines)):
        if i - 1 in joined:
            out[-1] = out[-1] + " " + lines[i]
        else:
            out.append(lines[i])
    return out


# ---- one vectorized pass: characters by class and script, words, sentence ends -----------------

_CLASS_NAMES = ("letter", "digit", "symbol", "punct", "space", "other")
_C_LETTER, _C_DIGIT, _C_SYMBOL, _C_PUNCT, _C_SPACE, _C_OTHER = range(6)
_BMP_CHAR_CLASSES: np.ndarray | None = None


def char_class(ch: str) -> str:
    """letter, digit, symbol, punct, space or other, by Unicode general category."""
    if ch.isspace():
        return "space"
    cat = unicodedata.category(ch)[0]
    return {"L": "letter", "N": "digit", "S": "symbol", "P": "punct"}.get(cat, "other")


def _bmp_char_classes() -> np.ndarray:
    """Class index (into _CLASS_NAMES) of every BMP code point, built once (~40 ms)."""
    global _BMP_CHAR_CLASSES
    if _BMP_CHAR_CLASSES is None:
        index = {name: i for i, name in enumerate(_CLASS_NAMES)}
        table = np.fromiter((index[char_class(chr(c))] if not 0xD800 <= c <= 0xDFFF else _C_OTHER
                             for c in range(0x10000)), dtype=np.uint8, count=0x10000)
        _BMP_CHAR_CLASSES = table
    return _BMP_CHAR_CLASSES


_UNSPACED_MASK = np.zeros(len(SCRIPTS), dtype=bool)
_UNSPACED_MASK[[_SCRIPT_INDEX[s] for s in UNSPACED_SCRIPTS]] = True
_TERMINAL_TABLE = np.zeros(0x10000, dtype=bool)
_TERMINAL_TABLE[[ord(c) for c in TERMINAL_PUNCTUATION]] = True


@dataclass(frozen=True, slots=True)
class ScriptStats:
    """Character, script, word and sentence counts of one text (see ``text_stats``)."""

    chars: int  # all characters
    letters: int
    digits: int
    symbols: int
    punctuation: int
    spaces: int
    script_letters: dict[str, int]  # letters per script (only scripts that occur)
    tokens: int  # whitespace-separated tokens
    words: int  # script-aware words: tokens, with unspaced-script letters counted by characters
    unspaced_letters: int  # characters of scripts written without spaces (Han, Kana, Thai …)
    sentence_ends: int  # terminal punctuation marks of any script

    @property
    def visible(self) -> int:
        return self.chars - self.spaces

    @property
    def dominant_script(self) -> str | None:
        """The script with the most letters (None without letters)."""
        if not self.script_letters:
            return None
        return max(sorted(self.script_letters), key=self.script_letters.__getitem__)

    def class_counts(self) -> dict[str, int]:
        counts = {"letter": self.letters, "digit": self.digits, "symbol": self.symbols,
                  "punct": self.punctuation, "space": self.spaces,
                  "other": self.chars - self.letters - self.digits - self.symbols - self.punctuation - self.spaces}
        return {k: v for k, v in counts.items() if v}


def char_class_counts(text: str) -> dict[str, int]:
    """``text_stats(text).class_counts()`` (characters by Unicode class, zero counts left out)
    from the class table alone, for rules that need no scripts, words or sentence ends."""
    if text.isascii():
        codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        totals = np.bincount(_bmp_char_classes()[:128][codes], minlength=len(_CLASS_NAMES)).tolist()
    else:
        codes32 = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        astral = codes32[codes32 >= 0x10000] if int(codes32.max()) >= 0x10000 else codes32[:0]
        if astral.size:
            codes32 = codes32[codes32 < 0x10000]
        totals = np.bincount(_bmp_char_classes()[codes32], minlength=len(_CLASS_NAMES)).tolist()
        for code in astral.tolist():  # beyond the BMP (emoji, rare Han): one by one, as text_stats
            totals[_CLASS_NAMES.index(char_class(chr(code)))] += 1
    return {name: n for name, n in zip(_CLASS_NAMES, totals) if n}


def text_stats(text: str, unspaced_chars_per_word: float = 1.5) -> ScriptStats:
    """Count characters by Unicode class and letters by script, words per script and sentence
    ends, in one vectorized pass (numpy table lookups, no per-character Python).

    Words: whitespace tokens; a token holding letters of a script written without spaces
    (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) counts ``n / unspaced_chars_per_word`` words
    for its ``n`` such letters (at least one) — the same rule as ``script_word_count``.
    """
    if text.isascii():  # most English text: no script table, no unspaced letters, no Greek ";"
        codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        totals = np.bincount(_bmp_char_classes()[:128][codes], minlength=len(_CLASS_NAMES)).tolist()
        n_tokens = len(text.split())
        return ScriptStats(
            chars=len(text), letters=totals[_C_LETTER], digits=totals[_C_DIGIT], symbols=totals[_C_SYMBOL],
            punctuation=totals[_C_PUNCT], spaces=totals[_C_SPACE],
            script_letters={"latin": totals[_C_LETTER]} if totals[_C_LETTER] else {}, tokens=n_tokens,
            words=n_tokens, unspaced_letters=0,
            sentence_ends=int(np.count_nonzero(_TERMINAL_TABLE[:128][codes])),
        )
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    astral = codes >= 0x10000
    has_astral = bool(astral.any()) if codes.size else False
    bmp = np.where(astral, 0, codes) if has_astral else codes
    classes = _bmp_char_classes()[bmp]
    scripts = _bmp_scripts()[bmp]
    if has_astral:  # characters beyond the BMP: classified one by one (rare: emoji, rare Han)
        classes = classes.copy()
        scripts = scripts.copy()
        for i in np.flatnonzero(astral).tolist():
            ch = chr(int(codes[i]))
            classes[i] = _CLASS_NAMES.index(char_class(ch))
            scripts[i] = _SCRIPT_INDEX["han"] if HAN_RE.match(ch) else 0
    class_totals = np.bincount(classes, minlength=len(_CLASS_NAMES)).tolist()
    is_letter = classes == _C_LETTER
    letter_scripts = np.bincount(scripts[is_letter], minlength=len(SCRIPTS)).tolist()
    script_letters = {SCRIPTS[i]: n for i, n in enumerate(letter_scripts) if n}
    unspaced = _UNSPACED_MASK[scripts]  # every character of those blocks, as UNSPACED_WORD_RE
    n_unspaced = int(np.count_nonzero(unspaced))
    is_space = classes == _C_SPACE
    starts = ~is_space
    if starts.size:
        starts = starts & np.concatenate(([True], is_space[:-1]))
    n_tokens = int(np.count_nonzero(starts))
    if n_unspaced:
        token_id = np.cumsum(starts) - 1
        per_token = np.bincount(token_id[unspaced], minlength=n_tokens)
        words = float(np.maximum(1.0, per_token / unspaced_chars_per_word)[per_token > 0].sum())
        words += int((per_token == 0).sum())
        n_words = int(round(words))
    else:
        n_words = n_tokens
    sentence_ends = int(np.count_nonzero(_TERMINAL_TABLE[bmp]))
    if codes.size > 1:  # Greek writes its question mark as ";": count it after a Greek letter
        semicolons = np.flatnonzero(codes[1:] == 0x3B)
        if semicolons.size:
            sentence_ends += int(np.count_nonzero(scripts[semicolons] == _SCRIPT_INDEX["greek"]))
    return ScriptStats(
        chars=int(codes.size), letters=class_totals[_C_LETTER], digits=class_totals[_C_DIGIT],
        symbols=class_totals[_C_SYMBOL], punctuation=class_totals[_C_PUNCT], spaces=class_totals[_C_SPACE],
        script_letters=script_letters, tokens=n_tokens, words=n_words, unspaced_letters=n_unspaced,
        sentence_ends=sentence_ends,
    )
