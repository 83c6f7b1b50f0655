"""langdetect's algorithm and profiles, with its two hot loops rewritten: same answers, faster.

Why: profiling ``detect_language`` on 500-word news showed ~95% of the time inside langdetect's
pure-Python loops: ``_extract_ngrams`` (a method call and a Unicode-block binary search per
character) and ``_update_lang_prob`` (a Python loop over 55 languages per sampled n-gram).
This module keeps everything that decides the answer — the 55 bundled profiles, the
normalisation (``NGram.normalize``/``normalize_vi``, called once per distinct character), the
n-gram rules (word padding, the all-capitals skip), the seeded ``random.Random`` stream, the
random walk with its alpha jitter, convergence test and iteration limit — and changes only how
it is computed:

* n-grams are extracted per distinct word (cached), not per character through an object;
* the probability vector is a numpy array: ``prob *= weight + row`` and the normalisation are
  the same IEEE double operations in the same order (the sum uses Python's ``sum`` exactly
  as langdetect does), so the probabilities are bit-for-bit langdetect's;
* every detection seeds a fresh ``random.Random(seed)``, so the random numbers are replayed
  from one stream per seed (``_Draws``) and a block of 5 draws is one ``np.multiply.reduce``;
* ``detect`` (what ``cleaning.language`` calls) finds a walk's convergence for all blocks at
  once in log space and returns the certain answer (one label, p > 0.99999) without the exact
  walk; anything less certain gets ``probabilities``' exact list. Same labels, same 4 decimals.

``tests/cleaning/test_language.py`` checks equality with ``langdetect.Detector`` on every
fixture, paragraph and sample length; ``benchmarks/language_quality_bench.py`` prints both
speeds.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
from array import array
from bisect import bisect_left
from functools import cached_property, lru_cache, partial
from itertools import chain
from operator import add, is_not

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

_ALPHA = Detector.ALPHA_DEFAULT
_ALPHA_WIDTH = Detector.ALPHA_WIDTH
_ITERATION_LIMIT = Detector.ITERATION_LIMIT
_PROB_THRESHOLD = Detector.PROB_THRESHOLD
_CONV_THRESHOLD = Detector.CONV_THRESHOLD
_BASE_FREQ = Detector.BASE_FREQ
_TWOPI = 2.0 * math.pi  # random.TWOPI
_IS_ROW = partial(is_not, None)  # a vocabulary.get result that is a row number
# LangdetectEngine.detect's certain case (see _converged_walks): walks that converge within 61
# draws (a 1500-character English sample: 85% of walks), else within 201; float32 logarithms of
# values in [4e-5, 1] are within 1e-5 (a few ulp); the sink and negligible levels (natural log).
_FAST_DRAWS = (61, 201)
_FAST_LOG_ERROR = 1e-5
_FAST_SUNK_LOG = -650.0
_FAST_NEGLIGIBLE_LOG = -30.0
# Detector.cleaning_text: ASCII 'A'..'z' counts as Latin; code points from U+0300 up, except
# the Latin Extended Additional block (U+1E00-U+1EFF), count as non-Latin.
_LATIN_RE = re.compile("[A-z]")
_NON_LATIN_RE = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")
_LATIN_BYTES = bytes(range(ord("A"), ord("z") + 1))
# normalize_vi only rewrites a letter followed by one of these combining marks.
_DIACRITIC_RE = re.compile("[" + re.escape(NGram.DMARK_CLASS) + "]")
# Bound on the per-word n-gram cache (entries); cleared when full, which never changes results.
_WORD_CACHE_MAX = 200_000


def _has_upper_after_first(word: str) -> bool:
    """Whether a character after the first is upper case (only then can two capitals meet)."""
    rest = word[1:]
    return not rest.islower() and any(map(str.isupper, rest))


def _normalize(prob: np.ndarray) -> bool:
    """langdetect's _normalize_prob in place; True when the walk has converged."""
    values = prob.tolist()
    total = sum(values)  # Python's sum, as langdetect's _normalize_prob
    prob /= total
    # max(p / total) == max(p) / total: division by a positive number keeps order.
    return max(values) / total > _CONV_THRESHOLD


# The Mersenne-Twister output of random.Random(seed), 32-bit words in order, per seed: every
# detection seeds a fresh generator, so every text draws from the same stream.
_STREAMS: dict[int, np.ndarray] = {}
_STREAM_MIN_WORDS = 1 << 14


def _seed_stream(seed: int, needed: int) -> np.ndarray:
    """At least ``needed`` words of ``random.Random(seed)``'s stream (``getrandbits(32)`` each)."""
    stream = _STREAMS.get(seed)
    if stream is None or len(stream) < needed:
        size = max(_STREAM_MIN_WORDS, 1 << (needed - 1).bit_length())
        rng = random.Random()
        rng.seed(seed)
        # getrandbits(32 * size) fills 32-bit words least significant first, one genrand_uint32 each.
        stream = np.frombuffer(rng.getrandbits(32 * size).to_bytes(4 * size, "little"), dtype="<u4")
        _STREAMS[seed] = stream
    return stream


def _random53(high: int, low: int) -> float:
    """random.random() from two 32-bit words (CPython's genrand_res53)."""
    return ((high >> 5) * 67108864.0 + (low >> 6)) * (1.0 / 9007199254740992.0)


class _Draws:
    """``random.Random(seed)``'s ``gauss()`` and ``choice(seq)`` (``_randbelow(n)``, ``n = len(seq)``)
    replayed from the seed's stream: the same numbers in the same order, drawn in bulk.

    ``take(count)`` peeks at the next ``count`` choices; ``commit(used)`` consumes the first
    ``used`` of them (a walk stops at a check, and the next trial's draws start right after).
    """

    def __init__(self, seed: int, n: int) -> None:
        self.seed = seed
        self.n = n
        self.shift = 32 - n.bit_length()  # getrandbits(k) = genrand_uint32() >> (32 - k), k <= 32
        self.pos = 0
        self.gauss_next: float | None = None
        self._accepted = np.zeros(0, dtype=np.intp)

    def gauss(self) -> float:
        z = self.gauss_next
        self.gauss_next = None
        if z is None:
            w = _seed_stream(self.seed, self.pos + 4)[self.pos:self.pos + 4].tolist()
            self.pos += 4
            x2pi = _random53(w[0], w[1]) * _TWOPI
            g2rad = math.sqrt(-2.0 * math.log(1.0 - _random53(w[2], w[3])))
            z = math.cos(x2pi) * g2rad
            self.gauss_next = math.sin(x2pi) * g2rad
        return 0.0 + z * 1.0

    def take(self, count: int) -> np.ndarray:
        window = 2 * count + 32  # at least half of all draws are accepted (n >= 2 ** (k - 1))
        while True:
            words = _seed_stream(self.seed, self.pos + window)[self.pos:self.pos + window]
            values = words >> self.shift
            accepted = np.flatnonzero(values < self.n)  # _randbelow rejects r >= n and draws again
            if len(accepted) >= count:
                self._accepted = accepted[:count]
                return values[self._accepted]
            window *= 2

    def commit(self, used: int) -> None:
        self.pos += int(self._accepted[used - 1]) + 1


class _RandomDraws:
    """The same interface over a real ``random.Random`` (one draw at a time): the fallback."""

    def __init__(self, seed: int, n: int) -> None:
        self.rng = random.Random()
        self.rng.seed(seed)
        self.n = n
        self._state = self.rng.getstate()

    def gauss(self) -> float:
        return self.rng.gauss(0.0, 1.0)

    def take(self, count: int) -> np.ndarray:
        self._state = self.rng.getstate()
        return np.array([self.rng._randbelow(self.n) for _ in range(count)], dtype=np.intp)

    def commit(self, used: int) -> None:
        self.rng.setstate(self._state)
        for _ in range(used):
            self.rng._randbelow(self.n)


@lru_cache(maxsize=1)
def replay_matches_random(seed: int = 0) -> bool:
    """Whether ``_Draws`` reproduces this Python's ``random.Random`` (checked once per process;
    the engine falls back to drawing one number at a time if a future Python changes them)."""
    for n in (1, 2, 3, 1000, 3733, 65537):
        rng = random.Random()
        rng.seed(seed)
        draws = _Draws(seed, n)
        for _ in range(3):
            if draws.gauss() != rng.gauss(0.0, 1.0):
                return False
            picks = draws.take(40).tolist()
            draws.commit(40)
            if picks != [rng._randbelow(n) for _ in range(40)]:
                return False
    return True


class _Normalizer(dict):
    """``str.translate`` table that calls ``NGram.normalize`` once per distinct character."""

    def __missing__(self, code_point: int) -> str:
        value = NGram.normalize(chr(code_point))
        self[code_point] = value
        return value


class LangdetectEngine:
    """The 55 langdetect profiles as one matrix, and langdetect's detection over it."""

    def __init__(self, profiles_directory: str = PROFILES_DIRECTORY) -> None:
        names = sorted(n for n in os.listdir(profiles_directory) if not n.startswith("."))
        profiles = []
        for name in names:
            with open(os.path.join(profiles_directory, name), encoding="utf-8") as fh:
                profiles.append(json.load(fh))
        self.languages: list[str] = [p["name"] for p in profiles]
        # DetectorFactory.add_profile: p(n-gram | language) = freq / n_words[len(n-gram) - 1]
        # for 1- to 3-grams. Built with numpy per profile (a Python loop over the 184k entries
        # took 0.15 s, paid by every process's first document).
        vocabulary = dict.fromkeys(chain.from_iterable(p["freq"] for p in profiles))
        if any(not 1 <= len(w) <= 3 for w in vocabulary):  # langdetect's own profiles have none
            vocabulary = {w: None for w in vocabulary if 1 <= len(w) <= 3}
            words = [[w for w in p["freq"] if w in vocabulary] for p in profiles]
        else:
            words = [list(p["freq"]) for p in profiles]
        for number, word in enumerate(vocabulary):
            vocabulary[word] = number
        matrix = np.zeros((len(vocabulary), len(profiles)), dtype=np.float64)
        for index, (p, ws) in enumerate(zip(profiles, words)):
            rows = np.fromiter(map(vocabulary.__getitem__, ws), dtype=np.intp, count=len(ws))
            freq = np.fromiter(map(p["freq"].__getitem__, ws), dtype=np.float64, count=len(ws))
            n_words = np.asarray(p["n_words"], dtype=np.float64)
            lengths = np.fromiter(map(len, ws), dtype=np.intp, count=len(ws))
            matrix[rows, index] = freq / n_words[lengths - 1]  # the same IEEE division
        self.vocabulary = vocabulary
        self.matrix = matrix
        self._normalizer = _Normalizer()
        self._word_cache: tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]] = ({}, {})
        # Raw words (before normalisation) to their packed n-gram rows; the text's last word apart.
        self._raw_cache: dict[str, bytes] = {}
        self._raw_last_cache: dict[str, bytes] = {}

    # -- text preparation (Detector.append + Detector.cleaning_text) -------------------------

    def prepare(self, text: str, max_text_length: int = 10_000) -> str:
        """The text langdetect would detect on: URLs/e-mails blanked, Vietnamese marks folded,
        cut to ``max_text_length``, Latin dropped from non-Latin text. langdetect also collapses
        runs of spaces; here they are left, as split on " " they only give empty words, which
        have no n-grams (``ngram_array``)."""
        # Each step is skipped when its trigger is absent: the result is the same, and langdetect's
        # e-mail pattern alone cost ~0.1 ms per 1,500 characters of plain prose.
        if "http" in text:
            text = Detector.URL_RE.sub(" ", text)
        if "@" in text:
            text = Detector.MAIL_RE.sub(" ", text)
        if text.isascii():  # no combining marks, nothing from U+0300 up: nothing else applies
            return text[:max_text_length]
        if _DIACRITIC_RE.search(text):
            text = NGram.normalize_vi(text)
        text = text[:max_text_length]
        non_latin = len(_NON_LATIN_RE.findall(text))
        if non_latin:
            # 'A'..'z' are single bytes in UTF-8 and never part of a multi-byte character, so
            # counting those bytes counts those characters (in C; the regex took ~70 us here).
            encoded = text.encode("utf-8", "surrogatepass")
            latin = len(encoded) - len(encoded.translate(None, _LATIN_BYTES))
            if latin * 2 < non_latin:
                text = _LATIN_RE.sub("", text)
        return text

    def ngram_ids(self, text: str, max_text_length: int = 10_000) -> list[int]:
        """Profile row of every n-gram langdetect would extract from ``text``, in its order."""
        return self.ngram_array(text, max_text_length).tolist()

    def ngram_array(self, text: str, max_text_length: int = 10_000) -> np.ndarray:
        """``ngram_ids`` as an int32 array, built from per-word caches without a loop per word.

        Normalisation is per character and maps a space to a space, so the normalised text split
        on " " is the concatenation, word by word, of each raw word's normalised pieces: the
        n-grams of a raw word (as packed int32 bytes) are cached under the raw word, and the
        text's are one ``bytes.join`` over its words. Only the text's last word is not followed
        by a space (langdetect pads words on both sides, the last one on the left only).
        """
        words = self.prepare(text, max_text_length).split(" ")
        last = words.pop()
        cache = self._raw_cache
        if len(cache) > _WORD_CACHE_MAX:
            cache.clear()
        missing = set(words).difference(cache)
        for word in missing:
            cache[word] = self._raw_word_ngrams(word, True)
        packed = b"".join(map(cache.__getitem__, words))
        if last:
            tail = self._raw_last_cache.get(last)
            if tail is None:
                if len(self._raw_last_cache) > _WORD_CACHE_MAX:
                    self._raw_last_cache.clear()
                tail = self._raw_last_cache[last] = self._raw_word_ngrams(last, False)
            packed += tail
        return np.frombuffer(packed, dtype=np.int32)

    def _raw_word_ngrams(self, raw: str, followed_by_space: bool) -> bytes:
        """The n-gram rows of one raw (not yet normalised) word, packed as int32 bytes."""
        pieces = raw.translate(self._normalizer).split(" ")
        grams: list[int] = []
        spaced, unspaced = self._word_cache
        if len(spaced) > _WORD_CACHE_MAX:
            spaced.clear()
        for piece in pieces[:-1]:  # normalisation turned a character into a space: followed by one
            if piece:
                found = spaced.get(piece)
                if found is None:
                    found = spaced[piece] = self._word_ngrams(piece, True)
                grams.extend(found)
        piece = pieces[-1]
        if piece:
            cache = spaced if followed_by_space else unspaced
            found = cache.get(piece)
            if found is None:
                if len(unspaced) > _WORD_CACHE_MAX:
                    unspaced.clear()
                found = cache[piece] = self._word_ngrams(piece, followed_by_space)
            grams.extend(found)
        return array("i", grams).tobytes()  # native int32, as np.frombuffer(dtype=np.int32) reads it

    def clear_word_cache(self) -> None:
        """Forget the per-word n-grams (benchmarks use it to time cold documents)."""
        for cache in (*self._word_cache, self._raw_cache, self._raw_last_cache):
            cache.clear()

    def _word_ngrams(self, word: str, followed_by_space: bool) -> tuple[int, ...]:
        """NGram.add_char's output for one space-delimited word (the buffer restarts at ' ')."""
        padded = " " + word + (" " if followed_by_space else "")
        get = self.vocabulary.get
        if not _has_upper_after_first(word):
            # No two capitals in a row, so langdetect's all-capitals skip never applies: every
            # position gives its 1-, 2- and 3-gram (a lone " " is never a profile n-gram).
            # Position j >= 2 gives padded[j], padded[j-1:j+1], padded[j-2:j+1]; built in C.
            bigrams = list(map(add, padded[1:-1], padded[2:]))
            trigrams = map(add, padded[:-2], bigrams)
            candidates = chain((padded[1], padded[0:2]), chain.from_iterable(zip(padded[2:], bigrams, trigrams)))
            return tuple(filter(_IS_ROW, map(get, candidates)))
        out: list[int] = []
        capital = False
        for j in range(1, len(padded)):
            ch = padded[j]
            if ch.isupper():
                if padded[j - 1].isupper():
                    capital = True
            else:
                capital = False
            if capital:
                continue
            buffer = padded[max(0, j - 2) : j + 1]
            for n in range(1, len(buffer) + 1):
                gram = buffer[-n:]
                if gram != " ":
                    row = get(gram)
                    if row is not None:
                        out.append(row)
        return tuple(out)

    # -- detection (Detector._detect_block + _sort_probability) ------------------------------

    def probabilities(self, text: str, seed: int = 0, n_trial: int = 7,
                      max_text_length: int = 10_000) -> list[tuple[str, float]]:
        """langdetect's ranked (label, probability) list, p > 0.1; raises LangDetectException.

        The random walk is langdetect's, draw for draw: every detection seeds its own
        ``random.Random(seed)``, so the stream of Mersenne-Twister words is the same for every
        text and is generated once per seed (``_seed_stream``); ``random.gauss`` and
        ``random.choice`` are replayed from it exactly (``_Draws``). The products of one
        convergence block (the n-grams between two normalisations, every 5th draw) are one
        ``np.multiply.reduce`` over the probability row and the block's rows: the same IEEE
        multiplications in the same order as ``prob *= weight + row`` one at a time.
        """
        ids = self.ngram_array(text, max_text_length)
        if not ids.size:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        size = len(self.languages)
        langprob = np.zeros(size)
        draws = _Draws(seed, len(ids)) if replay_matches_random() else _RandomDraws(seed, len(ids))
        for _ in range(n_trial):
            langprob += self._trial(ids, draws) / n_trial
        ranked = [(lang, p) for lang, p in zip(self.languages, langprob.tolist()) if p > _PROB_THRESHOLD]
        ranked.sort(key=lambda lp: lp[1], reverse=True)  # stable, as Language.__lt__ + sort()
        return ranked

    def _trial(self, ids: np.ndarray, draws: _Draws | _RandomDraws) -> np.ndarray:
        """One random walk of Detector._detect_block: the normalised probabilities it ends with."""
        size = len(self.languages)
        alpha = _ALPHA + draws.gauss() * _ALPHA_WIDTH
        weight = alpha / _BASE_FREQ
        prob = np.full(size, 1.0 / size)
        prob *= weight + self.matrix[ids[int(draws.take(1)[0])]]  # draw 0, then the first check
        draws.commit(1)
        if _normalize(prob):
            return prob
        i = 0  # langdetect's iteration counter after each block: checks come at i % 5 == 0
        n_blocks = 4
        while True:
            picks = draws.take(5 * n_blocks)
            # Each block is [prob, row, row, row, row, row], multiplied down its first axis.
            buffer = np.empty((n_blocks, 6, size))
            np.add(self.matrix[ids[picks]].reshape(n_blocks, 5, size), weight, out=buffer[:, 1:, :])
            for k, block in enumerate(buffer):
                block[0] = prob
                np.multiply.reduce(block, axis=0, out=prob)
                i += 5
                if _normalize(prob) or i >= _ITERATION_LIMIT:
                    draws.commit(5 * (k + 1))
                    return prob
            draws.commit(5 * n_blocks)
            n_blocks = min(4 * n_blocks, 64)

    def detect(self, text: str, seed: int = 0, n_trial: int = 7,
               max_text_length: int = 10_000) -> list[tuple[str, float]]:
        """``probabilities`` with the same labels, faster when the answer is certain.

        Most texts converge in every trial on one language (langdetect stops a walk once that
        language holds more than 0.99999 of the probability): then the ranked list is that label
        alone, with a probability above 0.99999. Whether a walk converges, and where, does not
        depend on the normalisations between blocks (they rescale all languages alike), so it is
        found for all blocks at once from cumulative log-probabilities (``_converged_walks``),
        drawing the same random numbers. When every trial converges there, with every check
        clear of the threshold by far more than the rounding of either computation, on the same
        label, the result is ``[(label, p)]`` with p the mean of the log-space probabilities:
        the same label as langdetect's and p within 1e-5 of it (both round to 1.0 at the four
        decimals ``language_score`` keeps). Otherwise (a mixed text, a near tie, a long walk)
        ``probabilities`` computes langdetect's exact list.
        """
        ids = self.ngram_array(text, max_text_length)
        if not ids.size:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        if replay_matches_random():
            walked = self._converged_walks(ids, seed, n_trial)
            if walked is not None:
                return [(self.languages[walked[0]], walked[1])]
        return self.probabilities(text, seed, n_trial, max_text_length)

    def _converged_walks(self, ids: np.ndarray, seed: int, n_trial: int) -> tuple[int, float] | None:
        """(language index, mean final probability) when every one of the ``n_trial`` walks
        converges within ``_FAST_DRAWS`` draws, with a clear margin at every check, on the same
        language; None otherwise (``detect`` then computes langdetect's exact list).

        A walk's probability of language j after draw i is proportional to the product of
        ``weight + p(n-gram | j)`` over the draws so far, so at each check the top language's
        share is ``1 / sum_j exp(L_j - max L)`` with L the cumulative sums of the logarithms.
        The logarithms are float32 (3x faster; each within _FAST_LOG_ERROR), sums float64.

        The walks follow each other in the seed's stream: a walk's draws start where the last
        one stopped, after the 4 words of a new ``gauss()`` pair every other walk (the pair's
        second number serves the next walk). So every walk's draws are one run of the stream's
        accepted draws, minus those that fell on gauss words: they are drawn and their profile
        rows gathered once for all walks, and each walk takes its slice. The checks after a
        walk's convergence point are a dozen numbers, tested in Python. Together this halves
        the numpy calls per walk (~37 to ~16; they were most of its cost).
        """
        size = len(self.languages)
        draws = _Draws(seed, len(ids))
        weight = (_ALPHA + draws.gauss() * _ALPHA_WIDTH) / _BASE_FREQ
        base = draws.pos
        window, offsets, rows = 0, [], self.matrix[:0]
        label, total, k = None, 0.0, 0  # k: index (in the run of accepted draws) of the walk's first draw
        for trial in range(n_trial):
            if trial:
                draws.pos = base + offsets[k - 1] + 1  # right after the last walk's last draw
                weight = (_ALPHA + draws.gauss() * _ALPHA_WIDTH) / _BASE_FREQ
            for n_draws in _FAST_DRAWS:
                # The walk's first draw: the first accepted one after the gauss words (if any).
                k = bisect_left(offsets, draws.pos - base)
                if k + n_draws > window:  # draw and gather further (from the run's start: the same draws)
                    window = max(k + n_draws + 4 * (n_trial - trial), (_FAST_DRAWS[0] + 4) * n_trial, 2 * window)
                    resume, draws.pos = draws.pos, base
                    picks = draws.take(window)
                    draws.pos = resume
                    offsets = draws._accepted.tolist()  # raw stream offsets from base
                    rows = self.matrix[ids[picks]]
                    k = bisect_left(offsets, draws.pos - base)
                terms = (rows[k:k + n_draws] + weight).astype(np.float32)
                np.log(terms, out=terms)
                # Cumulative log-probabilities at the checks: after draw 0, then after each block of 5.
                cumulative = np.empty((1 + (n_draws - 1) // 5, size))
                cumulative[0] = terms[0]
                np.cumsum(terms[1:].reshape(-1, 5, size).sum(axis=1, dtype=np.float64), axis=0, out=cumulative[1:])
                cumulative[1:] += cumulative[0]
                relative = cumulative - cumulative.max(axis=1, keepdims=True)
                shares = (1.0 / np.exp(relative).sum(axis=1)).tolist()
                stop = next((i for i, share in enumerate(shares) if share > _CONV_THRESHOLD), None)
                if stop is not None:
                    break
            else:
                return None
            # Each check decided with room to spare: a log-probability difference off by d moves
            # the share by at most (1 - share) * (e**d - 1); d <= 2 * _FAST_LOG_ERROR per draw.
            error = 2 * _FAST_LOG_ERROR * (5 * stop + 1)
            if any(abs(share - _CONV_THRESHOLD) <= 2 * error * (1.0 - share) + 1e-12 for share in shares[:stop + 1]):
                return None
            checked = relative[:stop + 1]
            # A language that sinks below e**-650 of the top one may become subnormal or zero in
            # the exact walk; it must then stay negligible (below e**-30) in this one.
            if checked.min() < _FAST_SUNK_LOG:
                sunk = np.maximum.accumulate(checked < _FAST_SUNK_LOG, axis=0)
                if (checked[sunk] > _FAST_NEGLIGIBLE_LOG).any():
                    return None
            top = int(relative[stop].argmax())
            if label is not None and top != label:
                return None
            label = top
            total += shares[stop] / n_trial
            k += 5 * stop + 1
        return label, total

    def votes(self, texts: list[str], max_ngrams: int, max_text_length: int = 10_000) -> list[str | None]:
        """For each text, the profile label with the highest naive-Bayes log-likelihood over its
        first ``max_ngrams`` n-grams (None when it has none). Deterministic, no sampling.

        langdetect's random walk estimates the same posterior by multiplying ``weight + p``
        for randomly drawn n-grams; summing ``log(weight + p)`` over the n-grams in order is
        the direct version, and all texts share one numpy gather. A screen, not a score:
        paragraphs whose vote disagrees with the document's language are confirmed by
        ``probabilities``.
        """
        per_text = [self.ngram_array(t, max_text_length)[:max_ngrams] for t in texts]
        nonempty = [ids for ids in per_text if ids.size]
        if not nonempty:
            return [None] * len(texts)
        offsets = np.cumsum([0] + [len(ids) for ids in nonempty[:-1]])
        rows = self.log_matrix[np.concatenate(nonempty)]
        best = np.add.reduceat(rows, offsets, axis=0).argmax(axis=1).tolist()
        labels = iter(self.languages[k] for k in best)
        return [next(labels) if ids.size else None for ids in per_text]

    def vote(self, text: str, max_ngrams: int, max_text_length: int = 10_000) -> str | None:
        """``votes`` for one text."""
        return self.votes([text], max_ngrams, max_text_length)[0]

    @cached_property
    def log_matrix(self) -> np.ndarray:
        """``log(weight + p)`` for every profile n-gram in float32 (~19 MB, built in place on the
        first vote): taking logarithms of the gathered rows was two thirds of a vote's time."""
        table = self.matrix.astype(np.float32)  # one 19 MB array, modified in place
        table += np.float32(_ALPHA / _BASE_FREQ)
        return np.log(table, out=table)


@lru_cache(maxsize=1)
def engine() -> LangdetectEngine:
    """The process-wide engine (profiles load once, ~0.2 s)."""
    return LangdetectEngine()


@lru_cache(maxsize=4)
def reference_factory(seed: int) -> DetectorFactory:
    """langdetect's own factory (profiles in sorted order, seeded): the reference for tests."""
    factory = DetectorFactory()
    profiles = []
    for name in sorted(os.listdir(PROFILES_DIRECTORY)):
        with open(os.path.join(PROFILES_DIRECTORY, name), encoding="utf-8") as fh:
            profiles.append(fh.read())
    factory.load_json_profile(profiles)
    factory.set_seed(seed)
    return factory


def reference_probabilities(text: str, seed: int = 0, n_trial: int = 7,
                            max_text_length: int = 10_000) -> list[tuple[str, float]]:
    """The same list computed by langdetect's own ``Detector`` (slow; for tests and benchmarks)."""
    detector = reference_factory(seed).create()
    detector.n_trial = n_trial
    detector.set_max_text_length(max_text_length)
    detector.append(text)
    return [(p.lang, p.prob) for p in detector.get_probabilities()]
